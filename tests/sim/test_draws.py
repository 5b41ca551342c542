"""The simulator's random durations: the standard library's draws, to the last bit."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from deskcore.sim import DistributionKind as Kind
from deskcore.sim import Timing
from deskcore.sim._draws import exponential


@given(st.integers(0, 2**32), st.floats(1e-9, 1e6))
def test_exponential_is_the_librarys_expovariate(seed: int, rate: float) -> None:
    """The same generator gives the same exponential draws, and stays in step."""
    ours, theirs = random.Random(seed), random.Random(seed)
    for _ in range(5):
        assert exponential(ours, rate) == theirs.expovariate(rate)
    assert ours.random() == theirs.random()


@given(st.integers(0, 2**32), st.integers(1, 10**6))
def test_timings_draw_what_the_library_would(seed: int, mean_ms: int) -> None:
    """Each distribution of a workload's timing draws, in whole µs, what the library's
    own functions give from the same generator."""
    mean = timedelta(milliseconds=mean_ms)
    us = mean / timedelta(microseconds=1)
    cases: list[tuple[Timing, Callable[[random.Random], float]]] = [
        (Timing(distribution=Kind.FIXED, mean=mean), lambda rng: us),
        (Timing(distribution=Kind.EXPONENTIAL, mean=mean), lambda rng: rng.expovariate(1.0 / us)),
    ]
    draw = Timing(distribution=Kind.LOGNORMAL, mean=mean, cv=0.5).sampler(random.Random(seed))
    assert draw() > 0
    for timing, reference in cases:
        ours, theirs = timing.sampler(random.Random(seed)), random.Random(seed)
        assert [ours.draw() for _ in range(3)] == [round(reference(theirs)) for _ in range(3)]
        assert ours() == round(reference(theirs))
