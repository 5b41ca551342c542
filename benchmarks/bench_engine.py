"""Engine benchmark: deskcore's indexed Desk against a naive reference, in one run.

Prints figures; it is not a test and never fails on speed. Run with
``make bench`` or ``.venv/bin/python benchmarks/bench_engine.py [--quick]``.

Measured:

1. assign: one request assigned at once plus the ending that frees the agent, at 1k, 10k
   and 100k online agents. The naive reference is the same engine with a linear scan of
   the agents for each R5 choice and plain lists as queues.
2. mixed workload (agents coming and going, requests, messages, endings, abandonment,
   ticks) at 100 agents / 1k waiting and 10k agents / 100k waiting: events per second.
3. a tick with nothing due at 1k and at 1M open conversations (each with a user-timeout
   deadline pending).
4. memory per agent and per waiting conversation (tracemalloc), id strings excluded.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import itertools
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from workloads import START, US, mixed_events, online, settings, time_assign, time_mixed

import deskcore
from deskcore import (
    AgentMessage,
    AgentRequested,
    AgentStatusChanged,
    Desk,
    DeskSettings,
    Tick,
    rank_key,
)
from deskcore._engine import Engine
from deskcore._queues import Queues
from deskcore._records import AgentRecord, ConvRecord, ScopeKey
from deskcore._rooms import Rooms
from deskcore._snapshot import load_state

if deskcore.COMPILED:  # its reference parts subclass the engine's, which compiled ones refuse
    sys.exit("bench_engine.py measures against interpreted reference parts: use the pure build")


class ListQueue(list[tuple[int, int, str]]):
    """The naive queue: a Python list kept sorted by insertion, searched by scanning."""

    def add(self, entry: tuple[int, int, str]) -> None:
        """Insert in order (a memmove of everything behind)."""
        bisect.insort(self, entry)

    def bisect_left(self, entry: tuple[int, int, str]) -> int:
        """The rank of an entry (a binary search; list.index, a linear one, serves too)."""
        return bisect.bisect_left(self, entry)

    def islice(self, start: int) -> Iterator[tuple[int, int, str]]:
        """Entries from ``start`` on."""
        return itertools.islice(self, start, None)


class ListQueues(Queues):
    """The naive queues: plain sorted lists."""

    queue_type = ListQueue  # type: ignore[assignment]


class NaiveRooms(Rooms):
    """The naive room index: no heaps; every R5 choice scans and ranks every agent."""

    def reindex(self, agent: AgentRecord) -> None:
        """Only the agent's key, no heap."""
        capacity = self.capacity(agent)
        if agent.status != "online" or agent.load >= capacity:
            agent.key = None
        else:
            idle = self.idle_since(agent)
            agent.key = rank_key(agent.id, agent.load, capacity, idle, agent.given)

    def choose(self, conv: ConvRecord, key: ScopeKey) -> AgentRecord | None:
        """The linear scan: every agent is looked at and ranked, every time."""
        best: tuple[Any, ...] | None = None
        fallback: tuple[Any, ...] | None = None
        for agent in self.agents.values():
            capacity = self.capacity(agent)
            if agent.status != "online" or agent.load >= capacity:
                continue
            if agent.id in conv.declined:
                continue
            if key[0] == "g" and key[1] not in agent.groups:
                continue
            if key[0] == "a" and agent.id not in key[1:]:
                continue
            rank = rank_key(agent.id, agent.load, capacity, self.idle_since(agent), agent.given)
            if agent.id in conv.missed:
                if fallback is None or rank < fallback:
                    fallback = rank
            elif best is None or rank < best:
                best = rank
        chosen = best or fallback
        return None if chosen is None else self.agents[chosen[-1]]


def naive_desk(settings: DeskSettings, snapshot: dict[str, Any] | None = None) -> Desk:
    """The naive reference: the same engine with the naive rooms and queues passed in
    (optionally with the state of ``snapshot``). It produces the same actions."""
    engine = Engine(settings, rooms=NaiveRooms, queues=ListQueues)
    if snapshot is not None:
        load_state(engine, snapshot)
    return Desk.over(engine)


# -- 1. assign -------------------------------------------------------------------------------


# -- 2. mixed workload --------------------------------------------------------------------------


def take_over(desk: Desk) -> Desk:
    """The naive reference with the state of ``desk``."""
    return naive_desk(desk.settings, desk.snapshot())


def check_same_actions(agents: int, waiting: int, count: int) -> int:
    """Run the mixed workload through both desks; they must return the same actions."""
    setup, events = mixed_events(agents, waiting, count, seed=11)
    fast, naive = Desk(settings(2)), naive_desk(settings(2))
    total = 0
    for event in [*setup, *events]:
        actions = fast.handle(event)
        if actions != naive.handle(event):
            raise SystemExit(f"the naive reference disagrees at {event!r}")
        total += len(actions)
    return total


# -- 3. idle tick ---------------------------------------------------------------------------------


def bench_tick(open_conversations: int, ticks: int) -> float:
    """Microseconds per tick with nothing due, with that many served conversations open."""
    agents = max(1, open_conversations // 1000)
    desk = Desk(settings(1000))
    online(desk.handle, agents, START)
    now = START + timedelta(seconds=1)
    for index in range(open_conversations):
        conv = f"c{index}"
        desk.handle(AgentRequested(at=now, conversation=conv))
        desk.handle(AgentMessage(at=now, conversation=conv))  # a pending user timeout each
    events = [Tick(at=now + (index + 1) * US) for index in range(ticks)]
    gc.collect()
    started = time.perf_counter()
    for event in events:
        desk.handle(event)
    return (time.perf_counter() - started) / ticks * 1e6


# -- 4. memory ------------------------------------------------------------------------------------


def bench_memory(count: int, **queue: Any) -> tuple[float, float]:
    """Bytes per agent and per waiting conversation, the host's id strings excluded."""
    agent_ids = [f"agent-{index}" for index in range(count)]
    conv_ids = [f"conv-{index}" for index in range(2 * count)]
    desk = Desk(settings(1, **queue))
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for agent in agent_ids:
        desk.handle(AgentStatusChanged(at=START, agent=agent, status="online"))
    gc.collect()
    with_agents = tracemalloc.get_traced_memory()[0]
    for conv in conv_ids[:count]:  # one served conversation an agent: everyone is busy
        desk.handle(AgentRequested(at=START, conversation=conv))
    gc.collect()
    busy = tracemalloc.get_traced_memory()[0]
    for conv in conv_ids[count:]:
        desk.handle(AgentRequested(at=START, conversation=conv))
    gc.collect()
    waiting = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (with_agents - base) / count, (waiting - busy) / count


def main() -> None:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    quick = args.quick

    print("1. assign (request served at once + ending), microseconds per assign")
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    ours: dict[int, float] = {}
    for agents in sizes:
        ours[agents] = min(time_assign(agents, 5_000) for _ in range(7))
        print(f"   deskcore  {agents:>7} agents: {ours[agents]:8.1f} us")
    naive_10k = min(time_assign(10_000, 200, naive_desk) for _ in range(3))
    print(f"   naive     {10_000:>7} agents: {naive_10k:8.1f} us")
    print(f"   speed-up at 10k agents: {naive_10k / ours[10_000]:.0f}x (target >= 100x)")
    if 100_000 in ours:
        print(f"   cost 100k / 1k agents: {ours[100_000] / ours[1_000]:.2f}x (target <= 2.5x)")

    agreed = check_same_actions(100, 1_000, 5_000)
    print(f"   (indexed and naive desks return the same {agreed:,} actions on a mixed run)")
    print("2. mixed workload, events per second")
    # Best of three (the machine's noise only ever slows a run down); the naive reference
    # at the large size is too slow to repeat, and its figure is not a target.
    small = max(time_mixed(100, 1_000, 20_000) for _ in range(3))
    large_waiting = 10_000 if quick else 100_000
    large_agents = 10_000 if not quick else 1_000
    large = max(time_mixed(large_agents, large_waiting, 20_000) for _ in range(3))
    naive_small = max(time_mixed(100, 1_000, 20_000, take_over) for _ in range(3))
    naive_large = time_mixed(large_agents, large_waiting, 2_000, take_over)
    print(f"   deskcore   100 agents /   1k waiting: {small:10.0f} events/s")
    print(f"   deskcore   10k agents / {large_waiting // 1000}k waiting: {large:10.0f} events/s")
    print(f"   naive      100 agents /   1k waiting: {naive_small:10.0f} events/s")
    print(
        f"   naive      10k agents / {large_waiting // 1000}k waiting: {naive_large:10.0f} events/s"
    )
    print(f"   per-event cost large / small: {small / large:.2f}x (target <= 2x)")

    print("3. tick with nothing due, microseconds per tick")
    big = 100_000 if quick else 1_000_000
    tick_small = min(bench_tick(1_000, 20_000) for _ in range(3))
    tick_big = min(bench_tick(big, 20_000) for _ in range(1))
    print(f"   {1_000:>9} open conversations: {tick_small:6.2f} us")
    print(f"   {big:>9} open conversations: {tick_big:6.2f} us ({tick_big / tick_small:.2f}x)")

    print("4. memory (tracemalloc), bytes")
    count = 20_000 if quick else 100_000
    per_agent, per_waiting = bench_memory(count)
    _, per_waiting_max_wait = bench_memory(count, max_wait="1h")
    print(f"   per agent:                               {per_agent:6.0f}")
    print(f"   per waiting conversation:                {per_waiting:6.0f}")
    print(f"   per waiting conversation with max_wait:  {per_waiting_max_wait:6.0f}")


if __name__ == "__main__":
    main()
