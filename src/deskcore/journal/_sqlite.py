"""The SQLite backend of a journal (the standard library's ``sqlite3``, in WAL mode).

One database file may hold several desks, each under its name, in the tables
``entries(desk, seq, kind, at, body, actions, original_at, origin)`` and
``snapshots(desk, seq, format, settings, state)``. Several processes on one machine may
share a file: a write transaction (``BEGIN IMMEDIATE``) holds the whole database, which
is the desk's order. With durability ``"process"`` a commit survives a crash of the
process (``synchronous=NORMAL``); with ``"power"`` it also survives a loss of power
(``synchronous=FULL``: the log is flushed to the disk at every commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ._store import ENTRY_COLUMNS, Durability, JournalError, Snapshot, Store, StoredEntry

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "path_of"]

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    desk TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'settings')),
    at INTEGER,
    body TEXT NOT NULL,
    actions TEXT NOT NULL,
    original_at INTEGER,
    origin TEXT NOT NULL DEFAULT '',
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

# Version 1 had neither the handled instant's original nor the origin.
_FROM_V1 = (
    "ALTER TABLE entries ADD COLUMN original_at INTEGER",
    "ALTER TABLE entries ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
)

_COLUMNS = "seq, kind, at, body, actions, original_at, origin"


def path_of(url: str) -> str:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL
    (``sqlite:///:memory:`` for a database in memory)."""
    prefix = "sqlite:///"
    if not isinstance(url, str) or not url.startswith(prefix):
        raise JournalError(
            "a journal URL is 'sqlite:///relative/path', 'sqlite:////absolute/path' or "
            f"'postgresql://…', got {url!r}"
        )
    path = url[len(prefix) :]
    if not path:
        raise JournalError(f"the journal URL names no file: {url!r}")
    return path


class SQLiteStore(Store):
    """The tables of one desk in one SQLite database, over one connection."""

    def __init__(self, url: str, desk: str, durability: Durability, *, create: bool = True) -> None:
        path = path_of(url)
        if path != ":memory:":
            if not create and not Path(path).is_file():
                raise JournalError(f"no journal at {url} (no file {path})")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=60
            )
            self.db.execute("PRAGMA journal_mode=WAL")
            level = "NORMAL" if durability == "process" else "FULL"
            self.db.execute(f"PRAGMA synchronous={level}")
            self.db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                self.db.execute("ROLLBACK")
                raise JournalError(f"{path}: journal schema {row[0]} is newer than this deskcore's")
            elif int(row[0]) == 1:
                for statement in _FROM_V1:
                    self.db.execute(statement)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", ("2",))
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{path}: not a deskcore journal: {exc}") from None
        self.desk = desk
        self.url = url
        self.commits = 0
        self._open = False
        self._version: int | None = None  # PRAGMA data_version at the last claim
        self._rows: list[tuple[object, ...]] = []  # not yet inserted

    # -- writing -------------------------------------------------------------------------

    @property
    def holds_order(self) -> bool:
        return self._open

    def claim(self, after: int) -> list[StoredEntry]:
        if self._open:
            return []
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self._open = True
            # data_version changes when another connection committed: only then can
            # there be entries this one has not seen
            version = self.db.execute("PRAGMA data_version").fetchone()[0]
            if version == self._version:
                return []
            self._version = version
            return list(self.entries(after))
        except sqlite3.Error as exc:
            self.rollback()
            raise JournalError(f"the journal cannot be read: {exc}") from exc

    def append(self, entry: StoredEntry) -> None:
        # the row goes in with the others at the commit (one executemany)
        self._rows.append(entry.row(self.desk))

    def _flush(self) -> None:
        if self._rows:
            self.db.executemany(
                f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self._rows
            )
            self._rows.clear()

    def commit(self) -> None:
        if self._open:
            self._flush()
            self.db.execute("COMMIT")
            self._open = False
            self.commits += 1

    def rollback(self) -> None:
        self._rows.clear()
        if self._open:
            self.db.execute("ROLLBACK")
            self._open = False

    def put_snapshot(self, snapshot: Snapshot) -> None:
        self.commit()
        self.db.execute(
            "INSERT OR IGNORE INTO snapshots VALUES (?, ?, ?, ?, ?)",
            (self.desk, snapshot.seq, snapshot.format, snapshot.settings, snapshot.state),
        )

    def compact(self, keep: int) -> None:
        rows = self.db.execute(
            "SELECT seq FROM snapshots WHERE desk = ? ORDER BY seq DESC LIMIT ?",
            (self.desk, keep),
        ).fetchall()
        if len(rows) < keep:
            return
        oldest = rows[-1][0]
        self.commit()
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("DELETE FROM snapshots WHERE desk = ? AND seq < ?", (self.desk, oldest))
        # The newest entry stays, so that a process that missed what was dropped sees a
        # gap after its own last entry, and reloads from the snapshot.
        self.db.execute(
            "DELETE FROM entries WHERE desk = ? AND seq <= ? AND seq < "
            "(SELECT MAX(seq) FROM entries WHERE desk = ?)",
            (self.desk, oldest, self.desk),
        )
        self.db.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------

    def entries(self, after: int = 0) -> Iterator[StoredEntry]:
        cursor = self.db.execute(
            f"SELECT {_COLUMNS} FROM entries WHERE desk = ? AND seq > ? ORDER BY seq",
            (self.desk, after),
        )
        for row in cursor:
            yield StoredEntry(*row)

    def last_seq(self) -> int:
        row = self.db.execute(
            "SELECT MAX(seq) FROM entries WHERE desk = ?", (self.desk,)
        ).fetchone()
        snap = self.db.execute(
            "SELECT MAX(seq) FROM snapshots WHERE desk = ?", (self.desk,)
        ).fetchone()
        return max(row[0] or 0, snap[0] or 0)

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
