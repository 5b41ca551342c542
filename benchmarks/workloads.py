"""The engine's benchmark workloads, through the public API only.

Shared by the benchmarks in this folder, and usable against any version of deskcore
(``compare.py`` times two versions side by side with them).
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from deskcore import (
    AgentMessage,
    AgentRequested,
    AgentStatusChanged,
    ConversationEnded,
    Desk,
    DeskSettings,
    Tick,
    UserMessage,
    load_settings,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
US = timedelta(microseconds=1)

if TYPE_CHECKING:  # (the benchmarks also run against trees older than this name)
    from deskcore import AnyEvent

Handler = Callable[["AnyEvent"], Any]
Maker = Callable[[DeskSettings], Desk]
TakeOver = Callable[[Desk], Desk]


def settings(capacity: int, **queue: Any) -> DeskSettings:
    """Settings for the benchmarks: no prompts sent, no working hours."""
    return load_settings(
        {
            "prompts": {"welcome": "", "connecting": "", "connected": "", "connect_failed": ""},
            "queue": {
                "max_concurrent": capacity,
                "prompt": "",
                "update_interval": "never",
                **queue,
            },
            "closure": {"user_timeout": "1h", "end_message": "", "timeout_message": ""},
        }
    )


def online(handle: Handler, count: int, now: datetime) -> None:
    """Bring ``count`` agents online."""
    for index in range(count):
        handle(AgentStatusChanged(at=now, agent=f"a{index}", status="online"))


def time_assign(agents: int, pairs: int, make: Maker = Desk) -> float:
    """Microseconds per assign (a request served at once plus the ending that frees it),
    on a desk that ``make`` builds from the settings."""
    desk = make(settings(1))
    online(desk.handle, agents, START)
    now = START + timedelta(seconds=1)
    events: list[AnyEvent] = []
    for index in range(pairs):
        at = now + index * 2 * US
        events.append(AgentRequested(at=at, conversation=f"c{index}"))
        events.append(ConversationEnded(at=at + US, conversation=f"c{index}", by="agent"))
    handle = desk.handle
    gc.collect()
    started = time.perf_counter()
    for event in events:
        handle(event)
    return (time.perf_counter() - started) / pairs * 1e6


def mixed_events(
    agents: int, waiting: int, count: int, seed: int
) -> tuple[list[AnyEvent], list[AnyEvent]]:
    """A setup (agents full, ``waiting`` users queued) and ``count`` mixed events after it."""
    rng = random.Random(seed)
    capacity = 2
    setup: list[AnyEvent] = []
    now = START
    for index in range(agents):
        setup.append(AgentStatusChanged(at=now, agent=f"a{index}", status="online"))
    served: list[str] = []
    queued: list[str] = []
    serial = 0
    for _ in range(agents * capacity + waiting):
        now += US
        conv = f"c{serial}"
        serial += 1
        setup.append(AgentRequested(at=now, conversation=conv))
        (served if len(served) < agents * capacity else queued).append(conv)
    events: list[AnyEvent] = []
    away: list[str] = []
    for _ in range(count):
        now += timedelta(microseconds=rng.randint(1, 1000))
        roll = rng.random()
        if roll < 0.30:
            conv = f"c{serial}"
            serial += 1
            events.append(AgentRequested(at=now, conversation=conv))
            queued.append(conv)
        elif roll < 0.55 and served:
            conv = served.pop(rng.randrange(len(served)))
            events.append(ConversationEnded(at=now, conversation=conv, by="user"))
            if queued:
                served.append(queued.pop(0))
        elif roll < 0.60 and queued:
            conv = queued.pop(rng.randrange(len(queued)))
            events.append(ConversationEnded(at=now, conversation=conv, by="user"))
        elif roll < 0.75 and served:
            conv = served[rng.randrange(len(served))]
            events.append(AgentMessage(at=now, conversation=conv))
        elif roll < 0.90 and served:
            conv = served[rng.randrange(len(served))]
            events.append(UserMessage(at=now, conversation=conv))
        elif roll < 0.95:
            if away and rng.random() < 0.5:
                agent = away.pop(rng.randrange(len(away)))
                events.append(AgentStatusChanged(at=now, agent=agent, status="online"))
            else:
                agent = f"a{rng.randrange(agents)}"
                if agent not in away:
                    away.append(agent)
                    events.append(AgentStatusChanged(at=now, agent=agent, status="break"))
        else:
            events.append(Tick(at=now))
    return setup, events


def time_mixed(agents: int, waiting: int, count: int, take_over: TakeOver | None = None) -> float:
    """Events per second of the mixed workload after its setup; ``take_over`` may move
    the set-up desk's state into another desk first (whose own setup may be slow)."""
    setup, events = mixed_events(agents, waiting, count, seed=7)
    desk = Desk(settings(2))
    for event in setup:
        desk.handle(event)
    if take_over is not None:
        desk = take_over(desk)
    handle = desk.handle
    gc.collect()
    started = time.perf_counter()
    for event in events:
        handle(event)
    return len(events) / (time.perf_counter() - started)
