"""The scenario files under tests/scenarios (the shared ones and our own) all hold."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from deskcore import (
    Desk,
    DeskcoreError,
    action_to_json,
    event_from_json,
    load_scenario,
)

HERE = Path(__file__).parent / "scenarios"
FILES = sorted(HERE.rglob("*.json"))


def test_the_shared_scenarios_are_present() -> None:
    """The copy of the shared scenarios is in the tree."""
    assert len(list((HERE / "shared").glob("*.json"))) >= 9


def _run(desk: Desk, events: Sequence[Any]) -> list[Any]:
    """What each event gives, as JSON (or the error's type), with the next deadline."""
    seen: list[Any] = []
    for data in events:
        try:
            actions = desk.handle(event_from_json(data))
        except DeskcoreError as exc:
            seen.append(type(exc).__name__)
        else:
            seen.append([action_to_json(action) for action in actions])
        seen.append(desk.next_deadline())
    return seen


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(HERE)) for p in FILES])
def test_restored_at_every_event(path: Path) -> None:
    """D1: a desk saved after any event of the scenario, through JSON, and restored gives
    the same actions and deadlines for the rest of it."""
    scenario = load_scenario(path)
    whole = _run(Desk(scenario.settings), scenario.events)
    for cut in range(1, len(scenario.events)):
        desk = Desk(scenario.settings)
        _run(desk, scenario.events[:cut])
        saved = json.loads(json.dumps(desk.snapshot()))
        restored = Desk.restore(scenario.settings, saved)
        assert _run(restored, scenario.events[cut:]) == whole[2 * cut :], f"cut after {cut}"
