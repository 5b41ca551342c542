"""The testing tutorial's company desk (examples/company) passes as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPANY = ROOT / "examples" / "company"


def test_its_tests_and_scenarios_pass() -> None:
    """``pytest examples/company --desk-scenarios ...``: the tests and the three
    scenario files, in a fresh interpreter with deskcore's plugin."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            str(COMPANY),
            "--desk-scenarios",
            str(COMPANY / "scenarios"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_its_scenarios_pass_the_check_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deskcore", "check", str(COMPANY / "scenarios")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout
    assert "3 passed, 0 failed" in done.stdout
