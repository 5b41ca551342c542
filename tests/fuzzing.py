"""Fuzzing kit shared by the fuzz tests and ``benchmarks/fuzz.py``: random JSON values,
one-place mutations of valid documents, and sample desks and snapshots to mutate."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from deskcore import AnyEvent, Desk, DeskSettings, event_from_json, load_settings

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value, with the awkward ones well represented: huge and negative
    integers, long strings, NaN, deep nesting."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 1, 2**63, -(2**63), 10**30, 10**400]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        st.sampled_from(["", "x" * 5000, "2026-03-02T09:00:00Z", "online", "1h", "FREQ=DAILY"]),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=12,
    )


def _places(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _places(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _places(value, (*path, index))
    return found


def mutate(data: st.DataObject, tree: Any) -> Any:
    """``tree`` (a JSON value) with one place replaced, removed, or given a new key."""
    path = data.draw(st.sampled_from(_places(tree)))
    how = data.draw(st.sampled_from(["replace", "remove", "add", "nudge"]))
    if not path:
        return (
            data.draw(json_values())
            if how != "add" or not isinstance(tree, dict)
            else {
                **tree,
                data.draw(st.text(max_size=8)): data.draw(json_values()),
            }
        )
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    value = parent[last]
    if how == "remove":
        del parent[last]
    elif how == "add" and isinstance(value, dict):
        value[data.draw(st.text(max_size=8))] = data.draw(json_values())
    elif how == "nudge" and isinstance(value, int) and not isinstance(value, bool):
        parent[last] = value + data.draw(st.sampled_from([-(10**9), -1, 1, 7, 10**12]))
    else:
        parent[last] = data.draw(json_values())
    return tree


def _at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat()


FUZZ_SETTINGS = {
    "service": {"mode": "manual", "accept_timeout": "30s"},
    "queue": {"max_concurrent": 2, "max_wait": "10m", "update_interval": "20s"},
    "closure": {"user_timeout": "5m", "retention": "1h"},
    "ratings": {"send_on_end": True, "validity": "10m"},
}
SNAPSHOT_SETTINGS: DeskSettings = load_settings(FUZZ_SETTINGS)

# A day in miniature that passes every state: offers, declines, waits, service, ratings.
RUN: list[dict[str, Any]] = [
    {"at": _at(0), "type": "agent_status", "agent": "a1", "status": "online", "groups": ["x"]},
    {"at": _at(1), "type": "agent_status", "agent": "a2", "status": "online", "name": "Bo"},
    {"at": _at(2), "type": "user_entered", "conversation": "c1", "user": "u1"},
    {"at": _at(3), "type": "agent_requested", "conversation": "c1"},
    {"at": _at(4), "type": "agent_requested", "conversation": "c2"},
    {"at": _at(5), "type": "agent_requested", "conversation": "c3"},
    {"at": _at(6), "type": "agent_requested", "conversation": "c4"},
    {"at": _at(7), "type": "agent_requested", "conversation": "c5"},
    {"at": _at(8), "type": "agent_accepted", "conversation": "c1", "agent": "a1"},
    {"at": _at(9), "type": "agent_declined", "conversation": "c2", "agent": "a2"},
    {"at": _at(40), "type": "tick"},
    {"at": _at(41), "type": "agent_message", "conversation": "c1"},
    {"at": _at(42), "type": "conversation_ended", "conversation": "c5", "by": "user"},
    {"at": _at(43), "type": "agent_status", "agent": "a3", "status": "online"},
    {"at": _at(80), "type": "tick"},
    {"at": _at(90), "type": "user_message", "conversation": "c1"},
    {"at": _at(100), "type": "agent_message", "conversation": "c1"},
    {"at": _at(230), "type": "tick"},
    {"at": _at(231), "type": "conversation_ended", "conversation": "c1", "by": "agent"},
    {"at": _at(232), "type": "rating_submitted", "conversation": "c1", "score": 4},
    {"at": _at(234), "type": "agent_status", "agent": "a1", "status": "break"},
    {"at": _at(400), "type": "tick"},
    {"at": _at(700), "type": "tick"},
]


@functools.cache
def snapshot_samples() -> list[tuple[dict[str, Any], int]]:
    """(snapshot, index of the next event) at every cut of the run."""
    desk = Desk(SNAPSHOT_SETTINGS)
    samples = [(desk.snapshot(), 0)]
    for index, raw in enumerate(RUN):
        try:
            desk.handle(event_from_json(raw))
        except Exception:
            continue
        samples.append((desk.snapshot(), index + 1))
    return samples


def valid_events_after(index: int) -> list[AnyEvent]:
    """The run's events from ``index`` on, and a few more, later than any instant in it."""
    rest = [event_from_json(raw) for raw in RUN[index:]]
    late = START + timedelta(days=1)
    rest += [
        event_from_json(
            {"at": late.isoformat(), "type": "agent_status", "agent": "a9", "status": "online"}
        ),
        event_from_json({"at": late.isoformat(), "type": "agent_requested", "conversation": "z1"}),
        event_from_json({"at": (late + timedelta(hours=2)).isoformat(), "type": "tick"}),
    ]
    return rest


def event_desk() -> tuple[Desk, list[dict[str, Any]]]:
    """A desk part way through the run, and valid JSON events for its next step."""
    desk = Desk(SNAPSHOT_SETTINGS)
    for raw in RUN[:10]:
        desk.handle(event_from_json(raw))
    later = _at(50)
    events: list[dict[str, Any]] = [
        {"at": later, "type": "agent_accepted", "conversation": "c3", "agent": "a1"},
        {"at": later, "type": "agent_status", "agent": "a2", "status": "offline", "capacity": 3},
        {"at": later, "type": "assignment_answered", "conversation": "c2", "agents": ["a1"]},
        {
            "at": later,
            "type": "conversation_ended",
            "conversation": "c1",
            "by": "agent",
            "agent": "a1",
        },
        {"at": later, "type": "rating_invited", "conversation": "c1", "agent": "a1"},
        {
            "at": later,
            "type": "rating_submitted",
            "conversation": "c1",
            "score": 3,
            "comment": "ok",
        },
        {"at": later, "type": "agent_requested", "conversation": "c9", "user": "u", "group": "x"},
        {"at": later, "type": "user_entered", "conversation": "c8", "user": "u"},
        {"at": later, "type": "tick"},
    ]
    return desk, events
