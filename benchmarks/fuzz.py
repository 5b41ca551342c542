"""The fuzzers of ``tests/test_fuzz.py``, run for longer, with what they found counted.

    .venv/bin/python benchmarks/fuzz.py [--examples 20000]

For each input it prints how many inputs were tried, how many were refused with the
documented error and how many accepted, and the time taken. Any other exception stops
the run with hypothesis's shrunk example: that is a defect.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from deskcore import (
    ActionError,
    Desk,
    EventError,
    SettingsError,
    SnapshotError,
    action_from_json,
    event_from_json,
    load_settings,
)
from fuzzing import (
    SNAPSHOT_SETTINGS,
    event_desk,
    json_values,
    mutate,
    snapshot_samples,
    valid_events_after,
)


def settings_documents(data: st.DataObject, tally: Counter[str]) -> None:
    """A valid settings document with one place changed."""
    base = {
        "queue": {"max_concurrent": 2, "max_wait": "5m", "update_interval": "30s"},
        "working_hours": {"enabled": True, "dates": [{"rrule": "FREQ=YEARLY", "hours": []}]},
        "assignment": {"strategy": "user_choice", "groups": ["a", "b"]},
        "ratings": {"validity": "1h", "scale": 5},
    }
    try:
        load_settings(mutate(data, base))
        tally["accepted"] += 1
    except SettingsError:
        tally["refused"] += 1


def events(data: st.DataObject, tally: Counter[str]) -> None:
    """A valid event with one place changed, decoded and handled (E1 checked)."""
    desk, samples = event_desk()
    try:
        event = event_from_json(mutate(data, data.draw(st.sampled_from(samples))))
    except EventError:
        tally["refused by the decoder"] += 1
        return
    before = desk.snapshot()
    try:
        desk.handle(event)
        tally["handled"] += 1
    except EventError:
        assert desk.snapshot() == before
        tally["refused by the desk (E1)"] += 1


def actions(data: st.DataObject, tally: Counter[str]) -> None:
    """A valid action's JSON with one place changed."""
    action = {
        "type": "offer",
        "at": "2026-03-02T09:00:00Z",
        "conversation": "c1",
        "agent": "a1",
        "expires_at": "2026-03-02T09:01:00Z",
    }
    try:
        action_from_json(mutate(data, action))
        tally["accepted"] += 1
    except ActionError:
        tally["refused"] += 1


def snapshots(data: st.DataObject, tally: Counter[str]) -> None:
    """A snapshot with one place changed, restored, then given the rest of its run."""
    samples = snapshot_samples()
    snapshot, later = samples[data.draw(st.integers(0, len(samples) - 1))]
    try:
        desk = Desk.restore(SNAPSHOT_SETTINGS, mutate(data, json.loads(json.dumps(snapshot))))
    except SnapshotError:
        tally["refused"] += 1
        return
    tally["accepted"] += 1
    for event in valid_events_after(later):
        with contextlib.suppress(EventError):
            desk.handle(event)


def values(data: st.DataObject, tally: Counter[str]) -> None:
    """Any JSON value as a settings document, an event and an action."""
    value = data.draw(json_values())
    for name, read, error in (
        ("settings", load_settings, SettingsError),
        ("event", event_from_json, EventError),
        ("action", action_from_json, ActionError),
    ):
        try:
            read(value)
            tally[f"{name} accepted"] += 1
        except error:
            tally[f"{name} refused"] += 1


FUZZERS: dict[str, Callable[[st.DataObject, Counter[str]], None]] = {
    "settings documents": settings_documents,
    "events": events,
    "actions": actions,
    "snapshots": snapshots,
    "any JSON value": values,
}


def run(name: str, fuzzer: Callable[[st.DataObject, Counter[str]], None], examples: int) -> None:
    """Run one fuzzer for ``examples`` inputs and print its figures."""
    tally: Counter[str] = Counter()
    chosen = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @chosen
    @given(st.data())
    def test(data: st.DataObject) -> None:
        fuzzer(data, tally)

    began = time.perf_counter()
    test()
    elapsed = time.perf_counter() - began
    counts = ", ".join(f"{label} {count:,}" for label, count in sorted(tally.items()))
    print(f"{name:<20} {sum(tally.values()):>8,} inputs in {elapsed:6.1f} s: {counts}", flush=True)


def main() -> int:
    """Run every fuzzer."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="inputs per fuzzer")
    parser.add_argument("--only", choices=sorted(FUZZERS), action="append", help="one fuzzer")
    args = parser.parse_args()
    for name in args.only or list(FUZZERS):
        run(name, FUZZERS[name], args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
