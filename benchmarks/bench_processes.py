"""Whole ``deskcore simulate`` processes against whole ciw processes, for both builds.

Run with ``PYTHONTZPATH= .venv/bin/python benchmarks/bench_processes.py`` after
``make .venv-compiled/.installed`` (the compiled build) and ``pip install ciw`` (into
the interpreter that runs ciw, by default this one).

1. M/M/c at load 0.9 (Poisson arrivals, exponential 5-minute handle times, capacity 1, no
   abandonment, the default prompts), at 50 and at 1,000 agents: ``deskcore simulate
   --agents N --arrival-rate R --handle-time 5m --hours H`` with the pure build and with
   the compiled one, and ``benchmarks/ciw_mmc.py`` with ciw, each a new process (start-up
   and imports included; every process reads bytecode from one cache, as an installed
   package does, after an untimed run of each fills it), run in turns ``--repeat``
   times; the median wall time of each, customers served per second and the ratios to
   ciw.
2. ``--day``: the synthetic 1M-conversation day of ``bench_simulate.py`` (5,000 agents in
   four shifts, manual mode, capacity 3, user timeouts, working hours) as a whole
   ``deskcore simulate`` process, once per build.

Prints figures; never fails on speed.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_simulate import DAY_SETTINGS, HANDLE_S, LOAD, day_document

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


# Every process reads its modules' bytecode from one cache, as an installed package does
# (pip writes it at install); without it a source checkout run with
# PYTHONDONTWRITEBYTECODE compiles every module at every start, a few tenths of a second
# that an installed ciw never pays. The first run of each command writes the cache.
_CACHE = tempfile.mkdtemp(prefix="deskcore-bench-pycache-")
atexit.register(shutil.rmtree, _CACHE, True)
_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": _CACHE,
}


def _timed(command: list[str]) -> tuple[float, dict[str, Any]]:
    """Wall time of one whole process, and the JSON it printed last."""
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=_ENV)
    elapsed = time.perf_counter() - began
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])


def _simulate(python: str, agents: int, customers: int, seed: int) -> list[str]:
    rate = LOAD * agents / HANDLE_S * 3600
    hours = customers / rate
    return [
        python,
        "-m",
        "deskcore",
        "simulate",
        "--agents",
        str(agents),
        "--arrival-rate",
        repr(rate),
        "--handle-time",
        "5m",
        "--hours",
        repr(hours),
        "--seed",
        str(seed),
        "--quiet",
        "--json",
    ]


def mmc(
    builds: dict[str, str], ciw: str | None, agents: int, customers: int, seed: int, repeat: int
) -> dict[str, Any]:
    """Each build and ciw on M/M/``agents``, in turns; medians."""

    def build(customers: int) -> dict[str, list[str]]:
        commands = {
            name: _simulate(python, agents, customers, seed) for name, python in builds.items()
        }
        if ciw is not None:
            commands["ciw"] = [
                ciw,
                str(HERE / "ciw_mmc.py"),
                str(agents),
                str(customers),
                str(seed),
            ]
        return commands

    for command in build(max(100, customers // 1000)).values():  # untimed: fills the cache
        _timed(command)
    commands = build(customers)
    times: dict[str, list[float]] = {name: [] for name in commands}
    served: dict[str, int] = {}
    for _ in range(repeat):
        for name, command in commands.items():
            elapsed, out = _timed(command)
            times[name].append(elapsed)
            served[name] = int(out["served"])
    row: dict[str, Any] = {"agents": agents}
    for name in commands:
        median = statistics.median(times[name])
        row[name] = {
            "served": served[name],
            "seconds": round(median, 3),
            "customers_per_s": round(served[name] / median),
        }
    if "ciw" in row:
        theirs = row["ciw"]["customers_per_s"]
        for name in builds:
            row[name]["ratio_to_ciw"] = round(row[name]["customers_per_s"] / theirs, 2)
    return row


def day(builds: dict[str, str], scale: float, seed: int) -> dict[str, Any]:
    """The synthetic day as one whole process per build."""
    out: dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "desk.toml"
        settings.write_text(DAY_SETTINGS)
        workload = Path(folder) / "day.json"
        workload.write_text(json.dumps(day_document(scale)))
        for name, python in builds.items():
            command = [
                python,
                "-m",
                "deskcore",
                "simulate",
                str(settings),
                "--workload",
                str(workload),
                "--seed",
                str(seed),
                "--quiet",
                "--json",
            ]
            elapsed, report = _timed(command)
            out[name] = {
                "seconds": round(elapsed, 1),
                "requests": report["requests"],
                "served": report["served"],
                "events": report["events"],
            }
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pure", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--compiled", default=str(ROOT / ".venv-compiled" / "bin" / "python"))
    parser.add_argument("--ciw", default=sys.executable, help="the Python that has ciw")
    parser.add_argument("--customers", type=int, default=200_000, help="per M/M/c run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", action="store_true", help="also the 1M-conversation day")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the day")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    builds = {"pure": args.pure}
    if Path(args.compiled).exists():
        builds["compiled"] = args.compiled
    else:
        print(
            f"no compiled build at {args.compiled}: make .venv-compiled/.installed", file=sys.stderr
        )
    has_ciw = subprocess.run([args.ciw, "-c", "import ciw"], capture_output=True).returncode == 0
    ciw = args.ciw if has_ciw else None
    results: dict[str, Any] = {"mmc": []}
    for agents in (50, 1000):
        row = mmc(builds, ciw, agents, args.customers, args.seed, args.repeat)
        results["mmc"].append(row)
        if not args.json:
            parts = [
                f"{name} {figures['customers_per_s']:,}/s ({figures['seconds']} s"
                + (f", {figures['ratio_to_ciw']}x ciw)" if "ratio_to_ciw" in figures else ")")
                for name, figures in row.items()
                if name != "agents"
            ]
            print(f"M/M/{agents}, {args.customers:,} customers: " + "; ".join(parts), flush=True)
    if args.day:
        results["day"] = found = day(builds, args.scale, args.seed)
        if not args.json:
            for name in builds:
                figures = found[name]
                print(
                    f"day x{args.scale:g} ({name}): {figures['requests']:,} conversations,"
                    f" {figures['events']:,} engine events in {figures['seconds']} s",
                    flush=True,
                )
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
