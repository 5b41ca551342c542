"""The JSON Schemas agree with the loader and the codec, checked with a standard validator.

Everything the repository holds validates: every scenario file, its settings, its events
(but those it expects to be errors), the actions the desk answers them with, and the
settings examples of the docs. A sample of what the loader or the decoder refuses is
refused by the schema too, and property tests check that every event and action the
codec writes validates.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tomllib
import typing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import deskcore
from deskcore import (
    EventError,
    SettingsError,
    action_to_json,
    dump_settings,
    event_from_json,
    event_to_json,
    json_schema,
    load_scenario,
    load_settings,
    replay,
)

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "tests" / "scenarios").rglob("*.json"))
Validator = jsonschema.Draft202012Validator


def validator(kind: deskcore.SchemaKind) -> jsonschema.protocols.Validator:
    schema = json_schema(kind)
    Validator.check_schema(schema)
    return Validator(schema, format_checker=Validator.FORMAT_CHECKER)


SETTINGS = validator("settings")
EVENT = validator("event")
ACTION = validator("action")
SCENARIO = validator("scenario")


def errors(check: jsonschema.protocols.Validator, value: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(value)]


class TestSchemas:
    @pytest.mark.parametrize("kind", typing.get_args(deskcore.SchemaKind))
    def test_is_a_draft_2020_12_schema(self, kind: deskcore.SchemaKind) -> None:
        """Each kind is a valid draft 2020-12 schema that names its dialect."""
        schema = json_schema(kind)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Validator.check_schema(schema)

    def test_fresh_copies(self) -> None:
        """Changing a returned schema does not change the next one."""
        first = json_schema("settings")
        first["properties"]["queue"]["properties"].clear()
        assert json_schema("settings")["properties"]["queue"]["properties"]

    def test_unknown_kind(self) -> None:
        with pytest.raises(ValueError, match="kind must be one of"):
            json_schema("events")  # type: ignore[arg-type]

    def test_every_type_is_described(self) -> None:
        """The event and action schemas have one definition per wire type."""
        assert list(json_schema("event")["$defs"]) == list(deskcore.EVENT_TYPES)
        assert list(json_schema("action")["$defs"]) == list(deskcore.ACTION_TYPES)

    def test_scenario_keys_are_the_readers(self) -> None:
        """The scenario schema knows exactly the keys the scenario reader knows."""
        from deskcore._scenario import BLOCK_KEYS, SCENARIO_KEYS

        schema = json_schema("scenario")
        assert set(schema["properties"]) == SCENARIO_KEYS
        block = schema["properties"]["expect"]["items"]
        assert set(block["properties"]) == BLOCK_KEYS

    def test_command_prints_the_schema(self) -> None:
        """``deskcore schema KIND`` prints the same schema as JSON."""
        for kind in ("settings", "event"):
            out = subprocess.run(
                [sys.executable, "-m", "deskcore", "schema", kind],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert json.loads(out) == json_schema(kind)


def _scenario_cases() -> Iterator[Any]:
    for path in SCENARIOS:
        yield pytest.param(path, id=str(path.relative_to(ROOT / "tests" / "scenarios")))


class TestRepository:
    @pytest.mark.parametrize("path", list(_scenario_cases()))
    def test_scenario_validates(self, path: Path) -> None:
        """A scenario file, its settings, its events and the desk's actions validate."""
        data = json.loads(path.read_text())
        assert errors(SCENARIO, data) == []
        if isinstance(data.get("settings"), dict):
            assert errors(SETTINGS, data["settings"]) == []
        scenario = load_scenario(path)
        bad = {block.event for block in scenario.expect if block.error}
        for index, event in enumerate(scenario.events):
            if index not in bad:
                assert errors(EVENT, event) == [], (index, event)
        for line in replay(scenario.settings, scenario.events):
            if line.data["type"] != "error":
                assert errors(ACTION, line.data) == [], line.data

    def test_settings_examples_validate(self) -> None:
        """The example settings files and every settings block of the docs validate."""
        documents: list[tuple[str, Any]] = []
        for path in sorted((ROOT / "examples").glob("*.toml")):
            if "workload" not in path.name:
                documents.append((path.name, tomllib.loads(path.read_text())))
        text = (ROOT / "docs" / "settings.md").read_text()
        for block in _fenced(text, "toml"):
            documents.append(("docs/settings.md toml", tomllib.loads(block)))
        for block in _fenced(text, "json"):
            documents.append(("docs/settings.md json", json.loads(block)))
        assert len(documents) >= 3
        for name, document in documents:
            try:
                load_settings(document)
            except SettingsError:
                continue  # a block showing a mistake: the schema need not accept it
            plain = json.loads(json.dumps(document, default=str))
            assert errors(SETTINGS, plain) == [], name

    def test_protocol_examples_validate(self) -> None:
        """Every JSON example of the docs (settings aside, checked above) is a valid
        event, action or scenario."""
        pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        text = "\n".join(page.read_text() for page in pages if page.name != "settings.md")
        checked = 0
        for block in _fenced(text, "json"):
            data = json.loads(block)
            for item in data if isinstance(data, list) else [data]:
                if "events" in item:
                    assert errors(SCENARIO, item) == [], item
                elif item.get("type") in deskcore.EVENT_TYPES:
                    assert errors(EVENT, item) == [], item
                elif item.get("type") in deskcore.ACTION_TYPES:
                    assert errors(ACTION, item) == [], item
                checked += 1
        assert checked >= 1


def _fenced(text: str, language: str) -> Iterator[str]:
    """The fenced code blocks of a Markdown text in ``language``."""
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip() == f"```{language}":
            block = []
            for inner in lines:
                if inner.strip() == "```":
                    break
                block.append(inner)
            yield "\n".join(block)


# -- what the decoder refuses, the schema refuses ------------------------------------------

AT = "2026-03-02T09:00:00Z"

BAD_EVENTS: list[dict[str, Any]] = [
    {"at": AT},
    {"type": "tock", "at": AT},
    {"type": "tick"},
    {"type": "tick", "at": "2026-03-02T09:00:00"},
    {"type": "tick", "at": "2026-03-02"},
    {"type": "tick", "at": "yesterday"},
    {"type": "tick", "at": 1772442000},
    {"type": "tick", "at": AT, "conversation": "c1"},
    {"type": "agent_status", "at": AT, "agent": "a1"},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "onlien"},
    {"type": "agent_status", "at": AT, "agent": "", "status": "online"},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "capacity": -1},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "capacity": 1.5},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "capacity": True},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "groups": "g"},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "groups": [""]},
    {"type": "agent_status", "at": AT, "agent": "a1", "status": "online", "name": 5},
    {"type": "user_entered", "at": AT, "conversation": "c1"},
    {"type": "user_entered", "at": AT, "conversation": "c1", "user": "u", "language": "ko_KR"},
    {"type": "agent_requested", "at": AT, "conversation": "c1", "priority": 2**63},
    {"type": "agent_requested", "at": AT, "conversation": "c1", "priority": "1"},
    {"type": "agent_requested", "at": AT, "conversation": "c1", "group": None},
    {"type": "assignment_answered", "at": AT, "conversation": "c1"},
    {"type": "assignment_answered", "at": AT, "conversation": "c1", "group": "g", "agents": []},
    {"type": "conversation_ended", "at": AT, "conversation": "c1", "by": "robot"},
    {"type": "rating_submitted", "at": AT, "conversation": "c1", "score": 4.5},
    {"type": "rating_submitted", "at": AT, "conversation": "c1", "score": 4, "comment": 1},
    {"type": "transfer", "at": AT, "conversation": "c1", "agent": "a1"},
    {"type": "transfer", "at": AT, "conversation": "c1", "agent": "a1", "to_agent": "a2",
     "to_group": "g"},
    {"type": "resumed", "at": AT},
    {"type": "resumed", "at": AT, "since": "2026-03-02T08:00:00"},
]  # fmt: skip


@pytest.mark.parametrize("event", BAD_EVENTS, ids=lambda e: json.dumps(e)[:60])
def test_a_refused_event_is_invalid(event: dict[str, Any]) -> None:
    """The decoder refuses each of these, and so does the schema."""
    with pytest.raises(EventError):
        event_from_json(event)
    assert errors(EVENT, event)


BAD_SETTINGS: list[dict[str, Any]] = [
    {"queue": {"max_concurent": 3}},
    {"colour": "red"},
    {"queue": {"max_concurrent": 0}},
    {"queue": {"max_concurrent": "3"}},
    {"queue": {"max_concurrent": 3.9}},
    {"queue": {"max_concurrent": True}},
    {"queue": {"max_length": 0}},
    {"queue": {"update_interval": "sometimes"}},
    {"queue": {"max_wait": "-5m"}},
    {"queue": {"max_wait": "1.5h"}},
    {"queue": {"max_wait": "0s"}},
    {"queue": {"max_wait": 0}},
    {"queue": {"max_wait": "PT"}},
    {"queue": {"max_wait": "90"}},
    {"queue": {"max_wait": 10**10}},
    {"queue": {"prompt": "You are $Position"}},
    {"queue": {"prompt": "costs 5$"}},
    {"prompts": {"connected": "Hi ${AgentNames}"}},
    {"prompts": {"welcome": None}},
    {"prompts": {"reasons": {"queue_ful": "busy"}}},
    {"prompts": {"reasons": {"queue_full": "$Reason"}}},
    {"assignment": {"strategy": "round_robin"}},
    {"assignment": {"strategy": "user_choice"}},
    {"assignment": {"strategy": "user_choice", "groups": []}},
    {"assignment": {"strategy": "user_choice", "groups": ["a", "a"]}},
    {"assignment": {"groups": [""]}},
    {"service": {"break_on_timeout": "false"}},
    {"closure": {"reminder": "1m"}},
    {"ratings": {"scale": 11}},
    {"ratings": {"scale": 1}},
    {"working_hours": {"timezone": "europe/berlin"}},
    {"working_hours": {"timezone": "Berlin"}},
    {"working_hours": {"weekly": {"mon": ["9:00-18:00"]}}},
    {"working_hours": {"weekly": {"mon": ["24:00-01:00"]}}},
    {"working_hours": {"weekly": {"mon": ["10:00-10:00"]}}},
    {"working_hours": {"weekly": {"mon": ["10:00-25:00"]}}},
    {"working_hours": {"weekly": {"funday": []}}},
    {"working_hours": {"dates": [{"hours": []}]}},
    {"working_hours": {"dates": [{"date": "2026-12-24", "rrule": "FREQ=YEARLY", "hours": []}]}},
    {"working_hours": {"dates": [{"date": "24.12.2026", "hours": []}]}},
    {"languages": {"ko_KR": {}}},
    {"languages": {"ko": {"prompts": {"welcome": 5}}}},
    {"languages": {"ko": {"queue": {"prompt": "$AgentName"}}}},
    {"languages": {"ko": {"queue": {"max_concurrent": 3}}}},
    {"queue": []},
    {"queue": "fast"},
]


@pytest.mark.parametrize("document", BAD_SETTINGS, ids=lambda d: json.dumps(d)[:70])
def test_a_refused_document_is_invalid(document: Any) -> None:
    """The loader refuses each of these, and so does the schema."""
    with pytest.raises(SettingsError):
        load_settings(document)
    assert errors(SETTINGS, document)


GOOD_SETTINGS: list[dict[str, Any]] = [
    {},
    {"queue": {"max_wait": "PT10M", "update_interval": "never", "max_length": 5}},
    {"queue": {"max_wait": " 1h30m ", "update_interval": None, "prompt": "$$5 ${WaitNo}"}},
    {"queue": {"max_wait": "p1dt2h"}},
    {"closure": {"user_timeout": "10m", "reminder": 60, "retention": 0}},
    {"service": {"reassign_after": 0, "mode": "manual"}},
    {"assignment": {"strategy": "user_choice", "groups": ["sales"]}},
    {"working_hours": {"timezone": "Asia/Seoul", "weekly": {"fri": ["22:00-02:00", "00:00-24:00"]}}},  # noqa: E501
    {"working_hours": {"dates": [{"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "hours": []}]}},
    {"languages": {"zh-Hant-TW": {"prompts": {"reasons": {"queue_full": "busy"}}}}},
    {"languages": {"i-klingon": {"ratings": {"submitted": "$Score!"}}}},
]  # fmt: skip


@pytest.mark.parametrize("document", GOOD_SETTINGS, ids=lambda d: json.dumps(d)[:70])
def test_an_accepted_document_is_valid(document: dict[str, Any]) -> None:
    """The loader accepts each of these, and so does the schema."""
    load_settings(document)
    assert errors(SETTINGS, document) == []


def test_every_dumped_settings_validates() -> None:
    """``dump_settings`` of the defaults and of the settings of every scenario validates."""
    assert errors(SETTINGS, dump_settings(deskcore.DeskSettings())) == []
    for path in SCENARIOS:
        dumped = json.loads(json.dumps(dump_settings(load_scenario(path).settings), default=str))
        assert errors(SETTINGS, dumped) == [], path


# -- property tests: whatever the codec writes validates --------------------------------------

ids = st.text(alphabet="abc12", min_size=1, max_size=4)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
statuses = st.sampled_from(list(deskcore.AgentState))


@st.composite
def events(draw: st.DrawFn) -> deskcore.AnyEvent:
    at = draw(instants)
    conv = draw(ids)
    kind = draw(st.sampled_from(list(deskcore.EVENT_TYPES)))
    maybe = st.none() | ids
    options: dict[str, Any] = {
        "tick": {},
        "agent_status": {
            "agent": conv,
            "status": draw(statuses),
            **draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "groups": st.lists(ids, max_size=3).map(tuple),
                        "capacity": st.none() | st.integers(0, 10**9),
                        "name": st.none() | st.text(max_size=5),
                    },
                )
            ),
        },
        "user_entered": {
            "conversation": conv,
            "user": draw(ids),
            "language": draw(st.sampled_from([None, "ko", "zh-Hant-TW", "x-private", "EN-gb"])),
        },
        "agent_requested": {
            "conversation": conv,
            "user": draw(maybe),
            "group": draw(maybe),
            "priority": draw(st.integers(-(2**63), 2**63 - 1)),
            "preferred_agent": draw(maybe),
        },
        "assignment_answered": draw(
            st.sampled_from(
                [{"conversation": conv, "group": "g"}, {"conversation": conv, "agents": ("a",)}]
            )
        ),
        "assignment_failed": {"conversation": conv},
        "agent_accepted": {"conversation": conv, "agent": draw(ids)},
        "agent_declined": {"conversation": conv, "agent": draw(ids)},
        "agent_message": {"conversation": conv},
        "user_message": {"conversation": conv},
        "conversation_ended": {
            "conversation": conv,
            "by": draw(st.sampled_from(list(deskcore.Party))),
            "agent": draw(maybe),
        },
        "rating_invited": {"conversation": conv, "agent": draw(ids)},
        "rating_submitted": {
            "conversation": conv,
            "score": draw(st.integers(-5, 20)),
            "comment": draw(st.none() | st.text(max_size=5)),
        },
        "transfer": {
            "conversation": conv,
            "agent": draw(ids),
            **draw(st.sampled_from([{"to_agent": "b"}, {"to_group": "g"}])),
        },
        "resumed": {"since": at - draw(st.timedeltas(timedelta(0), timedelta(days=3)))},
    }
    event: deskcore.AnyEvent = deskcore.EVENT_TYPES[kind](at=at, **options[kind])
    return event


@given(events())
def test_every_written_event_validates(event: deskcore.AnyEvent) -> None:
    """``event_to_json`` of any event validates and reads back equal."""
    data = event_to_json(event)
    assert errors(EVENT, data) == []
    assert event_from_json(data) == event


@given(st.data())
def test_a_mutated_event_the_decoder_refuses_is_mostly_invalid(data: st.DataObject) -> None:
    """One field of a valid event changed to a value of another JSON kind: when the
    decoder refuses it, the schema refuses it too (checks that compare fields, like
    ``since`` after ``at``, aside)."""
    event = event_to_json(data.draw(events()))
    key = data.draw(st.sampled_from(sorted(event)))
    broken = copy.deepcopy(event)
    # (Not 2.0: JSON Schema counts a number with no fraction as an integer.)
    broken[key] = data.draw(st.sampled_from([None, 1.5, -1, "", "x", [], {}, True]))
    try:
        event_from_json(broken)
    except EventError:
        assert errors(EVENT, broken), broken


def test_written_actions_validate() -> None:
    """Actions written by ``action_to_json`` from a desk validate."""
    desk = deskcore.Desk(load_settings({"service": {"mode": "manual", "break_on_timeout": True}}))
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    out = desk.handle(deskcore.AgentStatusChanged(at=at, agent="a1", status="online"))
    out += desk.handle(deskcore.AgentRequested(at=at, conversation="c1"))
    out += desk.handle(deskcore.Tick(at=at + timedelta(minutes=5)))
    kinds = {type(action) for action in out}
    assert kinds >= {deskcore.Offer, deskcore.WithdrawOffer, deskcore.SetAgentStatus}
    for action in out:
        assert errors(ACTION, action_to_json(action)) == []
