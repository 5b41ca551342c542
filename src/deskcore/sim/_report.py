"""The report of a simulated run: counts, waits, service level, utilisation, prompts.

:class:`Report` is a frozen value. :meth:`Report.to_json` gives one JSON-able mapping,
:meth:`Report.format` a readable table, and :meth:`Report.plot` draws the day (queue
length and agents over time, and the wait distribution) with matplotlib, the optional
``deskcore[plot]`` extra.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["Report", "percentile"]


def percentile(ordered: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0 … 1) of sorted values, linearly interpolated; 0 if empty.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    """
    if not ordered:
        return 0.0
    place = share * (len(ordered) - 1)
    low = math.floor(place)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (place - low)


def frozen_counts(counts: Mapping[Any, int]) -> Mapping[str, int]:
    """A read-only copy of ``counts`` with string keys, in key order."""
    return MappingProxyType({str(key): counts[key] for key in sorted(counts, key=str)})


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


@attrs.frozen(kw_only=True)
class Report:
    """What happened in a simulated run.

    Counts are of the conversations requested inside the measured window (from
    ``start + warmup`` to ``end``); ``offered`` leaves out requests refused outside
    working hours. Waits (request to assignment) are of the served conversations, in
    seconds. ``service_level`` is the share of ``offered`` conversations served within
    ``service_level_threshold_s`` (abandoned and failed ones count against it).
    ``utilisation`` is the conversation-time handled over the capacity-time of online
    agents (``capacity`` × online time), in the window; ``occupancy`` the share of online
    time with at least one conversation; ``agent_utilisation`` gives each agent's own.
    ``unfinished`` counts requests still waiting when the run stopped. ``timeline`` holds
    samples ``(hours since start, queue length, busy agents, online agents)``; ``waits_s``
    every wait, sorted.
    """

    start: datetime
    end: datetime
    finished: datetime
    warmup_s: float
    service_level_threshold_s: float
    requests: int
    offered: int
    served: int
    abandoned: int
    routing_failed: Mapping[str, int]
    unfinished: int
    queued: int
    wait_mean_s: float
    wait_p50_s: float
    wait_p90_s: float
    wait_p99_s: float
    wait_max_s: float
    service_level: float
    agents: int
    online_agent_hours: float
    utilisation: float
    occupancy: float
    utilisation_min: float
    utilisation_max: float
    utilisation_sd: float
    longest_queue: int
    queue_mean: float
    offers: int
    withdrawn: Mapping[str, int]
    closes: Mapping[str, int]
    prompts: Mapping[str, int]
    rejected: Mapping[str, int]
    rating_cards: int
    ratings: Mapping[str, int]
    events: int
    transfers: int = 0
    reassignments: int = 0
    reminders: int = 0
    agent_utilisation: Mapping[str, float] = attrs.field(repr=False)
    timeline: tuple[tuple[float, int, int, int], ...] = attrs.field(repr=False)
    waits_s: tuple[float, ...] = attrs.field(repr=False)

    @property
    def abandon_share(self) -> float:
        """Abandoned conversations over requests."""
        return _share(self.abandoned, self.requests)

    @property
    def queued_share(self) -> float:
        """The share of requests that had to wait in a queue (Erlang's P(wait))."""
        return _share(self.queued, self.requests)

    @property
    def rating_mean(self) -> float | None:
        """The mean recorded score, or ``None`` without ratings."""
        total = sum(self.ratings.values())
        if not total:
            return None
        return sum(int(score) * count for score, count in self.ratings.items()) / total

    def service_level_at(self, threshold_s: float) -> float:
        """The share of offered conversations served within ``threshold_s`` seconds."""
        return _share(bisect.bisect_right(self.waits_s, threshold_s), self.offered)

    def to_json(self) -> dict[str, Any]:
        """The report as one JSON-able mapping (without the timeline and the waits)."""
        skip = {"agent_utilisation", "timeline", "waits_s"}
        data: dict[str, Any] = {}
        for field in attrs.fields(type(self)):
            if field.name in skip:
                continue
            value = getattr(self, field.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, Mapping):
                value = dict(value)
            data[field.name] = value
        data["abandon_share"] = self.abandon_share
        data["queued_share"] = self.queued_share
        data["rating_mean"] = self.rating_mean
        return data

    def format(self) -> str:
        """The report as a readable table."""
        rows: list[tuple[str, str]] = []

        def add(label: str, value: str) -> None:
            rows.append((label, value))

        def counts(label: str, values: Mapping[str, int]) -> None:
            add(label, f"{sum(values.values()):,}")
            for key, count in values.items():
                add(f"  {key}", f"{count:,}")

        requests = self.requests
        add("requests", f"{requests:,}")
        add("served", f"{self.served:,}  ({_share(self.served, requests):.1%})")
        add("abandoned", f"{self.abandoned:,}  ({self.abandon_share:.1%})")
        counts("routing failed", self.routing_failed)
        if self.unfinished:
            add("unfinished", f"{self.unfinished:,}")
        add("", "")
        add("wait mean", f"{self.wait_mean_s:.1f} s")
        add(
            "wait p50 / p90 / p99",
            f"{self.wait_p50_s:.1f} / {self.wait_p90_s:.1f} / {self.wait_p99_s:.1f} s",
        )
        add("wait max", f"{self.wait_max_s:.1f} s")
        add(
            "service level",
            f"{self.service_level:.1%} served within {self.service_level_threshold_s:g} s",
        )
        add("queued", f"{self.queued_share:.1%} of requests waited in a queue")
        add("longest queue", f"{self.longest_queue:,}  (mean {self.queue_mean:.1f})")
        add("", "")
        add("agents", f"{self.agents:,}  ({self.online_agent_hours:,.1f} agent-hours online)")
        add("utilisation", f"{self.utilisation:.1%} of online capacity")
        add(
            "  per agent",
            f"{self.utilisation_min:.1%} – {self.utilisation_max:.1%}"
            f"  (sd {self.utilisation_sd:.1%})",
        )
        add("occupancy", f"{self.occupancy:.1%} of online time with a conversation")
        if self.offers:
            add("offers", f"{self.offers:,}")
            for key, count in self.withdrawn.items():
                add(f"  withdrawn: {key}", f"{count:,}")
        if self.transfers or self.reassignments:
            add("transfers", f"{self.transfers:,}")
            add("reassigned", f"{self.reassignments:,}  (from agents gone offline)")
        counts("closed", self.closes)
        if self.reminders:
            add("reminders", f"{self.reminders:,}")
        counts("prompts sent", self.prompts)
        if self.rejected:
            counts("rejected", self.rejected)
        add("rating cards", f"{self.rating_cards:,}")
        mean = self.rating_mean
        scores = "  ".join(f"{score}: {count:,}" for score, count in self.ratings.items())
        add("ratings", f"{sum(self.ratings.values()):,}" + (f"  mean {mean:.2f}" if mean else ""))
        if scores:
            add("  by score", scores)
        add("engine events", f"{self.events:,}")
        width = max(len(label) for label, _ in rows)
        head = (
            f"Simulated {self.start.isoformat()} to {self.end.isoformat()}"
            f" (warm-up {self.warmup_s:g} s; last conversation ended {self.finished.isoformat()})"
        )
        lines = [head, ""]
        lines += [f"{label:<{width}}  {value}".rstrip() for label, value in rows]
        return "\n".join(lines)

    def plot(self, path: str | Path) -> None:
        """Draw queue length and agents over the run, and the wait distribution, to a PNG.

        Needs matplotlib (``pip install 'deskcore[plot]'``); raises ``ImportError`` saying
        so when it is missing.
        """
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import pyplot
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install 'deskcore[plot]'") from exc
        figure, (timeline, waits) = pyplot.subplots(2, 1, figsize=(10, 8))
        hours = [sample[0] for sample in self.timeline]
        timeline.step(hours, [s[1] for s in self.timeline], where="post", label="queue length")
        timeline.step(hours, [s[2] for s in self.timeline], where="post", label="busy agents")
        timeline.step(
            hours, [s[3] for s in self.timeline], where="post", label="online agents", alpha=0.6
        )
        timeline.set_xlabel(f"hours since {self.start.isoformat()}")
        timeline.set_ylabel("count")
        timeline.set_title("Queue and agents over the run")
        timeline.legend(loc="upper right")
        timeline.grid(alpha=0.3)
        waited = self.waits_s[bisect.bisect_right(self.waits_s, 0.0) :]
        waits.hist(waited or [0.0], bins=60, color="tab:purple")
        waits.axvline(
            self.service_level_threshold_s,
            color="black",
            linestyle="--",
            label=f"{self.service_level_threshold_s:g} s: {self.service_level:.1%} served within",
        )
        waits.set_xlabel("wait before an agent took the conversation (s)")
        waits.set_ylabel("conversations")
        waits.set_title(
            f"Waits of the {len(waited):,} served after a wait ({len(self.waits_s) - len(waited):,}"
            f" at once): mean of all {self.wait_mean_s:.1f} s, p90 {self.wait_p90_s:.1f} s,"
            f" p99 {self.wait_p99_s:.1f} s"
        )
        waits.legend(loc="upper right")
        figure.tight_layout()
        figure.savefig(Path(path), dpi=100)
        pyplot.close(figure)
