"""Independent replications of a simulated day, in parallel, with confidence intervals.

One simulated day is one sample: its mean wait is a random number. :func:`replicate`
runs ``replications`` days with seeds derived from one seed (the same seed always gives
the same days, whatever ``jobs``), each through a new desk, in ``jobs`` processes, and
reports each figure of the single-run report as the mean over the days with a 95%
confidence interval (Student's t, ``replications - 1`` degrees of freedom).
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import timedelta
from random import Random
from typing import Any

import attrs

from .._document import dump_settings, load_settings
from .._settings import DeskSettings
from ._collector import tune_collector
from ._simulate import simulate
from ._workload import Workload

__all__ = [
    "Replications",
    "check_count",
    "replicate",
    "replication_seed",
    "t_quantile",
    "worker_pool",
]

# Student's t at 0.975 for 1 to 30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z975 = 1.959963984540054
# Figures that are the same on every day, or not a number to average.
_SAME = ("start", "end")
_DROPPED = ("finished",)


def t_quantile(degrees: int) -> float:
    """Student's t at 0.975 (a two-sided 95% interval) for ``degrees`` >= 1: the table to
    30, then the Cornish-Fisher expansion (within 0.001 beyond 30)."""
    if degrees < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {degrees}")
    if degrees <= len(_T975):
        return _T975[degrees - 1]
    z = _Z975
    return z + (z**3 + z) / (4 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * degrees**2)


def check_count(name: str, value: object, least: int, bound: str | None = None) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is an integer (not a bool)
    of at least ``least`` (which the message calls ``bound`` when given)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be an integer >= {bound or least}, got {value!r}")


def replication_seed(seed: int, index: int) -> str:
    """The seed of replication ``index`` (from 0) of a run seeded with ``seed``."""
    return f"deskcore-replication:{seed}:{index}"


def _one(document: Mapping[str, Any], workload: Workload, seed: str, threshold: float) -> Any:
    """One replication, in a worker process: its report as JSON."""
    report = simulate(
        load_settings(document),
        workload,
        Random(seed),
        service_level_threshold=timedelta(seconds=threshold),
    )
    return report.to_json()


def _interval(values: Sequence[float]) -> tuple[float, list[float] | None]:
    count = len(values)
    mean = math.fsum(values) / count
    if count < 2:
        return mean, None
    variance = math.fsum((value - mean) ** 2 for value in values) / (count - 1)
    half = t_quantile(count - 1) * math.sqrt(variance / count)
    return mean, [mean - half, mean + half]


def _summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Each figure of the runs' reports as its mean, with ``<figure>_ci``; a table of
    counts (``closes``, ``prompts`` …) figure by figure, a key missing from a run
    counting 0; a figure some runs lack (``rating_mean`` without ratings) over the runs
    that have it."""
    out: dict[str, Any] = {}
    first = runs[0]
    for name, value in first.items():
        if name in _DROPPED:
            continue
        if name in _SAME or isinstance(value, str):
            out[name] = value
            continue
        if isinstance(value, Mapping) or (
            value is None and any(isinstance(run.get(name), Mapping) for run in runs)
        ):
            keys = sorted({key for run in runs for key in (run.get(name) or {})})
            means, intervals = {}, {}
            for key in keys:
                mean, interval = _interval(
                    [float((run.get(name) or {}).get(key, 0)) for run in runs]
                )
                means[key], intervals[key] = mean, interval
            out[name], out[f"{name}_ci"] = means, intervals
            continue
        values = [float(run[name]) for run in runs if run.get(name) is not None]
        if not values:
            out[name], out[f"{name}_ci"] = None, None
            continue
        out[name], out[f"{name}_ci"] = _interval(values)
    return out


@attrs.frozen
class Replications:
    """The days of :func:`replicate` and their summary."""

    seed: int
    runs: tuple[Mapping[str, Any], ...]
    """Each day's report, as :meth:`Report.to_json <deskcore.sim.Report.to_json>` gives it."""

    @property
    def summary(self) -> dict[str, Any]:
        """Each figure ``X`` of the single-run report as its mean over the days, and
        ``X_ci`` its 95% interval ``[low, high]`` (``None`` for a single day)."""
        return _summarise(self.runs)

    def to_json(self) -> dict[str, Any]:
        """The summary, with the seed and the number of replications."""
        return {"seed": self.seed, "replications": len(self.runs), **self.summary}

    def format(self) -> str:
        """A table of the main figures: mean and 95% interval."""
        summary = self.summary
        lines = [
            f"{len(self.runs)} replications (seed {self.seed}); mean and 95% interval",
        ]
        rows = (
            ("requests", "requests", 1, ""),
            ("served", "served", 1, ""),
            ("abandon_share", "abandoned", 100, "%"),
            ("wait_mean_s", "mean wait", 1, " s"),
            ("wait_p90_s", "90th percentile wait", 1, " s"),
            ("service_level", "service level", 100, "%"),
            ("utilisation", "utilisation", 100, "%"),
            ("queue_mean", "mean queue", 1, ""),
        )
        for key, label, scale, unit in rows:
            mean, interval = summary.get(key), summary.get(f"{key}_ci")
            if mean is None:
                continue
            text = f"{mean * scale:,.2f}{unit}"
            if interval is not None:
                low, high = (value * scale for value in interval)
                text += f"   [{low:,.2f}, {high:,.2f}]"
            lines.append(f"  {label:<22}{text}")
        return "\n".join(lines)


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` processes for :func:`replicate`, started with ``forkserver``
    (or ``spawn``), never by forking the caller, so a host with threads may use it."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=tune_collector)


def replicate(
    settings: DeskSettings,
    workload: Workload,
    replications: int,
    *,
    seed: int = 1,
    jobs: int = 1,
    service_level_threshold: timedelta = timedelta(seconds=20),
    pool: Executor | None = None,
    first: int = 0,
) -> Replications:
    """Run ``replications`` independent days of ``workload`` through new desks with
    ``settings``, in ``jobs`` processes (``1``: in this one), or in ``pool`` (as
    :func:`worker_pool` makes, for many calls). Day ``i`` is seeded with
    :func:`replication_seed` ``(seed, i)``, so the result does not depend on ``jobs``;
    the days are ``first`` to ``first + replications - 1``, so more days of the same
    seed can be added to earlier ones later."""
    check_count("replications", replications, 1)
    check_count("jobs", jobs, 1)
    check_count("first", first, 0)
    document = dump_settings(settings)
    threshold = service_level_threshold.total_seconds()
    seeds = [replication_seed(seed, index) for index in range(first, first + replications)]
    if pool is None and (jobs == 1 or replications == 1):
        runs = [_one(document, workload, each, threshold) for each in seeds]
    else:
        with contextlib.ExitStack() as stack:
            if pool is None:
                pool = stack.enter_context(worker_pool(min(jobs, replications)))
            runs = list(
                pool.map(
                    _one,
                    [document] * replications,
                    [workload] * replications,
                    seeds,
                    [threshold] * replications,
                )
            )
    return Replications(seed, tuple(runs))
