"""A sorted list of queue entries, kept as a list of short sorted lists.

Each queue (Q1) and each queue's attention set (Q3) is one. Entries go in and out in
logarithmic time plus a short memmove: a new entry is placed by a binary search over the
largest entry of each part and then within that part; a part that grows past twice
:data:`LOAD` is split in two, and an emptied part is dropped. A rank (a position in the
whole list) is the sum of the lengths of the parts before, which for the short queues of
most desks is one part.

This is the container the compiled build compiles with the engine (the interpreted one
is about as fast as ``sortedcontainers.SortedList``, whose design it follows in small);
entries are unique, as queue entries are (each holds its conversation's id).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from itertools import chain, islice
from typing import cast

from ._records import QueueEntry

__all__ = ["LOAD", "SortedEntries"]

LOAD = 512
"""A part longer than twice this is split in two (the default of :class:`SortedEntries`)."""


class SortedEntries:
    """Queue entries in order, each at most once."""

    __slots__ = ("_len", "_lists", "_load", "_maxes")

    def __init__(self, load: int = LOAD) -> None:
        self._load = load  # parts are split past twice this
        self._lists: list[list[QueueEntry]] = []
        self._maxes: list[QueueEntry] = []  # the last (largest) entry of each part
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __iter__(self) -> Iterator[QueueEntry]:
        return chain.from_iterable(self._lists)

    def __contains__(self, entry: object) -> bool:
        return isinstance(entry, tuple) and self.holds(cast(QueueEntry, entry))

    def holds(self, entry: QueueEntry) -> bool:
        """Whether ``entry`` is in."""
        maxes = self._maxes
        part = bisect_left(maxes, entry)
        if part == len(maxes):
            return False
        items = self._lists[part]
        return items[bisect_left(items, entry)] == entry

    def add(self, entry: QueueEntry) -> None:
        """Put ``entry`` in its place (it must not be in already)."""
        maxes, lists = self._maxes, self._lists
        self._len += 1
        if not maxes:
            lists.append([entry])
            maxes.append(entry)
            return
        part = bisect_right(maxes, entry)
        if part == len(maxes):  # past the end: the last part grows
            part -= 1
            lists[part].append(entry)
            maxes[part] = entry
        else:
            insort(lists[part], entry)
        items = lists[part]
        load = self._load
        if len(items) > 2 * load:
            lists.insert(part + 1, items[load:])
            del items[load:]
            maxes.insert(part, items[-1])

    def discard(self, entry: QueueEntry) -> None:
        """Take ``entry`` out, if it is in."""
        maxes = self._maxes
        part = bisect_left(maxes, entry)
        if part == len(maxes):
            return
        items = self._lists[part]
        at = bisect_left(items, entry)
        if items[at] != entry:
            return
        self._len -= 1
        del items[at]
        if not items:
            del self._lists[part]
            del maxes[part]
        elif at == len(items):  # the largest went
            maxes[part] = items[-1]

    def bisect_left(self, entry: QueueEntry) -> int:
        """The rank ``entry`` has or would have (the number of entries before it)."""
        maxes = self._maxes
        part = bisect_left(maxes, entry)
        if part == len(maxes):
            return self._len
        return self._before(part) + bisect_left(self._lists[part], entry)

    def index(self, entry: QueueEntry) -> int:
        """The rank of ``entry``, which must be in (else ``ValueError``)."""
        maxes = self._maxes
        part = bisect_left(maxes, entry)
        if part < len(maxes):
            items = self._lists[part]
            at = bisect_left(items, entry)
            if items[at] == entry:
                return self._before(part) + at
        raise ValueError(f"{entry!r} is not in the list")

    def __getitem__(self, rank: int) -> QueueEntry:
        """The entry at ``rank`` (from 0; negative ranks count from the end)."""
        if rank < 0:
            rank += self._len
        if not 0 <= rank < self._len:
            raise IndexError(f"rank {rank} out of range")
        part, at = self._locate(rank)
        return self._lists[part][at]

    def __delitem__(self, rank: int) -> None:
        """Take out the entry at ``rank``."""
        self.discard(self[rank])

    def islice(self, start: int) -> Iterator[QueueEntry]:
        """The entries from rank ``start`` on, in order."""
        if start >= self._len:
            return iter(())
        part, at = self._locate(max(start, 0))
        lists = self._lists
        return chain(islice(lists[part], at, None), chain.from_iterable(lists[part + 1 :]))

    def irange(self, minimum: QueueEntry) -> Iterator[QueueEntry]:
        """The entries from ``minimum`` on (those not before it), in order."""
        maxes, lists = self._maxes, self._lists
        part = bisect_left(maxes, minimum)
        if part == len(maxes):
            return iter(())
        at = bisect_left(lists[part], minimum)
        return chain(islice(lists[part], at, None), chain.from_iterable(lists[part + 1 :]))

    def _before(self, part: int) -> int:
        """How many entries the parts before ``part`` hold."""
        return 0 if part == 0 else sum(map(len, self._lists[:part]))

    def _locate(self, rank: int) -> tuple[int, int]:
        """The part and the place in it of the entry at ``rank`` (``0 <= rank < len``)."""
        for part, items in enumerate(self._lists):
            if rank < len(items):
                return part, rank
            rank -= len(items)
        raise AssertionError("rank out of range")  # pragma: no cover - checked by callers
