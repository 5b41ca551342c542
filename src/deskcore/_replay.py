"""Replaying events and checking scenarios: ``deskcore replay`` and ``deskcore check``.

:func:`replay` runs JSON events through a new desk and yields one line per action (or
one error line per event that is an error, E1). :func:`check_scenario` compares a
scenario's expectations with what its replay gives: each expected action must match a
distinct actual one (the keys it gives, instants as instants), with ``exact`` no others,
with ``ordered`` in the order given; and no event may be an error unless a block says so.
What falls short is said field by field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._clitools import print_faults
from ._codec import action_to_json, event_from_json, parse_instant
from ._desk import Desk
from ._document import load_settings
from ._errors import EventError, SettingsError
from ._scenario import Expectation, Scenario, ScenarioError, load_scenario
from ._settings import DeskSettings
from ._show import cut, show

__all__ = [
    "ReplayLine",
    "add_commands",
    "check_scenario",
    "describe",
    "recorded_expectations",
    "replay",
]

TIME_KEYS = frozenset({"at", "expires_at", "due_at", "next_open"})
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


# -- matching ----------------------------------------------------------------------------


def _instant(value: object) -> object:
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            return value
    return value


def same(expected: object, actual: object, key: str = "") -> bool:
    """Whether ``actual`` has every key ``expected`` gives, with the same values
    (instants compare as instants)."""
    if key in TIME_KEYS:
        return _instant(expected) == _instant(actual)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and same(v, actual[k], k) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


def _assign(expected: Sequence[Json], actual: Sequence[Json], ordered: bool) -> list[int | None]:
    """For each expected action, the index of a distinct actual action it matches (in
    increasing order when ``ordered``), or ``None``; as many matched as can be."""
    if ordered:  # the earliest match after the previous one is never worse
        found: list[int | None] = []
        start = 0
        for want in expected:
            hit = next((j for j in range(start, len(actual)) if same(want, actual[j])), None)
            found.append(hit)
            if hit is not None:
                start = hit + 1
        return found
    owner: dict[int, int] = {}  # actual index -> expected index (augmenting paths)

    def place(i: int, seen: set[int]) -> bool:
        for j, got in enumerate(actual):
            if j in seen or not same(expected[i], got):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        place(i, set())
    matched: list[int | None] = [None] * len(expected)
    for j, i in owner.items():
        matched[i] = j
    return matched


def _differences(want: Json, got: Json) -> list[str]:
    """``type.field: expected X, got Y`` for each field ``got`` does not match."""
    kind = want.get("type", got.get("type", "?"))
    lines = []
    for key, value in want.items():
        if key not in got:
            lines.append(f"{kind}.{key}: expected {_plain(value)}, got nothing")
        elif not same(value, got[key], key):
            lines.append(f"{kind}.{key}: expected {_plain(value)}, got {_plain(got[key])}")
    return lines


def _plain(value: object) -> str:
    return show(value) if not isinstance(value, dict | list) else json.dumps(value)[:200]


def _closest(want: Json, candidates: Sequence[Json]) -> Json | None:
    """The actual action of the same type that shares the most fields with ``want``."""
    kind = want.get("type")
    alike = [got for got in candidates if kind is None or got.get("type") == kind]
    if not alike:
        return None
    return max(alike, key=lambda got: sum(k in got and same(v, got[k], k) for k, v in want.items()))


def compare_block(block: Expectation, actual: Sequence[Json]) -> list[str]:
    """What the actions of one event fall short of in ``block`` (empty: it holds)."""
    expected = [dict(want) for want in block.actions]
    matched = _assign(expected, actual, block.ordered)
    used = {j for j in matched if j is not None}
    spare = [got for j, got in enumerate(actual) if j not in used]
    problems: list[str] = []
    for want, hit in zip(expected, matched, strict=True):
        if hit is not None:
            continue
        near = _closest(want, spare)
        if near is None:
            problems.append(f"missing {json.dumps(want, ensure_ascii=False)}")
        elif block.ordered and same(want, near):
            problems.append(f"out of order: {json.dumps(want, ensure_ascii=False)}")
        else:
            problems.extend(_differences(want, near))
            spare.remove(near)
    if block.exact:
        problems.extend(f"unexpected {json.dumps(got, ensure_ascii=False)}" for got in spare)
    return problems


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
        problems.extend(f"{label}: {problem}" for problem in compare_block(block, actual))
    return problems


def _label(scenario: Scenario, index: int) -> str:
    event = scenario.events[index] if index < len(scenario.events) else None
    if not isinstance(event, dict):
        return f"event {index}"
    return f"event {index} ({show(event.get('type'))[1:-1]} at {show(event.get('at'))[1:-1]})"


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
