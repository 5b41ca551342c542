"""Several processes sharing one desk: their events race, their clocks disagree, one of
them is killed; the journal stays one order that a single desk reproduces exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from deskcore import Assign, Close, Desk, Release, action_to_json
from deskcore.journal import DurableDesk
from deskcore.journal._backends import open_store
from deskcore.journal._store import replay_entry
from deskcore.testing import check_invariants
from journals import JournalUrl

HERE = Path(__file__).resolve().parent
WORKER = HERE / "shared_worker.py"
SKEWS = [-3.0, -1.0, 1.0, 3.0]  # seconds; the desk's max_skew is 10 s
SPEED = 20.0  # the workers' clocks run 20 times faster than real time

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")


def _start(url: str, count: int, t0: float) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                url,
                f"w{n}",
                str(100 + n),
                str(count),
                str(skew),
                str(SPEED),
                str(t0),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n, skew in enumerate(SKEWS)
    ]


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _replay(url: str) -> tuple[dict[int, list[dict[str, Any]]], dict[int, Any], int, int]:
    """Feed a fresh desk the journal in order, checking at every entry; the actions of
    every entry, the state after every entry, how many entries kept a skewed instant,
    and how often the journal goes from one process's entry to another's."""
    store = open_store(url, "default", "process", create=False)
    desk: Desk | None = None
    actions: dict[int, list[dict[str, Any]]] = {}
    states: dict[int, Any] = {}
    skewed = switches = 0
    last = ""
    serving: dict[str, str] = {}  # conversation -> the agent it is assigned to
    try:
        for entry in store.entries(0):
            desk, got = replay_entry(desk, entry)
            mine = [action_to_json(a) for a in got]
            assert mine == json.loads(entry.actions), f"entry {entry.seq}"
            actions[entry.seq] = mine
            skewed += entry.original_at is not None
            switches += entry.origin != last
            last = entry.origin
            for action in got:
                if isinstance(action, Assign):
                    assert action.conversation not in serving, f"assigned twice: {action}"
                    serving[action.conversation] = action.agent
                elif isinstance(action, Release | Close):
                    serving.pop(action.conversation, None)
            check_invariants(desk)
            for agent in desk.agents():
                assert agent.load <= agent.capacity, f"entry {entry.seq}: {agent}"
            states[entry.seq] = desk.snapshot()
    finally:
        store.close()
    return actions, states, skewed, switches


def _check_worker(
    lines: list[dict[str, Any]],
    actions: dict[int, list[dict[str, Any]]],
    states: dict[int, Any],
) -> list[int]:
    """What the worker was given is what a single desk gives; its final desk is the
    single desk's at the same entry. The entries it acknowledged."""
    acked = []
    for line in lines:
        if "seq" in line and "actions" in line:
            assert actions[line["seq"]] == line["actions"], f"entry {line['seq']}"
            acked.append(line["seq"])
        if "final" in line:
            assert line["final"] == states[line["seq"]]
            assert line["errors"] == 0
    return acked


def test_four_processes_make_one_order(journal_url: JournalUrl) -> None:
    url = journal_url("desk")
    DurableDesk.open(url).close()  # the desk exists before the race starts
    workers = _start(url, 250, time.time() + 1.5)
    outs = [w.communicate(timeout=300)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0]
    actions, states, skewed, switches = _replay(url)
    for out in outs:
        lines = _lines(out)
        assert "final" in lines[-1]
        assert len(_check_worker(lines, actions, states)) > 200
    assert switches > len(actions) // 4  # the processes' events interleave
    assert skewed > 0  # clocks behind the desk's were clamped, the instants kept
    kinds = Counter(a["type"] for acts in actions.values() for a in acts)
    for kind in ("offer", "assign", "withdraw_offer", "close", "rating_card"):
        assert kinds[kind] > 0, kinds  # the races covered the desk's busy paths


def test_a_killed_process_loses_nothing(journal_url: JournalUrl) -> None:
    url = journal_url("desk")
    DurableDesk.open(url).close()
    workers = _start(url, 300, time.time() + 1.5)
    assert workers[0].stdout is not None
    killed_lines: list[dict[str, Any]] = []
    for raw in workers[0].stdout:  # let it acknowledge a few events, then kill it
        killed_lines.append(json.loads(raw))
        if sum("seq" in line for line in killed_lines) >= 40:
            break
    workers[0].send_signal(signal.SIGKILL)
    rest, _ = workers[0].communicate()
    killed_lines += _lines(rest)
    outs = [w.communicate(timeout=300)[0] for w in workers[1:]]
    assert [w.returncode for w in workers[1:]] == [0, 0, 0]  # the others went on
    actions, states, _, _ = _replay(url)
    acked = _check_worker(killed_lines, actions, states)  # nothing acknowledged is lost
    assert len(acked) >= 40
    for out in outs:
        assert "final" in _lines(out)[-1]
        _check_worker(_lines(out), actions, states)
    # What the killed process appended, its undelivered actions included, is there for
    # the others to deliver.
    with DurableDesk.open(url) as survivor:
        left = survivor.actions_since(acked[-1], origin="w0")
        every = dict(survivor.actions_since(0, origin="w0"))
    assert set(acked) <= set(every)
    assert len(left) <= 1  # at most the entry committed as it was killed
    assert all(seq > acked[-1] for seq, _ in left)
