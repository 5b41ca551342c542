"""Memory stays bounded (D3): once a burst of conversations is forgotten, the desk's memory
is back within 10% of where it was before the burst."""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable
from datetime import timedelta

from deskcore import (
    AgentRequested,
    AgentStatusChanged,
    AssignmentAnswered,
    ConversationEnded,
    Desk,
    Tick,
    load_settings,
)
from helpers import T0

AGENTS = [f"a{n:04d}" for n in range(200)]
STEADY = 200  # conversations served throughout
BURST = 4000
Burst = tuple[str, tuple[str, ...], str]  # a conversation, its agents, a group name


def traced(work: Callable[[], None]) -> int:
    """The bytes still allocated after ``work`` (tracemalloc, after a collection)."""
    work()
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def steady_desk() -> tuple[Desk, list[Burst]]:
    """A webhook desk with every agent online and a few long conversations open; the ids
    of the burst are made beforehand, so that the host's strings are not counted."""
    settings = load_settings(
        {
            "assignment": {"strategy": "webhook", "webhook_timeout": "1m"},
            "queue": {"max_concurrent": 50},
            "closure": {"retention": "1m"},
        }
    )
    desk = Desk(settings)
    for agent in AGENTS:
        desk.handle(AgentStatusChanged(at=T0, agent=agent, status="online"))
    for number in range(STEADY):
        conv = f"s{number}"
        desk.handle(AgentRequested(at=T0, conversation=conv))
        desk.handle(AssignmentAnswered(at=T0, conversation=conv, agents=(AGENTS[number],)))
    rng = random.Random(3)
    ids: list[Burst] = [
        (f"b{n}", tuple(rng.sample(AGENTS, rng.randint(1, 6))), f"group-{n}") for n in range(BURST)
    ]
    return desk, ids


def burst(desk: Desk, ids: list[Burst]) -> None:
    """Webhook answers with random agent lists, an agent cycling through new group names,
    every conversation ended; then time passes beyond their retention."""
    now = T0 + timedelta(seconds=1)
    for conv, agents, group in ids:
        desk.handle(AgentRequested(at=now, conversation=conv))
        desk.handle(AssignmentAnswered(at=now, conversation=conv, agents=agents))
        desk.handle(AgentStatusChanged(at=now, agent="a0000", status="online", groups=(group,)))
        desk.handle(ConversationEnded(at=now, conversation=conv, by="user"))
    desk.handle(AgentStatusChanged(at=now, agent="a0000", status="online", groups=()))
    desk.handle(Tick(at=now + timedelta(minutes=5)))


class TestMemoryAfterABurst:
    """Scope keys, groups, queues and forgotten conversations leave nothing behind."""

    def test_back_within_ten_percent(self) -> None:
        """After the burst is forgotten the desk holds about what it held before."""
        tracemalloc.start()
        try:
            desk, ids = steady_desk()
            before = traced(lambda: None)
            after = traced(lambda: burst(desk, ids))
        finally:
            tracemalloc.stop()
        assert after <= before * 1.10, (before, after)
        assert desk.conversation_state("b0") is None  # forgotten (D3)
        assert desk.conversation_state("s0") is not None
