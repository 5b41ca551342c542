"""A sorted list of queue entries, kept as a list of short sorted lists.

Each queue (Q1) and each queue's attention set (Q3) is one. Entries go in and out in
logarithmic time plus a short memmove: a new entry is placed by a binary search over the
largest entry of each part and then within that part; a part that grows past twice
:data:`LOAD` is split in two, and an emptied part is dropped. A rank (a position in the
whole list) is the sum of the lengths of the parts before: added up directly over a few
parts (the short queues of most desks have one), and taken from a Fenwick tree of the
parts' lengths over many, which a split or a dropped part has rebuilt when next needed.

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

_DIRECT = 8
"""Up to this many parts, ranks are counted over the parts' lengths directly."""

LOAD = 512
"""A part longer than twice this is split in two (the default of :class:`SortedEntries`)."""


class SortedEntries:
    """Queue entries in order, each at most once."""

    __slots__ = ("_len", "_lists", "_load", "_maxes", "_tree")

    def __init__(self, load: int = LOAD) -> None:
        self._load = load  # parts are split past twice this
        self._lists: list[list[QueueEntry]] = []
        self._maxes: list[QueueEntry] = []  # the last (largest) entry of each part
        self._len = 0
        # With many parts, a Fenwick tree over their lengths gives ranks in log time:
        # tree[i] sums the lengths of the parts (i - (i & -i), i]; [] when not built.
        self._tree: list[int] = []

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
            self._tree = []  # the parts moved: built again when next needed
        elif self._tree:
            self._grew(part, 1)

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
            self._tree = []
            return
        if at == len(items):  # the largest went
            maxes[part] = items[-1]
        if self._tree:
            self._grew(part, -1)

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
        """The entries from rank ``start`` (0 or more) on, in order; the iterator reads
        the list as it is, so the list must not change while it is read."""
        if start >= self._len:
            return iter(())
        part, at = self._locate(max(start, 0))
        return self._from(part, at)

    def irange(self, minimum: QueueEntry) -> Iterator[QueueEntry]:
        """The entries from ``minimum`` on (those not before it), in order."""
        maxes, lists = self._maxes, self._lists
        part = bisect_left(maxes, minimum)
        if part == len(maxes):
            return iter(())
        return self._from(part, bisect_left(lists[part], minimum))

    def _from(self, part: int, at: int) -> Iterator[QueueEntry]:
        """The entries from place ``at`` of part ``part`` on, in order."""
        lists = self._lists
        return chain(islice(lists[part], at, None), chain.from_iterable(lists[part + 1 :]))

    def _before(self, part: int) -> int:
        """How many entries the parts before ``part`` hold."""
        if part < _DIRECT:
            return 0 if part == 0 else sum(map(len, self._lists[:part]))
        tree = self._tree or self._build()
        total = 0
        while part:
            total += tree[part]
            part &= part - 1
        return total

    def _locate(self, rank: int) -> tuple[int, int]:
        """The part and the place in it of the entry at ``rank`` (``0 <= rank < len``)."""
        lists = self._lists
        if len(lists) <= _DIRECT:
            for part, items in enumerate(lists):
                if rank < len(items):
                    return part, rank
                rank -= len(items)
            raise AssertionError("rank out of range")  # pragma: no cover - callers check
        tree = self._tree or self._build()
        count = len(tree) - 1
        part = 0  # the parts before the one sought: the most whose lengths sum to <= rank
        step = 1 << (count.bit_length() - 1)
        while step:
            ahead = part + step
            if ahead <= count and tree[ahead] <= rank:
                part = ahead
                rank -= tree[ahead]
            step >>= 1
        return part, rank

    def _build(self) -> list[int]:
        """The Fenwick tree of the parts' lengths, built in linear time."""
        tree = [0]
        tree.extend(map(len, self._lists))
        count = len(tree) - 1
        for index in range(1, count + 1):
            parent = index + (index & -index)
            if parent <= count:
                tree[parent] += tree[index]
        self._tree = tree
        return tree

    def _grew(self, part: int, change: int) -> None:
        """The part ``part`` holds ``change`` more entries (the tree is built)."""
        tree = self._tree
        count = len(tree) - 1
        index = part + 1
        while index <= count:
            tree[index] += change
            index += index & -index
