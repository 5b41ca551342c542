"""Hypothesis strategies: valid settings documents and valid event streams that reach
busy states (needs ``hypothesis``: ``pip install deskcore[testing]``).

- :func:`documents` and :func:`settings`: valid settings, small enough that desks get
  busy (capacity 1 to 3, short timeouts), any part fixed by the caller;
- :func:`event_streams`: lists of events that a desk with those settings accepts without
  an error, drawn against a live desk so that each event is one that may happen next
  (accepts of open offers, messages on served conversations, answers to pending webhook
  requests), and weighted towards busy states: queues, offers that time out, agents
  leaving with work.

>>> from hypothesis import given, settings as run_with
>>> @run_with(max_examples=10)
... @given(event_streams(DeskSettings()))
... def test_streams_are_valid(events):
...     desk = Desk()
...     for event in events:
...         desk.handle(event)
>>> test_streams_are_valid()
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from .._desk import Desk
from .._document import load_settings
from .._events import (
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AnyEvent,
    AssignmentAnswered,
    AssignmentFailed,
    ConversationEnded,
    Party,
    RatingInvited,
    RatingSubmitted,
    Resumed,
    Tick,
    Transfer,
    UserEntered,
    UserMessage,
)
from .._policy import ConversationState
from .._settings import DeskSettings, ServiceMode, Strategy
from ._driver import START

__all__ = ["documents", "event_streams", "settings"]

S = ConversationState
GROUPS = ("sales", "support")


def _merge(base: dict[str, Any], fixed: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in fixed.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@st.composite
def documents(draw: st.DrawFn, /, **fixed: Mapping[str, Any]) -> dict[str, Any]:
    """A valid settings document (a dict) of a small, busy desk; ``fixed`` sections are
    merged over what is drawn: ``documents(service={"mode": "manual"})``. What is drawn
    follows what is fixed where the two depend on each other (groups for a fixed
    ``user_choice`` strategy, no drawn reminder beside a fixed user timeout), so the
    result is valid as long as the fixed part is."""
    assignment = fixed.get("assignment", {})
    strategy = assignment.get("strategy") or draw(
        st.sampled_from(["automatic", "automatic", "user_choice", "webhook"])
    )
    closure = fixed.get("closure", {})
    user_timeout = draw(st.sampled_from([None, 120, 600]))
    document: dict[str, Any] = {
        "assignment": {
            "strategy": strategy,
            "groups": list(GROUPS) if strategy == "user_choice" else [],
            "webhook_timeout": draw(st.sampled_from([2, 10])),
            "webhook_fallback": draw(st.sampled_from(["automatic", "fail"])),
        },
        "service": {
            "mode": draw(st.sampled_from(["automatic", "manual", "manual"])),
            "accept_timeout": draw(st.sampled_from([15, 30, 60])),
            "break_on_timeout": draw(st.booleans()),
        },
        "queue": {
            "max_concurrent": draw(st.integers(1, 3)),
            "update_interval": draw(st.sampled_from([0, 30, "never"])),
        },
        "closure": {"retention": draw(st.sampled_from([0, 60, 3600]))},
        "ratings": {"send_on_end": draw(st.booleans())},
    }
    if draw(st.booleans()):
        document["service"]["reassign_after"] = draw(st.sampled_from([0, 60]))
    if draw(st.booleans()):
        document["queue"]["max_length"] = draw(st.integers(2, 6))
    if draw(st.booleans()):
        document["queue"]["max_wait"] = draw(st.sampled_from([120, 300]))
    if user_timeout is not None:
        document["closure"]["user_timeout"] = user_timeout
        if draw(st.booleans()):
            document["closure"]["reminder"] = user_timeout // 2
    if "user_timeout" in closure and "reminder" not in closure:
        document["closure"].pop("reminder", None)  # drawn for another timeout
    return _merge(document, fixed)


def settings(**fixed: Mapping[str, Any]) -> st.SearchStrategy[DeskSettings]:
    """Valid :class:`~deskcore.DeskSettings` of a small, busy desk; ``fixed`` sections
    are merged over what is drawn (see :func:`documents`)."""
    return documents(**fixed).map(load_settings)


@st.composite
def event_streams(
    draw: st.DrawFn,
    desk_settings: DeskSettings | None = None,
    *,
    agents: int = 3,
    max_events: int = 40,
    start: datetime = START,
) -> list[AnyEvent]:
    """A list of events that a desk with ``desk_settings`` handles without an error.

    Each event is drawn against a live desk (which this strategy builds and drops) from
    what may happen next: agents change status (with groups under ``user_choice``), users
    enter and ask, agents accept or decline open offers, write on and end served
    conversations, transfer them, invite ratings; the routing service answers pending
    requests; time passes, often just past the next deadline. Requests outnumber agents'
    room, so most streams queue users, and under manual service many offers time out.
    A stream has at most ``max_events`` events (at least 5; ``agents`` at least 1).
    """
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ValueError(f"event_streams: agents must be an integer >= 1, got {agents!r}")
    if isinstance(max_events, bool) or not isinstance(max_events, int) or max_events < 5:
        raise ValueError(f"event_streams: max_events must be an integer >= 5, got {max_events!r}")
    chosen = desk_settings if desk_settings is not None else DeskSettings()
    desk = Desk(chosen)
    strategy = chosen.assignment.strategy
    groups = chosen.assignment.groups or GROUPS
    manual = chosen.service.mode is ServiceMode.MANUAL
    names = [f"a{n}" for n in range(1, agents + 1)]
    now = start
    events: list[AnyEvent] = []
    convs = 0
    count = draw(st.integers(max(5, max_events // 3), max_events))

    def send(event: AnyEvent) -> None:
        desk.handle(event)  # a stream this strategy draws is valid: an error is its bug
        events.append(event)

    first = draw(st.sampled_from([1, 1, 2, *range(1, agents + 1)]))  # few agents: busy
    for name in names[: min(first, agents)]:
        send(
            AgentStatusChanged(
                at=now,
                agent=name,
                status=AgentState.ONLINE,
                groups=tuple(draw(st.lists(st.sampled_from(groups), min_size=1, unique=True))),
            )
        )
    while len(events) < count:
        by_state: dict[ConversationState, list[str]] = {}
        for view in desk.conversations():
            by_state.setdefault(view.state, []).append(view.id)
        options = ["request", "request", "request", "tick", "deadline", "agent"]
        # Busy states are the interesting ones: while agents have room, ask more often.
        room = sum(
            max(view.capacity - view.load, 0)
            for view in desk.agents()
            if view.status is AgentState.ONLINE
        )
        options += ["request"] * min(room, 12)
        if by_state.get(S.OFFERED):  # accepted, declined, or left to time out
            options += ["accept", "accept", "decline", "deadline"] if manual else []
        if by_state.get(S.SERVED):
            options += ["message", "end", "transfer", "invite"]
        if by_state.get(S.AWAITING_ANSWER):
            options += ["answer", "answer"]
        if by_state.get(S.CLOSED):
            options += ["rate"]
        kind = draw(st.sampled_from(options))
        if kind == "request":
            convs += 1
            conv = f"c{convs}"
            if draw(st.booleans()):
                send(UserEntered(at=now, conversation=conv, user=f"u{convs}"))
            group = draw(st.sampled_from(groups)) if strategy is Strategy.USER_CHOICE else None
            priority = draw(st.sampled_from([0, 0, 0, 1]))
            send(AgentRequested(at=now, conversation=conv, group=group, priority=priority))
        elif kind == "tick":
            now += timedelta(seconds=draw(st.integers(1, 20)))
            send(Tick(at=now))
        elif kind == "deadline":
            due = desk.next_deadline()
            now = max(now, due) if due is not None else now + timedelta(seconds=30)
            send(Tick(at=now))
        elif kind == "agent":
            name = draw(st.sampled_from(names))
            status = draw(
                st.sampled_from(
                    [AgentState.ONLINE, AgentState.ONLINE, AgentState.BREAK, AgentState.OFFLINE]
                )
            )
            send(
                AgentStatusChanged(
                    at=now, agent=name, status=status, groups=(draw(st.sampled_from(groups)),)
                )
            )
        elif kind in ("accept", "decline"):
            conv = draw(st.sampled_from(by_state[S.OFFERED]))
            holder = desk.conversation_view(conv)
            assert holder is not None and holder.agent is not None
            cls = AgentAccepted if kind == "accept" else AgentDeclined
            send(cls(at=now, conversation=conv, agent=holder.agent))
        elif kind in ("message", "end", "transfer", "invite"):
            conv = draw(st.sampled_from(by_state[S.SERVED]))
            served = desk.conversation_view(conv)
            assert served is not None and served.agent is not None
            serving = served.agent
            if kind == "message":
                if draw(st.booleans()):
                    send(AgentMessage(at=now, conversation=conv))
                else:
                    send(UserMessage(at=now, conversation=conv))
            elif kind == "end":
                by = draw(st.sampled_from(list(Party)))
                agent = serving if by is Party.AGENT else None
                send(ConversationEnded(at=now, conversation=conv, by=by, agent=agent))
            elif kind == "invite":
                send(RatingInvited(at=now, conversation=conv, agent=serving))
            else:
                target = draw(st.sampled_from(names))
                known = desk.agent_view(target) is not None
                if strategy is Strategy.USER_CHOICE or not known or draw(st.booleans()):
                    send(
                        Transfer(
                            at=now,
                            conversation=conv,
                            agent=serving,
                            to_group=draw(st.sampled_from(groups)),
                        )
                    )
                else:
                    send(Transfer(at=now, conversation=conv, agent=serving, to_agent=target))
        elif kind == "answer":
            conv = draw(st.sampled_from(by_state[S.AWAITING_ANSWER]))
            answer = draw(st.sampled_from(["group", "agents", "failed"]))
            if answer == "failed":
                send(AssignmentFailed(at=now, conversation=conv))
            elif answer == "group":
                send(
                    AssignmentAnswered(
                        at=now, conversation=conv, group=draw(st.sampled_from(groups))
                    )
                )
            else:
                picked = tuple(draw(st.lists(st.sampled_from(names), min_size=1, max_size=2)))
                send(AssignmentAnswered(at=now, conversation=conv, agents=picked))
        elif kind == "rate":
            conv = draw(st.sampled_from(by_state[S.CLOSED]))
            send(
                RatingSubmitted(
                    at=now, conversation=conv, score=draw(st.integers(1, chosen.ratings.scale))
                )
            )
    if draw(st.integers(0, 9)) == 0:  # now and then the host was down a while
        since = now
        now += timedelta(seconds=draw(st.integers(1, 600)))
        send(Resumed(at=now, since=since))
    return events[:max_events]  # a prefix of a valid stream is valid
