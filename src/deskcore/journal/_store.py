"""What a journal stores, whatever the database: entries, their actions, snapshots.

A journal holds desks by name. Each desk has:

- entries ``(seq, kind, at, original_at, origin, body, actions)``: ``kind`` is ``event``
  (``body`` the event's JSON as the desk handled it, ``actions`` the JSON list of what it
  gave) or ``settings`` (``body`` a settings document: the desk's first settings, or one
  given to ``update_settings``); ``seq`` counts from 1 per desk; ``at`` is the instant the
  desk handled the event (µs), ``original_at`` the event's own instant when a skewed clock
  put it earlier (else null); ``origin`` names the process that appended it;
- snapshots ``(seq, format, settings, state)``: the desk's state after entry ``seq``
  (``Desk.snapshot()``), the settings it was taken under and the snapshot format.

:class:`Store` is what the durable desk needs of a database; :func:`open_store` picks the
backend from the URL (``sqlite:///…`` or ``postgresql://…``), in ``_backends``.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Literal, NamedTuple, TypeAlias

import attrs

from .._actions import AnyAction
from .._codec import event_from_json
from .._desk import Desk
from .._document import load_settings
from .._errors import DeskcoreError
from .._jsonable import compact_json

__all__ = [
    "ENTRY_COLUMNS",
    "Durability",
    "JournalError",
    "Snapshot",
    "Store",
    "StoredEntry",
    "dump_json",
    "replay_entry",
    "restore_snapshot",
]

Durability: TypeAlias = Literal["process", "power"]


class JournalError(DeskcoreError, ValueError):
    """A journal cannot be opened or read: a bad URL, another program's database, a
    schema of a later version, a lost connection, or entries that do not replay."""


class StoredEntry(NamedTuple):
    """One entry, its JSON still text (a named tuple: one is made for every event
    journaled and every entry read, and a tuple is the cheapest to make)."""

    seq: int
    kind: str
    at: int | None
    body: str
    actions: str
    original_at: int | None = None
    origin: str = ""

    def row(self, desk: str) -> tuple[object, ...]:
        """The entry as a row of desk ``desk``, in the order of :data:`ENTRY_COLUMNS`."""
        return (
            desk,
            self.seq,
            self.kind,
            self.at,
            self.original_at,
            self.origin,
            self.body,
            self.actions,
        )


ENTRY_COLUMNS = "desk, seq, kind, at, original_at, origin, body, actions"
"""The columns both backends insert an entry's row into, in :meth:`StoredEntry.row`'s
order."""


@attrs.frozen
class Snapshot:
    """One stored snapshot."""

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


class Store(ABC):
    """The entries and snapshots of one desk in one database.

    Writing happens in a transaction that holds the desk's *order*: :meth:`claim` takes
    it (waiting for any other process that holds it) and returns the entries other
    processes committed meanwhile; :meth:`append` adds entries; :meth:`commit` makes them
    durable and lets the order go. Reading (:meth:`entries` and the rest) takes no lock.
    """

    desk: str
    url: str
    commits: int = 0
    read_ahead = False
    """Whether to apply other processes' entries before waiting for the desk's order,
    so that the wait is shorter (for a backend that many processes share)."""

    @property
    @abstractmethod
    def holds_order(self) -> bool:
        """Whether a transaction holding the desk's order is open."""

    @abstractmethod
    def claim(self, after: int) -> list[StoredEntry]:
        """Open a transaction holding the desk's order (if none is open) and return the
        entries after ``after`` (what others appended)."""

    @abstractmethod
    def append(self, entry: StoredEntry) -> None:
        """Add an entry to the open transaction."""

    @abstractmethod
    def commit(self) -> None:
        """Commit the open transaction, if any, durably."""

    @abstractmethod
    def rollback(self) -> None:
        """Drop the open transaction, if any."""

    @abstractmethod
    def put_snapshot(self, snapshot: Snapshot) -> None:
        """Store a snapshot in a transaction of its own (one already stored under the
        same number is kept)."""

    @abstractmethod
    def compact(self, keep: int) -> None:
        """Keep the newest ``keep`` snapshots and the entries after the oldest of them,
        and always the newest entry (a process that missed the dropped entries then sees
        a gap, and reloads from a snapshot)."""

    @abstractmethod
    def entries(self, after: int = 0) -> Iterator[StoredEntry]:
        """The committed entries after ``after``, in order."""

    @abstractmethod
    def first_seq(self) -> int | None:
        """The number of the oldest entry kept, or ``None``."""

    @abstractmethod
    def last_seq(self) -> int:
        """The number of the newest entry (or snapshot), 0 for an empty desk."""

    @abstractmethod
    def snapshots(self) -> list[Snapshot]:
        """The stored snapshots, oldest first."""

    @abstractmethod
    def latest_snapshot(self) -> Snapshot | None:
        """The newest stored snapshot."""

    @abstractmethod
    def desks(self) -> list[str]:
        """The names of the desks in the database."""

    def join(self) -> bool:
        """Register this process as one that has the desk open (until :meth:`close`);
        whether no other process had it open. A SQLite journal is taken to be one
        process's: always ``True``."""
        return True

    @abstractmethod
    def close(self) -> None:
        """Drop any open transaction and close the connection."""


dump_json = compact_json
"""Compact JSON, as the journal stores it."""
