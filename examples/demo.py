"""The main job of deskcore, end to end: what `make demo` runs.

1. Validate the example desk's settings (examples/desk.toml).
2. Ask its working hours about the current instant (the CLI reads the clock for this).
3. Replay the example scenarios through a desk and print the actions readably.
4. Simulate a day at that desk (examples/workload.toml) and print the report; with
   matplotlib installed, also draw it to examples/day.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from deskcore._cli import main

HERE = Path(os.path.relpath(Path(__file__).parent))


def section(title: str) -> None:
    """Print a section heading."""
    print(f"\n== {title} ==", flush=True)


def run() -> int:
    """Run every step; return the first non-zero exit status, else 0."""
    desk = str(HERE / "desk.toml")
    section("deskcore validate examples/desk.toml")
    status = main(["validate", desk])
    section("deskcore hours examples/desk.toml (now)")
    status = status or main(["hours", desk])
    for scenario in sorted((HERE / "scenarios").glob("*.json")):
        section(f"deskcore replay --format text examples/scenarios/{scenario.name}")
        status = status or main(["replay", "--format", "text", str(scenario)])
    workload = str(HERE / "workload.toml")
    command = ["simulate", desk, "--workload", workload, "--seed", "1"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        pass
    else:
        command += ["--plot", str(HERE / "day.png")]
    section("deskcore " + " ".join(command))
    status = status or main(command)
    return status


if __name__ == "__main__":
    sys.exit(run())
