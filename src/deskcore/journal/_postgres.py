"""The PostgreSQL backend of a journal (psycopg 3, the ``postgres`` extra).

Any number of processes, on any number of machines, may open the same desk. Tables (in
the connection's schema, created on first open and versioned in ``deskcore_meta``):

- ``deskcore_desks(name, seq)``: one row per desk, the desks the database holds
  (``seq`` is kept for later use and stays 0: the entries hold the order);
- ``deskcore_entries(desk, seq, kind, at, original_at, origin, body, actions)``;
- ``deskcore_snapshots(desk, seq, format, settings, state)``.

The desk's order is a transaction-level advisory lock on the desk's name (hashed: two
desks whose names hash alike share one lock, which slows them and changes nothing else);
an append holds it only while it appends. The transaction commits without
waiting for the server's disk (``synchronous_commit = off``), which lets the next
process in, and then the appender waits for the server to flush that commit (a small
write under the session's own ``synchronous_commit``) before it acknowledges. So what
the desk acknowledges is as durable as the server's settings make any commit, while
concurrent appenders share the server's flushes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ._store import ENTRY_COLUMNS, JournalError, Snapshot, Store, StoredEntry

__all__ = ["SCHEMA_VERSION", "PostgresStore"]

SCHEMA_VERSION = 1

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS deskcore_meta (key text PRIMARY KEY, value text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS deskcore_desks (name text PRIMARY KEY, seq bigint NOT NULL)",
    """CREATE TABLE IF NOT EXISTS deskcore_entries (
        desk text NOT NULL,
        seq bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('event', 'settings')),
        at bigint,
        original_at bigint,
        origin text NOT NULL,
        body text NOT NULL,
        actions text NOT NULL,
        PRIMARY KEY (desk, seq))""",
    """CREATE TABLE IF NOT EXISTS deskcore_snapshots (
        desk text NOT NULL,
        seq bigint NOT NULL,
        format integer NOT NULL,
        settings text NOT NULL,
        state text NOT NULL,
        PRIMARY KEY (desk, seq))""",
)

_COLUMNS = "seq, kind, at, body, actions, original_at, origin"
_LOCK_SCHEMA = 0x6465736B  # an advisory lock serialising the schema's creation
_LOCK_ORDER = 0x6465736F  # with the desk's name: the desk's order, held for an append
_LOCK_DESK = 0x64657363  # with the desk's name: held (shared) by each process on the desk


class PostgresStore(Store):
    """The rows of one desk in one PostgreSQL database, over one connection."""

    def __init__(self, url: str, desk: str, *, create: bool = True) -> None:
        try:
            import psycopg
        except ImportError:  # pragma: no cover - the extra is installed in the tests
            raise JournalError(
                "a postgresql:// journal needs psycopg 3: pip install 'deskcore[postgres]'"
            ) from None
        self._psycopg = psycopg
        try:
            self.db = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise JournalError(f"cannot connect to {_redact(url)}: {exc}") from None
        self.desk = desk
        self.url = url
        self.commits = 0
        self._open = False
        self._rows: list[tuple[object, ...]] = []
        # binds parameters itself, so that one message may carry several statements
        self._many = psycopg.ClientCursor(self.db)
        try:
            self._prepare(create)
        except BaseException:
            self.db.close()
            raise

    def _prepare(self, create: bool) -> None:
        psycopg = self._psycopg
        try:
            with self.db.transaction():
                self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_SCHEMA,))
                exists = self.db.execute(
                    "SELECT to_regclass('deskcore_meta') IS NOT NULL"
                ).fetchone()
                if not (exists and exists[0]):
                    if not create:
                        raise JournalError("no deskcore journal in this database")
                    for statement in _SCHEMA:
                        self.db.execute(statement)
                    self.db.execute(
                        "INSERT INTO deskcore_meta VALUES ('schema', %s)", (str(SCHEMA_VERSION),)
                    )
                row = self.db.execute(
                    "SELECT value FROM deskcore_meta WHERE key = 'schema'"
                ).fetchone()
                if row is None or int(row[0]) > SCHEMA_VERSION:
                    raise JournalError(
                        f"journal schema {row and row[0]} is not one this deskcore reads"
                    )
                if create:
                    self.db.execute(
                        "INSERT INTO deskcore_desks VALUES (%s, 0) ON CONFLICT DO NOTHING",
                        (self.desk,),
                    )
        except psycopg.Error as exc:
            raise JournalError(f"cannot prepare the journal's tables: {exc}") from None

    def _fail(self, exc: Exception) -> JournalError:
        return JournalError(f"the journal's database failed: {exc}")

    # -- writing -------------------------------------------------------------------------

    @property
    def holds_order(self) -> bool:
        return self._open

    read_ahead = False  # measured: reading ahead of the lock did not shorten the waits

    def claim(self, after: int) -> list[StoredEntry]:
        if self._open:
            return []
        try:
            self._open = True
            # One message, three statements: each statement reads its own snapshot, so
            # the entries are read after the lock is granted.
            cursor = self._many
            cursor.execute(
                "BEGIN; SELECT pg_advisory_xact_lock(%s, hashtext(%s)); "
                f"SELECT {_COLUMNS} FROM deskcore_entries WHERE desk = %s AND seq > %s "
                "ORDER BY seq",
                (_LOCK_ORDER, self.desk, self.desk, after),
            )
            cursor.nextset()  # past BEGIN's result, then the lock's
            cursor.nextset()
            entries = [StoredEntry(*row) for row in cursor.fetchall()]
        except self._psycopg.Error as exc:
            self._reset()
            raise self._fail(exc) from exc
        return entries

    def append(self, entry: StoredEntry) -> None:
        self._rows.append(entry.row(self.desk))

    def commit(self) -> None:
        if not self._open:
            return
        rows, self._rows = self._rows, []
        try:
            if rows:
                # One message: the rows, a commit that does not wait for the disk (the
                # order is free at once), then a small write under the session's own
                # synchronous_commit, which waits for the server to flush that commit.
                values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                self._many.execute(
                    f"INSERT INTO deskcore_entries ({ENTRY_COLUMNS}) VALUES {values}; "
                    "SET LOCAL synchronous_commit = off; COMMIT; SELECT pg_current_xact_id()",
                    [value for row in rows for value in row],
                )
            else:
                self.db.execute("COMMIT")
            self._open = False
        except self._psycopg.Error as exc:
            self._reset()
            raise self._fail(exc) from exc
        self.commits += 1

    def rollback(self) -> None:
        self._rows.clear()
        if self._open:
            self._reset()

    def _reset(self) -> None:
        self._open = False
        self._rows.clear()
        with contextlib.suppress(self._psycopg.Error):
            self.db.execute("ROLLBACK")

    def put_snapshot(self, snapshot: Snapshot) -> None:
        self.commit()
        try:
            self.db.execute(
                "INSERT INTO deskcore_snapshots VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (self.desk, snapshot.seq, snapshot.format, snapshot.settings, snapshot.state),
            )
        except self._psycopg.Error as exc:
            raise self._fail(exc) from exc

    def compact(self, keep: int) -> None:
        self.commit()
        try:
            with self.db.transaction():
                rows = self.db.execute(
                    "SELECT seq FROM deskcore_snapshots WHERE desk = %s ORDER BY seq DESC LIMIT %s",
                    (self.desk, keep),
                ).fetchall()
                if len(rows) < keep:
                    return
                oldest = rows[-1][0]
                self.db.execute(
                    "DELETE FROM deskcore_snapshots WHERE desk = %s AND seq < %s",
                    (self.desk, oldest),
                )
                # The newest entry stays (see the SQLite store's compact).
                self.db.execute(
                    "DELETE FROM deskcore_entries WHERE desk = %s AND seq <= %s AND seq < "
                    "(SELECT MAX(seq) FROM deskcore_entries WHERE desk = %s)",
                    (self.desk, oldest, self.desk),
                )
        except self._psycopg.Error as exc:
            raise self._fail(exc) from exc

    # -- reading -------------------------------------------------------------------------

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, params).fetchall()
        except self._psycopg.Error as exc:
            if not self._open:
                raise self._fail(exc) from exc
            self._reset()
            raise self._fail(exc) from exc

    def entries(self, after: int = 0) -> Iterator[StoredEntry]:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM deskcore_entries WHERE desk = %s AND seq > %s ORDER BY seq",
            (self.desk, after),
        )
        for row in rows:
            yield StoredEntry(*row)

    def last_seq(self) -> int:
        rows = self._query(
            "SELECT (SELECT MAX(seq) FROM deskcore_entries WHERE desk = %s), "
            "(SELECT MAX(seq) FROM deskcore_snapshots WHERE desk = %s)",
            (self.desk, self.desk),
        )
        return max(rows[0][0] or 0, rows[0][1] or 0)

    def first_seq(self) -> int | None:
        rows = self._query("SELECT MIN(seq) FROM deskcore_entries WHERE desk = %s", (self.desk,))
        return None if rows[0][0] is None else int(rows[0][0])

    def snapshots(self) -> list[Snapshot]:
        rows = self._query(
            "SELECT seq, format, settings, state FROM deskcore_snapshots WHERE desk = %s "
            "ORDER BY seq",
            (self.desk,),
        )
        return [Snapshot(*row) for row in rows]

    def latest_snapshot(self) -> Snapshot | None:
        rows = self._query(
            "SELECT seq, format, settings, state FROM deskcore_snapshots WHERE desk = %s "
            "ORDER BY seq DESC LIMIT 1",
            (self.desk,),
        )
        return Snapshot(*rows[0]) if rows else None

    def desks(self) -> list[str]:
        rows = self._query(
            "SELECT DISTINCT desk FROM deskcore_entries UNION "
            "SELECT DISTINCT desk FROM deskcore_snapshots ORDER BY 1",
            (),
        )
        return [row[0] for row in rows]

    def join(self) -> bool:
        # Every process with the desk open holds a shared session lock on its key, which
        # the server drops when the connection ends, however the process ends.
        key = (_LOCK_DESK, self.desk)
        try:
            found = self.db.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", key).fetchone()
            alone = bool(found and found[0])
            self.db.execute("SELECT pg_advisory_lock_shared(%s, hashtext(%s))", key)
            if alone:
                self.db.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", key)
        except self._psycopg.Error as exc:
            raise self._fail(exc) from exc
        return alone

    def close(self) -> None:
        if self._open:
            self._reset()
        self.db.close()


def _redact(url: str) -> str:
    """The URL without its password."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"
