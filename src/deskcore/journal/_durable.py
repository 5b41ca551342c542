"""A desk whose every event is journaled before its actions are returned."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import attrs

from .._actions import AnyAction
from .._codec import action_from_json, action_to_json, event_to_json
from .._desk import Desk
from .._document import dump_settings
from .._events import AnyEvent, Tick
from .._policy import AgentView, ConversationState, ConversationView, Decision
from .._settings import DeskSettings
from .._snapshot import FORMAT
from .._time import to_us
from .._views import Explanation, QueueView
from ._store import Durability, JournalError, Store, replay_entry, restore_snapshot

__all__ = ["DurableDesk", "JournalSettings"]


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
    """

    snapshot_every: int | None = 10_000
    snapshot_after: timedelta | None = timedelta(minutes=5)
    keep_snapshots: int | None = None
    durability: Durability = "process"

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
    batch); an event that is an error raises and is not journaled, and a ``tick`` with
    nothing due is not journaled either. On open the desk recovers from its latest
    snapshot and the entries after it to exactly the state it had: opening sends no
    ``resumed`` (the host, or :class:`deskcore.aio.Runner`, decides).

    Entries are numbered from 1; :attr:`seq` is the latest. Each entry's actions have
    the ids ``(seq, index)``; :meth:`actions_since` gives them again, for a host that
    crashed between the commit and delivering them (at least once: drop what was done).
    """

    def __init__(self, store: Store, desk: Desk, seq: int, journal: JournalSettings) -> None:
        self._store = store
        self._desk = desk
        self._seq = seq
        self._journal = journal
        self._batch = 0
        self._since_snapshot = 0
        self._snapshot_now: int | None = None
        self._broken: BaseException | None = None  # a write failed after the desk moved on
        self.recovered = 0
        """How many entries were replayed on open (after the latest snapshot)."""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str,
        settings: DeskSettings | None = None,
        *,
        name: str = "desk",
        journal: JournalSettings | None = None,
        explain: bool = False,
    ) -> DurableDesk:
        """Open (or create) the desk ``name`` in the journal at ``url``
        (``sqlite:///relative/path``, ``sqlite:////absolute/path``).

        A new journal starts with ``settings`` (``DeskSettings()`` if ``None``), journaled
        as its first entry. An existing one recovers under the settings it journaled;
        ``settings`` that differ from those are then applied with
        :meth:`update_settings` (journaled too).
        """
        policy = journal if journal is not None else JournalSettings()
        store = Store(url, name, policy.durability)
        try:
            desk, seq, replayed = _recover(store, explain)
        except BaseException:
            store.close()
            raise
        durable = cls(
            store, desk if desk is not None else Desk(settings, explain=explain), seq, policy
        )
        durable.recovered = replayed
        recovered_now = None if desk is None else desk.now
        durable._snapshot_now = None if recovered_now is None else to_us(recovered_now)
        if desk is None:
            durable._append("settings", None, dump_settings(durable._desk.settings), [])
            durable._store.commit()
        elif settings is not None and settings != desk.settings:
            durable.update_settings(settings)
        return durable

    # -- events ----------------------------------------------------------------------------

    def handle(self, event: AnyEvent) -> list[AnyAction]:
        """Handle and journal one event; the actions, once committed (E1 errors raise
        and change nothing; a ``tick`` with nothing due returns ``[]`` unjournaled)."""
        if self._broken is not None:
            raise JournalError(
                f"the journal failed to write ({self._broken}); reopen it to recover"
            ) from self._broken
        desk = self._desk
        if isinstance(event, Tick):
            due = desk.next_deadline()
            now = desk.now
            if (due is None or due > event.at) and (now is None or event.at >= now):
                return []  # nothing due: no state changes, nothing to journal
        actions = desk.handle(event)
        try:
            self._append("event", to_us(event.at), event_to_json(event), actions)
            if not self._batch:
                self._store.commit()
        except BaseException as exc:  # the desk has moved on: only a reopen is exact
            self._broken = exc
            self._store.rollback()
            raise
        self._maybe_snapshot()
        return actions

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: the events handled inside are committed together at the end, so
        their actions count as acknowledged only then. Nested batches join the outer."""
        self._batch += 1
        try:
            yield
        finally:
            self._batch -= 1
            if not self._batch:
                self._store.commit()
                self._maybe_snapshot()

    def commit(self) -> None:
        """Commit what this batch has journaled so far."""
        self._store.commit()

    def update_settings(self, settings: DeskSettings) -> None:
        """As :meth:`Desk.update_settings <deskcore.Desk.update_settings>`, journaled."""
        self._desk.update_settings(settings)
        self._append("settings", None, dump_settings(settings), [])
        if not self._batch:
            self._store.commit()

    def _append(self, kind: str, at: int | None, body: Any, actions: list[AnyAction]) -> None:
        self._seq += 1
        self._since_snapshot += 1
        self._store.append(self._seq, kind, at, body, [action_to_json(a) for a in actions])

    # -- snapshots -------------------------------------------------------------------------

    def _maybe_snapshot(self) -> None:
        if self._batch or self._desk.pending_settings is not None:
            return
        policy = self._journal
        by_count = (
            policy.snapshot_every is not None and self._since_snapshot >= policy.snapshot_every
        )
        by_time = False
        now = self._desk.now
        if policy.snapshot_after is not None and now is not None and self._since_snapshot:
            last = self._snapshot_now
            if last is None:  # a new desk: its time starts now
                self._snapshot_now = last = to_us(now)
            by_time = to_us(now) - last >= policy.snapshot_after // timedelta(microseconds=1)
        if by_count or by_time:
            self.take_snapshot()

    def take_snapshot(self) -> None:
        """Store a snapshot of the desk now (after entry :attr:`seq`), then compact when
        the journal keeps a number of snapshots."""
        if self._desk.pending_settings is not None:
            raise JournalError("no snapshot while a settings update waits for the next event")
        state = self._desk.snapshot()
        self._store.put_snapshot(self._seq, FORMAT, dump_settings(self._desk.settings), state)
        if self._journal.keep_snapshots is not None:
            self._store.compact(self._journal.keep_snapshots)
        self._store.commit()
        self._since_snapshot = 0
        self._snapshot_now = state["now"]

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

    def actions_since(self, seq: int) -> list[tuple[int, list[AnyAction]]]:
        """``(seq, actions)`` for every committed entry after ``seq``, in order."""
        return [
            (entry.seq, [action_from_json(item) for item in json.loads(entry.actions)])
            for entry in self._store.entries(seq)
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
        """Commit what is pending and close the journal."""
        self._store.commit()
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
    sequence number and how many entries were replayed; ``None`` for a new journal."""
    snapshot = store.latest_snapshot()
    desk: Desk | None = None
    seq = 0
    if snapshot is not None:
        desk, seq = restore_snapshot(snapshot, explain=explain), snapshot.seq
    replayed = 0
    for entry in store.entries(seq):
        desk, _ = replay_entry(desk, entry, explain=explain)
        seq = entry.seq
        replayed += 1
    return desk, seq, replayed
