"""Date rules of working-hours overrides: which local dates of a year an RRULE names.

Walking a rule from its DTSTART (1970-01-01 by default) to the year asked about costs
as many steps as occurrences in between: a ``FREQ=DAILY`` rule asked about year 9000
takes seconds, and a rule that never matches walks to year 9999 before it says so. A
:class:`DateRule` answers for a year without the walk:

- **Directly**, for the rules an override usually holds: one RRULE (an optional
  DTSTART) made of FREQ, INTERVAL, UNTIL, BYMONTH, BYMONTHDAY, BYDAY and WKST. Each
  by-part is a filter on the days of a period (as dateutil reads them); the period's
  phase follows from INTERVAL, so a year's dates are computed from the year alone.
  A test compares this with dateutil on random rules.
- **By dateutil, folded**, for the rest (COUNT, BYSETPOS, BYWEEKNO, BYYEARDAY, several
  lines). The Gregorian calendar repeats every 400 years (146,097 days, 20,871 weeks,
  4,800 months); a rule without COUNT or BYEASTER repeats with it (or with a multiple
  that INTERVAL needs), so a far year is walked from the rule's DTSTART moved on by
  whole cycles: never more than one cycle's walk. A rule that names no date at all is
  found out by one walk (dateutil's, to the year 9999), once.

Dates are naive local dates: the rule is read in the desk's wall time (T3).
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime, timedelta

from dateutil.rrule import rrule, rruleset, rrulestr

from ._show import cut, show

__all__ = ["DateRule", "compile_rule", "rule_parts"]

EPOCH = datetime(1970, 1, 1)  # W1: an rrule without DTSTART counts from here
FREQS = {"YEARLY": 0, "MONTHLY": 1, "WEEKLY": 2, "DAILY": 3}
DIRECT_PARTS = frozenset({"FREQ", "INTERVAL", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "WKST"})
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
CYCLE_UNITS = (400, 4800, 20871, 146097)  # years, months, weeks, days in 400 years
_STAMP = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z?)?")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_YEARS_KEPT = 64  # years of dates kept per rule


def _stamp(text: str) -> datetime | None:
    match = _STAMP.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


class DateRule:
    """One compiled rule; :meth:`dates_in` gives the dates it names in a year."""

    __slots__ = (
        "_bymonth",
        "_bymonthday",
        "_bynweekday",
        "_byweekday",
        "_cycle",
        "_empty",
        "_freq",
        "_interval",
        "_rule",
        "_start",
        "_until",
        "_wkst",
        "_years",
    )

    def __init__(self, rule: rrule | rruleset, start: datetime) -> None:
        self._rule = rule  # dateutil's, for the rules not computed directly
        self._start = start
        self._freq: int | None = None  # set when the rule is computed directly
        self._interval = 1
        self._until: datetime | None = None
        self._bymonth: frozenset[int] = frozenset()
        self._bymonthday: frozenset[int] = frozenset()
        self._byweekday: frozenset[int] = frozenset()
        self._bynweekday: tuple[tuple[int, int], ...] = ()
        self._wkst = 0
        self._cycle: int | None = None  # years after which dateutil's answers repeat
        self._empty: bool | None = None  # whether dateutil finds no date at all, once known
        self._years: dict[int, frozenset[date]] = {}

    # -- answers ----------------------------------------------------------------------------

    @property
    def direct(self) -> bool:
        """Whether the rule's dates are computed directly (not walked by dateutil)."""
        return self._freq is not None

    def dates_in(self, year: int) -> frozenset[date]:
        """The local dates of ``year`` on which the rule has an occurrence."""
        found = self._years.get(year)
        if found is None:
            direct = self._freq is not None
            found = frozenset(self._direct(year)) if direct else self._folded(year)
            if len(self._years) >= _YEARS_KEPT:
                self._years.clear()
            self._years[year] = found
        return found

    def never_matches(self) -> bool:
        """Whether the rule names no date at all (checked over one whole cycle after its
        start, which is every date it could ever name, when it repeats)."""
        if self._freq is None:
            if self._empty is None:
                # dateutil walks to year 9999 looking for a date a rule never names: once.
                self._empty = self._rule.after(self._start, inc=True) is None
            return self._empty
        first = self._start.year
        last = min(first + 1 + self._cycle_years(), 9999)
        return not any(self.dates_in(year) for year in range(first, last + 1))

    def set_up(self, parts: dict[str, str]) -> None:
        """Read a single rule's ``parts``: computed directly when they allow it, else by
        dateutil, folded when it repeats with the calendar."""
        if not self._set_up_direct(parts) and "COUNT" not in parts and "BYEASTER" not in parts:
            freq = FREQS.get(parts.get("FREQ", ""))
            try:
                step = int(parts.get("INTERVAL", "1"))
            except ValueError:
                return
            if freq is not None and step >= 1:
                self._cycle = _cycle(freq, step)

    def _set_up_direct(self, parts: dict[str, str]) -> bool:
        """Set the rule up to be computed directly; False when it needs dateutil."""
        if not set(parts) <= DIRECT_PARTS or parts.get("FREQ") not in FREQS:
            return False
        freq = FREQS[parts["FREQ"]]
        try:
            step = int(parts.get("INTERVAL", "1"))
            months = frozenset(int(item) for item in _items(parts, "BYMONTH"))
            monthdays = frozenset(int(item) for item in _items(parts, "BYMONTHDAY"))
        except ValueError:
            return False
        plain: set[int] = set()
        nth: list[tuple[int, int]] = []
        for item in _items(parts, "BYDAY"):
            match = _BYDAY.fullmatch(item)
            if match is None:
                return False
            number, name = match.groups()
            if number is None or freq >= 2:  # weekly and daily rules read n-th as plain
                plain.add(WEEKDAYS[name])
            elif int(number) == 0:
                return False
            else:
                nth.append((WEEKDAYS[name], int(number)))
        if nth and (monthdays or plain):
            return False  # dateutil's reading of these mixes is its own
        if freq == 2 and monthdays:
            return False
        until = None
        if "UNTIL" in parts:
            until = _stamp(parts["UNTIL"])
            if until is None:
                return False
        wkst = WEEKDAYS.get(parts.get("WKST", "MO"))
        if wkst is None or step < 1:
            return False
        start = self._start
        if not (monthdays or plain or nth):  # dateutil's defaults from DTSTART
            if freq == 0:
                months = months or frozenset({start.month})
                monthdays = frozenset({start.day})
            elif freq == 1:
                monthdays = frozenset({start.day})
            elif freq == 2:
                plain = {start.weekday()}
        self._freq = freq
        self._interval = step
        self._until = until
        self._bymonth = months
        self._bymonthday = monthdays
        self._byweekday = frozenset(plain)
        self._bynweekday = tuple(nth)
        self._wkst = wkst
        return True

    # -- the direct computation ----------------------------------------------------------

    def _cycle_years(self) -> int:
        assert self._freq is not None
        return _cycle(self._freq, self._interval)

    def _direct(self, year: int) -> list[date]:
        start, until = self._start, self._until
        if year < start.year or (until is not None and year > until.year) or year > 9999:
            return []
        freq, step = self._freq, self._interval
        if freq == 0 and (year - start.year) % step:
            return []
        days = self._candidates(year)
        if year == start.year or (until is not None and year == until.year):
            first, time_of_day = start.date(), start.time()
            days = [
                day
                for day in days
                if day >= first and (until is None or datetime.combine(day, time_of_day) <= until)
            ]
        if (step == 1 or freq == 0) and not self._byweekday and not self._bynweekday:
            return days  # a date rule: its months and days say it all
        return [day for day in days if self._in_phase(day) and self._passes(day)]

    def _candidates(self, year: int) -> list[date]:
        """The days of ``year`` that the month and month-day parts allow, in order."""
        months = sorted(self._bymonth) if self._bymonth else range(1, 13)
        leap = calendar.isleap(year)
        if self._bymonthday:
            days = []
            numbers = sorted(self._bymonthday)
            for month in months:
                length = 29 if month == 2 and leap else MONTH_DAYS[month]
                for number in numbers:
                    day = number if number > 0 else length + number + 1
                    if 1 <= day <= length:
                        days.append(date(year, month, day))
            return sorted(set(days)) if len(numbers) > 1 and numbers[0] < 0 else days
        return [
            date(year, month, day)
            for month in months
            for day in range(1, (29 if month == 2 and leap else MONTH_DAYS[month]) + 1)
        ]

    def _in_phase(self, day: date) -> bool:
        """Whether ``day`` lies in a period the interval keeps (every n-th from DTSTART)."""
        start, step, freq = self._start, self._interval, self._freq
        if step == 1 or freq == 0:  # a year's phase was checked once for the year
            return True
        if freq == 1:
            months = (day.year - start.year) * 12 + day.month - start.month
            return months % step == 0
        if freq == 2:
            wkst = self._wkst
            first = start.date() - timedelta(days=(start.weekday() - wkst) % 7)
            week = day - timedelta(days=(day.weekday() - wkst) % 7)
            return ((week - first).days // 7) % step == 0
        return (day - start.date()).days % step == 0

    def _passes(self, day: date) -> bool:
        """The weekday filters: plain weekdays, and n-th weekdays of the month or year."""
        if self._byweekday and day.weekday() not in self._byweekday:
            return False
        if not self._bynweekday:
            return True
        in_month = self._freq == 1 or (self._freq == 0 and bool(self._bymonth))
        if in_month:
            low = day.replace(day=1)
            high = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        else:
            low, high = date(day.year, 1, 1), date(day.year, 12, 31)
        weekday = day.weekday()
        ahead = (day - low).days // 7 + 1  # this is the n-th such weekday from the start
        behind = -((high - day).days // 7 + 1)  # and from the end
        return any(wd == weekday and n in (ahead, behind) for wd, n in self._bynweekday)

    # -- dateutil, folded ------------------------------------------------------------------

    def _folded(self, year: int) -> frozenset[date]:
        if year > 9999 or self.never_matches():
            return frozenset()
        cycle, start, rule = self._cycle, self._start, self._rule
        if cycle is not None and year - start.year > cycle:
            assert isinstance(rule, rrule)  # a cycle is known for single rules only
            # The same rule started whole cycles later names the same dates that far on,
            # past its first year (whose dates before DTSTART it leaves out).
            later = start.year + (year - start.year - 1) // cycle * cycle
            rule = rule.replace(dtstart=start.replace(year=later))
        return self._walk(rule, year)

    @staticmethod
    def _walk(rule: rrule | rruleset, year: int) -> frozenset[date]:
        low = datetime(year, 1, 1)
        high = datetime(year, 12, 31, 23, 59, 59, 999999)
        return frozenset(moment.date() for moment in rule.between(low, high, inc=True))


def rule_parts(text: str) -> list[dict[str, str] | None]:
    """The ``KEY=VALUE`` parts of each RRULE or EXRULE line of ``text``, upper-cased;
    ``None`` for such a line that is not made of KEY=VALUE parts."""
    found: list[dict[str, str] | None] = []
    for line in text.strip().splitlines():
        name, colon, body = line.strip().partition(":")
        if not colon:
            name, body = "RRULE", line.strip()
        if name.split(";")[0].strip().upper() not in ("RRULE", "EXRULE"):
            continue
        pairs = [part.partition("=") for part in body.split(";")]
        if all(equals for _, equals, _ in pairs):
            found.append({key.strip().upper(): value.strip().upper() for key, _, value in pairs})
        else:
            found.append(None)
    return found


def compile_rule(text: str) -> DateRule:
    """The :class:`DateRule` of an RRULE ``text`` (one or more lines, an optional
    DTSTART); raises ``ValueError`` when dateutil cannot read it."""
    try:
        # ignoretz and an empty TZID table keep every date naive: the rule is read in the
        # desk's local wall time (T3: dateutil never sees an aware datetime).
        rule = rrulestr(text, dtstart=EPOCH, ignoretz=True, tzids={})
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        detail = "no RRULE line" if isinstance(exc, IndexError) else cut(str(exc) or repr(exc))
        raise ValueError(f"invalid RRULE {show(text)}: {detail}") from None
    start, single = EPOCH, True
    for line in (line.strip() for line in text.strip().splitlines()):
        name, colon, value = line.partition(":")
        head = name.split(";")[0].strip().upper()
        if head == "DTSTART" and colon:
            start = _stamp(value) or start
        elif line and head != "RRULE" and not line.upper().startswith("FREQ="):
            single = False  # EXRULE, RDATE, EXDATE, a second rule: a set
    parts = rule_parts(text)
    compiled = DateRule(rule, start)
    if single and len(parts) == 1 and parts[0] is not None:
        compiled.set_up(parts[0])
    return compiled


def _cycle(freq: int, step: int) -> int:
    """The years after which a rule of ``freq`` every ``step`` periods repeats itself:
    whole 400-year calendar cycles that hold a whole number of its steps."""
    return 400 * (step // math.gcd(CYCLE_UNITS[freq], step))


def _items(parts: dict[str, str], key: str) -> list[str]:
    value = parts.get(key, "")
    return [item.strip() for item in value.split(",") if item.strip()]
