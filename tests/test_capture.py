"""Desk.capture(): the state taken cheaply now, dumped later, equals the snapshot then."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskcore import Desk, EventError, StateCapture
from deskcore.journal._store import dump_json
from deskcore.testing import strategies as kit


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_capture_is_the_snapshot_of_its_instant(data: st.DataObject) -> None:
    """Whatever the settings and events: a capture taken mid-stream and dumped after more
    events equals the snapshot taken when it was captured, and so does its encoding."""
    desk_settings = data.draw(kit.settings())
    events = data.draw(kit.event_streams(desk_settings))
    cut = data.draw(st.integers(0, len(events)))
    desk = Desk(desk_settings)
    for event in events[:cut]:
        with contextlib.suppress(EventError):
            desk.handle(event)
    capture = desk.capture()
    expected: dict[str, Any] = desk.snapshot()
    for event in events[cut:]:
        with contextlib.suppress(EventError):
            desk.handle(event)
    assert isinstance(capture, StateCapture)
    assert capture.dump() == expected
    assert json.loads(capture.encode(dump_json)) == expected
    assert Desk.restore(desk_settings, capture.dump()).snapshot() == expected


def test_pending_settings_are_captured() -> None:
    from datetime import UTC, datetime

    from deskcore import AgentStatusChanged, load_settings

    desk = Desk(load_settings({"service": {"mode": "manual"}}))
    desk.handle(
        AgentStatusChanged(at=datetime(2026, 3, 2, tzinfo=UTC), agent="a1", status="online")
    )
    desk.update_settings(load_settings({}))
    capture = desk.capture()
    assert "settings_before" in capture.dump()
    assert json.loads(capture.encode(dump_json)) == desk.snapshot()
