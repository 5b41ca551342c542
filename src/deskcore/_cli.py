"""The ``deskcore`` command line: ``validate``, ``hours``, ``schema``, ``replay``, ``check``,
``simulate``, ``journal``.

The command line is the only part of deskcore that reads the clock, and only to default
``deskcore hours --at`` to the current instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ._clitools import load_file, print_faults
from ._codec import parse_instant
from ._document import load_settings
from ._errors import DeskcoreError, SettingsError
from ._replay import add_commands
from ._schema import SCHEMA_KINDS, json_schema
from .journal._cli import add_commands as add_journal_commands
from .sim._cli import add_commands as add_simulate_commands

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _validate(args: argparse.Namespace) -> int:
    status = 0
    for name in args.files:
        try:
            settings = load_settings(Path(name))
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            status = 2
        except SettingsError as exc:
            print_faults(name, exc, sys.stdout)
            status = max(status, 1)
        else:
            for path, message in settings.working_hours.warnings():
                print(f"{name}: warning: {path}: {message}")
            print(f"{name}: ok")
    return status


def _hours(args: argparse.Namespace) -> int:
    settings = load_file(load_settings, args.file)
    if settings is None:
        return 2
    if args.at is None:
        now = datetime.now(UTC)  # the one place deskcore reads the clock
    else:
        try:
            now = parse_instant(args.at)
        except ValueError as exc:
            print(f"--at: {exc}", file=sys.stderr)
            return 2
    hours = settings.working_hours
    zone = ZoneInfo(hours.timezone)

    def show(moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(zone).isoformat()

    answer = {
        "open": hours.is_open(now),
        "next_open": show(hours.next_open(now)),
        "next_close": show(hours.next_close(now)),
    }
    print(json.dumps(answer))
    return 0


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(args.kind), indent=2 if args.indent else None, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``deskcore`` command."""
    parser = argparse.ArgumentParser(
        prog="deskcore", description="Customer-service desk engine: tools for desk owners."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check settings documents")
    validate.add_argument("files", nargs="+", metavar="FILE", help="TOML or JSON settings")
    validate.set_defaults(run=_validate)

    hours = commands.add_parser("hours", help="say whether the desk is open at an instant")
    hours.add_argument("file", metavar="FILE", help="TOML or JSON settings")
    hours.add_argument("--at", metavar="INSTANT", help="ISO 8601 instant (default: now)")
    hours.set_defaults(run=_hours)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of settings, events, actions or scenario files"
    )
    schema.add_argument("kind", choices=SCHEMA_KINDS, metavar="KIND", help=", ".join(SCHEMA_KINDS))
    schema.add_argument("--indent", action="store_true", help="indent the JSON for reading")
    schema.set_defaults(run=_schema)

    add_commands(commands)
    add_simulate_commands(commands)
    add_journal_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    A reader that closes the output early (``deskcore replay FILE | head``) ends the
    command quietly with status 1; so does Ctrl-C, with 130. A file that cannot be read
    or written is reported in one line, with status 2; no user mistake shows a traceback.
    """
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except BrokenPipeError:
        # Later writes to the closed pipe (at exit, too) go nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except DeskcoreError as exc:  # what a command was given is wrong: said in one line
        print(f"deskcore: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the command was told to write or read: a user mistake
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"deskcore: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
