"""Events: what happened, as the host tells the desk (docs/protocol.md, "Events").

Every event is a frozen, keyword-only value with ``at``, an aware instant (rule T1). The
class attribute ``type`` is the event's name on the wire. Fields are checked on
construction; a bad value raises :class:`~deskcore.EventError` naming the event and field.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Literal, TypeAlias

import attrs

from ._choices import Choice
from ._errors import EventError, NaiveTimeError
from ._fields import MOST, PRIORITY
from ._show import show
from ._slots import slot_builder
from ._tags import tag_fault
from ._time import require_aware

__all__ = [
    "EVENT_TYPES",
    "UNSET",
    "AgentAccepted",
    "AgentDeclined",
    "AgentMessage",
    "AgentRequested",
    "AgentState",
    "AgentStatusChanged",
    "AgentStatusName",
    "AnyEvent",
    "AssignmentAnswered",
    "AssignmentFailed",
    "ConversationEnded",
    "Event",
    "EventType",
    "Party",
    "PartyName",
    "RatingInvited",
    "RatingSubmitted",
    "Resumed",
    "Tick",
    "Transfer",
    "Unset",
    "UserEntered",
    "UserMessage",
    "with_at",
]


class AgentState(Choice):
    """An agent's status (rule A1)."""

    ONLINE = "online"
    BREAK = "break"
    OFFLINE = "offline"


class Party(Choice):
    """Who ended a conversation (rule C2)."""

    USER = "user"
    AGENT = "agent"


AgentStatusName: TypeAlias = Literal["online", "break", "offline"]
"""The values of :class:`AgentState` as strings, which event constructors also take."""

PartyName: TypeAlias = Literal["user", "agent"]
"""The values of :class:`Party` as strings, which :class:`ConversationEnded` also takes."""

EventType: TypeAlias = Literal[
    "tick",
    "agent_status",
    "user_entered",
    "agent_requested",
    "assignment_answered",
    "assignment_failed",
    "agent_accepted",
    "agent_declined",
    "agent_message",
    "user_message",
    "conversation_ended",
    "rating_invited",
    "rating_submitted",
    "transfer",
    "resumed",
]
"""The wire name of every event type (``Rejected.event_type`` is one)."""


class Unset(enum.Enum):
    """The type of :data:`UNSET`: a field the event leaves as it was."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
"""Marks an ``agent_status`` field that the event does not give (the agent keeps its value)."""


def _fail(instance: Any, attribute: attrs.Attribute[Any], message: str) -> EventError:
    return EventError(message, event_type=instance.type, field=attribute.name)


def _instant(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    try:
        require_aware(value, attribute.name)
    except NaiveTimeError as exc:
        raise _fail(instance, attribute, str(exc)) from None


def _ident(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise _fail(instance, attribute, f"must be a non-empty string, got {show(value)}")


def _optional(check: Callable[[Any, attrs.Attribute[Any], Any], None]) -> Any:
    def validator(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and value is not UNSET:
            check(instance, attribute, value)

    return validator


def _idents(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise _fail(instance, attribute, f"must be a tuple of ids, got {show(value)}")
    for item in value:
        if not isinstance(item, str) or not item:
            raise _fail(instance, attribute, f"must hold non-empty strings, got {show(item)}")


def _as_member(kind: type[enum.StrEnum], value: Any) -> Any:
    """Accept the enum's string value too (``"online"`` for ``AgentState.ONLINE``); any
    other value is left for the field's validator to refuse."""
    if isinstance(value, str) and not isinstance(value, kind):
        try:
            return kind(value)
        except ValueError:
            return value
    return value


# The converters' parameter types are what type checkers show as the constructor's: a
# member or its string, so that ``status="onlien"`` is a type error. At run time any
# value reaches the validator, which raises EventError naming the field.
def _as_state(value: AgentState | AgentStatusName) -> AgentState:
    member: AgentState = _as_member(AgentState, value)
    return member


def _as_party(value: Party | PartyName) -> Party:
    member: Party = _as_member(Party, value)
    return member


def _member(kind: type[enum.StrEnum]) -> Any:
    names = ", ".join(repr(m.value) for m in kind)

    def validator(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, kind):
            raise _fail(instance, attribute, f"must be one of {names}, got {show(value)}")

    return validator


def _integer(low: int | None = None, high: int | None = None) -> Any:
    def validator(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(instance, attribute, f"must be an integer, got {show(value)}")
        if low is not None and value < low:
            raise _fail(instance, attribute, f"must be >= {low}, got {show(value)}")
        if high is not None and value > high:
            raise _fail(instance, attribute, f"must be <= {high}, got {show(value)}")

    return validator


def _text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str):
        raise _fail(instance, attribute, f"must be a string, got {show(value)}")


def _id_field() -> Any:
    return attrs.field(validator=_ident)


def _optional_id() -> Any:
    return attrs.field(default=None, validator=_optional(_ident))


def _exactly_one(event: Event) -> None:
    """The ``__attrs_post_init__`` of a class with ``one_of``: exactly one is given."""
    first, second = event.one_of
    if (getattr(event, first) is None) == (getattr(event, second) is None):
        raise EventError(f"give exactly one of {first!r} and {second!r}", event_type=event.type)


@attrs.frozen(kw_only=True)
class Event:
    """Base of every event: ``at`` is the aware instant it happened (rule T1).

    ``one_of`` names two optional fields of which an event of the class gives exactly one
    (empty when there are none); the constructor and the JSON Schema both read it.
    """

    type: ClassVar[str] = "event"
    one_of: ClassVar[tuple[str, ...]] = ()
    __match_args__ = ("at",)
    at: datetime = attrs.field(validator=_instant)


@attrs.frozen(kw_only=True)
class AgentStatusChanged(Event):
    """``agent_status``: an agent appears or changes status (A1–A3).

    ``groups``, ``capacity`` and ``name`` left as :data:`UNSET` keep the agent's value;
    ``capacity=None`` goes back to ``queue.max_concurrent`` (A2).
    """

    type: ClassVar[str] = "agent_status"
    __match_args__ = ("agent", "status", "groups", "capacity", "name", "at")
    agent: str = _id_field()
    status: AgentState = attrs.field(converter=_as_state, validator=_member(AgentState))
    groups: tuple[str, ...] | Unset = attrs.field(default=UNSET, validator=_optional(_idents))
    capacity: int | Unset | None = attrs.field(
        default=UNSET, validator=_optional(_integer(0, MOST))
    )
    name: str | Unset | None = attrs.field(default=UNSET, validator=_optional(_text))


def _tag(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    fault = tag_fault(value)
    if fault:
        raise _fail(instance, attribute, fault)


def _language() -> Any:
    return attrs.field(default=None, validator=_optional(_tag))


@attrs.frozen(kw_only=True)
class UserEntered(Event):
    """``user_entered``: a user opens a conversation (P1), in ``language`` if given (P4)."""

    type: ClassVar[str] = "user_entered"
    __match_args__ = ("conversation", "user", "language", "at")
    conversation: str = _id_field()
    user: str = _id_field()
    language: str | None = _language()


@attrs.frozen(kw_only=True)
class AgentRequested(Event):
    """``agent_requested``: the user asks for a person (R1–R6).

    ``group`` is the user's choice under ``user_choice``; ``language`` the conversation's
    language (P4); ``priority`` its place in the queue (Q1: higher first, 0 by default; a
    signed 64-bit integer);
    ``preferred_agent`` an agent to choose first when it may serve (R5).
    """

    type: ClassVar[str] = "agent_requested"
    __match_args__ = (
        "conversation",
        "user",
        "group",
        "language",
        "priority",
        "preferred_agent",
        "at",
    )
    conversation: str = _id_field()
    user: str | None = _optional_id()
    group: str | None = _optional_id()
    language: str | None = _language()
    priority: int = attrs.field(default=0, validator=_integer(-PRIORITY - 1, PRIORITY))
    preferred_agent: str | None = _optional_id()


@attrs.frozen(kw_only=True)
class AssignmentAnswered(Event):
    """``assignment_answered``: the host's routing service answered (R3, webhook).

    Exactly one of ``group`` and ``agents`` is given.
    """

    type: ClassVar[str] = "assignment_answered"
    one_of: ClassVar[tuple[str, ...]] = ("group", "agents")
    __attrs_post_init__ = _exactly_one
    __match_args__ = ("conversation", "group", "agents", "at")
    conversation: str = _id_field()
    group: str | None = _optional_id()
    agents: tuple[str, ...] | None = attrs.field(default=None, validator=_optional(_idents))


@attrs.frozen(kw_only=True)
class AssignmentFailed(Event):
    """``assignment_failed``: the host's routing service failed (R3, webhook)."""

    type: ClassVar[str] = "assignment_failed"
    __match_args__ = ("conversation", "at")
    conversation: str = _id_field()


@attrs.frozen(kw_only=True)
class AgentAccepted(Event):
    """``agent_accepted``: the agent accepts an offer (S2)."""

    type: ClassVar[str] = "agent_accepted"
    __match_args__ = ("conversation", "agent", "at")
    conversation: str = _id_field()
    agent: str = _id_field()


@attrs.frozen(kw_only=True)
class AgentDeclined(Event):
    """``agent_declined``: the agent declines an offer (S4)."""

    type: ClassVar[str] = "agent_declined"
    __match_args__ = ("conversation", "agent", "at")
    conversation: str = _id_field()
    agent: str = _id_field()


@attrs.frozen(kw_only=True)
class AgentMessage(Event):
    """``agent_message``: the serving agent wrote to the user (C1)."""

    type: ClassVar[str] = "agent_message"
    __match_args__ = ("conversation", "at")
    conversation: str = _id_field()


@attrs.frozen(kw_only=True)
class UserMessage(Event):
    """``user_message``: the user wrote (C1)."""

    type: ClassVar[str] = "user_message"
    __match_args__ = ("conversation", "at")
    conversation: str = _id_field()


@attrs.frozen(kw_only=True)
class ConversationEnded(Event):
    """``conversation_ended``: the user or an agent ended the conversation (C2, C3, Q6)."""

    type: ClassVar[str] = "conversation_ended"
    __match_args__ = ("conversation", "by", "agent", "at")
    conversation: str = _id_field()
    by: Party = attrs.field(converter=_as_party, validator=_member(Party))
    agent: str | None = _optional_id()


@attrs.frozen(kw_only=True)
class RatingInvited(Event):
    """``rating_invited``: the agent invites the user to rate (V1)."""

    type: ClassVar[str] = "rating_invited"
    __match_args__ = ("conversation", "agent", "at")
    conversation: str = _id_field()
    agent: str = _id_field()


@attrs.frozen(kw_only=True)
class RatingSubmitted(Event):
    """``rating_submitted``: the user rates (V3)."""

    type: ClassVar[str] = "rating_submitted"
    __match_args__ = ("conversation", "score", "comment", "at")
    conversation: str = _id_field()
    score: int = attrs.field(validator=_integer())
    comment: str | None = attrs.field(default=None, validator=_optional(_text))


@attrs.frozen(kw_only=True)
class Transfer(Event):
    """``transfer``: the serving ``agent`` hands the conversation to ``to_agent`` or to
    ``to_group`` (X1–X3). Exactly one of the two is given."""

    type: ClassVar[str] = "transfer"
    one_of: ClassVar[tuple[str, ...]] = ("to_agent", "to_group")
    __attrs_post_init__ = _exactly_one
    __match_args__ = ("conversation", "agent", "to_agent", "to_group", "at")
    conversation: str = _id_field()
    agent: str = _id_field()
    to_agent: str | None = _optional_id()
    to_group: str | None = _optional_id()


@attrs.frozen(kw_only=True)
class Resumed(Event):
    """``resumed``: the host is back, having been down from ``since`` until ``at`` (T4)."""

    type: ClassVar[str] = "resumed"
    __match_args__ = ("since", "at")
    since: datetime = attrs.field(validator=_instant)

    def __attrs_post_init__(self) -> None:
        if self.since > self.at:
            raise EventError(
                f"is later than at ({self.at.isoformat()}): the desk is back before it went down",
                event_type=self.type,
                field="since",
            )


@attrs.frozen(kw_only=True)
class Tick(Event):
    """``tick``: time passes; only due deadlines fire (T2)."""

    type: ClassVar[str] = "tick"
    __match_args__ = ("at",)


AnyEvent: TypeAlias = (
    Tick
    | AgentStatusChanged
    | UserEntered
    | AgentRequested
    | AssignmentAnswered
    | AssignmentFailed
    | AgentAccepted
    | AgentDeclined
    | AgentMessage
    | UserMessage
    | ConversationEnded
    | RatingInvited
    | RatingSubmitted
    | Transfer
    | Resumed
)
"""Every event class: what :meth:`Desk.handle <deskcore.Desk.handle>` takes and
:func:`~deskcore.event_from_json` returns. A ``match`` over it can end in
``assert_never``."""

EVENT_TYPES: dict[str, type[AnyEvent]] = {
    cls.type: cls
    for cls in (
        Tick,
        AgentStatusChanged,
        UserEntered,
        AgentRequested,
        AssignmentAnswered,
        AssignmentFailed,
        AgentAccepted,
        AgentDeclined,
        AgentMessage,
        UserMessage,
        ConversationEnded,
        RatingInvited,
        RatingSubmitted,
        Transfer,
        Resumed,
    )
}
"""Every event class by its wire name (in the order of the engine's event codes)."""


def _restamper(cls: type[Event]) -> Callable[[Any, datetime], Any]:
    """A function that copies an event of ``cls`` with another ``at``, slot by slot (a
    quarter of what ``attrs.evolve`` costs, which runs every check again)."""
    getters = {f"get_{field.name}": getattr(cls, field.name).__get__ for field in attrs.fields(cls)}
    values = {
        field.name: "at" if field.name == "at" else f"get_{field.name}(event)"
        for field in attrs.fields(cls)
    }
    return slot_builder(cls, "event, at", values, getters)


# Resumed checks ``since`` against ``at``: it keeps the full constructor.
_RESTAMP = {cls: _restamper(cls) for cls in EVENT_TYPES.values() if cls is not Resumed}


def with_at(event: AnyEvent, at: datetime) -> AnyEvent:
    """``event`` as if it had happened at ``at`` (an aware instant; the host's stamp), its
    other fields as they are."""
    try:
        require_aware(at, "at")
    except NaiveTimeError as exc:  # as the constructor says it
        raise EventError(str(exc), event_type=event.type, field="at") from None
    restamp = _RESTAMP.get(type(event))
    if restamp is None:
        return attrs.evolve(event, at=at)
    copy: AnyEvent = restamp(event, at)
    return copy
