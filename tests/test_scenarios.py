"""The scenario files under tests/scenarios (the shared ones and our own) all hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskcore import check_scenario, load_scenario

HERE = Path(__file__).parent / "scenarios"
FILES = sorted(HERE.rglob("*.json"))


def test_the_shared_scenarios_are_present() -> None:
    """The copy of the shared scenarios is in the tree."""
    assert len(list((HERE / "shared").glob("*.json"))) >= 9


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(HERE)) for p in FILES])
def test_scenario_holds(path: Path) -> None:
    """Every expect block of the scenario matches what the desk does."""
    assert check_scenario(load_scenario(path)) == []
