"""The scenario file format, read strictly, and how expectations are matched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deskcore import ScenarioError, check_scenario, load_scenario, read_scenario

AT = "2026-03-02T09:00:00Z"
ONLINE = {"at": AT, "type": "agent_status", "agent": "a1", "status": "online"}
REQUEST = {"at": AT, "type": "agent_requested", "conversation": "c1"}


def faults(data: Any, folder: Path | None = None) -> list[tuple[str, str]]:
    """The (place, message) faults of a scenario's JSON object."""
    with pytest.raises(ScenarioError) as caught:
        read_scenario(data, folder=folder)
    return list(caught.value.errors)


class TestReading:
    """Every key known, every value of its kind, every block naming an event."""

    def test_not_an_object(self) -> None:
        """A scenario is a JSON object."""
        assert faults([1])[0][0] == ""

    @pytest.mark.parametrize(
        ("data", "place"),
        [
            ({"events": [], "extra": 1}, "extra"),
            ({"events": [], "name": 5}, "name"),
            ({"events": 5}, "events"),
            ({"events": [], "settings": [1]}, "settings"),
            (
                {"events": [], "settings": {"queue": {"max_concurrent": 0}}},
                "settings.queue.max_concurrent",
            ),
            ({"events": [], "start": "noon"}, "start"),
            ({"events": [{"at": "+5s", "type": "tick"}]}, "events[0].at"),
            ({"events": [{"at": "+soon", "type": "tick"}], "start": AT}, "events[0].at"),
            ({"events": [], "expect": 5}, "expect"),
            ({"events": [REQUEST], "expect": [5]}, "expect[0]"),
            ({"events": [REQUEST], "expect": [{"event": 0, "action": []}]}, "expect[0].action"),
            ({"events": [REQUEST], "expect": [{"actions": []}]}, "expect[0].event"),
            ({"events": [REQUEST], "expect": [{"event": "0"}]}, "expect[0].event"),
            ({"events": [REQUEST], "expect": [{"event": 7}]}, "expect[0].event"),
            ({"events": [REQUEST], "expect": [{"event": 0, "actions": 5}]}, "expect[0].actions"),
            ({"events": [REQUEST], "expect": [{"event": 0, "exact": "yes"}]}, "expect[0].exact"),
            ({"events": [REQUEST], "expect": [{"event": 0, "ordered": 1}]}, "expect[0].ordered"),
            ({"events": [REQUEST], "expect": [{"event": 0, "error": None}]}, "expect[0].error"),
        ],
    )
    def test_each_fault_has_its_place(self, data: dict[str, Any], place: str) -> None:
        """A malformed scenario is refused, naming the place of each fault."""
        assert place in [where for where, _ in faults(data)]

    def test_relative_instants(self) -> None:
        """With start, '+DURATION' instants follow the previous event."""
        scenario = read_scenario(
            {"start": AT, "events": [{"at": "+90s", "type": "tick"}, {"at": "+1m", "type": "tick"}]}
        )
        assert [event["at"] for event in scenario.events] == [
            "2026-03-02T09:01:30Z",
            "2026-03-02T09:02:30Z",
        ]

    def test_settings_path_is_relative_to_the_file(self, tmp_path: Path) -> None:
        """ "settings" as a path is read from the scenario's folder, not the current one."""
        (tmp_path / "desk.toml").write_text("[queue]\nmax_concurrent = 3\n")
        path = tmp_path / "s.json"
        path.write_text(json.dumps({"settings": "desk.toml", "events": []}))
        assert load_scenario(path).settings.queue.max_concurrent == 3
        path.write_text(json.dumps({"settings": "missing.toml", "events": []}))
        with pytest.raises(ScenarioError, match="cannot read"):
            load_scenario(path)


class TestExpectedActions:
    """An expected action names a real action type and only that type's fields."""

    def block(self, *actions: Any) -> dict[str, Any]:
        return {"events": [ONLINE, REQUEST], "expect": [{"event": 1, "actions": list(actions)}]}

    def test_unknown_type(self) -> None:
        assert faults(self.block({"type": "asign"})) == [
            ("expect[0].actions[0].type", "unknown action type 'asign' (did you mean 'assign'?)")
        ]

    def test_misspelt_field(self) -> None:
        assert faults(self.block({"type": "assign", "agnet": "a1"})) == [
            ("expect[0].actions[0].agnet", "assign has no field 'agnet' (did you mean 'agent'?)")
        ]

    def test_without_a_type_any_action_field(self) -> None:
        """Without ``type`` an expected action may match any action: its keys must be
        fields of some action."""
        read_scenario(self.block({"agent": "a1"}))
        assert faults(self.block({"agnt": "a1"}))[0][1].startswith("no action has the field 'agnt'")


class TestMatching:
    """Each expected action matches a distinct actual one; exact, ordered, errors."""

    def check(self, expect: list[dict[str, Any]], events: list[Any] | None = None) -> list[str]:
        """The problems of a scenario with these expectations."""
        scenario = read_scenario({"events": events or [ONLINE, REQUEST], "expect": expect})
        return check_scenario(scenario)

    def test_distinct_actions(self) -> None:
        """Two expectations that both match one prompt need two prompts (they have)."""
        block = {"event": 1, "exact": False, "actions": [{"type": "send_prompt"}] * 2}
        assert self.check([block]) == []
        block = {"event": 1, "exact": False, "actions": [{"type": "send_prompt"}] * 3}
        assert self.check([block]) == [
            "event 1 (agent_requested at 2026-03-02T09:00:00Z; R1-R6, Q1-Q4): "
            'missing {"type": "send_prompt"}'
        ]

    def test_a_matching_that_greed_would_miss(self) -> None:
        """A wide expectation listed first does not take the only match of a narrow one."""
        actions = [{"type": "send_prompt"}, {"type": "send_prompt", "prompt": "connecting"}]
        assert self.check([{"event": 1, "exact": False, "actions": actions}]) == []

    def test_ordered(self) -> None:
        """With ordered, the matched actions come in the order given."""
        good = [{"type": "send_prompt", "prompt": "connecting"}, {"type": "assign"}]
        assert self.check([{"event": 1, "exact": False, "ordered": True, "actions": good}]) == []
        bad = list(reversed(good))
        problems = self.check([{"event": 1, "exact": False, "ordered": True, "actions": bad}])
        assert any("out of order" in problem for problem in problems)

    def test_field_differences(self) -> None:
        """A near miss is reported field by field."""
        block = {"event": 1, "exact": False, "actions": [{"type": "assign", "agent": "a2"}]}
        assert self.check([block]) == [
            "event 1 (agent_requested at 2026-03-02T09:00:00Z; R1-R6, Q1-Q4): "
            "assign.agent: expected 'a2', got 'a1'"
        ]

    def test_instants_compare_as_instants(self) -> None:
        """An expected instant with another offset is the same instant."""
        block = {
            "event": 1,
            "exact": False,
            "actions": [{"type": "assign", "at": "2026-03-02T18:00:00+09:00"}],
        }
        assert self.check([block]) == []

    def test_unexpected_error_anywhere_fails(self) -> None:
        """An event that is an error fails the scenario, with or without a block."""
        events = [ONLINE, {"at": "2026-03-02T09:00:00", "type": "tick"}]
        problems = self.check([], events)
        assert len(problems) == 1 and "unexpected error" in problems[0]
        assert self.check([{"event": 1, "error": True}], events) == []
