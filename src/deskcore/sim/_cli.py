"""``deskcore simulate``: run a simulated day for a desk and print the report.

``deskcore simulate [SETTINGS] [--workload FILE] [flags] [--json] [--plot FILE]``, and
with ``--replications N [--jobs J]`` the means and 95% intervals of N days. Without
SETTINGS the desk is ``DeskSettings()`` with ``queue.max_concurrent = 1`` (an automatic
desk where each agent takes one conversation at a time, the M/M/c of Erlang C). Flags
override the workload file. Progress goes to stderr on long runs; this module reads the
wall clock only for that.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import timedelta
from random import Random
from typing import Any, TextIO

import attrs

from .._clitools import load_file, print_faults
from .._document import load_settings
from .._errors import SettingsError
from .._settings import DeskSettings, QueueSettings
from .._show import show
from ._collector import tuned_collector
from ._replicate import replicate
from ._report import Report
from ._simulate import simulate
from ._size import Staffing, parse_target, size
from ._workload import Arrivals, Timing, Workload, load_workload, parse_span

__all__ = ["add_commands"]

PROGRESS_AFTER = 1.0  # seconds of wall time before progress is shown


def _duration(text: str) -> timedelta:
    """A duration flag: docs/settings.md forms (``90s``, ``1h30m``, ``PT10M``) or seconds."""
    try:
        value: object = float(text) if text.replace(".", "", 1).isdigit() else text
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return parse_span(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _longer_than_zero(text: str) -> timedelta:
    """A duration flag that must be longer than zero (a mean handle time or patience)."""
    value = _duration(text)
    if not value:
        raise argparse.ArgumentTypeError(f"must be longer than zero, got {show(text)}")
    return value


def _positive(kind: type[int] | type[float], most: float) -> Any:
    def convert(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {show(text)}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {show(text)}")
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {show(text)}")
        if value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:g}, got {show(text)}")
        return value

    return convert


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {show(text)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {show(text)}")
    return value


def _override(workload: Workload, args: argparse.Namespace) -> Workload:
    """The workload with the command line's flags applied."""
    if args.agents is not None:
        workload = attrs.evolve(
            workload,
            agents=attrs.evolve(workload.agents, count=args.agents, capacity=None, teams=()),
        )
    if args.arrival_rate is not None:
        workload = attrs.evolve(workload, arrivals=Arrivals(rate=args.arrival_rate))
    if args.handle_time is not None:
        handling = workload.handling
        timing = attrs.evolve(handling.time, mean=args.handle_time)
        workload = attrs.evolve(workload, handling=attrs.evolve(handling, time=timing))
    if args.patience is not None:
        users = workload.users
        old = users.patience
        timing = (
            Timing(mean=args.patience) if old is None else attrs.evolve(old, mean=args.patience)
        )
        workload = attrs.evolve(workload, users=attrs.evolve(users, patience=timing))
    if args.hours is not None:
        workload = attrs.evolve(workload, length=timedelta(hours=args.hours))
    if args.warmup is not None:
        workload = attrs.evolve(workload, warmup=args.warmup)
    return workload


class ProgressLine:
    """Shows how far a long run is on stderr: one updated line on a terminal, else a line
    every tenth."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.began = time.monotonic()
        self.shown = -1
        self.tty = out.isatty()

    def __call__(self, share: float) -> None:
        if time.monotonic() - self.began < PROGRESS_AFTER:
            return
        step = int(share * 100) if self.tty else int(share * 10) * 10
        if step == self.shown:
            return
        self.shown = step
        end = "\r" if self.tty and share < 1.0 else "\n"
        print(f"simulated {step}%", end=end, file=self.out, flush=True)


def _emit(result: Report | Staffing, args: argparse.Namespace, data: dict[str, Any]) -> int:
    """Draw ``--plot``, then print ``data`` (``--json``) or the result's table."""
    if args.plot is not None:
        try:
            result.plot(args.plot)
        except ImportError as exc:
            print(f"--plot: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(data) if args.json else result.format())
    return 0


def _run(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return 2
    settings, workload = loaded
    if args.replications > 1:
        return _replicated(settings, workload, args)
    try:
        workload = _override(workload, args)
        with tuned_collector():
            report = simulate(
                settings,
                workload,
                Random(args.seed),
                service_level_threshold=args.service_level_threshold,
                progress=None if args.quiet else ProgressLine(sys.stderr),
            )
    except SettingsError as exc:
        print_faults(args.workload or "workload", exc, sys.stderr)
        return 2
    return _emit(report, args, {"seed": args.seed, **report.to_json()})


def _replicated(settings: DeskSettings, workload: Workload, args: argparse.Namespace) -> int:
    """``--replications N [--jobs J]``: the summary of N days."""
    if args.plot is not None:
        print("--plot draws one run: leave out --replications", file=sys.stderr)
        return 2
    try:
        workload = _override(workload, args)
        with tuned_collector():
            done = replicate(
                settings,
                workload,
                args.replications,
                seed=args.seed,
                jobs=args.jobs,
                service_level_threshold=args.service_level_threshold,
            )
    except SettingsError as exc:
        print_faults(args.workload or "workload", exc, sys.stderr)
        return 2
    if args.json:
        print(json.dumps(done.to_json()))
    else:
        print(done.format())
    return 0


def _load(args: argparse.Namespace) -> tuple[DeskSettings, Workload] | None:
    """The settings and workload of ``simulate`` and ``size`` (``None``: reported)."""
    settings: DeskSettings
    if args.settings is None:
        settings = DeskSettings(queue=QueueSettings(max_concurrent=1))
    else:
        loaded = load_file(load_settings, args.settings)
        if loaded is None:
            return None
        settings = loaded
    workload = Workload()
    if args.workload is not None:
        read = load_file(load_workload, args.workload)
        if read is None:
            return None
        workload = read
    return settings, workload


def _size(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if loaded is None:
        return 2
    settings, workload = loaded
    try:
        target = parse_target(args.target, args.max_abandon)
    except ValueError as exc:
        print(f"deskcore size: {exc}", file=sys.stderr)
        return 2
    if args.hours is not None and args.hours > 24:
        print(
            f"deskcore size: --hours: a staffing plans one day (at most 24 hours, each hour "
            f"begun sized at the full rate), got {args.hours:g}",
            file=sys.stderr,
        )
        return 2
    if args.max_replications is not None and args.max_replications < args.replications:
        print(
            f"deskcore size: --max-replications ({args.max_replications}) must be at least "
            f"--replications ({args.replications})",
            file=sys.stderr,
        )
        return 2
    try:
        workload = _override(workload, args)
        if args.hours is not None:  # a rate given for so many hours of the day, from 00:00
            rates = workload.arrivals.per_hour()
            hours = min(24, math.ceil(args.hours))
            workload = attrs.evolve(
                workload,
                arrivals=Arrivals(
                    by_hour=tuple(r if h < hours else 0.0 for h, r in enumerate(rates))
                ),
            )
        if target.max_abandon is not None and workload.users.patience is None:
            print(
                "deskcore size: users have no patience (give --patience or the workload's "
                "users.patience), so nobody gives up and --max-abandon never binds",
                file=sys.stderr,
            )
        progress = None if args.quiet else _SizeProgress(sys.stderr)
        with tuned_collector():
            staffing = size(
                settings,
                workload,
                target,
                replications=args.replications,
                max_replications=args.max_replications,
                jobs=args.jobs,
                seed=args.seed,
                progress=progress,
            )
    except SettingsError as exc:
        print_faults(args.workload or "workload", exc, sys.stderr)
        return 2
    except ValueError as exc:  # an hour no staffing serves in time
        print(f"deskcore size: {exc}", file=sys.stderr)
        return 1
    return _emit(staffing, args, staffing.to_json())


class _SizeProgress:
    """``sized 5 of 13 hours`` on stderr, after the first second."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.began = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self.began >= PROGRESS_AFTER:
            print(f"sized {done} of {total} hours", file=self.out, flush=True)


def _workload_flags(run: argparse.ArgumentParser) -> None:
    """The flags ``simulate`` and ``size`` share: the desk, the workload, the seed."""
    run.add_argument("settings", nargs="?", metavar="SETTINGS", help="TOML or JSON settings")
    run.add_argument("--workload", metavar="FILE", help="TOML or JSON workload")
    run.add_argument(
        "--arrival-rate", type=_positive(float, 1e9), metavar="PER_HOUR", help="users per hour"
    )
    run.add_argument(
        "--handle-time", type=_longer_than_zero, metavar="DURATION", help="mean handle time"
    )
    run.add_argument(
        "--patience", type=_longer_than_zero, metavar="DURATION", help="mean user patience"
    )
    run.add_argument(
        "--hours", type=_positive(float, 87_600), metavar="H", help="hours of arrivals"
    )
    run.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument("--quiet", action="store_true", help="no progress on stderr")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``simulate`` and ``size`` to the ``deskcore`` command line."""
    sizing = commands.add_parser(
        "size",
        help="the fewest agents for each hour of a workload's day that meet a target",
        description=(
            "For each hour with arrivals, start from Erlang A or C and confirm by simulated "
            "replications through the desk's own settings. Without SETTINGS the desk is "
            "automatic with capacity 1 per agent."
        ),
    )
    _workload_flags(sizing)
    sizing.add_argument("--target", required=True, metavar="'P% in T'", help="e.g. '80%% in 20s'")
    sizing.add_argument("--max-abandon", metavar="P%", help="at most this share gives up")
    sizing.add_argument(
        "--replications", type=_at_least_one, default=4, metavar="N",
        help="simulated days per candidate, and per batch added while in doubt (default 4)",
    )  # fmt: skip
    sizing.add_argument(
        "--max-replications", type=_at_least_one, metavar="M",
        help="at most M days per candidate (default 4 times N)",
    )  # fmt: skip
    sizing.add_argument("--jobs", type=_at_least_one, default=1, metavar="J", help="in J processes")
    sizing.add_argument(
        "--plot", metavar="FILE.png", help="draw agents against arrivals (needs deskcore[plot])"
    )
    sizing.set_defaults(run=_size, agents=None, warmup=None)
    run = commands.add_parser(
        "simulate",
        help="simulate a day at the desk and report waits, service level and utilisation",
        description=(
            "Run synthetic users and agents through the desk engine and print a report. "
            "Without SETTINGS the desk is automatic with capacity 1 per agent. Flags "
            "override the workload file."
        ),
    )
    _workload_flags(run)
    run.add_argument(
        "--agents", type=_positive(int, 1_000_000), metavar="N", help="N agents all day"
    )
    run.add_argument("--warmup", type=_duration, metavar="DURATION", help="time not measured")
    run.add_argument(
        "--service-level-threshold",
        type=_duration,
        default=timedelta(seconds=20),
        metavar="DURATION",
        help="service level counts waits up to this (default 20s)",
    )
    run.add_argument(
        "--replications",
        type=_at_least_one,
        default=1,
        metavar="N",
        help="N independent days (seeds derived from --seed): means and 95%% intervals",
    )
    run.add_argument(
        "--jobs", type=_at_least_one, default=1, metavar="J", help="run replications in J processes"
    )
    run.add_argument("--plot", metavar="FILE.png", help="draw the run (needs deskcore[plot])")
    run.set_defaults(run=_run)
