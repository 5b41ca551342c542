"""The queues of waiting conversations, one per scope (Q1), and whose positions moved (Q3).

Each queue is a sorted list of :data:`~deskcore._records.QueueEntry` (request instant,
arrival order, id), which gives both the order and each position by rank. A queue that
empties is dropped. Queues note, per step, from which rank on positions moved and who
entered, so that the engine tells users their positions after the step in full (Q3).

With a positive ``update_interval`` a move may have to tell everyone behind it, or give
them a prompt deadline. Each queue then also keeps an *attention* set: its entries
without a pending prompt deadline, in queue order. A move looks only at those behind it,
so its cost follows what it sends or sets, not the length of the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ._members import NEW, WAITING
from ._records import (
    ALL,
    AgentRecord,
    ConvRecord,
    QueueEntry,
    ScopeKey,
    compact_dict,
    due_of,
    group_key,
)
from ._sorted import SortedEntries

__all__ = ["Queues"]

Queue = SortedEntries


class Queues:
    """Every queue of a desk, and the moves of the current step."""

    queue_type: Callable[[], Queue] = SortedEntries
    """The sorted container of one queue; a reference implementation may swap it."""

    def __init__(self, convs: dict[str, ConvRecord], interval: int | None) -> None:
        self.convs = convs
        self.interval = interval  # queue.update_interval in µs, None for "never" (Q3)
        self.by_scope: dict[ScopeKey, Queue] = {}
        self.agent_lists: dict[str, set[ScopeKey]] = {}  # agent -> its agent-list queues
        # With a positive interval, per queue the entries without a pending prompt deadline.
        self.attention: dict[ScopeKey, SortedEntries] | None = None
        # False keeps no attention sets: every move looks at everyone behind it (Q3 read
        # directly), the reference the tests hold the index to.
        self.indexed = True
        # This step: from which rank on each queue's positions moved, and who entered.
        self.moved: dict[ScopeKey, int] = {}
        self.entered: set[str] = set()
        self._dropped = 0  # queues dropped since the tables were last compacted
        self.rebuild_attention()  # with a positive interval, an empty index from the start

    def __bool__(self) -> bool:
        """Whether anybody waits anywhere."""
        return bool(self.by_scope)

    def add(self, conv: ConvRecord, key: ScopeKey) -> None:
        """Q1, Q2: ``conv`` waits in the queue of ``key``, at the place of its request."""
        queue = self.by_scope.get(key)
        if queue is None:
            queue = self.by_scope[key] = self.queue_type()
            for member in key[1:] if key[0] == "a" else ():
                self.agent_lists.setdefault(member, set()).add(key)
        entry = conv.request
        assert entry is not None
        queue.add(entry)
        conv.state = WAITING
        rank = queue.bisect_left(entry)
        self.moved[key] = min(self.moved.get(key, rank), rank)
        self.entered.add(conv.id)
        if self.attention is not None:
            self.attend(key, entry)

    def remove(self, conv: ConvRecord) -> None:
        """Q6: take a waiting conversation out of its queue; those behind move up."""
        key, entry = conv.scope, conv.request
        assert key is not None and entry is not None
        queue = self.by_scope[key]
        rank = queue.bisect_left(entry)
        del queue[rank]
        if self.attention is not None:
            attention = self.attention.get(key)
            if attention is not None:
                attention.discard(entry)
                if not attention:
                    del self.attention[key]
        conv.state = NEW
        conv.t_prompt = None
        conv.queue_pos = conv.queue_at = None
        self.entered.discard(conv.id)
        if queue:
            self.moved[key] = min(self.moved.get(key, rank), rank)
        else:
            del self.by_scope[key]
            self.moved.pop(key, None)
            for member in key[1:] if key[0] == "a" else ():
                lists = self.agent_lists[member]
                lists.discard(key)
                if not lists:
                    del self.agent_lists[member]
            self._dropped += 1
            if self._dropped > 1024 and self._dropped > len(self.by_scope):
                self._dropped = 0
                compact_dict(self.by_scope)
                compact_dict(self.agent_lists)

    def length(self, key: ScopeKey) -> int:
        """How many wait in the queue of ``key``."""
        queue = self.by_scope.get(key)
        return 0 if queue is None else len(queue)

    def position(self, conv: ConvRecord) -> int | None:
        """The position of a waiting conversation (1 = next), else ``None``."""
        if conv.state is not WAITING or conv.scope is None:
            return None
        assert conv.request is not None
        return self.by_scope[conv.scope].index(conv.request) + 1

    def of_agent(self, agent: AgentRecord) -> Iterator[ScopeKey]:
        """The queues whose users the agent may serve: everyone's, its groups', its lists'."""
        by_scope = self.by_scope
        if not by_scope:
            return
        if ALL in by_scope:
            yield ALL
        for group in sorted(agent.groups):
            if group_key(group) in by_scope:
                yield group_key(group)
        yield from sorted(self.agent_lists.get(agent.id, ()))

    def first_for(self, agent: AgentRecord) -> QueueEntry | None:
        """A5: the first waiting conversation the agent may take (across its queues, the
        one first by Q1's order), skipping those it declined (S4)."""
        best: QueueEntry | None = None
        convs, by_scope = self.convs, self.by_scope
        for key in self.of_agent(agent):
            for entry in by_scope[key]:
                if agent.id in convs[entry[3]].declined:
                    continue
                if best is None or entry < best:
                    best = entry
                break
        return best

    # -- telling positions (Q3) ----------------------------------------------------------

    def take_moves(self) -> tuple[dict[ScopeKey, int], set[str]]:
        """The step's moves and entries, leaving none noted."""
        moved, self.moved = self.moved, {}
        entered, self.entered = self.entered, set()
        return moved, entered

    def behind(
        self, key: ScopeKey, start: int, entered: set[str]
    ) -> Iterable[tuple[int, QueueEntry]]:
        """The (rank, entry) pairs of ``key``'s queue whose position may need telling after
        a move at rank ``start``: with ``"never"``, only those who entered; with a positive
        interval, those without a pending prompt deadline; else everyone from ``start``."""
        queue = self.by_scope[key]  # remove() drops a queue it empties, and its move
        if self.interval is None:
            if not entered:
                return ()
            waiting = (self.convs[conv_id] for conv_id in entered)
            ranks = sorted(queue.index(entry) for entry in self._entries_in(waiting, key))
            return [(rank, queue[rank]) for rank in ranks]
        if self.interval and self.attention is not None:
            attention = self.attention.get(key)
            if attention is None or start >= len(queue):
                return ()
            return [(queue.bisect_left(entry), entry) for entry in attention.irange(queue[start])]
        return enumerate(queue.islice(start), start)

    @staticmethod
    def _entries_in(convs: Iterable[ConvRecord], key: ScopeKey) -> Iterator[QueueEntry]:
        """The queue entries of those of ``convs`` that wait in ``key``'s queue."""
        for conv in convs:
            if conv.state is WAITING and conv.scope == key:
                assert conv.request is not None
                yield conv.request

    def attend(self, key: ScopeKey, entry: QueueEntry) -> None:
        """Put ``entry`` in its queue's attention set (no prompt deadline pending)."""
        attention = self.attention
        assert attention is not None
        entries = attention.get(key)
        if entries is None:
            entries = attention[key] = SortedEntries()
        if not entries.holds(entry):
            entries.add(entry)

    def unattend(self, key: ScopeKey, entry: QueueEntry) -> None:
        """Take ``entry`` out of its queue's attention set (a prompt deadline will tell)."""
        if self.attention is not None:
            self.attention[key].discard(entry)

    def rebuild_attention(self) -> None:
        """The attention sets from scratch (settings or state replaced): every waiting
        entry but those whose prompt deadline is pending and not later than the interval
        now allows (a shorter interval may make a user due before their deadline)."""
        step = self.interval
        if not step or not self.indexed:
            self.attention = None
            return
        self.attention = {}
        for key, queue in self.by_scope.items():
            for entry in queue:
                conv = self.convs[entry[3]]
                timer, told = conv.t_prompt, conv.queue_at
                if timer is None or told is None or due_of(timer) > told + step:
                    self.attend(key, entry)

    def rebuild(self) -> None:
        """Every queue from the waiting conversations (after a restore)."""
        self.by_scope = {}
        self.agent_lists = {}
        self.attention = None
        for conv in self.convs.values():
            if conv.state is WAITING:
                assert conv.scope is not None
                self.add(conv, conv.scope)
        self.moved.clear()
        self.entered.clear()
        self.rebuild_attention()
