"""Run every benchmark in turn (what `make bench` runs); each prints its own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    """Run the engine and simulator benchmarks with this interpreter."""
    status = 0
    for script in ("bench_engine.py", "bench_boundary.py", "bench_simulate.py"):
        print(f"== {script} ==", flush=True)
        status = status or subprocess.call([sys.executable, str(HERE / script), *sys.argv[1:]])
    return status


if __name__ == "__main__":
    sys.exit(main())
