"""When users arrive: a Poisson process whose rate follows the local hour of the day."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from random import Random

from .._time import from_us, span_us
from ._draws import exponential
from ._workload import Workload

__all__ = ["ArrivalClock"]

_HOUR = 3_600_000_000


class ArrivalClock:
    """The arrivals of a run from ``start`` to ``end`` (µs), at the workload's rate for
    each local hour (24 rates, or one); the draws come from ``rng``."""

    __slots__ = ("_end", "_hour_end", "_rate", "_rates", "_zone", "rng")

    def __init__(self, workload: Workload, rng: Random, start: int, end: int) -> None:
        self.rng = rng
        self._zone = zoneinfo.ZoneInfo(workload.timezone)
        self._rates = [rate / _HOUR for rate in workload.arrivals.per_hour()]
        self._end = end
        self._hour_end = start  # the rate holds until then
        self._rate = 0.0

    def after(self, after: int) -> int | None:
        """The next arrival after ``after``, or ``None`` when the run has none left."""
        when = after
        while when < self._end:
            if when >= self._hour_end:
                self._set_hour(when)
            rate = self._rate
            if rate > 0:
                nxt = when + round(exponential(self.rng, rate))
                if nxt < self._hour_end:
                    return nxt if nxt < self._end else None
            when = self._hour_end  # memoryless: start again at the next hour
        return None

    def _set_hour(self, when: int) -> None:
        rates = self._rates
        if min(rates) == max(rates):
            self._rate, self._hour_end = rates[0], self._end
            return
        offset = span_us(from_us(when).astimezone(self._zone).utcoffset() or timedelta(0))
        local = when + offset
        self._rate = rates[(local // _HOUR) % 24]
        self._hour_end = when + _HOUR - local % _HOUR
