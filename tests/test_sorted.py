"""The sorted container of queue entries, held to a plain sorted list."""

from __future__ import annotations

import bisect
import itertools

import pytest
from hypothesis import given
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
    max_size=120,
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
