"""Crash tests: a host killed with SIGKILL at random points loses no acknowledged event,
recovers exactly, and ends with the actions of one uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from streams import stream

from deskcore import Desk, action_to_json, event_from_json, load_settings
from deskcore.journal import DurableDesk
from journals import JournalUrl

HERE = Path(__file__).resolve().parent
DOCUMENT: dict[str, Any] = {
    "service": {"mode": "manual", "accept_timeout": "30s", "break_on_timeout": True},
    "queue": {"max_concurrent": 2, "update_interval": "30s", "max_wait": "10m"},
    "closure": {"user_timeout": "2m", "retention": "5m"},
    "ratings": {"send_on_end": True},
}
KILLS = {"sqlite": 110, "postgres": 40}  # a PostgreSQL child starts slower

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")


def _journaled(url: str) -> list[list[dict[str, Any]]]:
    """The actions of every journaled event, in order (entry 1 is the settings)."""
    with DurableDesk.open(url) as desk:
        entries = desk.actions_since(1)
    return [[action_to_json(a) for a in actions] for _seq, actions in entries]


def test_killed_at_random_points(tmp_path: Path, backend: str, journal_url: JournalUrl) -> None:
    target = KILLS[backend]
    settings = load_settings(DOCUMENT)
    events = stream(settings, 6000, seed=13)
    events_path = tmp_path / "events.jsonl"
    events_path.write_text("".join(json.dumps(e) + "\n" for e in events))
    settings_path = tmp_path / "settings.json"
    settings_path.write_text(json.dumps(DOCUMENT))
    url = journal_url("desk")

    reference = Desk(settings)  # one uninterrupted run
    expected = [[action_to_json(a) for a in reference.handle(event_from_json(e))] for e in events]

    twin = Desk(settings)  # fed the journal's events as they appear
    fed = 0
    rng = random.Random(7)
    kills = 0
    unacked = 0  # kills that fell after a commit and before its acknowledgement
    progress: list[int] = []
    child_env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    while True:
        child = subprocess.Popen(
            [sys.executable, str(HERE / "crash_child.py"), url, str(events_path),
             str(settings_path), "40"],
            stdout=subprocess.PIPE, text=True, env=child_env,
        )  # fmt: skip
        assert child.stdout is not None
        ready = child.stdout.readline()
        assert ready.startswith("ready"), ready
        finish = kills >= target
        if not finish:
            time.sleep(rng.uniform(0.0, 0.03))
            child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acked = [int(line) for line in out.split() if line.isdigit()]
        if not finish:
            kills += 1
        # Reopen: every acknowledged event is there, and the state is exact.
        with DurableDesk.open(url, settings) as desk:
            journaled = desk.seq - 1
            state = desk.snapshot()
        if acked:
            assert acked[-1] < journaled, (acked[-1], journaled)
        if not finish:
            unacked += journaled - (acked[-1] + 1 if acked else fed)
            progress.append(journaled - fed)
        for data in events[fed:journaled]:
            twin.handle(event_from_json(data))
        fed = journaled
        assert state == twin.snapshot(), f"after kill {kills}"
        if finish:
            assert "done" in out
            break
    assert kills == target
    assert sum(1 for moved in progress if moved) > target // 2  # most kills land mid-stream
    print(f"{kills} kills; {unacked} events committed but not yet acknowledged when killed")
    assert _journaled(url) == expected  # the actions of one uninterrupted run
