"""The garbage collector while simulating: tuned for the block, put back afterwards."""

from __future__ import annotations

import gc

from deskcore.sim._collector import THRESHOLDS, tuned_collector
from deskcore.sim._replicate import worker_pool


def test_tuned_for_the_block_and_put_back() -> None:
    before = gc.get_threshold()
    with tuned_collector():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0  # what existed before the run is not walked
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_put_back_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with tuned_collector():
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_worker_processes_are_tuned() -> None:
    """replicate()'s workers are the simulator's own processes: tuned for good."""
    with worker_pool(1) as pool:
        assert pool.submit(gc.get_threshold).result() == THRESHOLDS
