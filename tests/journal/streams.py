"""Seeded streams of valid events for the journal's tests (JSON objects, no no-op tick)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from deskcore import ConversationState, Desk, DeskSettings, event_from_json, event_to_json
from helpers import by_state

S = ConversationState
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def stream(settings: DeskSettings, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` events a desk with ``settings`` accepts, drawn against a live desk;
    every tick finds something due (a journal skips the others)."""
    rng = random.Random(seed)
    desk = Desk(settings)
    now = START
    out: list[dict[str, Any]] = []
    convs = 0
    agents = [f"a{n}" for n in range(4)]

    def send(data: dict[str, Any]) -> None:
        data = {"at": now.isoformat(), **data}
        desk.handle(event_from_json(data))
        out.append(event_to_json(event_from_json(data)))

    for agent in agents:
        send({"type": "agent_status", "agent": agent, "status": "online"})
    while len(out) < count:
        states = by_state(desk)
        roll = rng.random()
        now += timedelta(milliseconds=rng.randint(0, 4000))
        due = desk.next_deadline()
        if due is not None and due <= now:
            now = max(due, desk.now or due)
            send({"type": "tick"})
        elif roll < 0.3:
            convs += 1
            send({"type": "agent_requested", "conversation": f"c{convs}", "user": f"u{convs}"})
        elif roll < 0.5 and states.get(S.OFFERED):
            conv = rng.choice(states[S.OFFERED])
            offered = desk.conversation_view(conv)
            assert offered is not None and offered.agent is not None
            send({"type": "agent_accepted", "conversation": conv, "agent": offered.agent})
        elif roll < 0.7 and states.get(S.SERVED):
            conv = rng.choice(states[S.SERVED])
            send({"type": rng.choice(["agent_message", "user_message"]), "conversation": conv})
        elif roll < 0.85 and states.get(S.SERVED):
            conv = rng.choice(states[S.SERVED])
            send({"type": "conversation_ended", "conversation": conv, "by": "user"})
        elif roll < 0.9 and states.get(S.CLOSED):
            conv = rng.choice(states[S.CLOSED])
            send({"type": "rating_submitted", "conversation": conv, "score": rng.randint(1, 5)})
        elif roll < 0.95:
            agent = rng.choice(agents)
            status = rng.choice(["online", "online", "break"])
            send({"type": "agent_status", "agent": agent, "status": status})
    return out
