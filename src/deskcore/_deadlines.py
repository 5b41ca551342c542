"""The pending deadlines (T2) and when closed conversations are forgotten (D3).

A conversation keeps its pending deadline of each kind in a slot (``t_offer`` …
``t_remind``), an agent its hand-over deadline in ``t_reassign`` (A6); the deadlines
hold the same tuples. An entry is live while it equals its record's slot (every key holds
the order it was set in, so no two deadlines are equal): a deadline that was stopped or
replaced is left where it is, stale, and dropped when it comes to the front.

Deadlines of one kind are nearly always set in the order they fall due (each is its
event's instant plus the same setting), so each kind has a *lane*, a queue in due order:
a deadline goes to the end of its lane, or into the one heap when it falls due before the
lane's last (a queue prompt, a shorter setting after an update). The next deadline is the
first of the lanes' and the heap's fronts; taking it costs no heap work for most kinds.
The user timeout and its reminder, restarted by every agent message (C1, C4), keep a
single entry each per conversation (``reply_heap``, ``remind_heap``): a later restart
leaves the earlier entry in place, and when that entry comes up it is moved to the new
instant.
"""

from __future__ import annotations

import heapq
from collections import deque

from ._records import (
    KINDS,
    REASSIGN,
    REMIND,
    REPLY,
    SHIFT,
    TIMERS,
    AgentRecord,
    ConvRecord,
    Timer,
    compact_dict,
    timer_key,
)

__all__ = ["NEVER", "NEVER_KEY", "Deadlines"]

NEVER = (1 << 62) - 1  # later than any instant a desk holds (µs): nothing to forget
NEVER_KEY = NEVER << SHIFT  # later than any deadline's key: none is pending

# The slot that holds a restartable kind's single heap entry.
_HEAP_SLOTS = {REPLY: "reply_heap", REMIND: "remind_heap"}


class Deadlines:
    """Every pending deadline of a desk, in the order they fire, and when each closed
    conversation is forgotten."""

    __slots__ = (
        "_forgotten",
        "agents",
        "convs",
        "due_at",
        "forget",
        "forget_at",
        "heap",
        "lanes",
        "late",
        "seq",
        "soonest",
    )

    def __init__(self, convs: dict[str, ConvRecord], agents: dict[str, AgentRecord]) -> None:
        self.convs = convs
        self.agents = agents
        self.lanes: tuple[deque[Timer], ...] = tuple(deque() for _kind in KINDS)
        self.heap: list[Timer] = []  # the deadlines set before the last of their lane
        # The smallest key at the front of a lane or the heap (maybe a stale entry's),
        # and its instant (µs; NEVER for none).
        self.soonest = NEVER_KEY
        self.due_at = NEVER
        self.seq = 0  # the order deadlines were set in (T2 ties)
        # D3: (instant, conversation) to forget. Closings come in time order and, under
        # one retention, so do their instants: those go to the end of ``forget``, in
        # order; one earlier than its end (a card's expiry, a shorter retention) goes
        # into the ``late`` heap. ``forget_at`` is the earliest of both.
        self.forget: deque[tuple[int, str]] = deque()
        self.late: list[tuple[int, str]] = []
        self.forget_at = NEVER
        self._forgotten = 0  # conversations forgotten since the tables were last compacted

    def new(self, target: str, kind: int, due: int) -> Timer:
        """A new deadline of ``kind`` for ``target``, ordered after every earlier one (T2)."""
        self.seq += 1
        return (timer_key(due, self.seq << 3 | kind), target)

    def _push(self, timer: Timer) -> None:
        key = timer[0]
        lane = self.lanes[key & 7]
        if not lane or lane[-1][0] < key:
            lane.append(timer)
        else:
            heapq.heappush(self.heap, timer)
        if key < self.soonest:
            self.soonest = key
            self.due_at = key >> SHIFT

    def set(self, conv: ConvRecord, kind: int, due: int) -> None:
        """Set ``conv``'s deadline of ``kind`` to ``due``, replacing a pending one."""
        timer = self.new(conv.id, kind, due)
        setattr(conv, TIMERS[kind], timer)
        self._push(timer)

    def set_reassign(self, agent: AgentRecord, due: int) -> None:
        """Set ``agent``'s hand-over deadline (A6)."""
        timer = agent.t_reassign = self.new(agent.id, REASSIGN, due)
        self._push(timer)

    def restart(self, conv: ConvRecord, kind: int, due: int | None) -> None:
        """(Re)start ``conv``'s user timeout or reminder (C1, C4) at ``due``, or stop it."""
        timer = None if due is None else self.new(conv.id, kind, due)
        setattr(conv, TIMERS[kind], timer)
        if timer is None:
            return
        slot = _HEAP_SLOTS[kind]
        entry = getattr(conv, slot)
        if entry is None or timer[0] < entry[0]:
            setattr(conv, slot, timer)
            self._push(timer)

    def _live(self, timer: Timer) -> bool:
        kind = timer[0] & 7
        if kind == REASSIGN:
            agent = self.agents.get(timer[1])
            return agent is not None and agent.t_reassign == timer
        conv = self.convs.get(timer[1])
        return conv is not None and getattr(conv, TIMERS[kind]) == timer

    def _dropped(self, timer: Timer) -> None:
        """A stale entry was taken out: a restarted user timeout or reminder whose single
        entry it was moves to its new instant."""
        kind = timer[0] & 7
        slot = _HEAP_SLOTS.get(kind)
        if slot is None:
            return
        conv = self.convs.get(timer[1])
        if conv is not None and getattr(conv, slot) == timer:
            setattr(conv, slot, None)
            current = getattr(conv, TIMERS[kind])
            if current is not None and current[0] >= timer[0]:  # not earlier
                setattr(conv, slot, current)
                self._push(current)

    def clean(self) -> None:
        """Drop stale entries from the fronts until the earliest entry is live."""
        heap, lanes = self.heap, self.lanes
        while self.due_at != NEVER:
            key = self.soonest
            if heap and heap[0][0] == key:
                top = heap[0]
                if self._live(top):
                    return
                heapq.heappop(heap)
            else:
                lane = lanes[key & 7]
                top = lane[0]
                if self._live(top):
                    return
                lane.popleft()
            self._dropped(top)
            self._front()

    def _front(self) -> None:
        """``soonest`` from the fronts."""
        soonest = self.heap[0][0] if self.heap else NEVER_KEY
        for lane in self.lanes:
            if lane and lane[0][0] < soonest:
                soonest = lane[0][0]
        self.soonest = soonest
        self.due_at = soonest >> SHIFT

    def pending(self) -> list[Timer]:
        """Every entry, live or stale, in no particular order."""
        return [timer for lane in self.lanes for timer in lane] + self.heap

    def next_due(self) -> int | None:
        """The instant (µs) of the earliest live deadline, or ``None``."""
        if self.due_at == NEVER:
            return None
        self.clean()
        return None if self.due_at == NEVER else self.due_at

    def pop_due(self, now: int) -> tuple[int, int, ConvRecord | AgentRecord] | None:
        """Take the earliest live deadline due at or before ``now``, emptying its slot:
        ``(due, kind, conversation or agent)``; ``None`` when none is due."""
        if self.due_at > now:  # a later front, even a stale one: none is due
            return None
        self.clean()
        if self.due_at > now:
            return None
        key = self.soonest
        heap = self.heap
        if heap and heap[0][0] == key:
            target = heapq.heappop(heap)[1]
        else:
            target = self.lanes[key & 7].popleft()[1]
        self._front()
        kind = key & 7
        if kind == REASSIGN:
            agent = self.agents[target]
            agent.t_reassign = None
            return key >> SHIFT, kind, agent
        conv = self.convs[target]
        setattr(conv, TIMERS[kind], None)
        slot = _HEAP_SLOTS.get(kind)
        if slot is not None:
            setattr(conv, slot, None)
        return key >> SHIFT, kind, conv

    def shift(self, since: int, delta: int) -> None:
        """T4: every pending deadline, card expiry and retention after ``since`` moves
        ``delta`` later, keeping its order (the heaps are rebuilt)."""
        for conv in self.convs.values():
            for name in TIMERS:
                timer = getattr(conv, name)
                if timer is not None:
                    setattr(conv, name, _later(timer, delta))
            if conv.card_until is not None and conv.card_until > since:
                conv.card_until += delta
            if conv.forget is not None and conv.forget > since:
                conv.forget += delta
        for agent in self.agents.values():
            if agent.t_reassign is not None:
                agent.t_reassign = _later(agent.t_reassign, delta)
        self.rebuild()

    def schedule_forget(self, conv: ConvRecord, retention: int) -> None:
        """D3: forget a closed conversation ``retention`` after the later of its closing
        and its rating card's expiry."""
        assert conv.closed is not None
        keep = max(conv.closed, conv.card_until or conv.closed)
        due = conv.forget = keep + retention
        forget = self.forget
        if not forget or forget[-1][0] <= due:
            forget.append((due, conv.id))
        else:
            heapq.heappush(self.late, (due, conv.id))
        if due < self.forget_at:
            self.forget_at = due

    def retained(self) -> int:
        """How many retention entries are pending (some may be stale)."""
        return len(self.forget) + len(self.late)

    def purge(self, now: int) -> None:
        """Forget every conversation whose retention ran out at or before ``now`` (D3)."""
        forget, late, convs = self.forget, self.late, self.convs
        while forget and forget[0][0] <= now:
            due, conv_id = forget.popleft()
            conv = convs.get(conv_id)
            if conv is not None and conv.forget == due:
                del convs[conv_id]
                self._forgotten += 1
        while late and late[0][0] <= now:
            due, conv_id = heapq.heappop(late)
            conv = convs.get(conv_id)
            if conv is not None and conv.forget == due:
                del convs[conv_id]
                self._forgotten += 1
        self._next_forget()
        if self._forgotten > 1024 and self._forgotten > len(convs):
            self._forgotten = 0
            self.compact()

    def _next_forget(self) -> None:
        forget, late = self.forget, self.late
        first = forget[0][0] if forget else NEVER
        self.forget_at = min(first, late[0][0]) if late else first

    def compact(self) -> None:
        """Drop every stale entry of the deadlines, and give the tables of forgotten
        conversations their memory back; amortised over the conversations forgotten."""
        convs = self.convs
        live = []
        for timer in self.pending():
            kind = timer[0] & 7
            if self._live(timer):
                live.append(timer)
            elif kind in _HEAP_SLOTS:
                conv = convs.get(timer[1])
                if conv is not None and getattr(conv, _HEAP_SLOTS[kind]) == timer:
                    live.append(timer)  # moved to the restarted instant when it comes up
        self._refill(live)
        compact_dict(convs)

    def _refill(self, timers: list[Timer]) -> None:
        """The lanes and the heap hold ``timers`` and nothing else."""
        for lane in self.lanes:
            lane.clear()
        self.heap = []
        self.soonest, self.due_at = NEVER_KEY, NEVER
        for timer in sorted(timers):  # in order, each goes to the end of its lane
            self._push(timer)

    def rebuild(self) -> None:
        """The deadlines and the retention entries from the records' slots (after a
        restore or a shift)."""
        heap: list[Timer] = []
        forget: list[tuple[int, str]] = []
        for conv in self.convs.values():
            for name in TIMERS:
                timer = getattr(conv, name)
                if timer is not None:
                    heap.append(timer)
            conv.reply_heap, conv.remind_heap = conv.t_reply, conv.t_remind
            if conv.forget is not None:
                forget.append((conv.forget, conv.id))
        heap.extend(a.t_reassign for a in self.agents.values() if a.t_reassign is not None)
        self._refill(heap)
        forget.sort()
        self.forget, self.late = deque(forget), []
        self._next_forget()


def _later(timer: Timer, delta: int) -> Timer:
    """The same deadline ``delta`` µs later, keeping its order and kind."""
    return (timer[0] + (delta << SHIFT), timer[1])
