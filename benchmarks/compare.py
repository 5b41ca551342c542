"""Time this tree against another commit, side by side, measure by measure.

Checks the other commit out into a temporary git worktree, then runs each measure as a
fresh process under each tree in turn (base, this, base, this, ...) so that the
machine's drift hits both alike, and prints the median of each and the median of the
per-round ratios. It uses the public API only, so it runs on older commits too.

    .venv/bin/python benchmarks/compare.py --base HEAD~1 [--rounds 5] [--only assign]

Measures: ``assign`` (µs per request served at once plus its ending, 10k agents),
``mixed-small`` and ``mixed-large`` (events/s of the mixed workload at 100 agents / 1k
waiting and 10k agents / 100k waiting), ``sim-50`` and ``sim-1000`` (customers simulated
per second on M/M/c at load 0.9, 20k customers). Prints figures; never fails on speed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from random import Random
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _simulated(agents: int) -> float:
    """Customers per second of an M/M/c run through the whole engine."""
    import deskcore

    sim: Any
    try:
        sim = importlib.import_module("deskcore.sim")
    except ImportError:  # before the simulator moved to deskcore.sim
        sim = deskcore
    handle_s = 300.0
    rate = 0.9 * agents / handle_s * 3600
    workload = sim.Workload.simple(
        agents=agents,
        arrival_rate=rate,
        handle_time=timedelta(seconds=handle_s),
        hours=20_000 / rate,
    )
    settings = deskcore.DeskSettings(queue=deskcore.QueueSettings(max_concurrent=1))
    began = time.perf_counter()
    served: int = sim.simulate(settings, workload, Random(1)).served
    return served / (time.perf_counter() - began)


def _measures() -> dict[str, Callable[[], float]]:
    from workloads import time_assign, time_mixed

    return {
        "assign": lambda: time_assign(10_000, 5_000),
        "mixed-small": lambda: time_mixed(100, 1_000, 20_000),
        "mixed-large": lambda: time_mixed(10_000, 100_000, 20_000),
        "sim-50": lambda: _simulated(50),
        "sim-1000": lambda: _simulated(1000),
    }


UNITS = {
    "assign": "µs per assign (lower is better)",
    "mixed-small": "events/s",
    "mixed-large": "events/s",
    "sim-50": "customers/s",
    "sim-1000": "customers/s",
}


def _run(source: Path, measure: str) -> float:
    """One measure in a fresh process with ``source`` first on the path."""
    env = {**os.environ, "PYTHONPATH": f"{source}{os.pathsep}{HERE}", "PYTHONTZPATH": ""}
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--measure", measure],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figure: float = json.loads(out.stdout.strip().splitlines()[-1])
    return figure


def main() -> int:
    """Compare the two trees, or (with ``--measure``) take one measure in this process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", default="HEAD~1", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each measure per tree")
    parser.add_argument("--only", action="append", choices=sorted(UNITS), help="one measure")
    parser.add_argument("--measure", choices=sorted(UNITS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measures()[args.measure]()))
        return 0
    names = args.only or list(UNITS)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            commit = subprocess.run(
                ["git", "-C", str(base), "rev-parse", "--short", "HEAD"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            print(f"base {args.base} ({commit}) against this tree, {args.rounds} rounds each")
            rows: list[dict[str, Any]] = []
            for name in names:
                pairs = [
                    (_run(base / "src", name), _run(ROOT / "src", name)) for _ in range(args.rounds)
                ]
                before = statistics.median(b for b, _ in pairs)
                after = statistics.median(a for _, a in pairs)
                ratio = statistics.median(a / b for b, a in pairs)
                rows.append({"measure": name, "base": before, "this": after, "ratio": ratio})
                print(
                    f"  {name:<12} base {before:12,.1f}  this {after:12,.1f}  "
                    f"this/base {ratio:5.2f}  ({UNITS[name]})",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
