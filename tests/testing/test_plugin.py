"""The pytest plugin, in a fresh project run by pytest itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest_plugins = ["pytester"]

GOOD = {
    "name": "one agent serves one user",
    "start": "2026-03-02T09:00:00Z",
    "events": [
        {"at": "+0s", "type": "agent_status", "agent": "a1", "status": "online"},
        {"at": "+5s", "type": "agent_requested", "conversation": "c1"},
    ],
    "expect": [
        {"event": 1, "exact": False, "actions": [{"type": "assign", "agent": "a1"}]},
    ],
}


def _bad() -> dict[str, Any]:
    bad: dict[str, Any] = json.loads(json.dumps(GOOD))
    bad["name"] = "the wrong agent"
    bad["expect"][0]["actions"][0]["agent"] = "a2"
    return bad


def test_scenarios_are_collected_and_diffed(pytester: pytest.Pytester) -> None:
    """Scenario files under ``desk_scenarios`` are tests; a failure shows the field diff."""
    pytester.makeini("[pytest]\ndesk_scenarios = desk\n")
    folder = pytester.mkdir("desk")
    (folder / "good.json").write_text(json.dumps(GOOD))
    (folder / "bad.json").write_text(json.dumps(_bad()))
    (folder / "broken.json").write_text('{"events": "x"}')
    pytester.makepyfile(test_other="def test_plain():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*scenario: the wrong agent*",
            "*event 1 (agent_requested at 2026-03-02T09:00:05Z*"
            "assign.agent: expected 'a2', got 'a1'*",
            "*events: must be a list of events*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_command_line_option(pytester: pytest.Pytester) -> None:
    """``--desk-scenarios PATH`` adds a folder; without it a JSON file is no test."""
    folder = pytester.mkdir("cases")
    (folder / "good.json").write_text(json.dumps(GOOD))
    pytester.runpytest("-p", "no:cacheprovider", "cases").assert_outcomes()
    pytester.runpytest("-p", "no:cacheprovider", "--desk-scenarios", "cases").assert_outcomes(
        passed=1
    )


def test_fixtures(pytester: pytest.Pytester) -> None:
    """``desk``, ``desk_settings`` and ``desk_driver``, with the settings overridden."""
    pytester.makeconftest(
        """
import pytest
from deskcore import load_settings

@pytest.fixture
def desk_settings():
    return load_settings({"service": {"mode": "manual"}})
"""
    )
    pytester.makepyfile(
        """
from deskcore import DeskSettings, ServiceMode

def test_settings(desk_settings, desk):
    assert desk.settings is desk_settings
    assert desk_settings.service.mode is ServiceMode.MANUAL

def test_driver(desk_driver):
    desk_driver.online("a1")
    assert desk_driver.request("c1").types == ["send_prompt", "offer"]
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
