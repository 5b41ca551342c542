"""One desk shared by several processes on PostgreSQL, against one process, in one run.

Each process drives its own share of the engine benchmark's mixed workload (its own
agents and conversations, ids prefixed with the process's name) on one desk, stamping
events from the machine's clock as a host would; the desk orders them all. Reported for
1, 2, 4 and 8 processes on one desk: events/s over all processes and the p50/p99 latency
of ``handle`` (the wait for the desk's order included). Then 1, 2, 4 and 8 desks, one
process each: the throughput curve as desks are added. The baseline is one process on
one desk, in the same run.

Then 1 and 4 processes on one desk, each an asyncio ``Runner`` with 8 tasks submitting
(events that queue up commit in groups, one hold of the desk's order a group).

Targets: >= 2,000 events/s for one desk with 4 processes, p99 under 20 ms; throughput
that grows with the number of desks.

    python benchmarks/bench_shared.py [--events N] [--url postgresql://...]

Without ``--url`` it starts a throwaway server on 127.0.0.1 (default settings: fsync on).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from workloads import mixed_events, settings

from deskcore import AnyEvent
from deskcore.aio import Runner
from deskcore.journal import DurableDesk, JournalSettings
from deskcore.testing.postgres import temporary_postgres

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _prefixed(events: Sequence[AnyEvent], prefix: str) -> list[AnyEvent]:
    out = []
    for event in events:
        changes: dict[str, Any] = {}
        for name in ("conversation", "agent"):
            value = getattr(event, name, None)
            if isinstance(value, str):
                changes[name] = f"{prefix}{value}"
        out.append(attrs.evolve(event, **changes))
    return out


def _share(index: int, processes: int, count: int) -> tuple[list[AnyEvent], list[AnyEvent]]:
    """Process ``index``'s setup and events: 100 agents and 1,000 waiting users over all."""
    setup, events = mixed_events(100 // processes, 1000 // processes, count, seed=7 + index)
    return _prefixed(setup, f"p{index}-"), _prefixed(events, f"p{index}-")


def _worker(
    url: str,
    desk: str,
    events: list[AnyEvent],
    t0: float,
    begin: float,
    out: multiprocessing.Queue[object],
    runner: bool,
) -> None:
    """Drive ``desk`` with ``events`` from ``begin`` on, stamped from the machine's clock
    (``t0`` is the desk's START), and put (start, end, latencies) on ``out``: each
    ``handle`` call's, or with ``runner`` each ``submit``'s to a
    :class:`~deskcore.aio.Runner` fed by 8 tasks at once (so events queue up and commit
    in groups)."""
    shared = DurableDesk.open(url, desk=desk, max_skew=timedelta(seconds=5))
    latencies: list[float] = []

    def clock() -> datetime:
        return START + timedelta(seconds=time.time() - t0)

    def direct() -> tuple[float, float]:
        time.sleep(max(0.0, begin - time.time()))
        started = time.perf_counter()
        for event in events:
            stamped = attrs.evolve(event, at=clock())
            before = time.perf_counter()
            shared.handle(stamped)
            latencies.append(time.perf_counter() - before)
        return started, time.perf_counter()

    async def queued() -> tuple[float, float]:
        todo = iter(events)
        async with Runner(shared, clock=clock, resume=False) as running:

            async def submitter() -> None:
                for event in todo:
                    before = time.perf_counter()
                    await running.submit(event)
                    latencies.append(time.perf_counter() - before)

            await asyncio.sleep(max(0.0, begin - time.time()))
            started = time.perf_counter()
            await asyncio.gather(*(submitter() for _ in range(8)))
            return started, time.perf_counter()

    started, ended = asyncio.run(queued()) if runner else direct()
    shared.close()
    out.put((started, ended, latencies))


def run(
    url: str, desks: int, processes: int, count: int, tag: str, *, runner: bool = False
) -> tuple[float, float, float]:
    """Events/s over all processes, p50 and p99 latency (ms), for ``processes`` spread
    evenly over ``desks`` desks, each handling ``count`` events."""
    names = [f"{tag}-{n % desks}" for n in range(processes)]
    shares = [_share(n, processes, count) for n in range(processes)]
    t0 = time.time()
    for name in sorted(set(names)):  # each desk's setup, before the clock starts
        desk = DurableDesk.open(url, settings(2), desk=name, journal=JournalSettings())
        with desk, desk.batch():
            for (setup, _events), owner in zip(shares, names, strict=True):
                if owner != name:
                    continue
                for event in setup:
                    at = START + timedelta(seconds=time.time() - t0)
                    desk.handle(attrs.evolve(event, at=at))
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[object] = context.Queue()
    begin = time.time() + 0.5
    children = [
        context.Process(target=_worker, args=(url, name, events, t0, begin, queue, runner))
        for name, (_setup, events) in zip(names, shares, strict=True)
    ]
    for child in children:
        child.start()
    results = [queue.get() for _ in children]
    for child in children:
        child.join()
    first = min(r[0] for r in results)  # type: ignore[index]
    last = max(r[1] for r in results)  # type: ignore[index]
    latencies = sorted(x for r in results for x in r[2])  # type: ignore[index]
    total = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(total - 1, int(total * 0.99))] * 1000
    return total / (last - first), p50, p99


def report(url: str, count: int) -> None:
    print(f"mixed workload, {count:,} events per process")
    print("one desk, N processes        events/s   p50 ms   p99 ms")
    base = 0.0
    for processes in (1, 2, 4, 8):
        rate, p50, p99 = run(url, 1, processes, count, f"one{processes}")
        base = base or rate
        print(f"  {processes} process(es)          {rate:>10,.0f}   {p50:6.2f}   {p99:6.2f}"
              f"   {rate / base:.2f} of 1 process")  # fmt: skip
    print("one desk, N processes, each a Runner (group commit; submit's latency)")
    for processes in (1, 4):
        rate, p50, p99 = run(url, 1, processes, count, f"run{processes}", runner=True)
        print(f"  {processes} process(es)          {rate:>10,.0f}   {p50:6.2f}   {p99:6.2f}"
              f"   {rate / base:.2f} of 1 process")  # fmt: skip
    print("N desks, one process each    events/s   p50 ms   p99 ms")
    for desks in (1, 2, 4, 8):
        rate, p50, p99 = run(url, desks, desks, count, f"many{desks}")
        print(f"  {desks} desk(s)              {rate:>10,.0f}   {p50:6.2f}   {p99:6.2f}"
              f"   {rate / base:.2f} of 1 desk")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=2000, help="events per process")
    parser.add_argument("--url", help="a PostgreSQL server to use (its tables are created)")
    args = parser.parse_args()
    if args.url:
        report(args.url, args.events)
    else:
        with temporary_postgres() as url:
            report(url, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
