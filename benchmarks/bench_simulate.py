"""Benchmark ``deskcore simulate``: the full engine against ciw, and a synthetic big day.

Run with ``PYTHONTZPATH= .venv/bin/python benchmarks/bench_simulate.py`` (ciw is a
benchmark-only dependency: ``pip install ciw``, or ``pip install --group bench``).

1. The same M/M/c model (Poisson arrivals, exponential handle times, ``c`` agents of
   capacity 1, no abandonment, load 0.9 c) simulated by deskcore, every event through
   :class:`deskcore.Desk`, and by ciw; customers served per second of wall time at 50
   and at 1,000 agents, and the ratio. deskcore runs twice: with the default prompts
   (queue positions told at every move, so 5 prompts a customer at 50 agents) and
   "quiet", every prompt switched off (P2), which is the queueing model alone. Each is
   run ``--repeat`` times in turns, and the best of each is kept.
2. A synthetic day: 1M conversations, 5,000 agents in three shifts with breaks, capacity
   3, manual mode with 10% missed offers, user timeouts, working hours; timed.

Prints figures; never fails on speed. ``--scale 0.1`` runs the day at a tenth of its size,
``--profile`` prints where deskcore spends its time in the M/M/c run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from datetime import timedelta
from random import Random
from typing import Any

import ciw_mmc

from deskcore import DeskSettings, QueueSettings, load_settings
from deskcore.sim import Report, Workload, load_workload, simulate

HANDLE_S, LOAD = ciw_mmc.HANDLE_S, ciw_mmc.LOAD  # the M/M/c model's, shared with ciw's run


# The M/M/c desk with every prompt switched off (P2): the queueing model alone.
QUIET = """
[queue]
max_concurrent = 1
prompt = ""
update_interval = "never"

[prompts]
welcome = ""
connecting = ""
connected = ""
connect_failed = ""

[closure]
end_message = ""
"""


def _deskcore_mmc(
    agents: int, customers: int, seed: int, *, quiet: bool = False
) -> tuple[int, float, Report]:
    rate_per_hour = LOAD * agents / HANDLE_S * 3600
    hours = customers / rate_per_hour
    if quiet:
        settings = load_settings(QUIET)
    else:
        settings = DeskSettings(queue=QueueSettings(max_concurrent=1))
    workload = Workload.simple(
        agents=agents,
        arrival_rate=rate_per_hour,
        handle_time=timedelta(seconds=HANDLE_S),
        hours=hours,
    )
    began = time.perf_counter()
    report = simulate(settings, workload, Random(seed))
    elapsed = time.perf_counter() - began
    return report.served, elapsed, report


def _ciw_mmc(agents: int, customers: int, seed: int) -> tuple[int, float]:
    return ciw_mmc.run(agents, customers, seed)


def compare(
    agents: int, customers: int, seed: int, profile: bool, repeat: int = 3
) -> dict[str, Any]:
    """deskcore (default prompts, and quiet) and ciw on the same M/M/c model, run in
    turns ``repeat`` times: the best customers per second of each (the machine's noise
    only ever slows a run down)."""
    best: dict[str, tuple[float, int, float]] = {}
    report: Report | None = None
    for _ in range(repeat):
        for name in ("deskcore", "quiet", "ciw"):
            if name == "ciw":
                try:
                    served, elapsed = _ciw_mmc(agents, customers, seed)
                except ImportError:
                    continue
            else:
                served, elapsed, report = _deskcore_mmc(
                    agents, customers, seed, quiet=name == "quiet"
                )
            rate = served / elapsed
            if name not in best or rate > best[name][0]:
                best[name] = (rate, served, elapsed)
    assert report is not None
    ours, quiet = best["deskcore"][0], best["quiet"][0]
    theirs = best["ciw"][0] if "ciw" in best else None
    row = {
        "agents": agents,
        "deskcore_customers": best["deskcore"][1],
        "deskcore_s": round(best["deskcore"][2], 2),
        "deskcore_per_s": round(ours),
        "quiet_per_s": round(quiet),
        "deskcore_engine_events": report.events,
        "ciw_customers": best["ciw"][1] if theirs else 0,
        "ciw_s": round(best["ciw"][2], 2) if theirs else None,
        "ciw_per_s": round(theirs) if theirs else None,
        "ratio": round(ours / theirs, 2) if theirs else None,
        "quiet_ratio": round(quiet / theirs, 2) if theirs else None,
        "wait_mean_s": round(report.wait_mean_s, 2),
        "utilisation": round(report.utilisation, 3),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _deskcore_mmc(agents, min(customers, 20_000), seed)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    return row


DAY_SETTINGS = """
[service]
mode = "manual"
accept_timeout = "30s"

[queue]
max_concurrent = 3
update_interval = "30s"
max_wait = "15m"

[closure]
user_timeout = "10m"

[working_hours]
enabled = true
timezone = "UTC"
weekly = { mon = ["06:00-24:00"] }

[ratings]
send_on_end = true
"""

# The day's teams: (name, share of the agents, local shift, break); the desk is open
# 06:00-24:00.
_TEAMS = [
    ("early", 0.20, (6, 14), "10:00-10:30"),
    ("day", 0.25, (8, 17), "12:00-12:30"),
    ("mid", 0.25, (10, 19), "14:30-15:00"),
    ("late", 0.30, (15, 24), "19:00-19:30"),
]


def day_workload(scale: float) -> Workload:
    """The 1M-conversation day, ``scale`` times as large in users and agents."""
    return load_workload(day_document(scale))


def day_document(scale: float) -> dict[str, Any]:
    """The workload document of the 1M-conversation day, ``scale`` times as large.

    Users arrive in proportion to the agents on shift each hour (about 75% busy), with a
    trickle in the night when the desk is closed.
    """
    total = 1_000_000 * scale
    agents = round(5000 * scale)
    staffed = [
        sum(share for _name, share, (begin, end), _pause in _TEAMS if begin <= hour < end)
        for hour in range(24)
    ]
    night = 0.002  # share of the day's users who ask while the desk is closed
    weights = [share or night * sum(staffed) / 6 for share in staffed]
    by_hour = [round(total * weight / sum(weights), 3) for weight in weights]
    counts = [round(agents * share) for _name, share, _hours, _pause in _TEAMS]
    counts[-1] = agents - sum(counts[:-1])
    document: dict[str, Any] = {
        "start": "2026-03-02T00:00:00Z",
        "length": "24h",
        "arrivals": {"by_hour": by_hour},
        "users": {"patience": "8m", "reply_delay": "30s", "silent": 0.03},
        "handling": {
            "time": {"distribution": "lognormal", "mean": "6m", "cv": 0.8},
            "messages": 2,
        },
        "agents": {
            "accept_delay": "5s",
            "missed": 0.1,
            "teams": [
                {
                    "name": name,
                    "count": count,
                    "hours": [f"{begin:02d}:00-{end:02d}:00"],
                    "breaks": [pause],
                }
                for (name, _share, (begin, end), pause), count in zip(_TEAMS, counts, strict=True)
            ],
        },
        "ratings": {"respond": 0.2, "delay": "1m"},
    }
    return document


def big_day(scale: float, seed: int) -> dict[str, Any]:
    """Time the big day; return its figures."""
    settings = load_settings(DAY_SETTINGS)
    workload = day_workload(scale)
    shown = [-1]

    def progress(share: float) -> None:
        step = int(share * 10)
        if step != shown[0]:
            shown[0] = step
            print(f"  day: {step * 10}% ({time.perf_counter() - began:.0f} s)", file=sys.stderr)

    began = time.perf_counter()
    report = simulate(settings, workload, Random(seed), progress=progress)
    elapsed = time.perf_counter() - began
    return {
        "scale": scale,
        "agents": report.agents,
        "requests": report.requests,
        "served": report.served,
        "seconds": round(elapsed, 1),
        "conversations_per_s": round(report.requests / elapsed),
        "engine_events": report.events,
        "engine_events_per_s": round(report.events / elapsed),
        "wait_mean_s": round(report.wait_mean_s, 1),
        "service_level": round(report.service_level, 3),
        "utilisation": round(report.utilisation, 3),
        "abandoned": report.abandoned,
        "routing_failed": dict(report.routing_failed),
        "withdrawn": dict(report.withdrawn),
        "closes": dict(report.closes),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000, help="per M/M/c run")
    parser.add_argument("--repeat", type=int, default=3, help="M/M/c runs of each, best kept")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the big day")
    parser.add_argument("--only", choices=["mmc", "day"], help="run one part")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile deskcore (M/M/c)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if args.only in (None, "mmc"):
        results["mmc"] = []
        for agents in (50, 1000):
            row = compare(agents, args.customers, args.seed, args.profile, args.repeat)
            results["mmc"].append(row)
            if not args.json:
                print(
                    f"M/M/{agents}: deskcore {row['deskcore_per_s']:,} customers/s"
                    f" ({row['deskcore_customers']:,} in {row['deskcore_s']} s),"
                    f" quiet {row['quiet_per_s']:,}/s,"
                    f" ciw {row['ciw_per_s'] or 0:,}/s ({row['ciw_customers']:,} in"
                    f" {row['ciw_s']} s): ratio {row['ratio']} (quiet {row['quiet_ratio']})",
                    flush=True,
                )
    if args.only in (None, "day"):
        results["day"] = day = big_day(args.scale, args.seed)
        if not args.json:
            print(
                f"Day x{args.scale:g}: {day['requests']:,} conversations, {day['agents']:,} agents"
                f" in {day['seconds']} s ({day['conversations_per_s']:,} conversations/s,"
                f" {day['engine_events_per_s']:,} engine events/s)",
                flush=True,
            )
            print(f"  {json.dumps(day)}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
