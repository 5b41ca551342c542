"""The SQLite store of a journal: entries, their actions, and snapshots.

One database file may hold several desks, each under its name. Tables:

- ``entries(desk, seq, kind, at, body, actions)``: ``kind`` is ``event`` (``body`` the
  event's JSON, ``actions`` the JSON list of what it gave) or ``settings`` (``body`` the
  settings document given to ``update_settings``, or the first settings of the desk);
  ``seq`` counts from 1 per desk; ``at`` is the event's instant (µs), or null;
- ``snapshots(desk, seq, format, settings, state)``: the desk's state after entry ``seq``
  (``Desk.snapshot()``), the settings it was taken under and the snapshot format.

The database runs in WAL mode. With durability ``"process"`` a commit survives a crash of
the process (``synchronous=NORMAL``); with ``"power"`` it also survives a loss of power
(``synchronous=FULL``: the log is flushed to the disk at every commit).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypeAlias

import attrs

from .._actions import AnyAction
from .._codec import event_from_json
from .._desk import Desk
from .._document import load_settings
from .._errors import DeskcoreError

__all__ = [
    "Durability",
    "JournalError",
    "Snapshot",
    "Store",
    "StoredEntry",
    "path_of",
    "replay_entry",
    "restore_snapshot",
]

Durability: TypeAlias = Literal["process", "power"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    desk TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'settings')),
    at INTEGER,
    body TEXT NOT NULL,
    actions TEXT NOT NULL,
    PRIMARY KEY (desk, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
    desk TEXT NOT NULL,
    seq INTEGER NOT NULL,
    format INTEGER NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (desk, seq)
) WITHOUT ROWID;
"""


class JournalError(DeskcoreError, ValueError):
    """A journal cannot be opened or read: a bad URL, another program's database, a
    schema of a later version, or entries that do not replay."""


@attrs.frozen
class StoredEntry:
    """One row of ``entries``, its JSON still text."""

    seq: int
    kind: str
    at: int | None
    body: str
    actions: str


@attrs.frozen
class Snapshot:
    """One row of ``snapshots``."""

    seq: int
    format: int
    settings: str
    state: str


def restore_snapshot(snapshot: Snapshot, *, explain: bool = False) -> Desk:
    """The desk a stored snapshot holds, under the settings it was taken with."""
    settings = load_settings(json.loads(snapshot.settings))
    return Desk.restore(settings, json.loads(snapshot.state), explain=explain)


def replay_entry(
    desk: Desk | None, entry: StoredEntry, *, explain: bool = False
) -> tuple[Desk, list[AnyAction]]:
    """Apply one entry: a settings entry makes the desk (the first) or updates it; an
    event is handled. The desk and the event's actions (none for settings)."""
    body = json.loads(entry.body)
    if entry.kind == "settings":
        settings = load_settings(body)
        if desk is None:
            return Desk(settings, explain=explain), []
        desk.update_settings(settings)
        return desk, []
    if desk is None:
        raise JournalError(f"entry {entry.seq}: an event before the desk's settings")
    return desk, desk.handle(event_from_json(body))


def path_of(url: str) -> str:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL
    (``sqlite:///:memory:`` for a database in memory)."""
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix):
        raise JournalError(
            f"a journal URL is 'sqlite:///relative/path' or 'sqlite:////absolute/path', got {url!r}"
        )
    path = url[len(prefix) :]
    if not path:
        raise JournalError(f"the journal URL names no file: {url!r}")
    return path


class Store:
    """The tables of one desk in one SQLite database, over one connection."""

    def __init__(self, url: str, desk: str, durability: Durability, *, create: bool = True) -> None:
        if durability not in ("process", "power"):
            raise JournalError(f"durability must be 'process' or 'power', got {durability!r}")
        path = path_of(url)
        if path != ":memory:":
            if not create and not Path(path).is_file():
                raise JournalError(f"no journal at {url} (no file {path})")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            level = "NORMAL" if durability == "process" else "FULL"
            self.db.execute(f"PRAGMA synchronous={level}")
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{path}: not a deskcore journal: {exc}") from None
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) > SCHEMA_VERSION:
            raise JournalError(f"{path}: journal schema {row[0]} is newer than this deskcore's")
        self.desk = desk
        self.in_transaction = False
        self.commits = 0
        self._rows: list[tuple[str, int, str, int | None, str, str]] = []  # not yet inserted

    # -- writing -------------------------------------------------------------------------

    def begin(self) -> None:
        if not self.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.in_transaction = True

    def _flush(self) -> None:
        if self._rows:
            self.db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", self._rows)
            self._rows.clear()

    def commit(self) -> None:
        if self.in_transaction:
            self._flush()
            self.db.execute("COMMIT")
            self.in_transaction = False
            self.commits += 1

    def rollback(self) -> None:
        self._rows.clear()
        if self.in_transaction:
            self.db.execute("ROLLBACK")
            self.in_transaction = False

    def append(self, seq: int, kind: str, at: int | None, body: Any, actions: Any) -> None:
        self.begin()  # the row goes in with the others at the commit (one executemany)
        self._rows.append((self.desk, seq, kind, at, _dump(body), _dump(actions)))

    def put_snapshot(self, seq: int, format: int, settings: Any, state: Any) -> None:
        self.begin()
        self._flush()
        self.db.execute(
            "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?)",
            (self.desk, seq, format, _dump(settings), _dump(state)),
        )

    def compact(self, keep: int) -> None:
        """Keep the newest ``keep`` snapshots and the entries after the oldest of them."""
        rows = self.db.execute(
            "SELECT seq FROM snapshots WHERE desk = ? ORDER BY seq DESC LIMIT ?",
            (self.desk, keep),
        ).fetchall()
        if len(rows) < keep:
            return
        oldest = rows[-1][0]
        self.begin()
        self._flush()
        self.db.execute("DELETE FROM snapshots WHERE desk = ? AND seq < ?", (self.desk, oldest))
        self.db.execute("DELETE FROM entries WHERE desk = ? AND seq <= ?", (self.desk, oldest))

    # -- reading -------------------------------------------------------------------------

    def last_seq(self) -> int:
        row = self.db.execute(
            "SELECT MAX(seq) FROM entries WHERE desk = ?", (self.desk,)
        ).fetchone()
        snap = self.db.execute(
            "SELECT MAX(seq) FROM snapshots WHERE desk = ?", (self.desk,)
        ).fetchone()
        return max(row[0] or 0, snap[0] or 0)

    def entries(self, after: int = 0) -> Iterator[StoredEntry]:
        cursor = self.db.execute(
            "SELECT seq, kind, at, body, actions FROM entries WHERE desk = ? AND seq > ? "
            "ORDER BY seq",
            (self.desk, after),
        )
        for row in cursor:
            yield StoredEntry(*row)

    def first_seq(self) -> int | None:
        row = self.db.execute(
            "SELECT MIN(seq) FROM entries WHERE desk = ?", (self.desk,)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def snapshots(self) -> list[Snapshot]:
        rows = self.db.execute(
            "SELECT seq, format, settings, state FROM snapshots WHERE desk = ? ORDER BY seq",
            (self.desk,),
        ).fetchall()
        return [Snapshot(*row) for row in rows]

    def latest_snapshot(self) -> Snapshot | None:
        row = self.db.execute(
            "SELECT seq, format, settings, state FROM snapshots WHERE desk = ? "
            "ORDER BY seq DESC LIMIT 1",
            (self.desk,),
        ).fetchone()
        return None if row is None else Snapshot(*row)

    def desks(self) -> list[str]:
        rows = self.db.execute(
            "SELECT desk FROM entries UNION SELECT desk FROM snapshots ORDER BY 1"
        ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self.rollback()
        self.db.close()


_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
