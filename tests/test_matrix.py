"""Every event type × every conversation state (h2's state-machine tests, style.md).

Each cell gives the documented actions, a ``rejected`` (E2), or the documented
:class:`~deskcore.EventError` (E1), never any other exception. For every error the desk's
snapshot and next deadline are unchanged, and a deadline that was due before the bad event
fires only with the next valid event.

The desk: webhook strategy (timeout 60 s), manual service (accept 60 s), one conversation
per agent, user timeout 30 s. In the background agent a2 serves ``bg`` and has written at
second 1, so a user timeout is due at second 31. Agent a1 is free unless the state needs it.
Valid cells happen at second 10, before that deadline; error cells at second 40, after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import pytest

from deskcore import AnyAction, AnyEvent, Desk, Rejected
from helpers import (
    HOUR,
    accept,
    agent_says,
    answer,
    answer_failed,
    ask,
    card,
    closed,
    connected,
    decline,
    end,
    enter,
    failed,
    handed_over,
    invite,
    make_settings,
    offered,
    queued,
    rate,
    refused,
    rejected,
    requested,
    resumed,
    same,
    say,
    snapshot_without_clock,
    status,
    tick,
    transfer,
    user_says,
    withdrawn,
)

VALID_AT = 10
ERROR_AT = 40
TIMEOUT = 60  # webhook_timeout and accept_timeout, in seconds

ERROR = "error"
ONE_REJECTION = "one rejection"
CARD_OR_REJECTION = "card or rejection"
Outcome = Sequence[AnyAction] | str

STATES = ["unknown", "new", "awaiting_answer", "waiting", "offered", "served", "closed"]
ROUTED = ("awaiting_answer", "waiting", "offered", "served")
UNSERVED = ("new", "awaiting_answer", "waiting", "offered")

SETTINGS = make_settings(
    assignment={"strategy": "webhook", "webhook_timeout": f"{TIMEOUT}s"},
    service={"mode": "manual", "accept_timeout": f"{TIMEOUT}s"},
    closure={"user_timeout": "30s"},
)

BACKGROUND: list[AnyEvent] = [
    status(0, "a1"),
    status(0, "a2"),
    ask(1, "bg"),
    answer(1, "bg", agents=["a2"]),
    accept(1, "bg", "a2"),
    agent_says(1, "bg"),
]

SETUP: dict[str, list[AnyEvent]] = {
    "unknown": [],
    "new": [enter(2, "c1")],
    "awaiting_answer": [ask(2, "c1")],
    "waiting": [
        ask(2, "c0"),
        answer(2, "c0", agents=["a1"]),
        accept(2, "c0", "a1"),
        ask(3, "c1"),
        answer(4, "c1", agents=["a1"]),
    ],
    "offered": [ask(2, "c1"), answer(3, "c1", agents=["a1"])],
    "served": [ask(2, "c1"), answer(3, "c1", agents=["a1"]), accept(4, "c1", "a1")],
    "closed": [
        ask(2, "c1"),
        answer(3, "c1", agents=["a1"]),
        accept(4, "c1", "a1"),
        end(5, "c1"),
    ],
}


def desk_in(state: str) -> Desk:
    """A desk whose conversation ``c1`` is in ``state`` (with the background in place)."""
    desk = Desk(SETTINGS)
    for event in [*BACKGROUND, *SETUP[state]]:
        desk.handle(event)
    if state != "unknown":
        assert desk.conversation_state("c1") == state
    return desk


class Case(NamedTuple):
    """One event of the matrix: how to build it at an instant, and what each state gives."""

    name: str
    event: Callable[[int], AnyEvent]
    expect: Callable[[str, int], Outcome]


def _no_conversation(state: str, t: int, known: Outcome) -> Outcome:
    """An event naming c1: an error when c1 is unknown, else ``known``."""
    return ERROR if state == "unknown" else known


def _closed_first(
    event_type: str, state: str, t: int, other: Outcome, agent: str | None = None
) -> Outcome:
    """C3: ``conversation_closed`` on a closed c1, an error on an unknown one, else ``other``."""
    if state == "closed":
        return [rejected(t, event_type, "conversation_closed", "c1", agent)]
    return _no_conversation(state, t, other)


def _agent_break(state: str, t: int) -> Outcome:
    if state == "offered":  # A4, Q2: a1 on break still staffs its list, so c1 waits
        return [withdrawn(t, "c1", "a1", "agent_unavailable"), *queued(t, "c1", 1)]
    return []  # A4: served conversations stay; waiting ones still have staff


def _agent_offline(state: str, t: int) -> Outcome:
    if state == "offered":  # A4, R4
        return [withdrawn(t, "c1", "a1", "agent_unavailable"), *failed(t, "c1", "no_agents_online")]
    if state == "waiting":  # Q5
        return failed(t, "c1", "no_agents_online")
    return []


def _agent_grows(state: str, t: int) -> Outcome:
    if state == "waiting":  # A5
        return [offered(t, "c1", "a1", t + TIMEOUT)]
    return []


def _user_entered(state: str, t: int) -> Outcome:
    if state == "unknown":
        return [say(t, "c1", "welcome", "W")]  # P1
    if state == "closed":
        return [rejected(t, "user_entered", "conversation_closed", "c1")]  # C3
    return []  # P1: the welcome is sent only when user_entered first names c1


def _agent_requested(state: str, t: int) -> Outcome:
    if state in ("unknown", "new"):  # R3, P1: no welcome for a request
        return [say(t, "c1", "connecting", "C"), requested(t, "c1", t + TIMEOUT)]
    if state == "closed":
        return [rejected(t, "agent_requested", "conversation_closed", "c1")]
    return [rejected(t, "agent_requested", "already_routed", "c1")]  # R1


def _answered(event_type: str) -> Callable[[str, int], Outcome]:
    def expect(state: str, t: int) -> Outcome:
        if state == "awaiting_answer":  # R3 (answer or automatic fallback), S2
            return [offered(t, "c1", "a1", t + TIMEOUT)]
        other = [rejected(t, event_type, "not_waiting_for_answer", "c1")]
        return _closed_first(event_type, state, t, other)

    return expect


def _accepted(agent: str) -> Callable[[str, int], Outcome]:
    def expect(state: str, t: int) -> Outcome:
        if agent == "zz":
            return ERROR  # E1: unknown agent
        if state == "offered" and agent == "a1":
            return connected(t, "c1", "a1")  # S2
        other = [rejected(t, "agent_accepted", "no_open_offer", "c1", agent)]
        return _closed_first("agent_accepted", state, t, other, agent)

    return expect


def _declined(state: str, t: int) -> Outcome:
    if state == "offered":  # S4: a1 declined, staffs the list, so c1 waits
        return [withdrawn(t, "c1", "a1", "declined"), *queued(t, "c1", 1)]
    return _closed_first("agent_declined", state, t, ONE_REJECTION, "a1")


def _agent_message(state: str, t: int) -> Outcome:
    if state == "served":
        return []  # C1: the user timeout starts
    return _closed_first(
        "agent_message", state, t, [rejected(t, "agent_message", "not_served", "c1")]
    )


def _user_message(state: str, t: int) -> Outcome:
    return _closed_first("user_message", state, t, [])  # C1


def _ended_by_user(state: str, t: int) -> Outcome:
    if state == "served":  # C2
        return [say(t, "c1", "end", "E"), closed(t, "c1", "ended_by_user")]
    if state == "offered":  # Q6
        return [withdrawn(t, "c1", "a1", "conversation_ended"), closed(t, "c1", "ended_by_user")]
    return _closed_first("conversation_ended", state, t, [closed(t, "c1", "ended_by_user")])


def _ended_by_agent(agent: str) -> Callable[[str, int], Outcome]:
    def expect(state: str, t: int) -> Outcome:
        if agent == "zz":
            return ERROR  # E1: unknown agent
        if state == "served" and agent == "a1":  # C2
            return [say(t, "c1", "end", "E"), closed(t, "c1", "ended_by_agent")]
        other = [rejected(t, "conversation_ended", "not_serving_agent", "c1", agent)]
        return _closed_first("conversation_ended", state, t, other, agent)

    return expect


def _invited(state: str, t: int) -> Outcome:
    if state == "served":  # V1
        return [card(t, "c1", "R a1", t + HOUR)]
    if state == "closed":
        return CARD_OR_REJECTION  # the rules do not say who "serves" a closed conversation
    return _no_conversation(
        state, t, [rejected(t, "rating_invited", "not_serving_agent", "c1", "a1")]
    )


def _transfer(to_agent: str) -> Callable[[str, int], Outcome]:
    def expect(state: str, t: int) -> Outcome:
        if to_agent == "zz":
            return ERROR  # X1: an unknown target is an error
        if state == "served":  # X2: a2 staffs its list though full; X3: c1 waits for it
            return [*handed_over(t, "c1", "a1"), *queued(t, "c1", 1)]
        other = [rejected(t, "transfer", "not_served", "c1", "a1")]
        return _closed_first("transfer", state, t, other, "a1")

    return expect


def _resumed(state: str, t: int) -> Outcome:
    if state == "offered":  # T4: the open offer is sent again, a second later
        return [offered(t, "c1", "a1", 3 + TIMEOUT + 1)]
    return []


def _submitted(state: str, t: int) -> Outcome:
    # C3 lets ratings through on a closed conversation; no card was ever sent (V3).
    return _no_conversation(state, t, [rejected(t, "rating_submitted", "not_invited", "c1")])


CASES = [
    Case("agent_status a1 break", lambda t: status(t, "a1", "break"), _agent_break),
    Case("agent_status a1 offline", lambda t: status(t, "a1", "offline"), _agent_offline),
    Case("agent_status a1 capacity 2", lambda t: status(t, "a1", capacity=2), _agent_grows),
    Case("agent_status new a3", lambda t: status(t, "a3"), lambda s, t: []),
    Case("user_entered", lambda t: enter(t, "c1"), _user_entered),
    Case("agent_requested", lambda t: ask(t, "c1"), _agent_requested),
    Case(
        "assignment_answered",
        lambda t: answer(t, "c1", agents=["a1", "zz"]),
        _answered("assignment_answered"),
    ),
    Case(
        "assignment_answered no known agent",
        lambda t: answer(t, "c1", group="nobody"),
        _answered("assignment_answered"),
    ),
    Case("assignment_failed", lambda t: answer_failed(t, "c1"), _answered("assignment_failed")),
    Case("agent_accepted a1", lambda t: accept(t, "c1", "a1"), _accepted("a1")),
    Case("agent_accepted a2", lambda t: accept(t, "c1", "a2"), _accepted("a2")),
    Case("agent_accepted unknown agent", lambda t: accept(t, "c1", "zz"), _accepted("zz")),
    Case("agent_declined a1", lambda t: decline(t, "c1", "a1"), _declined),
    Case("agent_message", lambda t: agent_says(t, "c1"), _agent_message),
    Case("user_message", lambda t: user_says(t, "c1"), _user_message),
    Case("conversation_ended by user", lambda t: end(t, "c1"), _ended_by_user),
    Case("conversation_ended by a1", lambda t: end(t, "c1", "agent", "a1"), _ended_by_agent("a1")),
    Case("conversation_ended by a2", lambda t: end(t, "c1", "agent", "a2"), _ended_by_agent("a2")),
    Case(
        "conversation_ended by unknown agent",
        lambda t: end(t, "c1", "agent", "zz"),
        _ended_by_agent("zz"),
    ),
    Case("rating_invited a1", lambda t: invite(t, "c1", "a1"), _invited),
    Case("rating_submitted", lambda t: rate(t, "c1", 3), _submitted),
    Case("transfer to a2", lambda t: transfer(t, "c1", "a1", to_agent="a2"), _transfer("a2")),
    Case(
        "transfer to unknown agent",
        lambda t: transfer(t, "c1", "a1", to_agent="zz"),
        _transfer("zz"),
    ),
    Case("resumed after a second", lambda t: resumed(t, t - 1), _resumed),
    Case("tick", tick, lambda s, t: []),
]


def _cells() -> list[pytest.ParameterSet]:
    return [
        pytest.param(case, state, id=f"{case.name} / {state}") for case in CASES for state in STATES
    ]


class TestMatrix:
    """Every event type in every conversation state."""

    def test_every_event_type_is_covered(self) -> None:
        """The matrix names every event type of docs/protocol.md."""
        from deskcore import EVENT_TYPES

        covered = {case.event(VALID_AT).type for case in CASES}
        assert covered == set(EVENT_TYPES)

    def test_every_state_is_reachable(self) -> None:
        """Each setup puts c1 in the state it is named after."""
        for state in STATES:
            desk_in(state)

    @pytest.mark.parametrize(("case", "state"), _cells())
    def test_cell(self, case: Case, state: str) -> None:
        """The event gives the documented actions, one rejection, or an unchanging error."""
        expected = case.expect(state, VALID_AT)
        desk = desk_in(state)
        if expected == ERROR:
            event = case.event(ERROR_AT)
            refused(desk, event)
            # The user timeout due at 31 fires with the next valid event, as of 31 (T2).
            same(
                desk.handle(tick(ERROR_AT)),
                say(31, "bg", "timeout_closure", "TO"),
                closed(31, "bg", "user_timeout"),
            )
            return
        before = snapshot_without_clock(desk)
        out = desk.handle(case.event(VALID_AT))
        if expected == CARD_OR_REJECTION:
            assert len(out) == 1
            assert out[0].type in ("rating_card", "rejected")
        elif isinstance(expected, str):
            assert expected == ONE_REJECTION
            assert len(out) == 1
            assert isinstance(out[0], Rejected)
            assert out[0].event_type == case.event(VALID_AT).type
        else:
            same(out, expected)
        if len(out) == 1 and isinstance(out[0], Rejected):
            # E2: a refusal changes nothing else.
            assert snapshot_without_clock(desk) == before
