"""A simulated run of a workload through a new desk: the public face of the event loop.

The loop itself (:mod:`deskcore.sim._loop`) is one of the modules the optional compiled
build compiles; this module stays interpreted so that its names keep their docstrings.
"""

from __future__ import annotations

from datetime import timedelta
from random import Random

from .._settings import DeskSettings
from .._show import show
from ._loop import Driven, Loop, Progress
from ._report import Report
from ._tally import Tally
from ._workload import Workload

__all__ = ["Simulation", "simulate"]


class Simulation:
    """One simulated run of ``workload`` through a new :class:`~deskcore.Desk`.

    ``rng`` is the only source of randomness: the same settings, workload and seed give
    the same report. ``service_level_threshold`` is the wait within which a conversation
    counts as answered in time. Raises :class:`~deskcore.SettingsError` when the workload
    does not fit the settings (groups under ``user_choice``, rating weights).
    """

    __slots__ = ("_loop", "_ran")

    def __init__(
        self,
        settings: DeskSettings,
        workload: Workload,
        rng: Random,
        *,
        service_level_threshold: timedelta = timedelta(seconds=20),
    ) -> None:
        if not isinstance(rng, Random):
            raise TypeError(f"rng must be a random.Random, got {show(rng)}")
        self._loop = Loop(settings, workload, rng, service_level_threshold)
        self._ran = False

    @property
    def settings(self) -> DeskSettings:
        """The desk's settings."""
        return self._loop.settings

    @property
    def workload(self) -> Workload:
        """The workload that drives the desk."""
        return self._loop.workload

    @property
    def engine(self) -> Driven:
        """The engine the simulation drives; a test may put a wrapper of it in its place
        before the run."""
        return self._loop.engine

    @engine.setter
    def engine(self, engine: Driven) -> None:
        self._loop.engine = engine

    @property
    def tally(self) -> Tally:
        """What the run has counted so far."""
        return self._loop.tally

    def run(self, progress: Progress | None = None) -> Report:
        """Run the whole workload and return the report; ``progress(share)`` is told how
        far the run is (0 … 1) now and then. A simulation runs once."""
        if self._ran:
            raise RuntimeError("a Simulation runs once; make a new one")
        self._ran = True
        return self._loop.run(progress)


def simulate(
    settings: DeskSettings,
    workload: Workload,
    rng: Random,
    *,
    service_level_threshold: timedelta = timedelta(seconds=20),
    progress: Progress | None = None,
) -> Report:
    """Run ``workload`` through a new desk with ``settings``; return the report.

    >>> from random import Random
    >>> from datetime import timedelta
    >>> from deskcore import DeskSettings
    >>> from deskcore.sim import Workload, simulate
    >>> workload = Workload.simple(agents=2, arrival_rate=20, handle_time=timedelta(minutes=3),
    ...                            hours=1)
    >>> report = simulate(DeskSettings(), workload, Random(7))
    >>> report.requests == report.served
    True
    """
    simulation = Simulation(
        settings, workload, rng, service_level_threshold=service_level_threshold
    )
    return simulation.run(progress)
