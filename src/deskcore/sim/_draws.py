"""Random durations for the simulator, drawn as the standard library's ``Random`` draws
them.

The simulator draws an arrival gap, a handle time and often a patience for every
customer. ``Random.expovariate`` is a Python function; the same formula written here is
compiled with the simulator's loop in the compiled build, and gives the same numbers from
the same generator in both builds (a test holds it to the library's own).
"""

from __future__ import annotations

from math import log
from random import Random

__all__ = ["EXPONENTIAL", "FIXED", "LOGNORMAL", "Draw", "exponential"]

FIXED, EXPONENTIAL, LOGNORMAL = 0, 1, 2
"""The kinds of :class:`Draw`."""


def exponential(rng: Random, rate: float) -> float:
    """The next draw of ``rng.expovariate(rate)``: ``-log(1 - random()) / rate``."""
    return -log(1.0 - rng.random()) / rate


class Draw:
    """Durations of one distribution, in whole microseconds, drawn from ``rng``: always
    ``value`` (:data:`FIXED`); exponential at ``rate`` per µs (:data:`EXPONENTIAL`); or
    lognormal with ``mu`` and ``sigma`` (:data:`LOGNORMAL`, ``rng.lognormvariate``)."""

    __slots__ = ("_kind", "_mu", "_rate", "_rng", "_sigma", "_value")

    def __init__(
        self,
        rng: Random,
        kind: int,
        *,
        value: int = 0,
        rate: float = 0.0,
        mu: float = 0.0,
        sigma: float = 0.0,
    ) -> None:
        self._rng = rng
        self._kind = kind
        self._value = value
        self._rate = rate
        self._mu = mu
        self._sigma = sigma

    def draw(self) -> int:
        """The next duration."""
        kind = self._kind
        if kind == EXPONENTIAL:
            return round(exponential(self._rng, self._rate))
        if kind == FIXED:
            return self._value
        return round(self._rng.lognormvariate(self._mu, self._sigma))

    def __call__(self) -> int:
        """The next duration (as :meth:`draw`)."""
        return self.draw()
