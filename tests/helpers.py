"""Shared test helpers: concise builders for settings, events and expected actions.

Instants are written as whole seconds after :data:`T0` (Monday 2026-03-02 09:00 UTC), or
as aware datetimes. Expected actions are compared through their JSON form
(:func:`~deskcore.action_to_json`), so enum members and plain strings compare alike and
every instant compares as an instant.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from deskcore import (
    UNSET,
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AnyAction,
    AnyEvent,
    Assign,
    AssignmentAnswered,
    AssignmentFailed,
    Close,
    CloseReason,
    ConversationEnded,
    ConversationState,
    Desk,
    DeskSettings,
    Enqueue,
    EventError,
    EventType,
    FailureReason,
    Offer,
    Party,
    PromptKind,
    RatingCard,
    RatingInvited,
    RatingSubmitted,
    RecordRating,
    Rejected,
    RejectReason,
    Release,
    ReleaseReason,
    RequestAssignment,
    Resumed,
    RoutingFailed,
    SendPrompt,
    SetAgentStatus,
    StatusReason,
    Tick,
    Transfer,
    Unset,
    UserEntered,
    UserMessage,
    WithdrawOffer,
    WithdrawReason,
    action_to_json,
    load_settings,
)

Moment = int | datetime
Json = dict[str, Any]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Monday 2026-03-02 09:00 UTC: second 0 of every test's time line."""

HOUR = 3600
"""One hour in seconds (the rating ``validity`` of :data:`BASE`)."""

BASE: dict[str, dict[str, Any]] = {
    "prompts": {
        "welcome": "W",
        "connecting": "C",
        "connected": "Hi $AgentName",
        "connect_failed": "F $Reason",
        "transferring": "X",
    },
    "queue": {"max_concurrent": 1, "prompt": "Q$QueuePosition/$WaitNo"},
    "closure": {"timeout_message": "TO", "end_message": "E"},
    "working_hours": {"after_hours_reply": "AH $NextOpen"},
    "ratings": {"invitation": "R $AgentName", "submitted": "S $Score", "validity": "1h"},
}
"""The settings every test starts from: short, recognisable prompt texts."""

# Settings sections the rule tests share.
MANUAL: dict[str, Any] = {"mode": "manual", "accept_timeout": "30s"}
MANUAL_BREAK: dict[str, Any] = {"mode": "manual", "accept_timeout": "30s", "break_on_timeout": True}
WEBHOOK: dict[str, Any] = {"strategy": "webhook", "webhook_timeout": "10s"}
TIMEOUT: dict[str, Any] = {"user_timeout": "60s"}
GROUPS: dict[str, Any] = {"strategy": "user_choice", "groups": ["sales", "support"]}


def at(moment: Moment) -> datetime:
    """The instant ``moment`` seconds after :data:`T0` (a datetime is returned as is)."""
    if isinstance(moment, datetime):
        return moment
    return T0 + timedelta(seconds=moment)


def settings_doc(**sections: Mapping[str, Any]) -> dict[str, Any]:
    """The settings document of :data:`BASE` with ``sections`` merged over it, key by key."""
    doc: dict[str, Any] = {name: dict(values) for name, values in BASE.items()}
    for name, values in sections.items():
        doc.setdefault(name, {}).update(values)
    return doc


def make_settings(**sections: Mapping[str, Any]) -> DeskSettings:
    """Load :func:`settings_doc` ``(**sections)`` as settings."""
    return load_settings(settings_doc(**sections))


def make_desk(settings: DeskSettings, *events: AnyEvent) -> Desk:
    """A desk with ``settings`` that has handled ``events`` (none of them an error)."""
    desk = Desk(settings)
    for event in events:
        desk.handle(event)
    return desk


def served_desk(**ratings: Any) -> Desk:
    """a1 (named Mina) serves c1 from second 5; a2 is online too."""
    return make_desk(
        make_settings(ratings=ratings),
        status(0, "a1", name="Mina", capacity=5),
        status(1, "a2"),
        ask(5, "c1"),
    )


# -- events -------------------------------------------------------------------------------


def status(
    moment: Moment,
    agent: str,
    state: str = "online",
    *,
    capacity: int | Unset | None = UNSET,
    groups: Sequence[str] | Unset = UNSET,
    name: str | Unset | None = UNSET,
) -> AgentStatusChanged:
    """An ``agent_status`` event (fields left out keep the agent's values)."""
    return AgentStatusChanged(
        at=at(moment),
        agent=agent,
        status=AgentState(state),
        capacity=capacity,
        groups=groups if isinstance(groups, Unset) else tuple(groups),
        name=name,
    )


def enter(moment: Moment, conv: str, user: str = "u", language: str | None = None) -> UserEntered:
    """A ``user_entered`` event."""
    return UserEntered(at=at(moment), conversation=conv, user=user, language=language)


def ask(
    moment: Moment,
    conv: str,
    group: str | None = None,
    *,
    user: str | None = None,
    language: str | None = None,
    priority: int = 0,
    preferred: str | None = None,
) -> AgentRequested:
    """An ``agent_requested`` event."""
    return AgentRequested(
        at=at(moment),
        conversation=conv,
        group=group,
        user=user,
        language=language,
        priority=priority,
        preferred_agent=preferred,
    )


def answer(
    moment: Moment, conv: str, *, group: str | None = None, agents: Sequence[str] | None = None
) -> AssignmentAnswered:
    """An ``assignment_answered`` event with a group or a list of agents."""
    return AssignmentAnswered(
        at=at(moment),
        conversation=conv,
        group=group,
        agents=None if agents is None else tuple(agents),
    )


def answer_failed(moment: Moment, conv: str) -> AssignmentFailed:
    """An ``assignment_failed`` event."""
    return AssignmentFailed(at=at(moment), conversation=conv)


def accept(moment: Moment, conv: str, agent: str) -> AgentAccepted:
    """An ``agent_accepted`` event."""
    return AgentAccepted(at=at(moment), conversation=conv, agent=agent)


def decline(moment: Moment, conv: str, agent: str) -> AgentDeclined:
    """An ``agent_declined`` event."""
    return AgentDeclined(at=at(moment), conversation=conv, agent=agent)


def agent_says(moment: Moment, conv: str) -> AgentMessage:
    """An ``agent_message`` event."""
    return AgentMessage(at=at(moment), conversation=conv)


def user_says(moment: Moment, conv: str) -> UserMessage:
    """A ``user_message`` event."""
    return UserMessage(at=at(moment), conversation=conv)


def end(moment: Moment, conv: str, by: str = "user", agent: str | None = None) -> ConversationEnded:
    """A ``conversation_ended`` event."""
    return ConversationEnded(at=at(moment), conversation=conv, by=Party(by), agent=agent)


def invite(moment: Moment, conv: str, agent: str) -> RatingInvited:
    """A ``rating_invited`` event."""
    return RatingInvited(at=at(moment), conversation=conv, agent=agent)


def rate(moment: Moment, conv: str, score: int, comment: str | None = None) -> RatingSubmitted:
    """A ``rating_submitted`` event."""
    return RatingSubmitted(at=at(moment), conversation=conv, score=score, comment=comment)


def transfer(
    moment: Moment,
    conv: str,
    agent: str,
    *,
    to_agent: str | None = None,
    to_group: str | None = None,
) -> Transfer:
    """A ``transfer`` event (X1)."""
    return Transfer(
        at=at(moment), conversation=conv, agent=agent, to_agent=to_agent, to_group=to_group
    )


def resumed(moment: Moment, since: Moment) -> Resumed:
    """A ``resumed`` event: the host was down from ``since`` (T4)."""
    return Resumed(at=at(moment), since=at(since))


def tick(moment: Moment) -> Tick:
    """A ``tick`` event."""
    return Tick(at=at(moment))


# -- expected actions ---------------------------------------------------------------------


def say(moment: Moment, conv: str, prompt: str, text: str) -> SendPrompt:
    """A ``send_prompt`` action."""
    return SendPrompt(at=at(moment), conversation=conv, prompt=PromptKind(prompt), text=text)


def assigned(moment: Moment, conv: str, agent: str) -> Assign:
    """An ``assign`` action."""
    return Assign(at=at(moment), conversation=conv, agent=agent)


def connected(moment: Moment, conv: str, agent: str, name: str | None = None) -> list[AnyAction]:
    """``assign`` then the ``connected`` prompt ("Hi <name or id>") (S1)."""
    return [assigned(moment, conv, agent), say(moment, conv, "connected", f"Hi {name or agent}")]


def offered(moment: Moment, conv: str, agent: str, expires: Moment) -> Offer:
    """An ``offer`` action."""
    return Offer(at=at(moment), conversation=conv, agent=agent, expires_at=at(expires))


def withdrawn(moment: Moment, conv: str, agent: str, reason: str) -> WithdrawOffer:
    """A ``withdraw_offer`` action."""
    return WithdrawOffer(
        at=at(moment), conversation=conv, agent=agent, reason=WithdrawReason(reason)
    )


def enqueued(moment: Moment, conv: str, position: int) -> Enqueue:
    """An ``enqueue`` action."""
    return Enqueue(at=at(moment), conversation=conv, position=position)


def told(moment: Moment, conv: str, position: int) -> SendPrompt:
    """The queue prompt of :data:`BASE` for ``position``."""
    return say(moment, conv, "queue", f"Q{position}/{position - 1}")


def queued(moment: Moment, conv: str, position: int) -> list[AnyAction]:
    """``enqueue`` and the queue prompt, as on entering the queue (Q3)."""
    return [enqueued(moment, conv, position), told(moment, conv, position)]


def released(moment: Moment, conv: str, agent: str, reason: str = "transferred") -> Release:
    """A ``release`` action (X3, A6)."""
    return Release(at=at(moment), conversation=conv, agent=agent, reason=ReleaseReason(reason))


def handed_over(
    moment: Moment, conv: str, agent: str, reason: str = "transferred"
) -> list[AnyAction]:
    """``release`` and the ``transferring`` prompt ("X") of a hand-over (X3)."""
    return [released(moment, conv, agent, reason), say(moment, conv, "transferring", "X")]


def routing_failed(moment: Moment, conv: str, reason: str) -> RoutingFailed:
    """A ``routing_failed`` action."""
    return RoutingFailed(at=at(moment), conversation=conv, reason=FailureReason(reason))


def failed(moment: Moment, conv: str, reason: str) -> list[AnyAction]:
    """``routing_failed`` and the ``connect_failed`` prompt naming the reason (F1)."""
    return [
        routing_failed(moment, conv, reason),
        say(moment, conv, "connect_failed", f"F {reason}"),
    ]


def closed(moment: Moment, conv: str, reason: str) -> Close:
    """A ``close`` action."""
    return Close(at=at(moment), conversation=conv, reason=CloseReason(reason))


def requested(
    moment: Moment, conv: str, expires: Moment, user: str | None = None, group: str | None = None
) -> RequestAssignment:
    """A ``request_assignment`` action (with the request's user and group, R3)."""
    return RequestAssignment(
        at=at(moment), conversation=conv, expires_at=at(expires), user=user, group=group
    )


def card(moment: Moment, conv: str, text: str, expires: Moment) -> RatingCard:
    """A ``rating_card`` action."""
    return RatingCard(at=at(moment), conversation=conv, text=text, expires_at=at(expires))


def recorded(
    moment: Moment, conv: str, agent: str, score: int, comment: str | None = None
) -> RecordRating:
    """A ``record_rating`` action."""
    return RecordRating(at=at(moment), conversation=conv, agent=agent, score=score, comment=comment)


def on_break(moment: Moment, agent: str) -> SetAgentStatus:
    """The ``set_agent_status`` action of ``break_on_timeout`` (S3)."""
    return SetAgentStatus(
        at=at(moment), agent=agent, status=AgentState.BREAK, reason=StatusReason.OFFER_TIMEOUT
    )


def rejected(
    moment: Moment,
    event_type: str,
    reason: str,
    conv: str | None = None,
    agent: str | None = None,
) -> Rejected:
    """A ``rejected`` action."""
    return Rejected(
        at=at(moment),
        event_type=cast(EventType, event_type),
        reason=RejectReason(reason),
        conversation=conv,
        agent=agent,
    )


# -- comparing ----------------------------------------------------------------------------


def as_json(actions: Iterable[AnyAction]) -> list[Json]:
    """The JSON objects of ``actions``, in order."""
    return [action_to_json(action) for action in actions]


def _flatten(expected: Iterable[AnyAction | Sequence[AnyAction]]) -> list[AnyAction]:
    flat: list[AnyAction] = []
    for item in expected:
        if isinstance(item, AnyAction):
            flat.append(item)
        else:
            flat.extend(item)
    return flat


def _key(data: Json) -> str:
    return json.dumps(data, sort_keys=True)


def same(actual: Iterable[AnyAction], *expected: AnyAction | Sequence[AnyAction]) -> None:
    """Assert that ``actual`` holds exactly the ``expected`` actions, in any order."""
    got = sorted(as_json(actual), key=_key)
    want = sorted(as_json(_flatten(expected)), key=_key)
    assert got == want


def same_in_order(actual: Iterable[AnyAction], *expected: AnyAction | Sequence[AnyAction]) -> None:
    """Assert that ``actual`` is exactly the ``expected`` actions, in this order."""
    assert as_json(actual) == as_json(_flatten(expected))


def snapshot_without_clock(desk: Desk) -> dict[str, Any]:
    """The desk's snapshot without the instant of the last event (E2: "changes nothing else")."""
    data = desk.snapshot()
    data.pop("now", None)
    return data


def refused(desk: Desk, event: AnyEvent) -> EventError:
    """Assert that ``event`` is an error (E1) that leaves the desk exactly as it was.

    The snapshot and the next deadline are the same before and after, so no deadline that
    was due has fired. Returns the error for further checks.
    """
    before, deadline = desk.snapshot(), desk.next_deadline()
    try:
        desk.handle(event)
    except EventError as error:
        assert desk.snapshot() == before
        assert desk.next_deadline() == deadline
        return error
    raise AssertionError(f"{event!r} was not refused as an error")


def by_state(desk: Desk) -> dict[ConversationState, list[str]]:
    """The ids of the desk's conversations, by state (what a stream drawn against a live
    desk chooses its next event from)."""
    states: dict[ConversationState, list[str]] = {}
    for view in desk.conversations():
        states.setdefault(view.state, []).append(view.id)
    return states
