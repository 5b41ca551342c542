"""``Desk.handle`` against the raw engine path it wraps: the cost of the object boundary.

Run with ``PYTHONTZPATH= .venv/bin/python benchmarks/bench_boundary.py`` (and with
``.venv-compiled/bin/python`` for the compiled build).

One agent online, capacity 1; then, ``--pairs`` times, a user asks and the agent ends the
conversation: an ``agent_requested`` (assign, connected prompt) and a
``conversation_ended`` (end message, close) each. The same events go once through
``Desk.handle`` as event objects (returning action objects) and once through the engine
as raw fields (returning tuples), built beforehand on both sides; runs alternate
``--repeat`` times and the best of each is kept. Target: ``handle`` at most 1.3 times the
raw path.
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from deskcore import (
    UNSET,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AnyEvent,
    ConversationEnded,
    Desk,
    DeskSettings,
    Party,
    QueueSettings,
)
from deskcore._engine import Engine
from deskcore._raw import ENDED, REQUESTED, STATUS
from deskcore._time import to_us

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
SETTINGS = DeskSettings(queue=QueueSettings(max_concurrent=1))


def through_handle(pairs: int) -> float:
    """Seconds for the pairs through Desk.handle."""
    desk = Desk(SETTINGS)
    desk.handle(AgentStatusChanged(at=START, agent="a1", status="online"))
    events: list[AnyEvent] = []
    for number in range(pairs):
        at = START + timedelta(seconds=number + 1)
        events.append(AgentRequested(at=at, conversation=f"c{number}"))
        events.append(ConversationEnded(at=at, conversation=f"c{number}", by="agent", agent="a1"))
    handle = desk.handle
    gc.collect()
    began = time.perf_counter()
    for event in events:
        handle(event)
    return time.perf_counter() - began


def raw(pairs: int) -> float:
    """Seconds for the same pairs through the engine's raw path."""
    engine = Engine(SETTINGS)
    start = to_us(START)
    engine.apply(start, STATUS, None, "a1", (AgentState.ONLINE, UNSET, UNSET, UNSET))
    events: list[tuple[int, int, str, str | None, Any]] = []
    for number in range(pairs):
        at = start + (number + 1) * 1_000_000
        events.append((at, REQUESTED, f"c{number}", None, (None, None, None, 0, None)))
        events.append((at, ENDED, f"c{number}", "a1", Party.AGENT))
    apply = engine.apply
    gc.collect()
    began = time.perf_counter()
    for event in events:
        apply(*event)
    return time.perf_counter() - began


def main() -> int:
    """Run both in turns and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    objects, tuples = [], []
    for _ in range(args.repeat):
        tuples.append(raw(args.pairs))
        objects.append(through_handle(args.pairs))
    best_raw, best_handle = min(tuples) / args.pairs, min(objects) / args.pairs
    print(
        f"a request and its ending: raw engine path {best_raw * 1e6:.2f} µs,"
        f" Desk.handle {best_handle * 1e6:.2f} µs: {best_handle / best_raw:.2f}x"
        " (target at most 1.3x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
