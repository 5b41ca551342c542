"""Whole ``deskcore size`` processes on a 24-hour workload with hourly rates.

Run with ``PYTHONTZPATH= .venv/bin/python benchmarks/bench_size.py``.

The workload: arrivals in every hour of the day, from 20 to 320 an hour, a 4-minute
exponential handle time, a 3-minute patience; the target ``80% in 20s`` with at most 5%
abandoned; an automatic desk with capacity 1. ``deskcore size`` runs as a new process
with ``--jobs 1`` and with ``--jobs 2``, in turns, ``--repeat`` times; the medians of the
wall times, the speed-up of two jobs, and how far each hour's agents lie from the
formula's (Erlang A) answer. Target: under a minute.

``--agreement N``: instead, for each of six single-hour loads (M/M/c and M/M/c+M, from 37
to 1,000 arrivals an hour), size the hour with seeds 1 to N in this process and count
how far the agents found lie from Erlang C's or A's answer. The desk is the model's
exactly (automatic, capacity 1, first come first served), so the formula's count is
the right one; where it only just meets the target, simulated days tell it from its
neighbours less often.

Prints figures; never fails on speed.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

RATES = (
    20, 20, 20, 20, 30, 40, 80, 160, 240, 300, 320, 320,
    280, 300, 320, 300, 260, 200, 140, 100, 80, 60, 40, 30,
)  # fmt: skip

WORKLOAD = f"""\
start = "2026-03-02T00:00:00+00:00"
length = "24h"

[arrivals]
by_hour = {list(RATES)}

[users]
patience = "3m"

[handling]
time = "4m"

[agents]
count = 1
"""


def _run(python: str, workload: Path, jobs: int, seed: int) -> tuple[float, dict[str, object]]:
    command = [
        python, "-m", "deskcore", "size", "--workload", str(workload),
        "--target", "80% in 20s", "--max-abandon", "5%", "--jobs", str(jobs),
        "--seed", str(seed), "--json", "--quiet",
    ]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found: dict[str, object] = json.loads(done.stdout)
    return time.perf_counter() - began, found


# (arrivals an hour, handle time in minutes, patience in minutes or None, max abandon)
LOADS = (
    (37, 4, None, None),
    (200, 4, None, None),
    (1000, 3, None, None),
    (200, 4, 1, "5%"),
    (600, 3, 0.5, "5%"),
    (90, 10, 5, "5%"),
)


def agreement(seeds: int, jobs: int) -> None:
    """Print, for each load, how often ``size`` lands how far from the formula."""
    import attrs

    from deskcore import DeskSettings, QueueSettings
    from deskcore.sim import Arrivals, Workload, parse_target, size

    desk = DeskSettings(queue=QueueSettings(max_concurrent=1))
    for rate, minutes, patience, bound in LOADS:
        workload = Workload.simple(
            agents=1,
            arrival_rate=rate,
            handle_time=timedelta(minutes=minutes),
            patience=None if patience is None else timedelta(minutes=patience),
        )
        workload = attrs.evolve(workload, arrivals=Arrivals(by_hour=(float(rate),) + (0.0,) * 23))
        target = parse_target("80% in 20s", bound)
        off: collections.Counter[int] = collections.Counter()
        began = time.perf_counter()
        for seed in range(1, seeds + 1):
            hour = size(desk, workload, target, seed=seed, jobs=jobs).hours[0]
            off[hour.agents - hour.theory] += 1
        model = "Erlang C" if patience is None else f"Erlang A, {patience}m patience"
        print(
            f"{rate}/h, {minutes}m handle time ({model}"
            + ("" if bound is None else f", at most {bound} abandoned")
            + f"): formula {hour.theory}; seeds by difference {dict(sorted(off.items()))}"
            f" ({time.perf_counter() - began:.0f} s)",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the build to time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--agreement", type=int, metavar="N", help="seeds per load")
    parser.add_argument("--jobs", type=int, default=2, help="for --agreement")
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.agreement is not None and args.agreement < 1):
        parser.error("--repeat and --agreement take a number of at least 1")
    if args.agreement is not None:
        agreement(args.agreement, args.jobs)
        return 0
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as folder:
        workload = Path(folder) / "day.toml"
        workload.write_text(WORKLOAD)
        for _ in range(args.repeat):
            for jobs in times:
                elapsed, found = _run(args.python, workload, jobs, args.seed)
                times[jobs].append(elapsed)
    hours = found["hours"]
    assert isinstance(hours, list)
    off = collections.Counter(hour["agents"] - hour["theory"] for hour in hours)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(
        f"deskcore size, 24 hours of {min(RATES)} to {max(RATES)} arrivals an hour:"
        f" --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s ({one / two:.2f}x; target under 60 s)"
    )
    print(
        f"agent-hours {sum(hour['agents'] for hour in hours):,}; agents against Erlang A,"
        f" hours by difference: {dict(sorted(off.items()))};"
        f" simulated days per hour: {[hour.get('replications') for hour in hours]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
