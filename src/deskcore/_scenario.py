"""Scenario files: settings, events and what the desk must answer, in one JSON object.

A scenario file is checked as strictly as an event: every key must be one the format
knows, every value of its kind, every ``expect`` block must name an event of the file.
What is wrong is said with its place (``expect[2].event: ...``), and a file that is
wrong does not pass. Authoring aids: ``"settings"`` may be a path to a settings file,
resolved against the scenario's folder; with ``"start"`` an event's ``at`` may be
``"+DURATION"``, the previous event's instant (or ``start``) plus that duration.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from ._actions import ACTION_TYPES
from ._codec import format_instant, parse_instant
from ._document import load_settings
from ._durations import parse_duration
from ._errors import DeskcoreError, SettingsError
from ._fields import suggest
from ._settings import DeskSettings
from ._show import cut, show

__all__ = [
    "BLOCK_KEYS",
    "Expectation",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "read_scenario",
]

SCENARIO_KEYS = frozenset({"name", "settings", "events", "expect", "start"})
BLOCK_KEYS = frozenset({"event", "actions", "exact", "ordered", "error"})


class ScenarioError(DeskcoreError, ValueError):
    """A scenario file is malformed; ``errors`` lists ``(place, message)`` pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = tuple(errors)
        lines = [f"{place}: {message}" if place else message for place, message in self.errors]
        super().__init__("; ".join(lines))


@attrs.frozen(kw_only=True)
class Expectation:
    """One ``expect`` block: the actions ``event`` must produce, or that it is an error."""

    event: int
    actions: tuple[Mapping[str, Any], ...] = ()
    exact: bool = True
    ordered: bool = False
    error: bool = False


@attrs.frozen(kw_only=True)
class Scenario:
    """A scenario: its name, settings, events (JSON objects, ``at`` resolved) and
    expectations."""

    name: str
    settings: DeskSettings
    events: tuple[Any, ...]
    expect: tuple[Expectation, ...] = ()


def load_scenario(path: Path | str) -> Scenario:
    """Read a scenario file. Raises ``OSError`` when it cannot be read, and
    :class:`ScenarioError` (with the settings' faults, if any) when it is malformed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ScenarioError([("", f"not readable JSON: {cut(str(exc))}")]) from None
    return read_scenario(data, folder=path.parent, default_name=path.stem)


def read_scenario(data: object, *, folder: Path | None = None, default_name: str = "") -> Scenario:
    """A scenario from its JSON object; ``folder`` resolves a settings path."""
    errors: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise ScenarioError([("", f"a scenario is a JSON object, got {show(data)}")])
    for key in sorted(set(data) - SCENARIO_KEYS, key=str):
        errors.append((str(key), "unknown key (known: events, expect, name, settings, start)"))
    name = data.get("name", default_name)
    if not isinstance(name, str):
        errors.append(("name", f"must be a string, got {show(name)}"))
    settings = _settings(data.get("settings", {}), folder, errors)
    events = _events(data, errors)
    expect = _blocks(data.get("expect", []), len(events) if events is not None else 0, errors)
    if errors or settings is None or events is None:
        raise ScenarioError(errors)
    return Scenario(name=str(name), settings=settings, events=tuple(events), expect=expect)


def _settings(
    value: object, folder: Path | None, errors: list[tuple[str, str]]
) -> DeskSettings | None:
    source: object = value
    if isinstance(value, str):
        path = Path(value)
        if folder is not None and not path.is_absolute():
            path = folder / path
        source = path
    elif not isinstance(value, Mapping):
        errors.append(("settings", f"must be a settings object or a file path, got {show(value)}"))
        return None
    try:
        return load_settings(source)  # type: ignore[arg-type]
    except SettingsError as exc:
        errors.extend(
            (f"settings.{place}" if place else "settings", msg) for place, msg in exc.errors
        )
    except OSError as exc:
        errors.append(("settings", f"cannot read {show(str(source))}: {exc.strerror or exc}"))
    return None


def _events(data: Mapping[str, Any], errors: list[tuple[str, str]]) -> list[Any] | None:
    """The events with relative instants resolved; each stays a JSON object, so the
    desk's decoder judges it (an event that is wrong is an error line, not a bad file)."""
    raw = data.get("events")
    if not isinstance(raw, list):
        errors.append(("events", f"must be a list of events, got {show(raw)}"))
        return None
    start = data.get("start")
    previous: datetime | None = None
    if start is not None:
        try:
            previous = parse_instant(start)
        except ValueError as exc:
            errors.append(("start", str(exc)))
    events: list[Any] = []
    for index, event in enumerate(raw):
        at = event.get("at") if isinstance(event, dict) else None
        if isinstance(at, str) and at.startswith("+"):
            if previous is None:
                errors.append((f"events[{index}].at", "a relative instant needs 'start'"))
                events.append(event)
                continue
            try:
                moment = previous + parse_duration(at[1:])
            except (ValueError, OverflowError) as exc:
                errors.append((f"events[{index}].at", str(exc)))
                events.append(event)
                continue
            event = {**event, "at": format_instant(moment)}
            previous = moment
        elif isinstance(at, str):
            with contextlib.suppress(ValueError):  # the decoder reports it at replay
                previous = parse_instant(at)
        events.append(event)
    return events


def _action_faults(action: Mapping[str, Any], place: str) -> list[tuple[str, str]]:
    """Faults of an expected action: its ``type`` must name an action and its keys be
    that action's fields (a misspelt key would otherwise never match)."""
    kind = action.get("type")
    if "type" not in action:  # it may match an action of any type: its keys must be fields
        fields = sorted(
            {"type", *(f.name for cls in ACTION_TYPES.values() for f in attrs.fields(cls))}
        )
        owner = ""
    elif not isinstance(kind, str) or kind not in ACTION_TYPES:
        hint = suggest(kind, list(ACTION_TYPES)) if isinstance(kind, str) else ""
        return [(f"{place}.type", f"unknown action type {show(kind)}{hint}")]
    else:
        fields = ["type", *(field.name for field in attrs.fields(ACTION_TYPES[kind]))]
        owner = kind
    return [
        (
            f"{place}.{key}",
            f"{owner + ' has no field' if owner else 'no action has the field'} {show(key)}"
            f"{suggest(str(key), fields)}",
        )
        for key in action
        if key not in fields
    ]


def _flag(
    block: Mapping[str, Any], key: str, default: bool, place: str, errors: list[tuple[str, str]]
) -> bool:
    value = block.get(key, default)
    if not isinstance(value, bool):
        errors.append((f"{place}.{key}", f"must be true or false, got {show(value)}"))
        return default
    return value


def _blocks(raw: object, count: int, errors: list[tuple[str, str]]) -> tuple[Expectation, ...]:
    if not isinstance(raw, list):
        errors.append(("expect", f"must be a list of blocks, got {show(raw)}"))
        return ()
    blocks: list[Expectation] = []
    for number, block in enumerate(raw):
        place = f"expect[{number}]"
        if not isinstance(block, dict):
            errors.append((place, f"must be an object, got {show(block)}"))
            continue
        before = len(errors)
        for key in sorted(set(block) - BLOCK_KEYS, key=str):
            known = ", ".join(sorted(BLOCK_KEYS))
            errors.append((f"{place}.{key}", f"unknown key (known: {known})"))
        index = block.get("event")
        if "event" not in block:
            errors.append((f"{place}.event", "is required"))
        elif isinstance(index, bool) or not isinstance(index, int):
            errors.append((f"{place}.event", f"must be an event index, got {show(index)}"))
        elif not 0 <= index < count:
            errors.append((f"{place}.event", f"is {index}, but the file has events 0..{count - 1}"))
        actions = block.get("actions", [])
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            errors.append(
                (f"{place}.actions", f"must be a list of action objects, got {show(actions)}")
            )
            actions = []
        for at, action in enumerate(actions):
            errors.extend(_action_faults(action, f"{place}.actions[{at}]"))
        exact = _flag(block, "exact", True, place, errors)
        ordered = _flag(block, "ordered", False, place, errors)
        error = _flag(block, "error", False, place, errors)
        if len(errors) == before:
            assert isinstance(index, int)
            blocks.append(
                Expectation(
                    event=index, actions=tuple(actions), exact=exact, ordered=ordered, error=error
                )
            )
    return tuple(blocks)
