"""Actions: what the host must do, as the desk returns them (docs/protocol.md, "Actions").

Every action is a frozen value with ``at``, the instant it takes effect: the event's, or
the deadline's when a deadline caused it (T2). The class attribute ``type`` is the
action's name on the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, TypeAlias

import attrs

from ._choices import Choice
from ._events import AgentState, EventType

__all__ = [
    "ACTION_TYPES",
    "Action",
    "AnyAction",
    "Assign",
    "Close",
    "CloseReason",
    "Enqueue",
    "FailureReason",
    "Offer",
    "PromptKind",
    "RatingCard",
    "RecordRating",
    "RejectReason",
    "Rejected",
    "Release",
    "ReleaseReason",
    "RequestAssignment",
    "RoutingFailed",
    "SendPrompt",
    "SetAgentStatus",
    "StatusReason",
    "WithdrawOffer",
    "WithdrawReason",
]


class PromptKind(Choice):
    """Which prompt a ``send_prompt`` carries."""

    WELCOME = "welcome"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CONNECT_FAILED = "connect_failed"
    QUEUE = "queue"
    AFTER_HOURS = "after_hours"
    TRANSFERRING = "transferring"
    TIMEOUT_REMINDER = "timeout_reminder"
    TIMEOUT_CLOSURE = "timeout_closure"
    END = "end"
    RATING_SUBMITTED = "rating_submitted"


class WithdrawReason(Choice):
    """Why an offer was taken away (S3, S4, A4, Q4, Q6)."""

    TIMEOUT = "timeout"
    DECLINED = "declined"
    AGENT_UNAVAILABLE = "agent_unavailable"
    CONVERSATION_ENDED = "conversation_ended"
    MAX_WAIT = "max_wait"


class ReleaseReason(Choice):
    """Why an agent was disconnected from a conversation it served (X3, A6)."""

    TRANSFERRED = "transferred"
    AGENT_OFFLINE = "agent_offline"


class StatusReason(Choice):
    """Why the desk changed an agent's status (``set_agent_status``)."""

    OFFER_TIMEOUT = "offer_timeout"
    """The agent let an offer time out under ``service.break_on_timeout`` (S3)."""


class FailureReason(Choice):
    """Why routing failed (F1)."""

    OUTSIDE_HOURS = "outside_hours"
    NO_AGENTS_ONLINE = "no_agents_online"
    QUEUE_FULL = "queue_full"
    QUEUE_TIMEOUT = "queue_timeout"
    WEBHOOK_FAILED = "webhook_failed"


class CloseReason(Choice):
    """Why a conversation closed (C1, C2)."""

    USER_TIMEOUT = "user_timeout"
    ENDED_BY_USER = "ended_by_user"
    ENDED_BY_AGENT = "ended_by_agent"


class RejectReason(Choice):
    """Why an event that may race with the desk was refused (E2)."""

    ALREADY_ROUTED = "already_routed"
    NOT_WAITING_FOR_ANSWER = "not_waiting_for_answer"
    NO_OPEN_OFFER = "no_open_offer"
    NOT_SERVED = "not_served"
    CONVERSATION_CLOSED = "conversation_closed"
    NOT_SERVING_AGENT = "not_serving_agent"
    SAME_AGENT = "same_agent"
    NO_AGENTS_ONLINE = "no_agents_online"
    INVITES_DISABLED = "invites_disabled"
    ALREADY_RATED = "already_rated"
    ALREADY_INVITED = "already_invited"
    NOT_INVITED = "not_invited"
    EXPIRED = "expired"
    INVALID_SCORE = "invalid_score"


@attrs.frozen(kw_only=True)
class Action:
    """Base of every action: ``at`` is the instant it takes effect."""

    type: ClassVar[str] = "action"
    __match_args__ = ("at",)
    at: datetime


@attrs.frozen(kw_only=True)
class SendPrompt(Action):
    """``send_prompt``: send ``text`` to the user of ``conversation``."""

    type: ClassVar[str] = "send_prompt"
    __match_args__ = ("conversation", "prompt", "text", "at")
    conversation: str
    prompt: PromptKind
    text: str


@attrs.frozen(kw_only=True)
class RequestAssignment(Action):
    """``request_assignment``: ask the host's routing service (webhook strategy, R3)."""

    type: ClassVar[str] = "request_assignment"
    __match_args__ = ("conversation", "expires_at", "user", "group", "at")
    conversation: str
    expires_at: datetime
    user: str | None = None
    group: str | None = None


@attrs.frozen(kw_only=True)
class Enqueue(Action):
    """``enqueue``: show the user as waiting at ``position`` (1 = next; Q1–Q3)."""

    type: ClassVar[str] = "enqueue"
    __match_args__ = ("conversation", "position", "at")
    conversation: str
    position: int


@attrs.frozen(kw_only=True)
class Offer(Action):
    """``offer``: show the offer to the agent until ``expires_at`` (S2)."""

    type: ClassVar[str] = "offer"
    __match_args__ = ("conversation", "agent", "expires_at", "at")
    conversation: str
    agent: str
    expires_at: datetime


@attrs.frozen(kw_only=True)
class WithdrawOffer(Action):
    """``withdraw_offer``: take the offer away from the agent."""

    type: ClassVar[str] = "withdraw_offer"
    __match_args__ = ("conversation", "agent", "reason", "at")
    conversation: str
    agent: str
    reason: WithdrawReason


@attrs.frozen(kw_only=True)
class Assign(Action):
    """``assign``: connect the agent to the conversation (S1, S2)."""

    type: ClassVar[str] = "assign"
    __match_args__ = ("conversation", "agent", "at")
    conversation: str
    agent: str


@attrs.frozen(kw_only=True)
class Release(Action):
    """``release``: disconnect the agent from the conversation; the user stays (X3, A6)."""

    type: ClassVar[str] = "release"
    __match_args__ = ("conversation", "agent", "reason", "at")
    conversation: str
    agent: str
    reason: ReleaseReason


@attrs.frozen(kw_only=True)
class SetAgentStatus(Action):
    """``set_agent_status``: change the agent's status (S3, ``break_on_timeout``)."""

    type: ClassVar[str] = "set_agent_status"
    __match_args__ = ("agent", "status", "reason", "at")
    agent: str
    status: AgentState
    reason: StatusReason


@attrs.frozen(kw_only=True)
class RoutingFailed(Action):
    """``routing_failed``: the user was not connected (F1)."""

    type: ClassVar[str] = "routing_failed"
    __match_args__ = ("conversation", "reason", "at")
    conversation: str
    reason: FailureReason


@attrs.frozen(kw_only=True)
class Close(Action):
    """``close``: close the conversation (C1, C2)."""

    type: ClassVar[str] = "close"
    __match_args__ = ("conversation", "reason", "at")
    conversation: str
    reason: CloseReason


@attrs.frozen(kw_only=True)
class RatingCard(Action):
    """``rating_card``: send the rating card, open until ``expires_at`` (V1, V2)."""

    type: ClassVar[str] = "rating_card"
    __match_args__ = ("conversation", "text", "expires_at", "at")
    conversation: str
    text: str
    expires_at: datetime


@attrs.frozen(kw_only=True)
class RecordRating(Action):
    """``record_rating``: store the rating for ``agent`` (V3)."""

    type: ClassVar[str] = "record_rating"
    __match_args__ = ("conversation", "agent", "score", "comment", "at")
    conversation: str
    agent: str
    score: int
    comment: str | None = None


@attrs.frozen(kw_only=True)
class Rejected(Action):
    """``rejected``: tell the sender its event was refused (E2)."""

    type: ClassVar[str] = "rejected"
    __match_args__ = ("event_type", "reason", "conversation", "agent", "at")
    event_type: EventType
    reason: RejectReason
    conversation: str | None = None
    agent: str | None = None


AnyAction: TypeAlias = (
    SendPrompt
    | RequestAssignment
    | Enqueue
    | Offer
    | WithdrawOffer
    | Assign
    | Release
    | SetAgentStatus
    | RoutingFailed
    | Close
    | RatingCard
    | RecordRating
    | Rejected
)
"""Every action class: what :meth:`Desk.handle <deskcore.Desk.handle>` returns and
:func:`~deskcore.action_from_json` builds. A ``match`` over it can end in
``assert_never``."""

ACTION_TYPES: dict[str, type[AnyAction]] = {
    cls.type: cls
    for cls in (
        SendPrompt,
        RequestAssignment,
        Enqueue,
        Offer,
        WithdrawOffer,
        Assign,
        Release,
        SetAgentStatus,
        RoutingFailed,
        Close,
        RatingCard,
        RecordRating,
        Rejected,
    )
}
"""Every action class by its wire name."""
