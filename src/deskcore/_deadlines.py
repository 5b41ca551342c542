"""The deadline heap (T2) and the retention heap (D3).

A conversation keeps its pending deadline of each kind in a slot (``t_offer`` …
``t_webhook``); the heap holds the same tuples. An entry is live while it *is* the
conversation's slot: a deadline that was stopped or replaced is left in the heap, stale,
and dropped when it comes to the top. The user timeout, restarted by every agent message
(C1), keeps a single entry per conversation (``reply_heap``): a later restart leaves the
earlier entry in place, and when that entry comes up it is moved to the new instant.
"""

from __future__ import annotations

import heapq

from ._records import REPLY, SHIFT, TIMERS, ConvRecord, Timer, compact_dict, timer_key

__all__ = ["Deadlines"]


class Deadlines:
    """Every pending deadline of a desk, in the order they fire, and when each closed
    conversation is forgotten."""

    __slots__ = ("_forgotten", "convs", "forget", "heap", "seq")

    def __init__(self, convs: dict[str, ConvRecord]) -> None:
        self.convs = convs
        self.heap: list[Timer] = []
        self.seq = 0  # the order deadlines were set in (T2 ties)
        self.forget: list[tuple[int, str]] = []  # (instant, conversation) (D3)
        self._forgotten = 0  # conversations forgotten since the tables were last compacted

    def new(self, conv: ConvRecord, kind: int, due: int) -> Timer:
        """A new deadline of ``kind`` for ``conv``, ordered after every earlier one (T2)."""
        self.seq += 1
        return (timer_key(due, self.seq << 3 | kind), conv.id)

    def set(self, conv: ConvRecord, kind: int, due: int) -> None:
        """Set ``conv``'s deadline of ``kind`` to ``due``, replacing a pending one."""
        timer = self.new(conv, kind, due)
        setattr(conv, TIMERS[kind], timer)
        heapq.heappush(self.heap, timer)

    def restart_reply(self, conv: ConvRecord, due: int | None) -> None:
        """(Re)start the user timeout (C1) at ``due``, or stop it (``None``)."""
        timer = None if due is None else self.new(conv, REPLY, due)
        conv.t_reply = timer
        if timer is not None and (conv.reply_heap is None or timer[0] < conv.reply_heap[0]):
            conv.reply_heap = timer
            heapq.heappush(self.heap, timer)

    def clean(self) -> None:
        """Drop stale entries from the top of the heap, moving a restarted user timeout."""
        heap, convs = self.heap, self.convs
        while heap:
            top = heap[0]
            conv = convs.get(top[1])
            if conv is not None and getattr(conv, TIMERS[top[0] & 7]) is top:
                return
            heapq.heappop(heap)
            if conv is not None and conv.reply_heap is top:
                conv.reply_heap = None
                current = conv.t_reply
                if current is not None and current[0] >= top[0]:  # not earlier
                    conv.reply_heap = current
                    heapq.heappush(heap, current)

    def next_due(self) -> int | None:
        """The instant (µs) of the earliest live deadline, or ``None``."""
        self.clean()
        return self.heap[0][0] >> SHIFT if self.heap else None

    def pop_due(self, now: int) -> tuple[int, int, ConvRecord] | None:
        """Take the earliest live deadline due at or before ``now``, emptying its slot:
        ``(due, kind, conversation)``; ``None`` when none is due."""
        heap = self.heap
        after = (now + 1) << SHIFT  # keys below this are due at or before now
        if not heap or heap[0][0] >= after:  # a later top, even a stale one: none is due
            return None
        self.clean()
        if not heap or heap[0][0] >= after:
            return None
        key, conv_id = heapq.heappop(heap)
        kind = key & 7
        conv = self.convs[conv_id]
        setattr(conv, TIMERS[kind], None)
        if kind == REPLY:
            conv.reply_heap = None
        return key >> SHIFT, kind, conv

    def schedule_forget(self, conv: ConvRecord, retention: int) -> None:
        """D3: forget a closed conversation ``retention`` after the later of its closing
        and its rating card's expiry."""
        assert conv.closed is not None
        keep = max(conv.closed, conv.card_until or conv.closed)
        conv.forget = keep + retention
        heapq.heappush(self.forget, (conv.forget, conv.id))

    def purge(self, now: int) -> None:
        """Forget every conversation whose retention ran out at or before ``now`` (D3)."""
        forget, convs = self.forget, self.convs
        while forget and forget[0][0] <= now:
            due, conv_id = heapq.heappop(forget)
            conv = convs.get(conv_id)
            if conv is not None and conv.forget == due:
                del convs[conv_id]
                self._forgotten += 1
        if self._forgotten > 1024 and self._forgotten > len(convs):
            self._forgotten = 0
            self.compact()

    def compact(self) -> None:
        """Drop every stale entry of the deadline heap, and give the tables of forgotten
        conversations their memory back; amortised over the conversations forgotten."""
        convs = self.convs
        live = []
        for timer in self.heap:
            conv = convs.get(timer[1])
            if conv is not None and (
                getattr(conv, TIMERS[timer[0] & 7]) is timer or conv.reply_heap is timer
            ):
                live.append(timer)
        self.heap[:] = live
        heapq.heapify(self.heap)
        compact_dict(convs)

    def rebuild(self) -> None:
        """Both heaps from the conversations' slots (after a restore)."""
        self.heap = []
        self.forget = []
        for conv in self.convs.values():
            for name in TIMERS:
                timer = getattr(conv, name)
                if timer is not None:
                    self.heap.append(timer)
            conv.reply_heap = conv.t_reply
            if conv.forget is not None:
                self.forget.append((conv.forget, conv.id))
        heapq.heapify(self.heap)
        heapq.heapify(self.forget)
