"""The working hours of the settings document: weekly ranges, date overrides, the zone.

``[working_hours]`` as frozen values (rules W1–W3). The evaluated schedule is a
:class:`~deskcore.Schedule` (:mod:`deskcore._hours`); override rrules are read by
:mod:`deskcore._rrules`.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import attrs

from ._errors import SettingsError
from ._fields import (
    Faults,
    expect_str,
    flag_field,
    instance_check,
    kind_of,
    nullable,
    optional_check,
    raise_faults,
    setting,
    suggest,
    text_field,
    wrap_check,
)
from ._hours import RANGE_PATTERN, Schedule, parse_range, parse_rrule
from ._rrules import rule_parts
from ._show import show

__all__ = [
    "MOST_OCCURRENCES",
    "DateOverride",
    "TimeRange",
    "WeeklyHours",
    "WorkingHoursSettings",
    "zone_fault",
    "zone_names",
]


@attrs.frozen(order=True)
class TimeRange:
    """A local-time range ``[start, end)`` in minutes after midnight.

    ``start`` is in 0..1439 and ``end`` in 1..1440 (``"24:00"``); an ``end`` not after
    ``start`` runs past midnight and belongs to the day it starts on (docs/settings.md).
    ``TimeRange(0, 1440)`` is the whole day.

    >>> TimeRange.parse("22:00-06:00"), str(TimeRange(9 * 60, 18 * 60))
    (TimeRange(start=1320, end=360), '09:00-18:00')
    """

    start: int
    end: int

    def __attrs_post_init__(self) -> None:
        for name, low, high in (("start", 0, 1439), ("end", 1, 1440)):
            value = getattr(self, name)
            if type(value) is not int:  # bool is not a minute
                message = f"must be an integer number of minutes, got {show(value)}"
                raise SettingsError([(name, f"{message} ({kind_of(value)})")])
            if not low <= value <= high:
                raise SettingsError([(name, f"must be in {low}..{high}, got {value}")])
        if self.start == self.end:
            raise SettingsError([("end", f"must differ from start, got {self.end} for both")])

    @classmethod
    def parse(cls, text: object) -> TimeRange:
        """Read ``"HH:MM-HH:MM"``; raises ``ValueError`` naming what is wrong."""
        if not isinstance(text, str):
            raise ValueError(f"must be a string 'HH:MM-HH:MM', got {show(text)} ({kind_of(text)})")
        start, end = parse_range(text)
        return cls(start, end)

    def __str__(self) -> str:
        return "{:02d}:{:02d}-{:02d}:{:02d}".format(*divmod(self.start, 60), *divmod(self.end, 60))


def _parse_ranges(value: object) -> tuple[TimeRange, ...]:
    if not isinstance(value, list | tuple):
        message = f"must be a list of 'HH:MM-HH:MM' ranges, got {show(value)} ({kind_of(value)})"
        raise ValueError(message)
    ranges: list[TimeRange] = []
    faults: Faults = []
    for index, item in enumerate(value):
        try:
            ranges.append(TimeRange.parse(item))
        except ValueError as exc:
            faults.append((f"[{index}]", str(exc)))
    raise_faults(faults)
    return tuple(ranges)


def _check_ranges(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, TimeRange) for item in value):
        raise ValueError(f"must be a tuple of TimeRange, got {show(value)} ({kind_of(value)})")


def _ranges(default: tuple[TimeRange, ...] = ()) -> Any:
    schema = {"type": "array", "items": {"type": "string", "pattern": RANGE_PATTERN}}
    return setting(default, check=_check_ranges, parse=_parse_ranges, schema=schema)


@attrs.frozen(kw_only=True)
class WeeklyHours:
    """The ranges of each weekday; a day left out is closed (``[working_hours.weekly]``)."""

    DAYS: ClassVar[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

    mon: tuple[TimeRange, ...] = _ranges()
    tue: tuple[TimeRange, ...] = _ranges()
    wed: tuple[TimeRange, ...] = _ranges()
    thu: tuple[TimeRange, ...] = _ranges()
    fri: tuple[TimeRange, ...] = _ranges()
    sat: tuple[TimeRange, ...] = _ranges()
    sun: tuple[TimeRange, ...] = _ranges()

    @classmethod
    def office(cls) -> WeeklyHours:
        """The default week: Monday to Friday, 09:00 to 18:00."""
        day = (TimeRange(9 * 60, 18 * 60),)
        return cls(mon=day, tue=day, wed=day, thu=day, fri=day)

    def by_weekday(self) -> tuple[tuple[TimeRange, ...], ...]:
        """The seven days' ranges, Monday first."""
        return tuple(getattr(self, day) for day in self.DAYS)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"must be a date 'YYYY-MM-DD', got a date and time {show(value)}")
    if isinstance(value, date):
        return value  # a TOML date: date = 2026-12-24
    if not isinstance(value, str):
        raise ValueError(f"must be a date 'YYYY-MM-DD', got {show(value)} ({kind_of(value)})")
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"must be a date 'YYYY-MM-DD', got {show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"must be a real date 'YYYY-MM-DD', got {show(value)} ({exc})") from None


def _check_date(value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"must be a datetime.date, got {show(value)} ({kind_of(value)})")


# An override names whole local dates: finer frequencies and times of day make no sense
# there, and would make evaluation walk millions of occurrences (FREQ=MINUTELY).
_DATE_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_RRULE_LIMITS = {"BYMONTH": (12, False), "BYMONTHDAY": (31, True), "BYYEARDAY": (366, True)}
_RRULE_LIMITS["BYWEEKNO"] = (53, True)


MOST_OCCURRENCES = 10_000
"""The largest COUNT of an override's rrule (its occurrences are counted from DTSTART)."""

_RRULE_FORM = "expected 'KEY=VALUE' parts separated by ';' like 'FREQ=YEARLY;BYMONTH=12'"


def _rule_fault(parts: dict[str, str]) -> str | None:
    """Why an RRULE's parts do not name dates, or ``None``."""
    freq = parts.get("FREQ")
    if freq is None:
        return "FREQ is missing (e.g. 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25')"
    if freq not in _DATE_FREQS:
        return f"FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY (it names dates), got {show(freq)}"
    for key in _TIME_PARTS:
        if key in parts:
            return f"{key} is not allowed (an override names whole dates, not times)"
    for key, (high, signed) in _RRULE_LIMITS.items():
        for item in parts[key].split(",") if key in parts else ():
            number = _integer(item)
            if number is not None and not (1 <= abs(number) <= high and (signed or number > 0)):
                allowed = f"1..{high} or -{high}..-1" if signed else f"1..{high}"
                return f"{key} must be in {allowed}, got {item.strip()}"
    for key in ("INTERVAL", "COUNT"):
        number = _integer(parts.get(key, "1"))
        if number is not None and number < 1:
            return f"{key} must be at least 1, got {parts[key]}"
    count = _integer(parts.get("COUNT", "1"))
    if count is not None and count > MOST_OCCURRENCES:
        return f"COUNT must be at most {MOST_OCCURRENCES} (leave it out to repeat for ever)"
    return None


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None  # dateutil reports it


def _check_rrule(value: object) -> None:
    text = expect_str(value)
    for parts in rule_parts(text):
        fault = _RRULE_FORM if parts is None else _rule_fault(parts)
        if fault:
            raise ValueError(f"invalid RRULE {show(text)}: {fault}")
    parse_rrule(text)


@attrs.frozen(kw_only=True)
class DateOverride:
    """Hours for one date, or for the dates an rrule names (``[[working_hours.dates]]``).

    Exactly one of ``date`` and ``rrule`` is given; ``hours = ()`` closes the day.
    """

    date: date | None = setting(
        None,
        check=optional_check(_check_date),
        parse=_parse_date,
        schema=nullable({"type": "string", "pattern": f"^{_ISO_DATE.pattern}$"}),
    )
    rrule: str | None = setting(
        None, check=optional_check(_check_rrule), schema=nullable({"type": "string"})
    )
    hours: tuple[TimeRange, ...] = _ranges()

    # cross_check's rule, as JSON Schema says it: a date or an rrule, not both.
    schema_rules: ClassVar[Mapping[str, Any]] = {
        "oneOf": [
            {"properties": {"date": {"type": "string"}}, "required": ["date"]},
            {"properties": {"rrule": {"type": "string"}}, "required": ["rrule"]},
        ]
    }

    def __attrs_post_init__(self) -> None:
        raise_faults(self.cross_check())

    def cross_check(self) -> list[tuple[str, str]]:
        """Faults that involve more than one field, as ``(field, message)`` pairs."""
        if self.date is None and self.rrule is None:
            return [("", "must give one of 'date' and 'rrule', got neither")]
        if self.date is not None and self.rrule is not None:
            return [("", "must give one of 'date' and 'rrule', got both")]
        return []


# Names in a machine's zone folder that are not zones but its own settings or links.
_MACHINE_NAMES = frozenset({"localtime", "posixrules"})


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The IANA zone names a desk accepts, sorted: those of the zone database, without
    the machine's own ``localtime`` (which differs from machine to machine)."""
    return tuple(sorted(zoneinfo.available_timezones() - _MACHINE_NAMES))


def zone_fault(name: str) -> str | None:
    """Why ``name`` is not a zone a desk accepts, with a hint; ``None`` when it is."""
    if name in zone_names():
        return None
    return f"must be an IANA time zone name, got {show(name)}{_zone_hint(name)}"


def _zone_hint(name: str) -> str:
    """A hint for a mis-cased (``europe/berlin``), bare (``Berlin``) or misspelt zone."""
    folded = name.strip().lower()
    for zone in zone_names():
        if zone.lower() == folded:
            return f" (did you mean {show(zone)}?)"
    city = folded.replace(" ", "_")
    for zone in zone_names():
        if "/" in zone and zone.rsplit("/", 1)[1].lower() == city:
            return f" (did you mean {show(zone)}?)"
    return suggest(name, zone_names())


def _check_zone(value: object) -> None:
    fault = zone_fault(expect_str(value))
    if fault:
        raise ValueError(fault)


def _repeated_dates(overrides: Sequence[DateOverride | None]) -> list[tuple[int, str, str]]:
    """Overrides naming a date that an earlier one names, as ``(index, key, message)``.

    ``None`` stands for an override that could not be read; it is skipped.
    """
    first: dict[date, int] = {}
    faults: list[tuple[int, str, str]] = []
    for index, override in enumerate(overrides):
        if override is None or override.date is None:
            continue
        if override.date in first:
            message = f"repeats {override.date}, which dates[{first[override.date]}] overrides"
            faults.append((index, "date", message))
        else:
            first[override.date] = index
    return faults


def _check_overrides(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, DateOverride) for item in value):
        raise ValueError(f"must be a tuple of DateOverride, got {show(value)} ({kind_of(value)})")
    raise_faults([(f"[{index}].{key}", msg) for index, key, msg in _repeated_dates(value)])


@attrs.frozen(kw_only=True)
class WorkingHoursSettings:
    """When the desk is open (``[working_hours]``, rules W1–W3).

    :meth:`is_open`, :meth:`next_open` and :meth:`next_close` answer for any aware instant,
    whether or not ``enabled`` is set (``enabled`` only decides whether the desk checks).
    """

    enabled: bool = flag_field(False)
    timezone: str = setting("UTC", check=_check_zone, schema={"enum": list(zone_names())})
    after_hours_reply: str = text_field(
        "We are closed right now. We open again at $NextOpen.", "NextOpen"
    )
    weekly: WeeklyHours = attrs.field(
        factory=WeeklyHours.office,
        validator=wrap_check(instance_check(WeeklyHours)),
        metadata={"section": WeeklyHours},
    )
    dates: tuple[DateOverride, ...] = attrs.field(
        default=(),
        validator=wrap_check(_check_overrides),
        metadata={"items": DateOverride, "item_faults": _repeated_dates},
    )
    _schedule: Schedule = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        schedule = Schedule(
            zone=self.timezone,
            weekly=[[(r.start, r.end) for r in day] for day in self.weekly.by_weekday()],
            dates={o.date: [(r.start, r.end) for r in o.hours] for o in self.dates if o.date},
            rrules=[(o.rrule, [(r.start, r.end) for r in o.hours]) for o in self.dates if o.rrule],
        )
        object.__setattr__(self, "_schedule", schedule)

    @property
    def schedule(self) -> Schedule:
        """The evaluated schedule (open intervals on the UTC time line)."""
        return self._schedule

    def warnings(self) -> list[tuple[str, str]]:
        """What is valid but surely not meant: overrides whose rrule never names a date,
        as ``(path, message)`` pairs (``deskcore validate`` prints them)."""
        rules = [number for number, override in enumerate(self.dates) if override.rrule]
        return [
            (
                f"working_hours.dates[{rules[index]}].rrule",
                "never names a date: this override never applies",
            )
            for index in self._schedule.silent_rules()
        ]

    def is_open(self, now: datetime) -> bool:
        """Whether the desk is open at the aware instant ``now`` (rules W1, W2)."""
        return self._schedule.is_open(now)

    def next_open(
        self, now: datetime, *, horizon: timedelta = timedelta(days=366)
    ) -> datetime | None:
        """The first opening at or after ``now`` within ``horizon``, in the desk's zone (W3).

        An opening is an instant when the desk is open and was closed just before; while the
        desk is open this is the start of its next period, not ``now``.
        """
        return self._schedule.next_open(now, horizon=horizon)

    def next_close(
        self, now: datetime, *, horizon: timedelta = timedelta(days=366)
    ) -> datetime | None:
        """The first closing at or after ``now`` within ``horizon``, in the desk's zone."""
        return self._schedule.next_close(now, horizon=horizon)
