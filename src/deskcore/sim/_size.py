"""Staffing per hour: the fewest agents that meet a service target, hour by hour.

For each hour of the workload's day that has arrivals, :func:`size` starts from the
queueing-theory answer (Erlang A when users have a patience, else Erlang C, with each
agent counted ``queue.max_concurrent`` times) and confirms it by simulated replications
through the real desk, with the desk's own settings: it adds agents while the target is
missed and takes them away while it is still met, giving a candidate more simulated
days while their confidence intervals leave its verdict in doubt. Each hour is sized as
if its rate held steady (the usual stationary-period approach): a day of hours whose
queues carry over into the next needs a look at :func:`~deskcore.sim.simulate` of the
whole day too.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs

from .._settings import DeskSettings
from ._erlang import erlang_a, erlang_c
from ._replicate import Replications, check_count, replicate, worker_pool
from ._workload import Arrivals, Workload, parse_span

__all__ = [
    "HourStaffing",
    "Staffing",
    "Target",
    "parse_share",
    "parse_target",
    "settled",
    "size",
]

_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")  # a wait in bare seconds: "20", "1.5"
_TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s+in\s+(\S+)\s*$")
_MOST_AGENTS = 100_000  # the formulas' search
_EVIDENCE = 10  # users missing a target that the days must be able to show


@attrs.frozen
class Target:
    """A service target: at least ``share`` of users answered within ``within``, and at
    most ``max_abandon`` of them giving up (``None``: no bound)."""

    share: float
    within: timedelta
    max_abandon: float | None = None

    def met(self, service_level: float, abandoned: float) -> bool:
        """Whether figures of a report meet the target."""
        return service_level >= self.share and (
            self.max_abandon is None or abandoned <= self.max_abandon
        )

    def resolved_by(self, users: int, abandonment: bool) -> bool:
        """Whether days in which ``users`` asked in all can tell this target from a
        stricter one: the share of users it lets miss the wait (and, when users may give
        up, the share it lets abandon) must come to at least ten of them. With nobody
        missing it, days of ``n`` independent users rule out no more than about three in
        ``n`` (the "rule of three" of a 95% bound), and users who wait in one queue are
        far from independent, hence ten. So a target of 99.9% needs some 10,000 users,
        and one of 100% no number of them."""
        if round(users * (1 - self.share), 9) < _EVIDENCE:  # 99.9% is 0.99900…01
            return False
        bound = self.max_abandon
        return bound is None or not abandonment or round(users * bound, 9) >= _EVIDENCE

    def __str__(self) -> str:
        text = f"{_percent(self.share)} in {self.within.total_seconds():g}s"
        return (
            text
            if self.max_abandon is None
            else f"{text}, at most {_percent(self.max_abandon)} abandoned"
        )


def _percent(share: float) -> str:
    """A share as a percentage with the digits it has (``99.9%``, not ``100%``)."""
    return f"{round(share * 100, 6):g}%"


def parse_share(text: str, name: str = "share") -> float:
    """A share written ``"5%"`` (or ``"0.05"``), as a fraction in 0..1."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValueError(f"{name}: expected a share such as '5%', got {text!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(
            f"{name}: must be between 0% and 100% (a bare number is a fraction: 0.05 is 5%), "
            f"got {text!r}"
        )
    return value


def parse_target(text: str, max_abandon: str | None = None) -> Target:
    """``"80% in 20s"`` (any duration form of the settings: ``20s``, ``1m``, ``PT20S``,
    or bare seconds: ``20``, ``1.5``)."""
    found = _TARGET.match(text)
    if found is None:
        raise ValueError(f"target: expected a share and a wait, as '80% in 20s', got {text!r}")
    share = parse_share(found.group(1) + "%", "target")
    wait = found.group(2)
    try:
        within = parse_span(float(wait) if _SECONDS.match(wait) else wait)
    except ValueError as exc:
        raise ValueError(f"target: {exc}") from None
    bound = None if max_abandon is None else parse_share(max_abandon, "max-abandon")
    return Target(share, within, bound)


@attrs.frozen
class HourStaffing:
    """The staffing of one hour."""

    hour: int
    """The hour of the local day, 0 to 23."""
    arrivals_per_hour: float
    agents: int
    """The fewest agents that met the target in the replications."""
    service_level: float
    """The mean service level of the replications with ``agents`` agents (0 to 1)."""
    abandon_rate: float
    """The mean share of users who gave up, with ``agents`` agents (0 to 1)."""
    theory: int
    """Where the search started: Erlang A or C's answer."""
    replications: int
    """The simulated days behind ``agents``' figures: more than the first batch when the
    first left it in doubt whether that staffing meets the target."""

    def to_json(self) -> dict[str, Any]:
        """The hour as a JSON object."""
        return attrs.asdict(self)


@attrs.frozen
class Staffing:
    """What :func:`size` found: one :class:`HourStaffing` for each hour with arrivals."""

    target: Target
    hours: tuple[HourStaffing, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"target": …, "hours": [...]}``."""
        target = self.target
        return {
            "target": {
                "share": target.share,
                "within_s": target.within.total_seconds(),
                "max_abandon": target.max_abandon,
            },
            "hours": [hour.to_json() for hour in self.hours],
        }

    def format(self) -> str:
        """A table: hour, arrivals, the theory's agents, the agents, their figures."""
        lines = [
            f"staffing for {self.target}",
            "hour  arrivals/h  theory  agents  service level  abandoned  days",
        ]
        for h in self.hours:
            lines.append(
                f"{h.hour:02d}:00 {h.arrivals_per_hour:>10,.1f}  {h.theory:>6}  {h.agents:>6}"
                f"  {h.service_level:>12.1%}  {h.abandon_rate:>9.1%}  {h.replications:>4}"
            )
        total = sum(h.agents for h in self.hours)
        lines.append(f"agent-hours: {total:,}")
        return "\n".join(lines)

    def plot(self, path: str | Path) -> None:
        """Draw the agents by hour against the arrivals, to a PNG (needs matplotlib)."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            from matplotlib import pyplot
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install 'deskcore[plot]'") from exc
        figure, agents = pyplot.subplots(figsize=(10, 5))
        hours = [h.hour for h in self.hours]
        agents.bar(hours, [h.agents for h in self.hours], color="tab:blue", label="agents")
        agents.set_xlabel("hour of the day")
        agents.set_ylabel("agents")
        agents.set_xticks(range(24))
        arrivals = agents.twinx()
        arrivals.plot(
            hours, [h.arrivals_per_hour for h in self.hours], color="tab:orange", marker="o"
        )
        arrivals.set_ylabel("arrivals per hour", color="tab:orange")
        agents.set_title(f"Staffing for {self.target}")
        figure.tight_layout()
        figure.savefig(path, dpi=100)
        pyplot.close(figure)


def _theory(workload: Workload, rate: float, capacity: int, target: Target) -> int:
    """The fewest agents Erlang A (users with a patience) or C says meet the target."""
    handle = workload.handling.time.mean.total_seconds()
    patience = workload.users.patience
    per_second = rate / 3600
    threshold = target.within.total_seconds()
    servers = max(1, math.ceil(per_second * handle))
    while servers < _MOST_AGENTS:
        if patience is None:
            result = erlang_c(agents=servers, arrival_rate=per_second, mean_handle_time=handle)
            ok = target.met(result.service_level(threshold), 0.0)
        else:
            a = erlang_a(
                agents=servers,
                arrival_rate=per_second,
                mean_handle_time=handle,
                mean_patience=patience.mean.total_seconds(),
            )
            ok = target.met(a.service_level(threshold), a.probability_of_abandonment)
        if ok:
            break
        servers += 1
    return max(1, math.ceil(servers / max(1, capacity)))


def settled(summary: Mapping[str, Any], target: Target) -> bool | None:
    """Whether replications' 95% intervals settle the target: ``False`` when either
    figure's interval lies wholly on the side that misses it, ``True`` when both lie on
    the side that meets it, ``None`` while it is in doubt (an interval reaches across
    its bound, or a figure has no interval: a single day)."""
    level = summary["service_level_ci"]
    abandoned = summary["abandon_share_ci"]
    bound = target.max_abandon
    if (level is not None and level[1] < target.share) or (
        bound is not None and abandoned is not None and abandoned[0] > bound
    ):
        return False
    if (
        level is not None
        and level[0] >= target.share
        and (bound is None or (abandoned is not None and abandoned[1] <= bound))
    ):
        return True
    return None


def size(
    settings: DeskSettings,
    workload: Workload,
    target: Target,
    *,
    replications: int = 4,
    max_replications: int | None = None,
    jobs: int = 1,
    seed: int = 1,
    length: timedelta = timedelta(hours=4),
    warmup: timedelta = timedelta(minutes=30),
    progress: Callable[[int, int], None] | None = None,
) -> Staffing:
    """The fewest agents for each hour of ``workload``'s day that has arrivals, to meet
    ``target`` with ``settings``.

    Each candidate is simulated for ``replications`` days of ``length`` (after
    ``warmup``) at that hour's rate, in ``jobs`` processes. While the days' 95% intervals
    leave it in doubt whether the candidate meets the target (:func:`settled`), it gets
    ``replications`` more, up to ``max_replications`` in all (four times
    ``replications`` by default). It meets the target when the mean service level and
    abandonment of its days do; a day in which nobody asked tells nothing and is left
    out of them (an hour whose days all are empty needs one agent). Every candidate of
    an hour runs the same seeds, so they see the same arrivals. Days too few to tell the
    target (:meth:`Target.resolved_by`) never take the staffing below the formula's
    answer, and without patience it keeps more room than the hour's offered load.

    Raises ``ValueError`` for an hour that even twice the formula's agents, and ten
    more, cannot staff to the target (the desk's settings may keep users from being
    served in time, as agents who take longer to accept an offer than the target's wait
    do)."""
    check_count("replications", replications, 1)
    check_count("jobs", jobs, 1)
    most = 4 * replications if max_replications is None else max_replications
    check_count("max_replications", most, replications, f"replications ({replications})")
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(worker_pool(jobs)) if jobs > 1 else None
        trial = _Trial(settings, target, replications, most, pool, seed)
        return _size(trial, workload, length, warmup, progress)


@attrs.define
class _Trial:
    """How :func:`size` measures one candidate staffing of one hour."""

    settings: DeskSettings
    target: Target
    replications: int
    most: int
    pool: Executor | None
    seed: int

    def run(self, staffed: Workload, hour: int) -> tuple[float, float, int, bool]:
        """The mean service level and abandonment of ``staffed``'s days in which
        someone asked, the number of days, and whether those days can tell the target
        (:meth:`Target.resolved_by`): more days while :func:`settled` leaves the target
        in doubt, or finds it met by days that cannot tell it yet."""
        seed = self.seed * 100 + hour
        abandonment = staffed.users.patience is not None
        runs: tuple[Mapping[str, Any], ...] = ()
        while True:
            batch = min(self.replications, self.most - len(runs))
            runs += replicate(
                self.settings,
                staffed,
                batch,
                seed=seed,
                service_level_threshold=self.target.within,
                pool=self.pool,
                first=len(runs),
            ).runs
            asked = tuple(run for run in runs if run["offered"])
            if asked:
                summary = Replications(seed, asked).summary
                users = sum(run["offered"] for run in asked)
                told = self.target.resolved_by(users, abandonment)
                verdict = settled(summary, self.target)  # a miss shown needs no more
                if len(runs) >= self.most or verdict is False or (verdict and told):
                    return summary["service_level"], summary["abandon_share"], len(runs), told
            elif len(runs) >= self.most:
                return 1.0, 0.0, len(runs), True  # nobody asked: nobody waited


def _size(
    trial: _Trial,
    workload: Workload,
    length: timedelta,
    warmup: timedelta,
    progress: Callable[[int, int], None] | None,
) -> Staffing:
    target = trial.target
    capacity = trial.settings.queue.max_concurrent
    handle = workload.handling.time.mean.total_seconds()
    busy = [(hour, rate) for hour, rate in enumerate(workload.arrivals.per_hour()) if rate > 0]
    found = []
    for done, (hour, rate) in enumerate(busy):
        start = _theory(workload, rate, capacity, target)
        # Users who never give up need more room than the work they bring, or the queue
        # grows without end: a few simulated hours would hide that.
        fewest = 1
        if workload.users.patience is None:
            fewest = max(1, math.floor(rate / 3600 * handle / max(1, capacity)) + 1)
        steady = attrs.evolve(
            workload, arrivals=Arrivals(rate=rate), length=length + warmup, warmup=warmup
        )
        figures: dict[int, tuple[float, float, int, bool]] = {}

        def measure(
            agents: int,
            steady: Workload = steady,
            hour: int = hour,
            start: int = start,
            figures: dict[int, tuple[float, float, int, bool]] = figures,
        ) -> bool:
            if agents not in figures:
                staffed = attrs.evolve(
                    steady,
                    agents=attrs.evolve(steady.agents, count=agents, capacity=None, teams=()),
                )
                figures[agents] = trial.run(staffed, hour)
            level, abandoned, _, told = figures[agents]
            if not told and target.met(level, abandoned):
                # Days that cannot tell the target from a stricter one do not take the
                # staffing below the formula's answer (they may still show it misses).
                return agents >= start
            return target.met(level, abandoned)

        agents = start
        if measure(agents):
            while agents > fewest and measure(agents - 1):
                agents -= 1
        else:
            most = 2 * start + 10
            while not measure(agents + 1):
                agents += 1
                if agents >= most:
                    raise ValueError(
                        f"hour {hour}: no staffing up to {most} agents meets {target} "
                        f"(the formula's answer is {start}): the desk's settings keep "
                        "users from being served in time"
                    )
            agents += 1
        level, abandoned, days, _ = figures[agents]
        found.append(HourStaffing(hour, rate, agents, level, abandoned, start, days))
        if progress is not None:
            progress(done + 1, len(busy))
    return Staffing(target, tuple(found))
