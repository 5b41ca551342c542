"""Scenario files and event logs: ``deskcore replay`` and ``deskcore check`` (protocol.md).

A scenario is a JSON object with ``settings``, ``events`` and optional ``expect`` blocks;
an event log is JSON lines of events, replayed with ``--settings FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from ._clitools import print_faults
from ._codec import action_to_json, event_from_json
from ._desk import Desk
from ._document import load_settings
from ._errors import DeskcoreError, EventError, SettingsError
from ._settings import DeskSettings
from ._show import show

__all__ = ["ReplayLine", "Scenario", "check_scenario", "describe", "load_scenario", "replay"]

TIME_KEYS = frozenset({"at", "expires_at", "due_at", "next_open"})


@attrs.frozen(kw_only=True)
class Scenario:
    """A scenario file: its name, settings, raw events and ``expect`` blocks."""

    name: str
    settings: DeskSettings
    events: tuple[Any, ...]
    expect: tuple[Mapping[str, Any], ...] = ()


@attrs.frozen(kw_only=True)
class ReplayLine:
    """One output line of a replay: an action's JSON object, or an error, for ``event``."""

    event: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The line as printed: ``event`` first, then the action's keys."""
        return {"event": self.event, **self.data}


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; raises ``OSError``, ``ValueError`` or ``SettingsError``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ValueError(f"{path}: a scenario is a JSON object with an 'events' list")
    return Scenario(
        name=str(data.get("name", path.stem)),
        settings=load_settings(data.get("settings", {})),
        events=tuple(data["events"]),
        expect=tuple(data.get("expect", ())),
    )


def replay(settings: DeskSettings, events: Iterable[Any]) -> Iterator[ReplayLine]:
    """Run JSON events through a new desk; yield each action, or an error line (E1)."""
    desk = Desk(settings)
    for index, raw in enumerate(events):
        try:
            if isinstance(raw, EventError):
                raise raw
            actions = desk.handle(event_from_json(raw))
        except EventError as exc:
            yield ReplayLine(event=index, data={"type": "error", "message": str(exc)})
            continue
        for action in actions:
            yield ReplayLine(event=index, data=action_to_json(action))


def _instant(value: object) -> object:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment if moment.tzinfo else value
    return value


def _same(expected: object, actual: object, key: str = "") -> bool:
    if key in TIME_KEYS:
        return _instant(expected) == _instant(actual)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _same(v, actual[k], k) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


def check_scenario(scenario: Scenario) -> list[str]:
    """Run a scenario and return what falls short of its ``expect`` blocks (empty: it holds)."""
    by_event: dict[int, list[dict[str, Any]]] = {}
    for line in replay(scenario.settings, scenario.events):
        by_event.setdefault(line.event, []).append(line.data)
    problems: list[str] = []
    for block in scenario.expect:
        index = block["event"]
        actual = by_event.get(index, [])
        event = scenario.events[index] if index < len(scenario.events) else {}
        label = f"event {index} ({event.get('type') if isinstance(event, dict) else '?'})"
        errors = [a for a in actual if a.get("type") == "error"]
        if block.get("error"):
            if not errors:
                problems.append(f"{label}: expected an error, got {len(actual)} action(s)")
            continue
        if errors:
            problems.append(f"{label}: unexpected error: {errors[0]['message']}")
            continue
        unused = list(actual)
        for want in block.get("actions", []):
            hit = next((a for a in unused if _same(want, a)), None)
            if hit is None:
                problems.append(f"{label}: missing {json.dumps(want, ensure_ascii=False)}")
            else:
                unused.remove(hit)
        if block.get("exact", True):
            problems.extend(
                f"{label}: unexpected {json.dumps(a, ensure_ascii=False)}" for a in unused
            )
    return problems


def _read_log(path: Path) -> list[Any]:
    events: list[Any] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError as exc:
                events.append(EventError(f"line {number} is not JSON: {exc}"))
    return events


def describe(line: ReplayLine) -> str:
    """One readable line for a replay line: event index, instant, type and the details."""
    data = dict(line.data)
    kind = data.pop("type")
    at = str(data.pop("at", ""))
    if kind == "error":
        return f"#{line.event:<3} error: {data['message']}"
    text = data.pop("text", None)
    details = " ".join(f"{key}={value}" for key, value in data.items())
    said = f" {show(text)}" if text is not None else ""
    return f"#{line.event:<3} {at:<21} {kind:<17} {details}{said}"


def _run_replay(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if args.settings is not None:
            settings = load_settings(Path(args.settings))
            events: Iterable[Any] = _read_log(path)
        else:
            scenario = load_scenario(path)
            settings, events = scenario.settings, scenario.events
    except SettingsError as exc:
        print_faults(args.settings or args.file, exc, sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"{args.file}: cannot read: {exc}", file=sys.stderr)
        return 2
    status = 0
    for line in replay(settings, events):
        if line.data.get("type") == "error":
            status = 1
        if args.format == "text":
            print(describe(line))
        else:
            print(json.dumps(line.to_json(), ensure_ascii=False))
    return status


def _scenario_files(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return files


def _run_check(args: argparse.Namespace) -> int:
    files = _scenario_files(args.paths)
    if not files:
        print("no scenario files found", file=sys.stderr)
        return 2
    failed = unreadable = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except (OSError, ValueError, DeskcoreError) as exc:
            unreadable += 1
            print(f"FAIL {path}: cannot load: {exc}")
            continue
        problems = check_scenario(scenario)
        if problems:
            failed += 1
            print(f"FAIL {path}: {scenario.name}")
            print("\n".join(f"  {problem}" for problem in problems))
        else:
            print(f"ok   {path}: {scenario.name}")
    passed = len(files) - failed - unreadable
    print(f"scenarios: {passed} passed, {failed + unreadable} failed")
    return 2 if unreadable and not failed else (1 if failed or unreadable else 0)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``replay`` and ``check`` to the ``deskcore`` command line."""
    run = commands.add_parser("replay", help="run a scenario or event log; print actions")
    run.add_argument("file", metavar="FILE", help="scenario (JSON) or event log (JSON lines)")
    run.add_argument("--settings", metavar="FILE", help="settings for a JSON-lines event log")
    run.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: one JSON object a line (protocol.md); text: readable lines",
    )
    run.set_defaults(run=_run_replay)
    check = commands.add_parser("check", help="run scenarios and compare with their expect blocks")
    check.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    check.set_defaults(run=_run_check)
