"""A desk whose every event is journaled before its actions are returned."""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import attrs

from .._actions import AnyAction
from .._capture import FORMAT, StateCapture
from .._codec import action_from_json, actions_to_json, event_to_json
from .._desk import Desk
from .._document import dump_settings
from .._errors import DeskcoreError, EventError
from .._events import AnyEvent, Tick, with_at
from .._policy import AgentView, ConversationState, ConversationView, Decision
from .._settings import DeskSettings
from .._time import format_instant, to_us
from .._views import Explanation, QueueView
from ._backends import open_store
from ._store import (
    Durability,
    JournalError,
    Snapshot,
    Store,
    StoredEntry,
    dump_json,
    replay_entry,
    restore_snapshot,
)

__all__ = ["DurableDesk", "JournalSettings"]

log = logging.getLogger("deskcore.journal")

_ATTEMPTS = 20  # readings of a journal that other processes keep compacting meanwhile


@attrs.frozen(kw_only=True)
class JournalSettings:
    """How a journal keeps itself.

    - ``snapshot_every``: take a snapshot after this many entries (``None``: never by
      count); ``snapshot_after``: or once the desk's time has moved this far since the
      last one (``None``: never by time). Time is the events' own, so opening the same
      journal always gives the same snapshots.
    - ``keep_snapshots``: compaction; after each snapshot keep only the newest this many
      and the entries after the oldest of them (``None``, the default: keep everything).
    - ``durability``: ``"process"`` (the default) survives a crash of the process with no
      acknowledged event lost; ``"power"`` also survives a loss of power, at the cost of a
      flush to the disk per commit.
    - ``background``: the desk's state is captured at the snapshot's entry (cheaply, on
      the caller's thread), then converted, encoded and stored by a thread of the
      journal's own, over a connection of its own, so a large desk does not stall its
      host; ``False`` does it all in :meth:`DurableDesk.handle`. (A journal in memory,
      ``sqlite:///:memory:``, always does it inline.) :meth:`DurableDesk.close` waits for
      a snapshot under way.
    """

    snapshot_every: int | None = 10_000
    snapshot_after: timedelta | None = timedelta(minutes=5)
    keep_snapshots: int | None = None
    durability: Durability = "process"
    background: bool = True

    def __attrs_post_init__(self) -> None:
        for name in ("snapshot_every", "keep_snapshots"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {value!r}")
        if self.snapshot_after is not None and self.snapshot_after <= timedelta(0):
            raise ValueError(f"snapshot_after must be positive, got {self.snapshot_after!r}")
        if self.durability not in ("process", "power"):
            raise ValueError(f"durability must be 'process' or 'power', got {self.durability!r}")


class DurableDesk:
    """A :class:`~deskcore.Desk` over a journal: nothing it acknowledged is lost.

    Open one with :meth:`open`. :meth:`handle` appends the event and its actions to the
    journal and commits before it returns them (inside :meth:`batch`, at the end of the
    batch); an event that is an error raises and is not journaled, and a ``tick`` that
    changes nothing (no deadline due, no settings update waiting) is not journaled
    either. On open the desk recovers from its latest
    snapshot and the entries after it to exactly the state it had: opening sends no
    ``resumed`` (the host, or :class:`deskcore.aio.Runner`, decides).

    Several processes may open one desk (on PostgreSQL from any machine; on SQLite from
    one machine). The database puts every entry in one order: before a process applies an
    event it catches up on what the others appended, so every process's desk is the desk
    the journal describes. An event stamped earlier than the desk's last instant by at
    most ``max_skew`` (another process's clock ran ahead) is handled at that instant, and
    the journal keeps its own instant beside it; further back it is an
    :class:`~deskcore.EventError` naming ``at``.

    Entries are numbered from 1; :attr:`seq` is the latest this process knows. Each
    entry's actions have the ids ``(seq, index)``; :meth:`actions_since` gives them again,
    for a host that crashed between the commit and delivering them (at least once: drop
    what was done), and for another process delivering what a crashed one did not.
    """

    def __init__(
        self,
        store: Store,
        desk: Desk,
        seq: int,
        journal: JournalSettings,
        *,
        max_skew: timedelta,
        origin: str,
        explain: bool,
    ) -> None:
        self._store = store
        self._desk = desk
        self._seq = seq
        self._journal = journal
        self._every = journal.snapshot_every
        self._after = (
            None
            if journal.snapshot_after is None
            else journal.snapshot_after // timedelta(microseconds=1)
        )
        self._max_skew = max_skew
        self._origin = origin
        self._explain = explain
        self._batch = 0
        self._own: list[int] = []  # this process's entries not yet committed
        self._snapshot_now: int | None = None
        self._broken: BaseException | None = None  # a write failed after the desk moved on
        self._url = store.url
        self._writer: ThreadPoolExecutor | None = None  # stores snapshots (background)
        self._writer_store: Store | None = None
        self._pending: Future[None] | None = None
        self.snapshot_error: BaseException | None = None
        """The error of the last snapshot that failed to be stored in the background
        (the journal goes on without it: snapshots only shorten recovery)."""
        self.recovered = 0
        """How many entries were replayed on open (after the latest snapshot)."""
        self.appended = 0
        """The number of the entry this process appended last (0 for none): after
        :meth:`handle` returns actions, their ids are ``(appended, index)``."""
        self.caught_up = 0
        """How many entries other processes appended that this one has applied since it
        opened."""
        self.alone = True
        """Whether no other process had the desk open when this one opened it (known on
        PostgreSQL; a SQLite journal is taken to be one process's). The runner sends
        ``resumed`` after downtime only then."""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str,
        settings: DeskSettings | None = None,
        *,
        desk: str = "default",
        journal: JournalSettings | None = None,
        max_skew: timedelta = timedelta(seconds=2),
        origin: str | None = None,
        explain: bool = False,
        create: bool = True,
    ) -> DurableDesk:
        """Open (or create) the desk named ``desk`` in the journal at ``url``
        (``sqlite:///relative/path``, ``sqlite:////absolute/path``, or
        ``postgresql://…`` with the ``postgres`` extra).

        A new desk starts with ``settings`` (``DeskSettings()`` if ``None``), journaled
        as its first entry. An existing one recovers under the settings it journaled;
        ``settings`` that differ from those are then applied with
        :meth:`update_settings` (journaled too). ``max_skew`` bounds how far behind the
        desk's time an event may be stamped (see the class). ``origin`` names this
        process in the entries it appends (default ``host:pid``). With
        ``create=False`` only a desk the journal already holds is opened: a missing file
        or desk is a :class:`JournalError`, and no desk is made (a reader, such as
        a checker, cannot make a desk by mistake).
        """
        if not isinstance(max_skew, timedelta) or max_skew < timedelta(0):
            raise ValueError(f"max_skew must be a timedelta >= 0, got {max_skew!r}")
        policy = journal if journal is not None else JournalSettings()
        store = open_store(url, desk, policy.durability, create=create)
        try:
            recovered, seq, replayed = _recover(store, explain)
            if recovered is None and not create:
                raise JournalError(f"no desk {desk!r} in the journal at {url}")
            durable = cls(
                store,
                recovered if recovered is not None else Desk(settings, explain=explain),
                seq,
                policy,
                max_skew=max_skew,
                origin=origin if origin is not None else f"{socket.gethostname()}:{os.getpid()}",
                explain=explain,
            )
            durable.recovered = replayed
            durable.alone = store.join()
            if recovered is not None and recovered.now is not None:
                durable._snapshot_now = to_us(recovered.now)
            if recovered is None:
                if store.claim(0):  # another process made the desk meanwhile: recover it
                    store.rollback()
                    made, durable._seq, _ = _recover(store, explain)
                    if made is None:
                        raise JournalError(f"desk {desk!r}: entries without its settings")
                    durable._desk = made
                else:
                    durable._append(
                        "settings", None, None, dump_settings(durable._desk.settings), []
                    )
                    durable._commit()
            if settings is not None and settings != durable._desk.settings:
                durable.update_settings(settings)
        except BaseException:
            store.close()
            raise
        return durable

    # -- events ----------------------------------------------------------------------------

    def handle(self, event: AnyEvent) -> list[AnyAction]:
        """Handle and journal one event; the actions, once committed (E1 errors raise
        and change nothing; a ``tick`` that changes nothing returns ``[]`` unjournaled)."""
        self._check()
        store = self._store
        if not store.holds_order and (store.read_ahead or isinstance(event, Tick)):
            self._catch_up(store.entries(self._seq))  # no lock: the order is held less
            if isinstance(event, Tick) and self._nothing_due(event):
                return []  # cheap: no lock, no write
        if not store.holds_order:
            self._catch_up(store.claim(self._seq))
        try:
            handled, original = self._stamp(event)
            if isinstance(handled, Tick) and self._nothing_due(handled):
                if not self._batch:
                    store.rollback()
                return []
            actions = self._desk.handle(handled)
        except DeskcoreError:  # E1: the desk is unchanged; let the order go
            if not self._batch:
                store.rollback()
            raise
        try:
            body = event_to_json(handled)
            instants = {handled.at: body["at"]}  # the actions mostly take effect then
            self._append("event", to_us(handled.at), original, body, actions, instants)
            if not self._batch:
                self._commit()
        except BaseException as exc:  # the desk has moved on: only a reopen is exact
            self._break(exc)
            raise
        return actions

    def refresh(self) -> int:
        """Apply what other processes appended since this one last looked (no lock);
        how many entries that was. A host sharing a desk calls it now and then, so that
        :meth:`next_deadline` knows the deadlines the others set."""
        self._check()
        if self._store.holds_order:
            return 0
        before = self._seq
        self._catch_up(self._store.entries(self._seq))
        return self._seq - before

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: the events handled inside are committed together at the end, so
        their actions count as acknowledged only then. Nested batches join the outer.
        On a shared desk the batch holds the desk's order from its first entry to the
        commit."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if not self._batch:
                try:
                    self._commit()
                except BaseException as exc:
                    self._break(exc)
                    raise

    def commit(self) -> None:
        """Commit what this batch has journaled so far."""
        self._check()
        try:
            self._commit()
        except BaseException as exc:
            self._break(exc)
            raise

    def update_settings(self, settings: DeskSettings) -> None:
        """As :meth:`Desk.update_settings <deskcore.Desk.update_settings>`, journaled."""
        self._check()
        if not self._store.holds_order:
            self._catch_up(self._store.claim(self._seq))
        self._desk.update_settings(settings)
        try:
            self._append("settings", None, None, dump_settings(settings), [])
            if not self._batch:
                self._commit()
        except BaseException as exc:
            self._break(exc)
            raise

    # -- the journal -------------------------------------------------------------------

    def _check(self) -> None:
        if self._broken is not None:
            raise JournalError(
                f"the journal failed ({self._broken}); reopen it to recover"
            ) from self._broken

    def _break(self, exc: BaseException) -> None:
        self._broken = exc
        self._own.clear()
        self._store.rollback()

    def _nothing_due(self, tick: Tick) -> bool:
        """Whether ``tick`` would change nothing: no deadline due by then, and no
        settings update waiting for the next event (a tick puts it in force, and agents
        with room then take waiting users: A5)."""
        if self._desk.pending_settings is not None:
            return False
        due = self._desk.next_deadline()
        now = self._desk.now
        return (due is None or due > tick.at) and (now is None or tick.at >= now)

    def _stamp(self, event: AnyEvent) -> tuple[AnyEvent, int | None]:
        """The event as the desk handles it, and its own instant (µs) when that moved."""
        now = self._desk.now
        if now is None or event.at >= now or event.at.tzinfo is None:
            return event, None
        behind = now - event.at
        if behind > self._max_skew:
            raise EventError(
                f"{event.type}: at {format_instant(event.at)} is {behind.total_seconds():g} s "
                f"before the desk's last instant {format_instant(now)}, more than max_skew "
                f"({self._max_skew.total_seconds():g} s)",
                event_type=event.type,
                field="at",
            )
        return with_at(event, now), to_us(event.at)

    def _catch_up(self, entries: Iterable[StoredEntry]) -> None:
        """Apply entries other processes appended (after a compaction that dropped some
        of them, start again from the newest snapshot)."""
        try:
            for entry in entries:
                if entry.seq <= self._seq:
                    continue
                if entry.seq != self._seq + 1:
                    self._reload()
                    return
                self._desk, _ = replay_entry(self._desk, entry, explain=self._explain)
                self._seq = entry.seq
                self.caught_up += 1
        except BaseException as exc:
            self._break(exc)
            raise

    def _reload(self) -> None:
        desk, seq, _ = _recover(self._store, self._explain)
        if desk is None or seq < self._seq:
            raise JournalError(f"entries after {self._seq} are missing and no snapshot covers them")
        self._desk, self._seq = desk, seq

    def _append(
        self,
        kind: str,
        at: int | None,
        original_at: int | None,
        body: Any,
        actions: list[AnyAction],
        instants: dict[datetime, str] | None = None,
    ) -> None:
        self._seq += 1
        self.appended = self._seq
        self._own.append(self._seq)
        self._store.append(
            StoredEntry(
                self._seq,
                kind,
                at,
                dump_json(body),
                dump_json(actions_to_json(actions, instants)),
                original_at,
                self._origin,
            )
        )

    def _commit(self) -> None:
        own, self._own = self._own, []
        self._store.commit()
        if own:
            self._maybe_snapshot(own)

    # -- snapshots -------------------------------------------------------------------------

    def _maybe_snapshot(self, own: list[int]) -> None:
        """After a commit of this process's entries ``own``: a snapshot when one of them
        is a multiple of ``snapshot_every``, or when the desk's time has moved
        ``snapshot_after`` since the last snapshot this process knows of."""
        every = self._every
        due = every is not None and (
            own[-1] % every == 0 if len(own) == 1 else any(seq % every == 0 for seq in own)
        )
        after = self._after
        if not due and after is not None:
            now = self._now_us()
            if now is not None:
                last = self._snapshot_now
                if last is None:  # a new desk: its time starts now
                    self._snapshot_now = last = now
                due = now - last >= after
        if due and self._desk.pending_settings is None:
            self.take_snapshot()

    def _now_us(self) -> int | None:
        now = self._desk.now
        return None if now is None else to_us(now)

    def take_snapshot(self) -> None:
        """Store a snapshot of the desk now (after entry :attr:`seq`), then compact when
        the journal keeps a number of snapshots. Inside a batch it first commits. With
        ``background`` the state is captured here and stored by the journal's thread."""
        self._check()
        if self._desk.pending_settings is not None:
            raise JournalError("no snapshot while a settings update waits for the next event")
        self.commit()
        collecting = gc.isenabled()
        gc.disable()  # the capture makes a tuple per record, and keeps them: no GC pass
        try:
            capture = self._desk.capture()
        finally:
            if collecting:
                gc.enable()
        seq, settings = self._seq, self._desk.settings
        self._snapshot_now = capture.now
        if self._journal.background and self._url != "sqlite:///:memory:":
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="deskcore-snapshot")
            self._pending = self._writer.submit(self._store_snapshot, capture, seq, settings)
            return
        try:
            self._store_snapshot(capture, seq, settings, inline=True)
        except BaseException as exc:
            self._break(exc)
            raise

    def _store_snapshot(
        self, capture: StateCapture, seq: int, settings: DeskSettings, *, inline: bool = False
    ) -> None:
        snapshot = Snapshot(
            seq, FORMAT, dump_json(dump_settings(settings)), capture.encode(dump_json)
        )
        store = self._store
        try:
            if not inline:
                if self._writer_store is None:
                    self._writer_store = open_store(
                        self._url, self._store.desk, self._journal.durability
                    )
                store = self._writer_store
            store.put_snapshot(snapshot)
            if self._journal.keep_snapshots is not None:
                store.compact(self._journal.keep_snapshots)
        except BaseException as exc:
            if inline:
                raise
            self.snapshot_error = exc
            log.warning("storing snapshot %d failed: %s", seq, exc)

    def wait_for_snapshot(self) -> None:
        """Wait until a snapshot being stored in the background is stored."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    # -- reading -------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """The number of the latest entry (0 for none)."""
        return self._seq

    @property
    def commits(self) -> int:
        """How many commits this desk has made since it was opened (group commit makes
        fewer than events)."""
        return self._store.commits

    @property
    def desk(self) -> Desk:
        """The desk in memory (read it; events go through :meth:`handle`)."""
        return self._desk

    @property
    def origin(self) -> str:
        """The name this process gives the entries it appends."""
        return self._origin

    @property
    def max_skew(self) -> timedelta:
        """How far behind the desk's time an event may be stamped."""
        return self._max_skew

    def actions_since(
        self, seq: int, *, origin: str | None = None
    ) -> list[tuple[int, list[AnyAction]]]:
        """``(seq, actions)`` for every committed entry after ``seq``, in order (with
        ``origin``, only the entries that process appended)."""
        return [
            (entry.seq, [action_from_json(item) for item in json.loads(entry.actions)])
            for entry in self._store.entries(seq)
            if origin is None or entry.origin == origin
        ]

    def next_deadline(self) -> datetime | None:
        """As :meth:`Desk.next_deadline <deskcore.Desk.next_deadline>`."""
        return self._desk.next_deadline()

    @property
    def now(self) -> datetime | None:
        """The instant of the last event (journaled or recovered), or ``None``."""
        return self._desk.now

    @property
    def settings(self) -> DeskSettings:
        """The settings the desk runs with."""
        return self._desk.settings

    def snapshot(self) -> dict[str, Any]:
        """The desk's state, as :meth:`Desk.snapshot <deskcore.Desk.snapshot>`."""
        return self._desk.snapshot()

    def conversation_view(self, conversation: str) -> ConversationView | None:
        """As :meth:`Desk.conversation_view <deskcore.Desk.conversation_view>`."""
        return self._desk.conversation_view(conversation)

    def conversation_state(self, conversation: str) -> ConversationState | None:
        """As :meth:`Desk.conversation_state <deskcore.Desk.conversation_state>`."""
        return self._desk.conversation_state(conversation)

    def conversations(self, state: ConversationState | None = None) -> Iterator[ConversationView]:
        """As :meth:`Desk.conversations <deskcore.Desk.conversations>`."""
        return self._desk.conversations(state)

    def agent_view(self, agent: str) -> AgentView | None:
        """As :meth:`Desk.agent_view <deskcore.Desk.agent_view>`."""
        return self._desk.agent_view(agent)

    def agents(self) -> Iterator[AgentView]:
        """As :meth:`Desk.agents <deskcore.Desk.agents>`."""
        return self._desk.agents()

    def queues(self) -> list[QueueView]:
        """As :meth:`Desk.queues <deskcore.Desk.queues>`."""
        return self._desk.queues()

    def explain(self, conversation: str) -> Explanation | None:
        """As :meth:`Desk.explain <deskcore.Desk.explain>`."""
        return self._desk.explain(conversation)

    def decide(self, conversation: str) -> Decision | None:
        """As :meth:`Desk.decide <deskcore.Desk.decide>`."""
        return self._desk.decide(conversation)

    # -- closing -------------------------------------------------------------------------

    def close(self) -> None:
        """Commit what is pending, wait for a snapshot under way, and close the
        journal."""
        try:
            if self._broken is None:
                self._commit()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
                self._writer = None
            if self._writer_store is not None:
                self._writer_store.close()
                self._writer_store = None
            self._store.close()

    def __enter__(self) -> DurableDesk:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _recover(store: Store, explain: bool) -> tuple[Desk | None, int, int]:
    """The desk of the latest snapshot with the entries after it replayed, its last
    sequence number and how many entries were replayed; ``None`` for a new journal. A
    snapshot that cannot be restored (damaged in storage, say) is passed over, with a
    warning, for the next older one, or for the whole journal when it starts at entry 1:
    recovery is exact from any of them.

    The snapshot and the entries are read one after the other, and another process may
    store a newer snapshot and compact the journal in between: the entries read then
    start past the snapshot's. Recovery never replays across such a gap; it starts
    again from the newer snapshot."""
    for _attempt in range(_ATTEMPTS):
        snapshot = store.latest_snapshot()
        desk: Desk | None = None
        seq = 0
        if snapshot is not None:
            try:
                desk, seq = restore_snapshot(snapshot, explain=explain), snapshot.seq
            except ValueError as exc:  # bad JSON, settings or state: all ValueErrors
                desk, seq = _older(store, snapshot.seq, exc, explain)
        start = seq
        for entry in store.entries(seq):
            if entry.seq != seq + 1:
                break  # compacted meanwhile: start again from the newer snapshot
            try:
                desk, _ = replay_entry(desk, entry, explain=explain)
            except JournalError:
                raise
            except DeskcoreError as exc:
                raise JournalError(f"entry {entry.seq} does not replay: {exc}") from exc
            seq = entry.seq
        else:
            return desk, seq, seq - start
        log.info("the journal was compacted while it was read; reading it again")
    raise JournalError(
        f"the journal kept changing under recovery ({_ATTEMPTS} tries): entries after "
        f"{seq} were compacted away each time"
    )


def _older(store: Store, broken: int, error: ValueError, explain: bool) -> tuple[Desk | None, int]:
    """The newest snapshot older than ``broken`` that restores (or no snapshot, when the
    journal still holds every entry), since snapshot ``broken`` failed with ``error``."""
    log.warning("snapshot %d of the journal cannot be restored: %s", broken, error)
    for older in reversed(store.snapshots()):
        if older.seq >= broken:
            continue
        try:
            desk = restore_snapshot(older, explain=explain)
        except ValueError as exc:
            log.warning("snapshot %d of the journal cannot be restored: %s", older.seq, exc)
            continue
        log.warning("recovering from snapshot %d instead", older.seq)
        return desk, older.seq
    if store.first_seq() == 1:
        log.warning("recovering from the whole journal instead")
        return None, 0
    raise JournalError(
        f"snapshot {broken} cannot be restored ({error}), and neither an older snapshot nor "
        "the whole journal is left to recover from"
    ) from error
