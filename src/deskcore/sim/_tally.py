"""What a simulated run measures, and the report it makes of it.

A :class:`Tally` counts the conversations requested inside the measured window (from
``start + warmup`` to ``end``) and what happened to them, keeps the queue's length over
time (its area, its longest, samples for the timeline) and, at the end, turns all of it
into a :class:`~deskcore.sim.Report`. Instants are integer microseconds since the epoch.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import MappingProxyType

from .._actions import PromptKind
from .._time import from_us, span_us
from ._report import Report, frozen_counts, percentile

__all__ = ["AgentTime", "Tally", "overlap"]

HOUR = 3_600_000_000

AgentTime = tuple[str, int, int, int, int]
"""An agent's time in the window: (id, online, capacity, conversation-time, busy time)."""


def overlap(low: int, high: int, start: int, end: int) -> int:
    """How long ``[low, high)`` and ``[start, end)`` overlap."""
    return max(0, min(high, end) - max(low, start))


class Tally:
    """The counts and times of one run, in the window ``[low, end]`` after ``start``."""

    __slots__ = (
        "abandoned",
        "busy",
        "cards",
        "closes",
        "end",
        "events",
        "failed",
        "longest",
        "low",
        "next_sample",
        "offers",
        "online",
        "prompts",
        "queue",
        "queue_area",
        "queue_at",
        "queued",
        "ratings",
        "reassignments",
        "rejected",
        "requests",
        "sample_every",
        "served",
        "start",
        "timeline",
        "transfers",
        "waits",
        "withdrawn",
    )

    def __init__(self, start: int, end: int, low: int) -> None:
        self.start, self.end, self.low = start, end, low
        self.events = 0  # events handed to the desk
        self.requests = 0
        self.served = 0
        self.abandoned = 0
        self.queued = 0
        self.offers = 0
        self.cards = 0
        self.transfers = 0  # X3
        self.reassignments = 0  # A6
        self.failed: Counter[str] = Counter()
        self.withdrawn: Counter[str] = Counter()
        self.closes: Counter[str] = Counter()
        self.prompts: Counter[PromptKind] = Counter()
        self.rejected: Counter[str] = Counter()
        self.ratings: Counter[int] = Counter()
        self.waits: list[int] = []
        self.queue = 0  # users waiting now
        self.queue_at = low
        self.queue_area = 0
        self.longest = 0
        self.busy = 0  # agents with a conversation now
        self.online = 0  # agents online now
        self.sample_every = max(60 * 1_000_000, (end - start) // 1000)
        self.next_sample = start
        self.timeline: list[tuple[float, int, int, int]] = []

    def queue_change(self, now: int, delta: int) -> None:
        """The queue grew (or shrank) by ``delta`` at ``now``."""
        moment = min(max(now, self.low), self.end)
        self.queue_area += self.queue * (moment - self.queue_at)
        self.queue_at = moment
        self.queue += delta
        if self.queue > self.longest and self.low <= now <= self.end:
            self.longest = self.queue

    def sample_until(self, now: int) -> None:
        """Take the timeline's samples due up to ``now``."""
        while self.next_sample <= now:
            when = self.next_sample
            if when <= self.end:
                hours = (when - self.start) / HOUR
                self.timeline.append((hours, self.queue, self.busy, self.online))
            self.next_sample += self.sample_every

    def report(
        self,
        *,
        start: datetime,
        length: timedelta,
        finished: int,
        threshold: timedelta,
        agents: Sequence[AgentTime],
        unfinished: int,
    ) -> Report:
        """The report of the run that ``start`` began and that stopped at ``finished``."""
        low, high = self.low, self.end
        self.sample_until(high)
        self.queue_change(finished, 0)  # closes the queue's area at the end of the window
        online = capacity = served = busy = 0
        spread: dict[str, float] = {}
        for agent_id, agent_online, agent_capacity, agent_served, agent_busy in agents:
            online += agent_online
            capacity += agent_online * agent_capacity
            served += agent_served
            busy += agent_busy
            if agent_online and agent_capacity:
                spread[agent_id] = agent_served / (agent_online * agent_capacity)
        shares = list(spread.values())
        mean_share = sum(shares) / len(shares) if shares else 0.0
        sd = math.sqrt(sum((x - mean_share) ** 2 for x in shares) / len(shares)) if shares else 0.0
        waits = sorted(self.waits)
        seconds = tuple(wait / 1e6 for wait in waits)
        failed = self.failed
        offered = self.requests - failed.get("outside_hours", 0)
        within = span_us(threshold)
        return Report(
            start=start,
            end=start + length,
            finished=from_us(finished).astimezone(start.tzinfo),
            warmup_s=(low - self.start) / 1e6,
            service_level_threshold_s=within / 1e6,
            requests=self.requests,
            offered=offered,
            served=self.served,
            abandoned=self.abandoned,
            routing_failed=frozen_counts(failed),
            unfinished=unfinished,
            queued=self.queued,
            wait_mean_s=sum(waits) / len(waits) / 1e6 if waits else 0.0,
            wait_p50_s=percentile(seconds, 0.5),
            wait_p90_s=percentile(seconds, 0.9),
            wait_p99_s=percentile(seconds, 0.99),
            wait_max_s=seconds[-1] if seconds else 0.0,
            service_level=(bisect.bisect_right(waits, within) / offered if offered else 0.0),
            agents=len(agents),
            online_agent_hours=online / HOUR,
            utilisation=served / capacity if capacity else 0.0,
            occupancy=busy / online if online else 0.0,
            utilisation_min=min(shares, default=0.0),
            utilisation_max=max(shares, default=0.0),
            utilisation_sd=sd,
            longest_queue=self.longest,
            queue_mean=self.queue_area / (high - low),
            offers=self.offers,
            withdrawn=frozen_counts(self.withdrawn),
            closes=frozen_counts(self.closes),
            prompts=frozen_counts(self.prompts),
            rejected=frozen_counts(self.rejected),
            rating_cards=self.cards,
            transfers=self.transfers,
            reassignments=self.reassignments,
            reminders=self.prompts.get(PromptKind.TIMEOUT_REMINDER, 0),
            ratings=frozen_counts(self.ratings),
            events=self.events,
            agent_utilisation=MappingProxyType(spread),
            timeline=tuple(self.timeline),
            waits_s=seconds,
        )
