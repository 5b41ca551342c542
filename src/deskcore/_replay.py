"""Replaying events and checking scenarios: ``deskcore replay`` and ``deskcore check``.

:func:`replay` runs JSON events through a new desk and yields one line per action (or
one error line per event that is an error, E1). :func:`check_scenario` compares a
scenario's expectations with what its replay gives (:mod:`deskcore._matching`), and no
event may be an error unless a block says so. What falls short is said field by field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from ._clitools import print_faults
from ._codec import action_to_json, event_from_json
from ._desk import Desk
from ._document import load_settings
from ._errors import EventError, SettingsError
from ._matching import compare
from ._scenario import Scenario, ScenarioError, load_scenario
from ._settings import DeskSettings
from ._show import cut

__all__ = [
    "ReplayLine",
    "add_commands",
    "check_scenario",
    "describe",
    "recorded_expectations",
    "replay",
]

Json = dict[str, Any]


@attrs.frozen(kw_only=True)
class ReplayLine:
    """One output line of a replay: an action's JSON object, or an error, for ``event``."""

    event: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The line as printed: ``event`` first, then the action's keys."""
        return {"event": self.event, **self.data}


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


def check_scenario(scenario: Scenario) -> list[str]:
    """Run a scenario and return what falls short of its ``expect`` blocks (empty: it holds)."""
    by_event: dict[int, list[Json]] = {}
    for line in replay(scenario.settings, scenario.events):
        by_event.setdefault(line.event, []).append(line.data)
    problems: list[str] = []
    erring = {block.event for block in scenario.expect if block.error}  # any block says so
    for index in sorted(by_event):
        label = _label(scenario, index)
        actual = by_event[index]
        errors = [a["message"] for a in actual if a.get("type") == "error"]
        if errors and index not in erring:
            problems.append(f"{label}: unexpected error: {errors[0]}")
    for block in scenario.expect:
        label = _label(scenario, block.event)
        actual = by_event.get(block.event, [])
        if block.error:
            if not any(a.get("type") == "error" for a in actual):
                problems.append(f"{label}: expected an error, got {len(actual)} action(s)")
            continue
        if any(a.get("type") == "error" for a in actual):
            continue  # said above
        problems.extend(
            f"{label}: {problem}"
            for problem in compare(block.actions, actual, exact=block.exact, ordered=block.ordered)
        )
    return problems


EVENT_RULES: dict[str, str] = {
    "tick": "T2",
    "agent_status": "A1-A6",
    "user_entered": "P1, P4",
    "agent_requested": "R1-R6, Q1-Q4",
    "assignment_answered": "R3",
    "assignment_failed": "R3",
    "agent_accepted": "S2",
    "agent_declined": "S4",
    "agent_message": "C1, C4",
    "user_message": "C1",
    "conversation_ended": "C2, C3, Q6",
    "rating_invited": "V1",
    "rating_submitted": "V3",
    "transfer": "X1-X3",
    "resumed": "T4",
}
"""The rules each event type brings into play (docs/rules.md), shown in failures; the
deadlines that fire before an event (T2) may bring in others."""


def _label(scenario: Scenario, index: int) -> str:
    """``event 4 (tick at 2026-03-02T09:02:01Z; T2)``: the index, type, instant, rules."""
    event = scenario.events[index] if index < len(scenario.events) else None
    if not isinstance(event, dict):
        return f"event {index}"
    kind, at = event.get("type"), event.get("at")
    parts = [cut(str(kind)) if isinstance(kind, str) else "?"]
    if isinstance(at, str):
        parts.append(f"at {cut(at)}")
    rules = EVENT_RULES.get(kind) if isinstance(kind, str) else None
    return f"event {index} ({' '.join(parts)}{'; ' + rules if rules else ''})"


# -- the command line ----------------------------------------------------------------------


def _read_log(path: Path) -> list[Any]:
    """The events of a JSON-lines log; a line that is not JSON is an error for its event."""
    events: list[Any] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                events.append(json.loads(line))
            except (ValueError, RecursionError) as exc:  # ints over 4,300 digits too
                events.append(EventError(f"line {number} is not JSON: {cut(str(exc))}"))
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
    said = f" {text!r}" if text is not None else ""
    return f"#{line.event:<3} {at:<21} {kind:<17} {details}{said}"


def recorded_expectations(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's replay as ``expect`` blocks: for each event, exactly its actions
    (without the ``event`` key), or ``"error": true``. Recorded, reviewed and committed,
    they make the scenario a golden file."""
    by_event: dict[int, list[Json]] = {index: [] for index in range(len(scenario.events))}
    for line in replay(scenario.settings, scenario.events):
        by_event[line.event].append(line.data)
    blocks: list[dict[str, Any]] = []
    for index, actions in by_event.items():
        if any(action.get("type") == "error" for action in actions):
            blocks.append({"event": index, "error": True})
        else:
            blocks.append({"event": index, "actions": actions})
    return blocks


def _write_expect(path: Path, scenario: Scenario, target: Path) -> None:
    """Write the scenario file again with its recorded expectations."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["expect"] = recorded_expectations(scenario)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


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
    except ScenarioError as exc:
        for place, message in exc.errors:
            print(f"{args.file}: {place + ': ' if place else ''}{message}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        name = getattr(exc, "filename", None) or args.file  # the log or the settings
        print(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 2
    if args.write_expect is not None:
        if args.settings is not None:
            print("--write-expect needs a scenario file, not an event log", file=sys.stderr)
            return 2
        _write_expect(path, scenario, Path(args.write_expect))
        return 0
    status = 0
    for line in replay(settings, events):
        if line.data.get("type") == "error":
            status = 1
        if args.format == "text":
            print(describe(line))
        else:
            print(json.dumps(line.to_json(), ensure_ascii=False))
    return status


def scenario_files(paths: Iterable[str]) -> list[Path]:
    """The scenario files named: files as given, folders searched to any depth."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return files


def _run_check(args: argparse.Namespace) -> int:
    files = scenario_files(args.paths)
    if not files:
        print("no scenario files found", file=sys.stderr)
        return 2
    failed = unreadable = 0
    for path in files:
        try:
            scenario = load_scenario(path)
            problems = check_scenario(scenario)
            name = scenario.name
        except (OSError, UnicodeDecodeError) as exc:
            unreadable += 1
            name, problems = "", [f"cannot read: {getattr(exc, 'strerror', None) or exc}"]
        except ScenarioError as exc:
            unreadable += 1
            name = ""
            problems = [
                f"{place + ': ' if place else ''}{message}" for place, message in exc.errors
            ]
        if problems:
            failed += 1
            print(f"FAIL {path}{': ' + name if name else ''}")
            print("\n".join(f"  {problem}" for problem in problems))
        else:
            print(f"ok   {path}: {name}")
    print(f"scenarios: {len(files) - failed} passed, {failed} failed")
    if failed and failed == unreadable:
        return 2  # nothing could even be checked: the files are at fault
    return 1 if failed else 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``replay`` and ``check`` to the ``deskcore`` command line."""
    run = commands.add_parser("replay", help="run a scenario or event log; print actions")
    run.add_argument("file", metavar="FILE", help="scenario (JSON) or event log (JSON lines)")
    run.add_argument("--settings", metavar="FILE", help="settings for a JSON-lines event log")
    run.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: one JSON object a line; text: readable lines",
    )
    run.add_argument(
        "--write-expect",
        metavar="OUT",
        help="write the scenario to OUT with its actions recorded as expect blocks",
    )
    run.set_defaults(run=_run_replay)
    check = commands.add_parser("check", help="run scenarios and compare with their expect blocks")
    check.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    check.set_defaults(run=_run_check)
