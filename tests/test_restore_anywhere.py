"""D1 on long, varied streams: a desk restored from its snapshot at any point goes on
exactly as the original, whatever happened before (settings updates, restarts with
``resumed``, transfers, webhook answers, declines, priorities, preferred agents).

The streams are drawn against a live desk, so most events are valid; some are errors on
purpose (E1: they change nothing). Every few events the desk's snapshot is restored (as
JSON text, as a journal stores it) and the twin is fed the next events beside the
original: the same actions, deadlines and state."""

from __future__ import annotations

import contextlib
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deskcore import (
    ConversationState,
    Desk,
    DeskSettings,
    EventError,
    action_to_json,
    event_from_json,
    load_settings,
)
from helpers import by_state

S = ConversationState
START = datetime(2026, 3, 2, 9, tzinfo=UTC)
AGENTS = [f"a{n}" for n in range(5)]
GROUPS = ["sales", "support"]

BASES: dict[str, dict[str, Any]] = {
    "manual": {
        "service": {"mode": "manual", "accept_timeout": "20s", "reassign_after": "1m"},
        "queue": {"max_concurrent": 2, "update_interval": "30s", "max_length": 6},
        "closure": {"user_timeout": "3m", "reminder": "1m", "retention": "5m"},
        "ratings": {"send_on_end": True, "send_on_timeout": True, "validity": "10m"},
    },
    "choice": {
        "assignment": {"strategy": "user_choice", "groups": GROUPS},
        "queue": {"max_concurrent": 1, "update_interval": "0s", "max_wait": "5m"},
        "closure": {"user_timeout": "4m"},
    },
    "webhook": {
        "assignment": {"strategy": "webhook", "webhook_timeout": "5s", "webhook_fallback": "fail"},
        "service": {"mode": "manual", "accept_timeout": "15s", "reassign_after": "0s"},
        "queue": {"max_concurrent": 2, "update_interval": "never"},
    },
}

# Settings updates the streams make: each a change of one section of the base document.
CHANGES: list[dict[str, Any]] = [
    {"queue": {"max_concurrent": 3}},
    {"queue": {"max_concurrent": 1, "update_interval": "10s"}},
    {"service": {"mode": "automatic"}},
    {"service": {"mode": "manual", "accept_timeout": "40s"}},
    {"closure": {"user_timeout": "90s", "reminder": "30s"}},
    {"assignment": {"strategy": "automatic"}},
]


def _merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    document = {section: dict(values) for section, values in base.items()}
    for section, values in change.items():
        document.setdefault(section, {}).update(values)
    return document


def stream(kind: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` operations: events (JSON objects) and ``{"settings": document}``."""
    rng = random.Random(seed)
    base = BASES[kind]
    desk = Desk(load_settings(base))
    now = START
    ops: list[dict[str, Any]] = []
    number = 0

    def send(data: dict[str, Any]) -> None:
        event = {"at": now.isoformat(), **data}
        with contextlib.suppress(EventError):  # kept: an error changes nothing, on the twin too
            desk.handle(event_from_json(event))
        ops.append(event)

    for agent in AGENTS[:3]:
        groups = rng.sample(GROUPS, rng.randint(1, 2))
        send({"type": "agent_status", "agent": agent, "status": "online", "groups": groups})
    while len(ops) < count:
        now += timedelta(milliseconds=rng.randint(0, 6000))
        due = desk.next_deadline()
        states = by_state(desk)
        roll = rng.random()
        if due is not None and due <= now:
            now = max(due, desk.now or due)
            send({"type": "tick"})
        elif roll < 0.22:
            number += 1
            request: dict[str, Any] = {"type": "agent_requested", "conversation": f"c{number}"}
            request["priority"] = rng.choice([0, 0, 1, -1])
            if rng.random() < 0.3:
                request["preferred_agent"] = rng.choice(AGENTS)
            if desk.settings.assignment.strategy.value == "user_choice":
                request["group"] = rng.choice(GROUPS)
            send(request)
        elif roll < 0.34 and states.get(S.OFFERED):
            conv = rng.choice(states[S.OFFERED])
            view = desk.conversation_view(conv)
            assert view is not None and view.agent is not None
            verb = rng.choice(["agent_accepted", "agent_accepted", "agent_declined"])
            send({"type": verb, "conversation": conv, "agent": view.agent})
        elif roll < 0.4 and states.get(S.AWAITING_ANSWER):
            conv = rng.choice(states[S.AWAITING_ANSWER])
            if rng.random() < 0.8:
                answer = rng.sample(AGENTS, 2)
                send({"type": "assignment_answered", "conversation": conv, "agents": answer})
            else:
                send({"type": "assignment_failed", "conversation": conv})
        elif roll < 0.55 and states.get(S.SERVED):
            conv = rng.choice(states[S.SERVED])
            send({"type": rng.choice(["agent_message", "user_message"]), "conversation": conv})
        elif roll < 0.62 and states.get(S.SERVED):
            conv = rng.choice(states[S.SERVED])
            view = desk.conversation_view(conv)
            assert view is not None
            if rng.random() < 0.5:
                send({"type": "transfer", "conversation": conv, "agent": view.agent,
                      "to_agent": rng.choice(AGENTS)})  # fmt: skip
            else:
                send({"type": "transfer", "conversation": conv, "agent": view.agent,
                      "to_group": rng.choice(GROUPS)})  # fmt: skip
        elif roll < 0.72 and states.get(S.SERVED):
            conv = rng.choice(states[S.SERVED])
            by = rng.choice(["user", "agent"])
            ended: dict[str, Any] = {"type": "conversation_ended", "conversation": conv, "by": by}
            if by == "agent":
                view = desk.conversation_view(conv)
                assert view is not None
                ended["agent"] = view.agent
            send(ended)
        elif roll < 0.77 and states.get(S.CLOSED):
            conv = rng.choice(states[S.CLOSED])
            rating: dict[str, Any] = {"type": "rating_submitted", "conversation": conv}
            rating["score"] = rng.randint(1, 5)
            if rng.random() < 0.3:
                rating["comment"] = "thanks"
            send(rating)
        elif roll < 0.85:
            agent = rng.choice(AGENTS)
            status = rng.choice(["online", "online", "break", "offline"])
            change: dict[str, Any] = {"type": "agent_status", "agent": agent, "status": status}
            if rng.random() < 0.3:
                change["capacity"] = rng.choice([None, 1, 2, 3])
            send(change)
        elif roll < 0.88:
            since = now
            now += timedelta(minutes=rng.randint(1, 20))
            send({"type": "resumed", "since": since.isoformat()})
        elif roll < 0.9:
            document = _merged(base, rng.choice(CHANGES))
            desk.update_settings(load_settings(document))
            ops.append({"settings": document})
        elif roll < 0.92:  # an error on purpose: nothing changes (E1)
            send({"type": "agent_accepted", "conversation": "c0", "agent": "nobody"})
        else:
            send({"type": "tick"})
    return ops


def _apply(desk: Desk, op: dict[str, Any]) -> Any:
    """What the desk does with one operation, as plain data."""
    if "settings" in op:
        desk.update_settings(load_settings(op["settings"]))
        return "settings"
    try:
        actions = desk.handle(event_from_json(op))
    except EventError as exc:
        return ("error", str(exc))
    return [action_to_json(action) for action in actions], desk.next_deadline()


@pytest.mark.parametrize(("kind", "seed"), [("manual", 1), ("choice", 2), ("webhook", 3)])
def test_a_restored_desk_goes_on_as_the_original(kind: str, seed: int) -> None:
    ops = stream(kind, 900, seed)
    assert sum("settings" in op for op in ops) >= 5
    assert sum(op.get("type") == "resumed" for op in ops) >= 5
    original = Desk(load_settings(BASES[kind]))
    expected: list[Any] = []
    points: list[tuple[int, DeskSettings, str]] = []  # (index, settings, snapshot text)
    for index, op in enumerate(ops):
        if index % 7 == 0 and original.pending_settings is None:
            points.append((index, original.settings, json.dumps(original.snapshot())))
        expected.append(_apply(original, op))
    ahead = 30
    for index, settings, text in points:
        twin = Desk.restore(settings, json.loads(text))
        for offset, op in enumerate(ops[index : index + ahead]):
            assert _apply(twin, op) == expected[index + offset], (index, offset, op)
