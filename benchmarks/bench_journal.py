"""The journal and the runner against the in-memory desk, in one run.

On the engine benchmark's mixed workload (100 agents, 1,000 waiting, then mixed events):

- the in-memory ``Desk`` (the baseline of this run);
- a ``DurableDesk`` committing every event (durability ``process``; ``--power`` too);
- the asyncio ``Runner`` over a ``DurableDesk``, events submitted 256 at a time (group
  commit);
- the ``Runner`` over the in-memory ``Desk`` (no journal), the same way and with one
  submitter awaiting each event in turn: the runner's own share of the cost;
- opening a journal of ``--open-events`` events with the default snapshots;
- a snapshot of 20,000 open conversations: what it costs, and how long a durable desk's
  background snapshot stalls a running asyncio loop.

Targets: every-event commits >= 10,000 events/s; group commit >= half the in-memory
rate; opening 1M events <= 5 s; a snapshot blocking the loop <= 50 ms.

    python benchmarks/bench_journal.py [--events N] [--open-events N] [--power]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
from workloads import mixed_events, settings

from deskcore import AgentRequested, AgentStatusChanged, AnyEvent, Desk
from deskcore.aio import Runner
from deskcore.journal import DurableDesk, JournalSettings


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>10,.0f} events/s"


def _timed(handle: Callable[[AnyEvent], object], events: list[AnyEvent]) -> float:
    """Seconds to hand ``events`` one by one to ``handle``, after a collection."""
    gc.collect()
    started = time.perf_counter()
    for event in events:
        handle(event)
    return time.perf_counter() - started


def in_memory(setup: list[AnyEvent], events: list[AnyEvent]) -> float:
    desk = Desk(settings(2))
    for event in setup:
        desk.handle(event)
    return _timed(desk.handle, events)


def durable(url: str, setup: list[AnyEvent], events: list[AnyEvent], power: bool) -> float:
    journal = JournalSettings(durability="power" if power else "process")
    with DurableDesk.open(url, settings(2), journal=journal) as desk:
        with desk.batch():
            for event in setup:
                desk.handle(event)
        return _timed(desk.handle, events)


def grouped(
    url: str | None, setup: list[AnyEvent], events: list[AnyEvent], *, one_by_one: bool = False
) -> float:
    """The runner over a durable desk at ``url`` (or over an in-memory ``Desk`` for
    ``None``), events submitted 256 at a time (or, ``one_by_one``, each awaited before
    the next is submitted). The runner stamps its own instants, from a clock that moves a
    microsecond at each reading (so the desk's time moves about as in the other runs)."""
    ticks = [setup[0].at]

    def clock() -> datetime:
        ticks[0] += timedelta(microseconds=1)
        return ticks[0]

    async def drive(desk: Desk | DurableDesk) -> float:
        async with Runner(desk, clock=clock, resume=False) as runner:
            for event in setup:
                await runner.submit(event)
            gc.collect()
            started = time.perf_counter()
            if one_by_one:
                for event in events:
                    await runner.submit(event)
            else:
                for start in range(0, len(events), 256):
                    chunk = events[start : start + 256]
                    await asyncio.gather(*(runner.submit(event) for event in chunk))
            return time.perf_counter() - started

    async def main() -> float:
        if url is None:
            return await drive(Desk(settings(2)))
        with DurableDesk.open(url, settings(2)) as desk:
            return await drive(desk)

    return asyncio.run(main())


def opening(url: str, count: int, spacing: timedelta | None = None) -> tuple[float, int, int]:
    """Seconds to open a journal of ``count`` mixed events, its entries and how many
    conversations its desk holds. With ``spacing`` the events are that far apart (the
    workload's own are microseconds apart, so no closed conversation is ever forgotten)."""
    setup, events = mixed_events(100, 1000, count, seed=11)
    stream = [*setup, *events]
    if spacing is not None:
        start = stream[0].at
        stream = [
            attrs.evolve(event, at=start + index * spacing) for index, event in enumerate(stream)
        ]
    with DurableDesk.open(url, settings(2)) as desk:
        with desk.batch():
            for event in stream:
                desk.handle(event)
        seq = desk.seq
        held = sum(1 for _ in desk.conversations())
    started = time.perf_counter()
    with DurableDesk.open(url) as desk:
        assert desk.seq == seq
    return time.perf_counter() - started, seq, held


def snapshot_cost(conversations: int) -> tuple[float, float, float]:
    desk = Desk(settings(2))
    at = datetime(2026, 3, 2, tzinfo=UTC)
    for index in range(200):
        desk.handle(AgentStatusChanged(at=at, agent=f"a{index}", status="online"))
    for index in range(conversations):
        at += timedelta(microseconds=10)
        desk.handle(AgentRequested(at=at, conversation=f"c{index}", user=f"u{index}"))
    gc.collect()
    started = time.perf_counter()
    state = desk.snapshot()
    dumped = time.perf_counter()
    text = json.dumps(state, separators=(",", ":"))
    written = time.perf_counter()
    return dumped - started, written - dumped, len(text) / 1e6


def snapshot_stall(url: str, conversations: int) -> tuple[float, float, float]:
    """A durable desk holding ``conversations`` open ones takes a background snapshot
    while an asyncio loop keeps a 1 ms ticker: the capture's time (on the loop), the
    longest stall of the loop while the snapshot is stored, and the whole snapshot's
    time (ms)."""
    journal = JournalSettings(snapshot_every=None, snapshot_after=None)
    desk = DurableDesk.open(url, settings(2), journal=journal)
    at = datetime(2026, 3, 2, tzinfo=UTC)
    with desk.batch():
        for index in range(200):
            desk.handle(AgentStatusChanged(at=at, agent=f"a{index}", status="online"))
        for index in range(conversations):
            at += timedelta(microseconds=10)
            desk.handle(AgentRequested(at=at, conversation=f"c{index}", user=f"u{index}"))
    gc.collect()

    async def main() -> tuple[float, float, float]:
        loop = asyncio.get_running_loop()
        longest = 0.0
        done = False

        async def ticker() -> None:
            nonlocal longest
            while not done:
                before = time.perf_counter()
                await asyncio.sleep(0.001)
                longest = max(longest, time.perf_counter() - before - 0.001)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0.05)
        longest = 0.0
        started = time.perf_counter()
        desk.take_snapshot()  # what handle() does when the policy says so
        captured = time.perf_counter()
        await loop.run_in_executor(None, desk.wait_for_snapshot)
        stored = time.perf_counter()
        done = True
        await task
        return (captured - started) * 1000, longest * 1000, (stored - started) * 1000

    try:
        return asyncio.run(main())
    finally:
        desk.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--open-events", type=int, default=1_000_000)
    parser.add_argument("--power", action="store_true", help="also durability 'power'")
    args = parser.parse_args()
    setup, events = mixed_events(100, 1000, args.events, seed=7)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        memory = in_memory(setup, events)
        every = durable(f"sqlite:///{base / 'every.db'}", setup, events, power=False)
        group = grouped(f"sqlite:///{base / 'group.db'}", setup, events)
        count = len(events)
        print(f"mixed workload, {count:,} events after a setup of {len(setup):,}")
        print(f"  in-memory Desk             {_rate(count, memory)}   (baseline)")
        ratio = memory / every
        print(f"  DurableDesk, every commit  {_rate(count, every)}   {ratio:.2f} of in-memory")
        if args.power:
            power = durable(f"sqlite:///{base / 'power.db'}", setup, events, power=True)
            print(f"  ... durability 'power'     {_rate(count, power)}   {memory / power:.2f}")
        print(f"  Runner, group commit       {_rate(count, group)}   {memory / group:.2f}")
        alone = grouped(None, setup, events)
        print(f"  Runner, no journal         {_rate(count, alone)}   {memory / alone:.2f}")
        single = grouped(None, setup, events, one_by_one=True)
        print(f"  ... one event at a time    {_rate(count, single)}   {memory / single:.2f}")
        for name, spacing in (("as generated", None), ("1 s apart", timedelta(seconds=1))):
            path = f"sqlite:///{base / f'open-{spacing is None}.db'}"
            seconds, seq, held = opening(path, args.open_events, spacing)
            print(
                f"opening a journal of {seq:,} entries, events {name} "
                f"({held:,} conversations held): {seconds:.2f} s"
            )
        capture, stall, whole = snapshot_stall(f"sqlite:///{base / 'stall.db'}", 20_000)
    dump, encode, size = snapshot_cost(20_000)
    print(
        f"snapshot of 20,000 open conversations: Desk.snapshot() {dump * 1000:.0f} ms, "
        f"JSON {encode * 1000:.0f} ms, {size:.1f} MB"
    )
    print(
        f"  a DurableDesk's background snapshot: capture {capture:.0f} ms on the loop, "
        f"longest loop stall {stall:.0f} ms while it is stored ({whole:.0f} ms in all)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
