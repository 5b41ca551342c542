"""The workload a simulated desk runs under: users, agents and their habits.

A workload is a frozen value, like :class:`~deskcore.DeskSettings`, with a document form
in TOML or JSON (see ``docs/simulate.md``) read by :func:`load_workload`. Every field has
a ``parse`` (document form to Python value) and a ``check`` (validates a Python value) in
its metadata; the constructor runs ``check`` so that values built in Python are validated
too, and the loader runs ``parse`` then ``check`` field by field, collecting every fault
with its path (``agents.teams[1].hours[0]: ...``) into one :class:`~deskcore.SettingsError`.

Durations are timedeltas in Python; in a document they are docs/settings.md durations
(``"90s"``, ``"1h30m"``, ``"PT10M"``, whole seconds) or a number of seconds, which may be
fractional (``2.5``). A random duration (:class:`Timing`) is a table
``{distribution = "lognormal", mean = "6m", cv = 0.8}``, or just a duration, which means
exponential with that mean.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import attrs

from .._choices import Choice
from .._document import read_document, structure_document
from .._durations import parse_duration
from .._errors import SettingsError
from .._fields import (
    PRIORITY,
    Check,
    enum_field,
    expect_bool,
    instance_check,
    int_check,
    kind_of,
    optional_check,
    optional_parse,
    section_field,
    setting,
    suggest,
    wrap_check,
)
from .._show import show
from .._tags import tag_fault
from .._working_hours import TimeRange, WeeklyHours, zone_fault
from ._draws import EXPONENTIAL, FIXED, LOGNORMAL, Draw

__all__ = [
    "Agents",
    "Arrivals",
    "DistributionKind",
    "Handling",
    "RatingBehaviour",
    "Routing",
    "Team",
    "Timing",
    "Users",
    "Workload",
    "load_workload",
]

Errors = list[tuple[str, str]]

_US = 1_000_000


class DistributionKind(Choice):
    """The shape of a random duration."""

    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    FIXED = "fixed"


# -- field helpers ------------------------------------------------------------------------


def parse_span(value: object) -> timedelta:
    """A duration: docs/settings.md forms, or a (possibly fractional) number of seconds."""
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"must be a finite number of seconds >= 0, got {show(value)}")
        return timedelta(seconds=value)
    return parse_duration(value)


def _check_span(*, zero: bool) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, timedelta):
            raise ValueError(f"must be a duration, got {show(value)} ({kind_of(value)})")
        if value < timedelta(0):
            raise ValueError(f"must not be negative, got {value}")
        if not zero and not value:
            raise ValueError("must be longer than zero")

    return check


def _check_number(*, low: float = 0.0, high: float | None = None, above: bool = False) -> Check:
    def check(value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, got {show(value)} ({kind_of(value)})")
        if not math.isfinite(value):
            raise ValueError(f"must be finite, got {show(value)}")
        if above and value <= low:
            raise ValueError(f"must be > {low:g}, got {show(value)}")
        if value < low:
            raise ValueError(f"must be >= {low:g}, got {show(value)}")
        if high is not None and value > high:
            raise ValueError(f"must be <= {high:g}, got {show(value)}")

    return check


def _span(default: timedelta | None, *, zero: bool = False, optional: bool = False) -> Any:
    check = _check_span(zero=zero)
    if optional:
        return setting(default, check=optional_check(check), parse=optional_parse(parse_span))
    return setting(default, check=check, parse=parse_span)


def _share(default: float) -> Any:
    return setting(default, check=_check_number(high=1.0))


def _first_error(*checks: tuple[bool, str, str]) -> None:
    for failed, path, message in checks:
        if failed:
            raise SettingsError([(path, message)])


# -- random durations -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Timing:
    """A random duration: its distribution and mean (``cv`` shapes a lognormal).

    ``cv`` is the coefficient of variation (standard deviation / mean) of a lognormal; the
    exponential has 1 and a fixed duration 0, so ``cv`` is given for ``lognormal`` only
    (default 1.0).
    """

    distribution: DistributionKind = enum_field(DistributionKind, DistributionKind.EXPONENTIAL)
    mean: timedelta = setting(check=_check_span(zero=True), parse=parse_span)
    cv: float | None = setting(None, check=optional_check(_check_number(above=True)))

    def __attrs_post_init__(self) -> None:
        random = self.distribution is not DistributionKind.FIXED
        _first_error(
            (random and not self.mean, "mean", "must be longer than zero"),
            (
                self.cv is not None and self.distribution is not DistributionKind.LOGNORMAL,
                "cv",
                "is given for distribution = 'lognormal' only",
            ),
        )

    @classmethod
    def exponential(cls, mean: timedelta) -> Timing:
        """An exponential duration with this mean."""
        return cls(mean=mean)

    def sampler(self, rng: Random) -> Draw:
        """Durations drawn from ``rng``, in whole microseconds: call it (or its ``draw``)
        for the next."""
        mean = self.mean.total_seconds() * _US
        if self.distribution is DistributionKind.FIXED:
            return Draw(rng, FIXED, value=round(mean))
        if self.distribution is DistributionKind.EXPONENTIAL:
            return Draw(rng, EXPONENTIAL, rate=1.0 / mean)
        cv = 1.0 if self.cv is None else self.cv
        sigma = math.sqrt(math.log1p(cv * cv))
        mu = math.log(mean) - sigma * sigma / 2.0
        return Draw(rng, LOGNORMAL, mu=mu, sigma=sigma)


def _timing_shorthand(value: object) -> Timing:
    """A bare duration for a random time: exponential with that mean."""
    return Timing(mean=parse_span(value))


def _timing(default: Timing | None, *, optional: bool = False) -> Any:
    check: Check = instance_check(Timing)
    if optional:
        check = optional_check(check)
    return attrs.field(
        default=default,
        validator=wrap_check(check),
        metadata={"section": Timing, "check": check, "shorthand": _timing_shorthand},
    )


# -- sections -----------------------------------------------------------------------------


def _parse_rates(value: object) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"must be a list of 24 rates per hour, got {show(value)} ({kind_of(value)})"
        )
    return tuple(value)


def _check_rates(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of 24 rates per hour, got {show(value)}")
    if len(value) != 24:
        raise ValueError(f"must hold 24 rates (one per hour of the day), got {len(value)}")
    check = _check_number()
    for index, rate in enumerate(value):
        try:
            check(rate)
        except ValueError as exc:
            raise SettingsError([(f"[{index}]", str(exc))]) from None


@attrs.frozen(kw_only=True)
class Arrivals:
    """Users asking for an agent: a Poisson process, per hour (``rate``) or hour by hour.

    ``by_hour`` gives 24 rates, one per hour of the local day (in the workload's
    ``timezone``), midnight first. Give one of ``rate`` and ``by_hour``; with neither the
    rate is 60 per hour.
    """

    rate: float | None = setting(None, check=optional_check(_check_number()))
    by_hour: tuple[float, ...] | None = setting(
        None, check=optional_check(_check_rates), parse=optional_parse(_parse_rates)
    )

    def __attrs_post_init__(self) -> None:
        _first_error(
            (self.rate is not None and self.by_hour is not None, "", "give 'rate' or 'by_hour'")
        )

    def per_hour(self) -> tuple[float, ...]:
        """The rate in each hour of the local day, midnight first."""
        if self.by_hour is not None:
            return tuple(float(rate) for rate in self.by_hour)
        return (60.0 if self.rate is None else float(self.rate),) * 24


def _parse_weights(value: object) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a table of group = weight, got {show(value)} ({kind_of(value)})")
    return tuple((str(key), weight) for key, weight in value.items())


def _check_weights(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of (group, weight) pairs, got {show(value)}")
    check = _check_number()
    total = 0.0
    for pair in value:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise ValueError(f"must hold (group, weight) pairs, got {show(pair)}")
        group, weight = pair
        if not group:
            raise ValueError("group names must not be empty")
        try:
            check(weight)
        except ValueError as exc:
            raise ValueError(f"{show(group)} {exc}") from None
        total += weight
    if value and total <= 0:
        raise ValueError("needs a weight above zero")


def _parse_priorities(value: object) -> tuple[tuple[int, float], ...]:
    if not isinstance(value, Mapping):
        message = f"must be a table of priority = weight, got {show(value)} ({kind_of(value)})"
        raise ValueError(message)
    pairs = []
    for key, weight in value.items():
        try:
            priority = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"priorities are integers, got {show(key)}") from None
        if not -PRIORITY - 1 <= priority <= PRIORITY:
            raise ValueError(f"priorities are signed 64-bit integers, got {show(key)}")
        pairs.append((priority, weight))
    return tuple(pairs)


def _check_priorities(value: object) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(pair, tuple) and len(pair) == 2 and type(pair[0]) is int for pair in value
    ):
        raise ValueError(f"must be a tuple of (priority, weight) pairs, got {show(value)}")
    _check_weights(tuple((str(priority), weight) for priority, weight in value))


def _check_languages(value: object) -> None:
    _check_weights(value)
    for tag, _weight in value:  # type: ignore[attr-defined]
        fault = tag_fault(tag)
        if fault:
            raise ValueError(f"{show(tag)} {fault}")


@attrs.frozen(kw_only=True)
class Users:
    """How users behave: patience in the queue, replies while served, the group they pick.

    ``patience`` is how long a user waits for an agent before ending the conversation
    (``None``: forever). ``reply_delay`` is how long a user takes to answer an agent's
    message; a ``silent`` share of users stop answering once served (the user timeout
    closes them). With ``enter`` each user first opens the conversation (``user_entered``,
    so the welcome prompt is sent). ``groups`` weighs the groups users pick under the
    ``user_choice`` strategy and the groups the routing service answers under ``webhook``.
    """

    patience: Timing | None = _timing(None, optional=True)
    reply_delay: Timing = _timing(Timing(mean=timedelta(seconds=30)))
    silent: float = _share(0.0)
    enter: bool = setting(False, check=expect_bool)
    groups: tuple[tuple[str, float], ...] = setting((), check=_check_weights, parse=_parse_weights)
    priorities: tuple[tuple[int, float], ...] = setting(
        (), check=_check_priorities, parse=_parse_priorities
    )
    """The priorities of requests (Q1), weighted: ``{"0" = 9, "5" = 1}``."""
    languages: tuple[tuple[str, float], ...] = setting(
        (), check=_check_languages, parse=_parse_weights
    )
    """The users' languages (P4), weighted by BCP 47 tag: ``{ko = 1, en = 3}``."""


@attrs.frozen(kw_only=True)
class Handling:
    """How long agents take: the handle time, and how many messages they write.

    The handle time runs from the assignment until the agent ends the conversation. The
    agent writes ``messages`` messages, evenly spread over it, the first at once; each
    (re)starts the user timeout (C1). Messages are only sent when the desk has a
    ``closure.user_timeout``: without one they change nothing.
    """

    time: Timing = _timing(Timing(mean=timedelta(minutes=5)))
    messages: int = setting(1, check=int_check(0))
    transfers: float = _share(0.0)
    """The share of served conversations the agent transfers, half way through (X1–X3)."""
    to_agent: float = _share(0.5)
    """The share of transfers to another agent; the others go to a group (the user's,
    else one of ``users.groups``; with no groups, to an agent too)."""


def _parse_ranges(value: object) -> tuple[TimeRange, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"must be a list of 'HH:MM-HH:MM' ranges, got {show(value)} ({kind_of(value)})"
        )
    ranges = []
    for index, item in enumerate(value):
        try:
            ranges.append(TimeRange.parse(item))
        except ValueError as exc:
            raise SettingsError([(f"[{index}]", str(exc))]) from None
    return tuple(ranges)


def _check_ranges(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, TimeRange) for item in value):
        raise ValueError(f"must be a tuple of TimeRange, got {show(value)}")


def _parse_names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of strings, got {show(value)} ({kind_of(value)})")
    return tuple(value)


def _check_names(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of strings, got {show(value)}")
    for index, name in enumerate(value):
        if not isinstance(name, str) or not name:
            raise SettingsError([(f"[{index}]", f"must be a non-empty string, got {show(name)}")])
    if len(set(value)) != len(value):
        raise ValueError("must not repeat a name")


def _check_days(value: object) -> None:
    _check_names(value)
    days: tuple[str, ...] = value  # type: ignore[assignment]
    for index, day in enumerate(days):
        if day not in WeeklyHours.DAYS:
            listed = ", ".join(WeeklyHours.DAYS)
            hint = suggest(day, WeeklyHours.DAYS)
            raise SettingsError([(f"[{index}]", f"{show(day)} is not one of {listed}{hint}")])


def _check_team_name(value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a non-empty string, got {show(value)}")


@attrs.frozen(kw_only=True)
class Team:
    """Agents who work the same hours: ``count`` of them, ids ``{name}-0001`` and so on.

    ``hours`` are the shift's local ranges (as in docs/settings.md's ``working_hours.weekly``)
    on each of ``days``, in the workload's ``timezone``; ``None`` means the whole run.
    During ``breaks`` (local ranges) the team is on break (still staffing, A2). ``capacity``
    is each agent's capacity (``None``: ``queue.max_concurrent``).
    """

    name: str = setting("agent", check=_check_team_name)
    count: int = setting(10, check=int_check(0))
    capacity: int | None = setting(None, check=optional_check(int_check(0)))
    groups: tuple[str, ...] = setting((), check=_check_names, parse=_parse_names)
    hours: tuple[TimeRange, ...] | None = setting(
        None, check=optional_check(_check_ranges), parse=optional_parse(_parse_ranges)
    )
    days: tuple[str, ...] = setting(WeeklyHours.DAYS, check=_check_days, parse=_parse_names)
    breaks: tuple[TimeRange, ...] = setting((), check=_check_ranges, parse=_parse_ranges)

    def __attrs_post_init__(self) -> None:
        _first_error((bool(self.breaks) and self.hours is None, "breaks", "needs 'hours'"))


def _repeated_names(teams: tuple[Team | None, ...]) -> list[tuple[int, str, str]]:
    """Teams named like an earlier one, as ``(index, key, message)``; ``None`` is skipped."""
    first: dict[str, int] = {}
    faults: list[tuple[int, str, str]] = []
    for index, team in enumerate(teams):
        if team is None:
            continue
        if team.name in first:
            message = f"{show(team.name)} is already used by teams[{first[team.name]}]"
            faults.append((index, "name", message))
        else:
            first.setdefault(team.name, index)
    return faults


def _check_teams(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, Team) for item in value):
        raise ValueError(f"must be a tuple of Team, got {show(value)}")
    faults = _repeated_names(value)
    if faults:
        raise SettingsError([(f"[{index}].{key}", msg) for index, key, msg in faults])


@attrs.frozen(kw_only=True)
class Agents:
    """The agents and how they take offers (manual mode, S2–S4).

    ``count`` agents (default 10) of capacity ``capacity`` work the whole run, unless
    ``teams`` are given instead. In manual mode an agent answers an offer after
    ``accept_delay``; a ``missed`` share of offers is left to time out and a ``declined``
    share is declined. An agent the desk puts on break for a missed offer
    (``break_on_timeout``) comes back online ``break_return`` later (``None``: it stays on
    break).
    """

    count: int | None = setting(None, check=optional_check(int_check(0)))
    capacity: int | None = setting(None, check=optional_check(int_check(0)))
    teams: tuple[Team, ...] = attrs.field(
        default=(),
        validator=wrap_check(_check_teams),
        metadata={"items": Team, "check": _check_teams, "item_faults": _repeated_names},
    )
    accept_delay: Timing = _timing(Timing(mean=timedelta(seconds=5)))
    missed: float = _share(0.0)
    declined: float = _share(0.0)
    break_return: timedelta | None = _span(timedelta(minutes=5), optional=True)
    dropouts: float = setting(0.0, check=_check_number())
    """How often an online agent drops offline mid-shift, per hour (a Poisson rate); its
    conversations are handed over after ``service.reassign_after`` (A6)."""
    dropout_time: Timing = _timing(Timing(mean=timedelta(minutes=10)))
    """How long a dropped-out agent stays offline before it comes back online."""

    def __attrs_post_init__(self) -> None:
        given = self.count is not None or self.capacity is not None
        _first_error(
            (given and bool(self.teams), "", "give 'count' and 'capacity', or 'teams', not both"),
            (self.missed + self.declined > 1.0, "declined", "missed + declined must be <= 1"),
        )

    def roster(self) -> tuple[Team, ...]:
        """The teams: ``teams``, or one team of ``count`` agents working the whole run."""
        if self.teams:
            return self.teams
        count = 10 if self.count is None else self.count
        return (Team(name="agent", count=count, capacity=self.capacity),)


def _check_scores(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of weights, got {show(value)}")
    if not 2 <= len(value) <= 10:
        raise ValueError(f"must give one weight per score 1 … scale (2 to 10), got {len(value)}")
    check = _check_number()
    for index, weight in enumerate(value):
        try:
            check(weight)
        except ValueError as exc:
            raise SettingsError([(f"[{index}]", str(exc))]) from None
    if sum(value) <= 0:
        raise ValueError("needs a weight above zero")


def _parse_scores(value: object) -> tuple[float, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of weights, got {show(value)} ({kind_of(value)})")
    return tuple(value)


@attrs.frozen(kw_only=True)
class RatingBehaviour:
    """Who rates: agents invite an ``invite`` share of served users (just before ending);
    a ``respond`` share of users given a card rate ``delay`` after it, with scores
    weighted by ``scores`` (one weight per score 1 … ``ratings.scale``; default even).
    """

    invite: float = _share(0.0)
    respond: float = _share(0.5)
    delay: Timing = _timing(Timing(mean=timedelta(minutes=2)))
    scores: tuple[float, ...] | None = setting(
        None, check=optional_check(_check_scores), parse=optional_parse(_parse_scores)
    )


@attrs.frozen(kw_only=True)
class Routing:
    """The host's routing service (webhook strategy): it answers after ``answer_delay``
    with a group drawn from ``users.groups`` (or, with none, every agent), or fails for a
    ``failures`` share of requests.
    """

    answer_delay: Timing = _timing(
        Timing(distribution=DistributionKind.FIXED, mean=timedelta(seconds=1))
    )
    failures: float = _share(0.0)


def _parse_start(value: object) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"must be an ISO 8601 instant with an offset, got {show(value)}"
            ) from None
    return value  # type: ignore[return-value]


def _check_start(value: object) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"must be an instant, got {show(value)} ({kind_of(value)})")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must have an offset (e.g. '2026-03-02T00:00:00Z'), got {value}")


def _check_zone(value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {show(value)} ({kind_of(value)})")
    fault = zone_fault(value)
    if fault:
        raise ValueError(fault)


@attrs.frozen(kw_only=True)
class Workload:
    """Synthetic traffic for :func:`~deskcore.simulate`: when, who, and how they behave.

    Users arrive from ``start`` for ``length``; the run then goes on until every
    conversation has ended (at most a day more). Statistics count the conversations
    requested from ``start + warmup`` on, and agent time in the same window. Hours of the
    day (``arrivals.by_hour``, team ``hours``) are local to ``timezone``.
    """

    start: datetime = setting(
        datetime(2026, 3, 2, tzinfo=UTC), check=_check_start, parse=_parse_start
    )
    length: timedelta = _span(timedelta(hours=24))
    warmup: timedelta = _span(timedelta(0), zero=True)
    timezone: str = setting("UTC", check=_check_zone)
    arrivals: Arrivals = section_field(Arrivals)
    users: Users = section_field(Users)
    handling: Handling = section_field(Handling)
    agents: Agents = section_field(Agents)
    ratings: RatingBehaviour = section_field(RatingBehaviour)
    routing: Routing = section_field(Routing)

    def __attrs_post_init__(self) -> None:
        _first_error((self.warmup >= self.length, "warmup", "must be shorter than 'length'"))

    @classmethod
    def simple(
        cls,
        *,
        agents: int,
        arrival_rate: float,
        handle_time: timedelta,
        patience: timedelta | None = None,
        hours: float = 24.0,
        warmup: timedelta = timedelta(0),
    ) -> Workload:
        """``agents`` agents all day, Poisson arrivals, exponential handle times and patience.

        ``arrival_rate`` is per hour; ``patience`` ``None`` means users never give up.
        """
        return cls(
            length=timedelta(hours=hours),
            warmup=warmup,
            arrivals=Arrivals(rate=arrival_rate),
            users=Users(patience=None if patience is None else Timing(mean=patience)),
            handling=Handling(time=Timing(mean=handle_time)),
            agents=Agents(count=agents),
        )


# -- loading --------------------------------------------------------------------------------


def load_workload(source: Mapping[str, Any] | str | os.PathLike[str]) -> Workload:
    """Load and validate a workload document (TOML or JSON), like :func:`load_settings`.

    ``source`` is a mapping, a path (``pathlib.Path``, or a one-line ``str`` ending in
    ``.toml`` or ``.json``), or the document's text (JSON when it starts with ``{``).
    Raises :class:`~deskcore.SettingsError` listing every fault with its path, and
    ``OSError`` when a file cannot be read.

    >>> load_workload('[agents]\\ncount = 3').agents.roster()[0].count
    3
    """
    workload: Workload = structure_document(Workload, read_document(source))
    return workload
