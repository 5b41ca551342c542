"""Fuzzing the edges: whatever comes in, only the documented errors come out.

Sized for CI; ``benchmarks/fuzz.py`` runs the same fuzzers for longer and prints figures.
Each fuzzer lives in ``fuzzing.py`` so that both use the same code.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskcore import (
    ActionError,
    Assign,
    Desk,
    EventError,
    SettingsError,
    SnapshotError,
    action_from_json,
    event_from_json,
    load_settings,
)
from deskcore._cli import main
from fuzzing import (
    SNAPSHOT_SETTINGS,
    event_desk,
    json_values,
    mutate,
    snapshot_samples,
    valid_events_after,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestSettingsLoader:
    """load_settings raises SettingsError, and nothing else, for any document."""

    @FUZZ
    @given(st.one_of(json_values(), st.dictionaries(st.text(max_size=12), json_values())))
    def test_any_value(self, value: Any) -> None:
        """Any JSON value, as the document itself."""
        with contextlib.suppress(SettingsError):
            load_settings(value)

    @FUZZ
    @given(st.data())
    def test_mutated_documents(self, data: st.DataObject) -> None:
        """A valid document with one place changed to anything."""
        base = {
            "queue": {"max_concurrent": 2, "max_wait": "5m", "update_interval": "30s"},
            "working_hours": {"enabled": True, "dates": [{"rrule": "FREQ=YEARLY", "hours": []}]},
            "assignment": {"strategy": "user_choice", "groups": ["a", "b"]},
        }
        document = mutate(data, base)
        with contextlib.suppress(SettingsError):
            load_settings(document)

    @FUZZ
    @given(st.text(max_size=200))
    def test_any_text(self, text: str) -> None:
        """Any text, read as TOML or JSON."""
        with contextlib.suppress(SettingsError):
            load_settings("\n" + text)


class TestEventDecoder:
    """event_from_json raises EventError only; a decoded event is handled or is E1."""

    @FUZZ
    @given(st.data())
    def test_mutated_events(self, data: st.DataObject) -> None:
        """A valid event with one place changed: an error, or an event the desk takes."""
        desk, events = event_desk()
        raw = mutate(data, data.draw(st.sampled_from(events)))
        try:
            event = event_from_json(raw)
        except EventError:
            return
        before, deadline = desk.snapshot(), desk.next_deadline()
        try:
            desk.handle(event)
        except EventError:
            assert desk.snapshot() == before  # E1
            assert desk.next_deadline() == deadline

    @FUZZ
    @given(json_values())
    def test_any_value(self, value: Any) -> None:
        """Any JSON value as an event."""
        with contextlib.suppress(EventError):
            event_from_json(value)


class TestActionDecoder:
    """action_from_json raises ActionError only."""

    @FUZZ
    @given(st.data())
    def test_mutated_actions(self, data: st.DataObject) -> None:
        """A valid action with one place changed."""
        action = {
            "type": "withdraw_offer",
            "at": "2026-03-02T09:00:00Z",
            "conversation": "c1",
            "agent": "a1",
            "reason": "timeout",
        }
        with contextlib.suppress(ActionError):
            action_from_json(mutate(data, action))

    def test_unknown_keys_and_kinds(self) -> None:
        """Unknown keys, missing fields, wrong kinds and unknown reasons are refused."""
        good = {"type": "assign", "at": "2026-03-02T09:00:00Z", "conversation": "c", "agent": "a"}
        assert action_from_json(good) == Assign(at=AT, conversation="c", agent="a")
        for bad, field in [
            ({**good, "extra": 1}, "extra"),
            ({k: v for k, v in good.items() if k != "agent"}, "agent"),
            ({**good, "agent": 5}, "agent"),
            ({**good, "at": "noon"}, "at"),
            ({"type": "close", "at": good["at"], "conversation": "c", "reason": "x"}, "reason"),
            ({"at": good["at"]}, "type"),
        ]:
            with pytest.raises(ActionError) as caught:
                action_from_json(bad)
            assert caught.value.field == field
        with pytest.raises(ActionError):
            action_from_json([1])


class TestRestore:
    """Desk.restore raises SnapshotError only, and what it accepts never crashes later."""

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_mutated_snapshots(self, data: st.DataObject) -> None:
        """A snapshot with one place changed: refused, or a desk that takes valid events."""
        index = data.draw(st.integers(0, len(snapshot_samples()) - 1))
        snapshot, later = snapshot_samples()[index]
        mutated = mutate(data, json.loads(json.dumps(snapshot)))
        try:
            desk = Desk.restore(SNAPSHOT_SETTINGS, mutated)
        except SnapshotError:
            return
        for event in valid_events_after(later):
            with contextlib.suppress(EventError):
                desk.handle(event)

    def test_every_sample_restores(self) -> None:
        """The unmutated snapshots restore to the same desk."""
        for snapshot, _later in snapshot_samples():
            assert Desk.restore(SNAPSHOT_SETTINGS, snapshot).snapshot() == snapshot


class TestCommandLine:
    """Every command prints its errors and exits 0, 1 or 2, whatever the files hold."""

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.data())
    def test_scenario_files(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
    ) -> None:
        """check and replay on mutated scenario files."""
        scenario = {
            "name": "n",
            "settings": {"queue": {"max_concurrent": 1}},
            "start": "2026-03-02T09:00:00Z",
            "events": [
                {"at": "+0s", "type": "agent_status", "agent": "a1", "status": "online"},
                {"at": "+1s", "type": "agent_requested", "conversation": "c1"},
            ],
            "expect": [{"event": 1, "actions": [{"type": "assign", "agent": "a1"}]}],
        }
        path = tmp_path / "s.json"
        path.write_text(json.dumps(mutate(data, scenario)), encoding="utf-8")
        assert main(["check", str(path)]) in (0, 1, 2)
        assert main(["replay", str(path)]) in (0, 1, 2)
        capsys.readouterr()

    def test_text_that_is_not_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Broken JSON, deep nesting and huge integers are reported, not raised."""
        for text in ("{", "[" * 100_000, '{"events": [1' + "0" * 5000 + "]}", "\udcff"):
            path = tmp_path / "s.json"
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
            assert main(["check", str(path)]) == 2
            assert main(["replay", str(path)]) == 2
        capsys.readouterr()
