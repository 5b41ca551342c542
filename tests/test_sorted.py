"""The sorted container of queue entries, held to a plain sorted list."""

from __future__ import annotations

import bisect
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore._sorted import SortedEntries

_ENTRIES = st.tuples(
    st.integers(-2, 0), st.integers(0, 50), st.integers(0, 5), st.sampled_from("abcdefgh")
)
_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _ENTRIES),
        st.tuples(st.just("discard"), _ENTRIES),
        st.tuples(st.just("del"), st.integers(-60, 60)),
    ),
    max_size=200,
)


@given(_OPS, st.sampled_from([1, 2, 3, 512]))
def test_behaves_as_a_sorted_list(ops: list[tuple[str, object]], load: int) -> None:
    """Any sequence of insertions and removals (parts split and dropped on the way, with
    small parts) leaves the container answering every question as the sorted list of
    the same entries does."""
    entries = SortedEntries(load)
    model: list[tuple[int, int, int, str]] = []
    for op, value in ops:
        if op == "add":
            assert isinstance(value, tuple)
            if value not in model:
                entries.add(value)
                bisect.insort(model, value)
        elif op == "discard":
            assert isinstance(value, tuple)
            entries.discard(value)
            if value in model:
                model.remove(value)
        else:
            assert isinstance(value, int)
            if -len(model) <= value < len(model):
                del entries[value]
                del model[value]
            else:
                with pytest.raises(IndexError):
                    del entries[value]
        assert list(entries) == model
        assert len(entries) == len(model)
        assert bool(entries) == bool(model)
        for rank in {0, len(model) // 3, len(model) // 2, len(model) - 1} - {-1}:
            if model:  # ranks through the parts' lengths, the tree kept or rebuilt
                assert entries.index(model[rank]) == rank
                assert entries[rank] == model[rank]
                assert next(entries.islice(rank)) == model[rank]
    for rank, entry in enumerate(model):
        assert entries.index(entry) == rank
        assert entries.bisect_left(entry) == rank
        assert entry in entries
        assert entries[rank] == entry
        assert list(entries.islice(rank)) == model[rank:]
        assert list(entries.irange(entry)) == model[rank:]
    for probe in itertools.product((-1, 0), (0, 25, 51), (9,), "a"):
        assert probe not in entries
        assert entries.bisect_left(probe) == bisect.bisect_left(model, probe)
        assert list(entries.irange(probe)) == model[bisect.bisect_left(model, probe) :]
        with pytest.raises(ValueError, match="not in the list"):
            entries.index(probe)
    assert list(entries.islice(len(model))) == []
    assert "not an entry" not in entries


@settings(max_examples=40)
@given(st.randoms(use_true_random=False), st.sampled_from([1, 4]))
def test_many_parts(rng: random.Random, load: int) -> None:
    """Hundreds of parts (ranks from the tree of their lengths), kept through inserts,
    removals, splits and dropped parts in any order."""
    entries = SortedEntries(load)
    model: list[tuple[int, int, int, str]] = []
    pool = [(0, n, 0, "c") for n in range(400)]
    rng.shuffle(pool)
    for step, entry in enumerate(pool):
        entries.add(entry)
        bisect.insort(model, entry)
        if step % 3 == 2:  # now and then one goes: from its part, or its part with it
            gone = model.pop(rng.randrange(len(model)))
            entries.discard(gone)
        if model:  # a rank after every change: the tree kept up to date, or rebuilt
            probe = model[rng.randrange(len(model))]
            assert entries.index(probe) == model.index(probe)
    assert list(entries) == model
    for rank in range(0, len(model), 7):
        assert entries.index(model[rank]) == rank
        assert entries.bisect_left(model[rank]) == rank
        assert entries[rank] == model[rank]
        assert next(entries.islice(rank)) == model[rank]
