"""Working hours: when a desk is open (rules W1-W3, T3).

Local wall time is used only to build each date's open intervals; every comparison and
every piece of arithmetic happens on the UTC time line. Nothing here reads a clock.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType

from ._rrules import DateRule, compile_rule
from ._show import show
from ._time import from_us, require_aware, to_us

__all__ = ["RANGE_PATTERN", "OpenMemo", "Schedule", "parse_range", "parse_rrule", "resolve_local"]

_Range = tuple[int, int]
_Interval = tuple[datetime, datetime]  # [start, end) in UTC
_Day = tuple[datetime, tuple[_Interval, ...]]  # (start of the date's window, its intervals)

_ONE_DAY = timedelta(days=1)
_ONE_US = timedelta(microseconds=1)
_DEFAULT_HORIZON = timedelta(days=366)  # rule W3
_NO_DATES: Mapping[date, Sequence[_Range]] = MappingProxyType({})
# Dates with ranges, and instants that can be open: a margin inside datetime's limits so
# that no computation near years 1 and 9999 overflows. Beyond them the desk is closed.
_MIN_DATE, _MAX_DATE = date(1, 1, 15), date(9999, 12, 15)
_MIN_UTC, _MAX_UTC = datetime(1, 1, 10, tzinfo=UTC), datetime(9999, 12, 20, tzinfo=UTC)
_DAY_CACHE = 1024  # dates per schedule: enough for intervals() with 366 days each side
_YEARS_KEPT = 8  # years of rrule dates indexed per schedule
_RANGE = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})")

_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
RANGE_PATTERN = rf"^(?!([0-9]{{2}}:[0-9]{{2}})-\1$){_TIME}-(?:{_TIME}|24:00)$"
"""The ranges :func:`parse_range` accepts, as a regular expression that JSON Schema's
dialect reads the same: ``HH:MM-HH:MM``, ``24:00`` only as an end, start and end apart."""


def parse_range(text: str) -> tuple[int, int]:
    """Read ``'HH:MM-HH:MM'`` as ``(start_minute, end_minute)``.

    ``start`` is in 0..1439 and ``end`` in 1..1440; ``'24:00'`` is allowed only as an end.
    An end of ``'00:00'`` means the next midnight, the same as ``'24:00'`` (rule W1: a
    range ending at or before its start ends on the next date). Raises ``ValueError`` for
    anything malformed, including a start equal to the end.

    >>> parse_range("22:00-06:00")
    (1320, 360)
    """
    match = _RANGE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected 'HH:MM-HH:MM', got {show(text)}")
    hours1, minutes1, hours2, minutes2 = (int(group) for group in match.groups())
    start, end = hours1 * 60 + minutes1, hours2 * 60 + minutes2
    for hours, minutes, is_end in ((hours1, minutes1, False), (hours2, minutes2, True)):
        stamp = f"{hours:02d}:{minutes:02d}"
        if stamp == "24:00" and not is_end:
            raise ValueError(f"bad time '24:00' in {show(text)}: '24:00' is allowed only as an end")
        if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
            raise ValueError(f"bad time {show(stamp)} in {show(text)}")
    if start == end:
        raise ValueError(f"start and end are equal: {show(text)}")
    return start, end or 1440


def parse_rrule(text: str) -> None:
    """Check that ``text`` is an RRULE dateutil can read; raise ``ValueError`` otherwise.

    ``text`` is like ``'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25'``, optionally with a
    ``DTSTART`` line; without one the rule counts from 1970-01-01 (rule W1). Time zone
    designators in it are ignored: its times are the desk's local wall time.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"expected an RRULE such as 'FREQ=YEARLY;BYMONTH=12', got {show(text)}")
    compile_rule(text)


def _local_wall(instant: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The naive local wall time of an instant in ``zone``."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _resolve_wall(wall: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first UTC instant whose local wall time is at or after ``wall`` (rule W2)."""
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:  # no transition near: the usual case
        return first
    real = [instant for instant in (first, second) if _local_wall(instant, zone) == wall]
    if real:  # a repeated wall time: the first of the two
        return min(real)
    # A gap: the first instant after it is the transition, the earliest instant whose
    # wall time is >= `wall`. It lies in (low, high]; bisect on whole microseconds.
    low, high = min(first, second), max(first, second)
    below, above = 0, (high - low) // _ONE_US
    while above - below > 1:
        middle = (below + above) // 2
        if _local_wall(low + middle * _ONE_US, zone) >= wall:
            above = middle
        else:
            below = middle
    return low + above * _ONE_US


def resolve_local(day: date, minute: int, zone: zoneinfo.ZoneInfo) -> datetime:
    """The UTC instant of the local wall time ``minute`` minutes after midnight of ``day``.

    ``minute`` may be 1440 (the next midnight). A wall time in a DST gap means the first
    instant after the gap, a repeated one the first of the two (rule W2). The result is
    aware with ``tzinfo=datetime.UTC``.
    """
    if isinstance(minute, bool) or not isinstance(minute, int) or not 0 <= minute <= 1440:
        raise ValueError(f"minute must be an integer in 0..1440, got {show(minute)}")
    return _resolve_wall(datetime.combine(day, time()) + timedelta(minutes=minute), zone)


def _check_ranges(ranges: object, where: str) -> tuple[_Range, ...]:
    """Validate one date's ranges: pairs (start, end), start 0..1439, end 1..1440."""
    if isinstance(ranges, str) or not isinstance(ranges, Sequence):
        raise ValueError(
            f"{where}: expected a sequence of (start, end) minutes, got {show(ranges)}"
        )
    checked: list[_Range] = []
    for index, pair in enumerate(ranges):
        if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2:
            start, end = pair[0], pair[1]
            ints = type(start) is int and type(end) is int  # bool is not a minute
            if ints and 0 <= start <= 1439 and 1 <= end <= 1440 and start != end:
                checked.append((start, end))
                continue
        raise ValueError(
            f"{where}[{index}]: expected (start, end) with start in 0..1439, end in 1..1440 "
            f"and start != end, got {show(pair)}"
        )
    return tuple(checked)


class Schedule:
    """The open intervals of a desk: weekly ranges, rrule ranges and date overrides.

    ``weekly`` has seven entries, Monday first, each a sequence of ``(start_minute,
    end_minute)`` ranges (see :func:`parse_range`). ``dates`` overrides whole local dates;
    ``rrules`` is a sequence of ``(rrule_text, ranges)`` where the first matching rule
    wins (rule W1). ``zone`` is an IANA time zone name. Immutable after construction
    (it keeps private per-instance caches). Instants within about a week of datetime's
    limits (years 1 and 9999) count as closed.
    """

    __slots__ = (
        "_dates",
        "_days",
        "_hot",
        "_rules",
        "_weekly",
        "_year_index",
        "_zone",
    )

    def __init__(
        self,
        *,
        zone: str,
        weekly: Sequence[Sequence[tuple[int, int]]],
        dates: Mapping[date, Sequence[tuple[int, int]]] = _NO_DATES,
        rrules: Sequence[tuple[str, Sequence[tuple[int, int]]]] = (),
    ) -> None:
        """Validate and store the schedule; raise ``ValueError`` for anything invalid."""
        try:
            self._zone = zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            raise ValueError(f"unknown time zone {show(zone)}") from None
        if isinstance(weekly, str) or not isinstance(weekly, Sequence) or len(weekly) != 7:
            raise ValueError(f"weekly must have 7 entries, Monday first, got {show(weekly)}")
        self._weekly = tuple(_check_ranges(day, f"weekly[{i}]") for i, day in enumerate(weekly))
        self._dates: dict[date, tuple[_Range, ...]] = {}
        for day, ranges in dates.items():
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"dates: keys must be datetime.date, got {show(day)}")
            self._dates[day] = _check_ranges(ranges, f"dates[{day.isoformat()}]")
        for i, (text, _ranges) in enumerate(rrules):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"rrules[{i}]: expected an RRULE text, got {show(text)}")
        self._rules: tuple[tuple[DateRule, tuple[_Range, ...]], ...] = tuple(
            (compile_rule(text), _check_ranges(ranges, f"rrules[{i}]"))
            for i, (text, ranges) in enumerate(rrules)
        )
        self._days: dict[date, _Day] = {}
        # Per year: the ranges of each date that some rrule names (the first rule's).
        self._year_index: dict[int, dict[date, tuple[_Range, ...]]] = {}
        self._hot: tuple[datetime, datetime, tuple[_Interval, ...]] | None = None

    def ranges_for(self, day: date) -> tuple[tuple[int, int], ...]:
        """The ranges of one local date (rule W1): its override, else those of the first
        matching rrule, else its weekday's."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"day must be a datetime.date, got {show(day)}")
        override = self._dates.get(day)
        if override is not None:
            return override
        if self._rules:
            ranges = self._rule_index(day.year).get(day)
            if ranges is not None:
                return ranges
        return self._weekly[day.weekday()]

    def _rule_index(self, year: int) -> dict[date, tuple[_Range, ...]]:
        """The dates of ``year`` that some rrule names, with the first such rule's ranges
        (built once per year: a date costs one lookup however many rules there are)."""
        index = self._year_index.get(year)
        if index is None:
            index = {}
            for rule, ranges in self._rules:
                for day in rule.dates_in(year):
                    index.setdefault(day, ranges)
            if len(self._year_index) >= _YEARS_KEPT:
                self._year_index.clear()
            self._year_index[year] = index
        return index

    def silent_rules(self) -> list[int]:
        """The indexes of the rrules that never name a date."""
        return [number for number, (rule, _) in enumerate(self._rules) if rule.never_matches()]

    def _day(self, day: date) -> _Day:
        """The UTC start of ``day``'s window (its local midnight by W2) and its non-empty
        open intervals in UTC, sorted (cached).

        A range ending at or before its start ends on the next date (W1). The windows of
        consecutive dates tile the time line, and a date's intervals lie within its own
        window and the next one, so an instant is covered only by intervals of its
        window's date or the date before.
        """
        cached = self._days.get(day)
        if cached is not None:
            return cached
        zone = self._zone
        midnight = datetime.combine(day, time())
        window_start = _resolve_wall(midnight, zone)
        intervals: list[_Interval] = []
        if _MIN_DATE <= day <= _MAX_DATE:
            for start, end in self.ranges_for(day):
                begin = _resolve_wall(midnight + timedelta(minutes=start), zone)
                finish = midnight + timedelta(minutes=end if end > start else end + 1440)
                stop = _resolve_wall(finish, zone)
                if begin < stop:  # a range wholly inside a DST gap is empty
                    intervals.append((begin, stop))
            intervals.sort()
        if len(self._days) >= _DAY_CACHE:
            self._days.clear()
        result = self._days[day] = (window_start, tuple(intervals))
        return result

    def _window_date(self, instant: datetime) -> date:
        """The date whose window holds ``instant`` (an instant in [_MIN_UTC, _MAX_UTC])."""
        # The window of the local date starts at or before the instant (W2 resolves the
        # date's midnight to the first instant whose wall time reaches it), but after a
        # fall-back across midnight (St. John's, 2006) the instant can lie in a later one.
        day = instant.astimezone(self._zone).date()
        while instant >= self._day(day + _ONE_DAY)[0]:
            day += _ONE_DAY
        return day

    def is_open(self, now: datetime) -> bool:
        """Whether the desk is open at the aware instant ``now`` (W1: half-open ranges)."""
        instant = _utc(now, "now")
        hot = self._hot
        if hot is None or not hot[0] <= instant < hot[1]:
            if not _MIN_UTC <= instant <= _MAX_UTC:
                return False
            day = self._window_date(instant)
            low, high = self._day(day)[0], self._day(day + _ONE_DAY)[0]
            relevant = (*self._day(day - _ONE_DAY)[1], *self._day(day)[1])
            hot = (low, high, tuple(iv for iv in relevant if iv[1] > low and iv[0] < high))
            self._hot = hot
        for start, end in hot[2]:  # noqa: SIM110 (a plain loop is faster on this hot path)
            if start <= instant < end:
                return True
        return False

    def _periods(self, first: date, limit: datetime) -> Iterator[tuple[datetime, datetime, bool]]:
        """The merged open periods ``(start, end, end_is_final)`` of the intervals of
        dates from ``first`` on, in order, until a window starts after ``limit``.

        Only the last period can have ``end_is_final`` false (a later date might extend
        it). Its start, and a first period's start, may be cut by the dates looked at.
        """
        day = max(first, _MIN_DATE)
        current: _Interval | None = None
        while day <= _MAX_DATE:
            window_start, intervals = self._day(day)
            if window_start > limit:
                break
            for start, end in intervals:
                if current is None:
                    current = (start, end)
                elif start <= current[1]:  # overlapping or touching: one period
                    current = (current[0], max(current[1], end))
                else:
                    yield (*current, True)
                    current = (start, end)
            day += _ONE_DAY
        else:
            window_start = _MAX_UTC  # no date after _MAX_DATE has ranges
        if current is not None:
            yield (*current, current[1] < window_start)

    def _edge(self, now: datetime, horizon: timedelta, closing: bool) -> datetime | None:
        """The first opening (or closing) edge at or after ``now`` within ``horizon``."""
        instant = _utc(now, "now")
        if not isinstance(horizon, timedelta) or horizon < timedelta(0):
            raise ValueError(f"horizon must be a non-negative timedelta, got {show(horizon)}")
        if instant > _MAX_UTC:
            return None
        try:
            limit = instant + horizon
        except OverflowError:
            limit = _MAX_UTC
        first = self._window_date(max(instant, _MIN_UTC)) - 2 * _ONE_DAY
        for start, end, final in self._periods(first, limit):
            if start > limit:
                return None
            if closing and end >= instant:
                return end.astimezone(self._zone) if final and end <= limit else None
            if not closing and start >= instant:
                return start.astimezone(self._zone)
        return None

    def next_open(self, now: datetime, *, horizon: timedelta = _DEFAULT_HORIZON) -> datetime | None:
        """The first opening edge at or after ``now`` (W3), in the desk's zone, or None.

        An opening edge is an instant when the desk is open and was closed just before.
        It is ``now`` itself when ``now`` is one; when the desk is open in the middle of
        a period, it is the start of the next period. None when there is none within
        ``horizon`` (366 days by default) of ``now``.
        """
        return self._edge(now, horizon, closing=False)

    def next_close(
        self, now: datetime, *, horizon: timedelta = _DEFAULT_HORIZON
    ) -> datetime | None:
        """The first closing edge at or after ``now``, in the desk's zone, or None.

        A closing edge is an instant when the desk is closed and was open just before;
        when the desk is closed at ``now`` (not an edge) it is the end of the next open
        period. None when there is none within ``horizon`` (366 days by default).
        """
        return self._edge(now, horizon, closing=True)

    def intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open periods overlapping ``[start, end)``, merged and not clipped.

        Overlapping or touching intervals are joined. Each period is ``(start, end)`` in
        the desk's zone. Periods are followed at most 366 days beyond either end of the
        query: one that is still open further out is cut there. Dates are walked one by
        one, so the cost grows with the length of the query.
        """
        low, high = _utc(start, "start"), _utc(end, "end")
        if low >= high:
            return []
        try:
            limit = high + _DEFAULT_HORIZON
        except OverflowError:
            limit = _MAX_UTC
        anchor = self._window_date(min(max(low, _MIN_UTC), _MAX_UTC))
        first = max(anchor - 2 * _ONE_DAY, _MIN_DATE)
        back = _DEFAULT_HORIZON + 2 * _ONE_DAY
        floor = max(anchor, _MIN_DATE + back) - back
        step = 7 * _ONE_DAY
        while True:
            found: list[_Interval] = []
            for begin, finish, _ in self._periods(first, limit):
                if begin >= high:
                    break
                if finish > low:
                    found.append((begin, finish))
            # Dates before `first` end by the window after it: a period starting by then
            # may have begun earlier.
            if not found or first <= floor or found[0][0] > self._day(first + _ONE_DAY)[0]:
                break
            first, step = max(first, floor + step) - step, step * 2
        zone = self._zone
        return [(begin.astimezone(zone), finish.astimezone(zone)) for begin, finish in found]


def _utc(moment: datetime, name: str) -> datetime:
    """An aware datetime as UTC (clamped to datetime's range); naive ones are refused."""
    require_aware(moment, name)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # within a day of datetime's limits
        return (datetime.min if moment.year < 5000 else datetime.max).replace(tzinfo=UTC)


_DAY_US = 86_400_000_000


class OpenMemo:
    """Whether a schedule is open at an instant (W1), remembered until its next edge.

    A desk asks at every request, in rising instants: the answer at ``now`` holds until
    the schedule's next closing (while open) or opening (while closed), so most questions
    cost one comparison. Instants are integer microseconds since the epoch.
    """

    __slots__ = ("_span", "schedule")

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        # (from, until, open, edge): the state in between, and the edge at `until` (the
        # next opening while closed), or None when none is within W3's 366 days.
        self._span: tuple[int, int, bool, datetime | None] = (0, 0, False, None)

    def is_open(self, now: int) -> bool:
        """Whether the schedule is open at ``now`` (µs)."""
        low, high, is_open, _edge = self._span
        if low <= now < high:
            return is_open
        moment = from_us(now)
        schedule = self.schedule
        is_open = schedule.is_open(moment)
        edge = schedule.next_close(moment) if is_open else schedule.next_open(moment)
        high = now + _DAY_US if edge is None else to_us(edge)  # no edge: look again tomorrow
        self._span = (now, high, is_open, edge)
        return is_open

    def next_open(self, now: int) -> datetime | None:
        """W3: the first opening after ``now`` (µs), in the desk's zone, or ``None`` when
        there is none within 366 days; while closed, the one :meth:`is_open` found."""
        opening = None if self.is_open(now) else self._span[3]
        if opening is None:  # open, or none within 366 days of when it looked: look from now
            opening = self.schedule.next_open(from_us(now))
        return opening
