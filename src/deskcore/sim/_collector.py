"""The garbage collector tuned for a process that simulates, and only that.

A simulated day keeps up to hundreds of thousands of records alive (conversations are
kept for the rating card's validity and the retention after they close), and CPython's
collector walks them again at every full collection although the simulator makes
almost no reference cycles: about an eighth of a 1M-conversation day went there. The
command line, which owns its process, and the worker processes of
:func:`~deskcore.sim.replicate` freeze what exists before the run (imports, settings,
workload) and collect much less often. A library caller's process is left alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["THRESHOLDS", "tune_collector", "tuned_collector"]

THRESHOLDS = (50_000, 50, 1_000)
"""The collector's thresholds while simulating (CPython's defaults are 700, 10, 10)."""


def tune_collector() -> None:
    """Freeze every object that exists now and raise the thresholds, for good (a worker
    process's initializer)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def tuned_collector() -> Iterator[None]:
    """:func:`tune_collector` for the block; the thresholds and the frozen set are put
    back afterwards (the command line runs in a test's process too)."""
    before = gc.get_threshold()
    tune_collector()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()  # (also what others froze before: the command line freezes nothing else)
