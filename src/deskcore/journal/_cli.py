"""``deskcore journal show|verify|export URL``: read a journal from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._codec import action_to_json
from .._desk import Desk
from .._errors import DeskcoreError
from .._show import cut
from ._backends import open_store
from ._store import JournalError, Store, StoredEntry, replay_entry, restore_snapshot

__all__ = ["add_commands", "verify"]


def _open(args: argparse.Namespace) -> Store:
    store = open_store(args.url, args.desk, "process", create=False)
    if not store.last_seq():
        names = store.desks()
        store.close()
        known = f" (it holds {', '.join(names)})" if names else " (it is empty)"
        raise JournalError(f"no desk {args.desk!r} in {args.url}{known}")
    return store


def _show(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        snapshots = {snapshot.seq for snapshot in store.snapshots()}
        for entry in store.entries(args.since):
            if entry.kind == "settings":
                line = f"{entry.seq:>8}  settings"
            else:
                body = json.loads(entry.body)
                count = len(json.loads(entry.actions))
                line = f"{entry.seq:>8}  {body['at']}  {body['type']}  ({count} actions)"
            if args.actions and entry.kind == "event":
                for index, action in enumerate(json.loads(entry.actions)):
                    line += f"\n{'':>10}[{entry.seq}.{index}] {cut(json.dumps(action), 160)}"
            print(line + ("  [snapshot]" if entry.seq in snapshots else ""))
    finally:
        store.close()
    return 0


def _replay_entry(desk: Desk | None, entry: StoredEntry) -> tuple[Desk, list[dict[str, Any]]]:
    desk, actions = replay_entry(desk, entry)
    return desk, [action_to_json(action) for action in actions]


def verify(store: Store) -> list[str]:
    """Rebuild the desk from the start (or from the oldest snapshot after a compaction)
    and from every snapshot; what disagrees with the stored actions and snapshots."""
    problems: list[str] = []
    snapshots = store.snapshots()
    by_seq = {snapshot.seq: snapshot for snapshot in snapshots}
    restored: dict[int, Desk] = {}  # each stored snapshot read back, once
    for snapshot in snapshots:
        try:
            restored[snapshot.seq] = restore_snapshot(snapshot)
        except DeskcoreError as exc:
            problems.append(f"snapshot {snapshot.seq}: does not restore: {exc}")
    first = store.first_seq()
    desk: Desk | None = None
    start = 0
    if first is not None and first > 1:
        oldest = min(by_seq) if by_seq else None
        # after a compaction: the entries after the oldest snapshot kept (and at least
        # the newest entry, which that snapshot may hold already)
        if oldest is None or first not in (oldest, oldest + 1):
            return [f"entries start at {first} with no snapshot before them"]
        if oldest not in restored:
            return problems
        desk, start = restore_snapshot(by_seq[oldest]), oldest
    for entry in store.entries(start):
        try:
            desk, actions = _replay_entry(desk, entry)
        except DeskcoreError as exc:
            problems.append(f"entry {entry.seq}: does not replay: {exc}")
            return problems
        if actions != json.loads(entry.actions):
            problems.append(f"entry {entry.seq}: the stored actions differ from the replay's")
        # the stored state read back and written again: a snapshot of an older format
        # holds the same state written another way
        again = restored.get(entry.seq)
        if again is not None and desk.snapshot() != again.snapshot():
            problems.append(f"snapshot {entry.seq}: differs from the state rebuilt from the start")
    final = None if desk is None else desk.snapshot()
    for snapshot in snapshots:
        again = restored.get(snapshot.seq)  # compared above already: the replay moves it on
        if again is None:
            continue
        for entry in store.entries(snapshot.seq):
            _, actions = _replay_entry(again, entry)
            if actions != json.loads(entry.actions):
                problems.append(f"from snapshot {snapshot.seq}: entry {entry.seq} differs")
                break
        else:
            if final is not None and again.snapshot() != final:
                problems.append(f"from snapshot {snapshot.seq}: the final state differs")
    return problems


def _verify(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        problems = verify(store)
        count = store.last_seq()
        snaps = len(store.snapshots())
    finally:
        store.close()
    for problem in problems:
        print(f"{args.url}: {problem}")
    if problems:
        return 1
    print(f"{args.url}: ok, {count} entries and {snaps} snapshots agree")
    return 0


def _export(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        first = store.first_seq()
        start = 0
        if first is not None and first > 1:
            snapshots = store.snapshots()
            start = snapshots[0].seq if snapshots else first - 1
            print(
                f"{args.url}: compacted: the export starts after snapshot {start}, "
                "not at the desk's first event",
                file=sys.stderr,
            )
        settings_seen = 0
        for entry in store.entries(start):
            if entry.kind == "settings":
                settings_seen += 1
                if settings_seen > 1 or entry.seq > 1:
                    print(
                        f"{args.url}: entry {entry.seq} changes the settings; a replay with "
                        "one settings file does not",
                        file=sys.stderr,
                    )
                continue
            print(json.dumps(json.loads(entry.body), ensure_ascii=False))
    finally:
        store.close()
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``journal show|verify|export`` to the ``deskcore`` command line."""
    journal = commands.add_parser("journal", help="read a desk's journal")
    actions = journal.add_subparsers(dest="journal_command", required=True, metavar="ACTION")
    for name, run, text in (
        ("show", _show, "print the entries"),
        ("verify", _verify, "rebuild the desk and compare with the stored actions and snapshots"),
        ("export", _export, "print the events, one JSON object a line, for deskcore replay"),
    ):
        command = actions.add_parser(name, help=text)
        command.add_argument(
            "url",
            metavar="URL",
            help="sqlite:///relative/path, sqlite:////absolute or postgresql://…",
        )
        command.add_argument("--desk", default="default", metavar="NAME", help="the desk's name")
        if name == "show":
            command.add_argument(
                "--since", type=int, default=0, metavar="SEQ", help="entries after SEQ"
            )
            command.add_argument(
                "--actions", action="store_true", help="print each entry's actions"
            )
        command.set_defaults(run=run)
