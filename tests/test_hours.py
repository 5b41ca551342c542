"""Tests of working-hours evaluation (rules W1-W3, T3)."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deskcore import load_settings
from deskcore._errors import NaiveTimeError
from deskcore._hours import OpenMemo, Schedule, parse_range, parse_rrule, resolve_local
from deskcore._time import to_us

Ranges = Sequence[tuple[int, int]]
NY = ZoneInfo("America/New_York")
NINE_TO_FIVE: Sequence[Ranges] = [[(540, 1020)]] * 5 + [[], []]
ALWAYS: Sequence[Ranges] = [[(0, 1440)]] * 7
NEVER: Sequence[Ranges] = [[]] * 7
MINUTE = timedelta(minutes=1)
TINY = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """An aware datetime on the wall clock of ``zone``."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)


def only(day: date, ranges: Ranges, zone: str = "UTC") -> Schedule:
    """A schedule open only on ``day`` (an override), closed on every weekday."""
    return Schedule(zone=zone, weekly=NEVER, dates={day: ranges})


def spans(schedule: Schedule, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The schedule's merged periods for [start, end), as UTC datetimes."""
    return [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in schedule.intervals(start, end)]


class TestParseRange:
    """parse_range: 'HH:MM-HH:MM' to minutes."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("09:00-17:00", (540, 1020)),
            ("22:00-06:00", (1320, 360)),
            ("00:00-24:00", (0, 1440)),
            ("23:59-24:00", (1439, 1440)),
            ("18:00-00:00", (1080, 1440)),
            ("00:01-00:00", (1, 1440)),
        ],
    )
    def test_good(self, text: str, expected: tuple[int, int]) -> None:
        """Well-formed ranges give (start, end) minutes; an end of 00:00 means 24:00."""
        assert parse_range(text) == expected

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("9-5", "expected 'HH:MM-HH:MM', got '9-5'"),
            ("9:00-17:00", "expected 'HH:MM-HH:MM'"),
            ("09:00 - 17:00", "expected 'HH:MM-HH:MM'"),
            ("", "expected 'HH:MM-HH:MM'"),
            ("09:00-17:00-18:00", "expected 'HH:MM-HH:MM'"),
            ("٠٩:٠٠-١٧:٠٠", "expected 'HH:MM-HH:MM'"),
            ("09:00-09:00", "start and end are equal: '09:00-09:00'"),
            ("00:00-00:00", "start and end are equal"),
            ("25:00-26:00", "bad time '25:00' in '25:00-26:00'"),
            ("09:60-10:00", "bad time '09:60'"),
            ("09:00-24:30", "bad time '24:30'"),
            ("24:00-06:00", "'24:00' is allowed only as an end"),
        ],
    )
    def test_bad(self, text: str, message: str) -> None:
        """Malformed ranges raise ValueError with a clear message."""
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_range(text)

    def test_not_a_string(self) -> None:
        """A non-string raises ValueError, not TypeError."""
        with pytest.raises(ValueError, match="expected 'HH:MM-HH:MM'"):
            parse_range(None)  # type: ignore[arg-type]


class TestParseRrule:
    """parse_rrule: validation of RRULE text."""

    @pytest.mark.parametrize(
        "text",
        [
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=1",
            "DTSTART:20240101T000000\nRRULE:FREQ=WEEKLY;INTERVAL=2",
            "DTSTART:20240101T000000Z\nRRULE:FREQ=DAILY;UNTIL=20240110T000000Z",
            "DTSTART;TZID=America/New_York:20240101T090000\nRRULE:FREQ=DAILY",
            "RRULE:FREQ=DAILY\nEXDATE:20240105T000000",
        ],
    )
    def test_good(self, text: str) -> None:
        """Rules dateutil reads are accepted, with or without DTSTART."""
        parse_rrule(text)  # no exception

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "expected an RRULE"),
            ("   ", "expected an RRULE"),
            ("FREQ=FORTNIGHTLY", "invalid RRULE 'FREQ=FORTNIGHTLY'"),
            ("FREQ=DAILY;BYDAY=XX", "invalid RRULE"),
            ("FREQ=DAILY;COLOUR=1", "unknown parameter"),
            ("DTSTART:20240101T000000", "no RRULE line"),
            ("hello", "invalid RRULE 'hello'"),
        ],
    )
    def test_bad(self, text: str, message: str) -> None:
        """Unreadable rules, and the empty string, raise ValueError with a clear message."""
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_rrule(text)

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["FREQ", "BYDAY", "BYMONTHDAY", "INTERVAL", "COUNT", "UNTIL"]),
                st.sampled_from(["DAILY", "MO", "-1", "0", "20240101T000000Z"])
                | st.text(alphabet="0123456789-+,:TZMOFRSUWEHDAILY", max_size=10),
            ).map("=".join),
            max_size=4,
        ).map(";".join)
        | st.text()
    )
    def test_fuzz_only_value_error(self, text: str) -> None:
        """Any text is accepted or raises ValueError, never another exception."""
        with contextlib.suppress(ValueError):
            parse_rrule(text)


class TestResolveLocal:
    """resolve_local: local wall time to a UTC instant (rule W2)."""

    def test_ordinary(self) -> None:
        """An ordinary wall time maps to its only instant, as an aware UTC datetime."""
        result = resolve_local(date(2024, 6, 3), 540, NY)
        assert result == utc(2024, 6, 3, 13)
        assert result.tzinfo is UTC

    def test_midnight_end(self) -> None:
        """Minute 1440 is the next date's midnight."""
        assert resolve_local(date(2024, 6, 3), 1440, NY) == utc(2024, 6, 4, 4)

    def test_gap_is_first_instant_after(self) -> None:
        """A wall time in a spring-forward gap means the first instant after the gap (W2)."""
        assert resolve_local(date(2024, 3, 10), 150, NY) == utc(2024, 3, 10, 7)
        assert resolve_local(date(2024, 3, 31), 90, ZoneInfo("Europe/London")) == utc(
            2024, 3, 31, 1
        )

    def test_repeated_is_first(self) -> None:
        """A wall time that happens twice means the first of the two (W2)."""
        assert resolve_local(date(2024, 11, 3), 90, NY) == utc(2024, 11, 3, 5, 30)

    def test_lord_howe_half_hour_shift(self) -> None:
        """Lord Howe shifts by 30 minutes: a gap 02:00-02:30, a repeat 01:30-02:00."""
        zone = ZoneInfo("Australia/Lord_Howe")
        assert resolve_local(date(2024, 10, 6), 135, zone) == utc(2024, 10, 5, 15, 30)
        assert resolve_local(date(2024, 4, 7), 105, zone) == utc(2024, 4, 6, 14, 45)

    def test_havana_midnight_gap(self) -> None:
        """Havana springs forward at midnight: 00:00 means 01:00 CDT."""
        assert resolve_local(date(2024, 3, 10), 0, ZoneInfo("America/Havana")) == utc(
            2024, 3, 10, 5
        )

    def test_kathmandu(self) -> None:
        """Kathmandu is +05:45."""
        assert resolve_local(date(2024, 1, 1), 540, ZoneInfo("Asia/Kathmandu")) == utc(
            2024, 1, 1, 3, 15
        )

    @pytest.mark.parametrize("minute", [-1, 1441, True, 1.5])
    def test_bad_minute(self, minute: int) -> None:
        """A minute outside 0..1440 (or not an int) raises ValueError."""
        with pytest.raises(ValueError, match="minute must be an integer"):
            resolve_local(date(2024, 1, 1), minute, NY)


class TestConstruction:
    """Schedule(): validation of its arguments."""

    def test_unknown_zone(self) -> None:
        """An unknown zone name raises ValueError."""
        with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
            Schedule(zone="Mars/Olympus", weekly=NINE_TO_FIVE)

    @pytest.mark.parametrize("zone", ["", "../etc/passwd", "/abs"])
    def test_malformed_zone(self, zone: str) -> None:
        """A malformed zone key raises ValueError."""
        with pytest.raises(ValueError, match="unknown time zone"):
            Schedule(zone=zone, weekly=NINE_TO_FIVE)

    @pytest.mark.parametrize("weekly", [[[]] * 6, "x" * 7, None])
    def test_weekly_needs_seven_days(self, weekly: Sequence[Ranges]) -> None:
        """weekly must have seven entries."""
        with pytest.raises(ValueError, match="weekly must have 7 entries"):
            Schedule(zone="UTC", weekly=weekly)

    @pytest.mark.parametrize(
        "bad",
        [(540, 540), (1440, 1441), (-1, 60), (0, 0), (True, 60), (1, 2, 3), "09:00-17:00", 5],
    )
    def test_bad_range(self, bad: tuple[int, int]) -> None:
        """A range outside the domain, or equal bounds, raises ValueError naming its place."""
        with pytest.raises(ValueError, match=re.escape("weekly[2][0]")):
            Schedule(zone="UTC", weekly=[[], [], [bad], [], [], [], []])

    def test_ranges_not_a_sequence(self) -> None:
        """A day's ranges given as a string raise ValueError."""
        with pytest.raises(ValueError, match=re.escape("dates[2024-01-01]: expected")):
            Schedule(zone="UTC", weekly=NEVER, dates={date(2024, 1, 1): "09:00-17:00"})  # type: ignore[dict-item]

    def test_datetime_key(self) -> None:
        """An override keyed by a datetime (not a date) raises ValueError."""
        with pytest.raises(ValueError, match=re.escape("keys must be datetime.date")):
            Schedule(zone="UTC", weekly=NEVER, dates={datetime(2024, 1, 1): []})

    def test_bad_rrule(self) -> None:
        """An unreadable rrule raises ValueError."""
        with pytest.raises(ValueError, match="invalid RRULE"):
            Schedule(zone="UTC", weekly=NEVER, rrules=[("FREQ=NEVER", [])])

    def test_bad_rrule_ranges(self) -> None:
        """Bad ranges of an rrule raise ValueError naming the rule."""
        with pytest.raises(ValueError, match=re.escape("rrules[0][0]")):
            Schedule(zone="UTC", weekly=NEVER, rrules=[("FREQ=DAILY", [(5, 5)])])


class TestRangesFor:
    """Schedule.ranges_for: the W1 selection for one local date."""

    def test_weekday(self) -> None:
        """Without override or rrule a date takes its weekday's ranges (W1)."""
        schedule = Schedule(zone="UTC", weekly=NINE_TO_FIVE)
        assert schedule.ranges_for(date(2024, 6, 3)) == ((540, 1020),)
        assert schedule.ranges_for(date(2024, 6, 8)) == ()

    def test_override_beats_rrule(self) -> None:
        """A date override beats a matching rrule (W1)."""
        schedule = Schedule(
            zone="UTC",
            weekly=NINE_TO_FIVE,
            dates={date(2024, 12, 25): [(600, 660)]},
            rrules=[("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", [])],
        )
        assert schedule.ranges_for(date(2024, 12, 25)) == ((600, 660),)
        assert schedule.ranges_for(date(2025, 12, 25)) == ()

    def test_first_matching_rrule_wins(self) -> None:
        """When several rrules match, the first listed wins (W1)."""
        schedule = Schedule(
            zone="UTC",
            weekly=NINE_TO_FIVE,
            rrules=[
                ("FREQ=MONTHLY;BYMONTHDAY=1", [(600, 720)]),
                ("FREQ=WEEKLY;BYDAY=MO", [(780, 840)]),
            ],
        )
        assert schedule.ranges_for(date(2024, 7, 1)) == ((600, 720),)  # a Monday and the 1st
        assert schedule.ranges_for(date(2024, 7, 8)) == ((780, 840),)
        assert schedule.ranges_for(date(2024, 7, 2)) == ((540, 1020),)

    def test_yearly_and_monthly(self) -> None:
        """A yearly rule matches its date each year, a monthly one each month (W1)."""
        schedule = Schedule(
            zone="UTC",
            weekly=NINE_TO_FIVE,
            rrules=[
                ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", []),
                ("FREQ=MONTHLY;BYMONTHDAY=1", [(600, 660)]),
            ],
        )
        for year in (1999, 2024, 2031):
            assert schedule.ranges_for(date(year, 12, 25)) == ()
            weekday = date(year, 12, 24).weekday()
            assert schedule.ranges_for(date(year, 12, 24)) == tuple(NINE_TO_FIVE[weekday])
        assert all(schedule.ranges_for(date(2024, m, 1)) == ((600, 660),) for m in range(1, 13))

    def test_rrule_without_dtstart_counts_from_1970(self) -> None:
        """An rrule without DTSTART counts from 1970-01-01, a Thursday (W1)."""
        schedule = Schedule(
            zone="UTC", weekly=NEVER, rrules=[("FREQ=WEEKLY;INTERVAL=2", [(600, 660)])]
        )
        assert schedule.ranges_for(date(1970, 1, 1)) == ((600, 660),)
        assert schedule.ranges_for(date(2024, 1, 4)) == ((600, 660),)  # 2818 weeks later
        assert schedule.ranges_for(date(2024, 1, 11)) == ()

    def test_rrule_with_dtstart_and_count(self) -> None:
        """An rrule with DTSTART and COUNT matches only its occurrences."""
        rule = "DTSTART:20240101T000000\nRRULE:FREQ=DAILY;COUNT=3"
        schedule = Schedule(zone="UTC", weekly=NEVER, rrules=[(rule, [(600, 660)])])
        assert schedule.ranges_for(date(2023, 12, 31)) == ()
        assert [schedule.ranges_for(date(2024, 1, d)) for d in (1, 3, 4)] == [
            ((600, 660),),
            ((600, 660),),
            (),
        ]
        assert schedule.ranges_for(date(2025, 1, 1)) == ()
        assert schedule.ranges_for(date(2030, 1, 1)) == ()

    def test_rrule_in_year_9999(self) -> None:
        """Rules are matched up to the last representable year."""
        schedule = Schedule(zone="UTC", weekly=NEVER, rrules=[("FREQ=YEARLY", [(0, 60)])])
        assert schedule.ranges_for(date(9999, 1, 1)) == ((0, 60),)

    def test_many_years(self) -> None:
        """Many (rule, year) look-ups keep working when the per-schedule cache is emptied."""
        rules = [
            (f"DTSTART:20240101T000000\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY={day}", [(0, day)])
            for day in range(1, 21)
        ]
        schedule = Schedule(zone="UTC", weekly=NEVER, rrules=rules)
        for year in range(2024, 2038):  # 20 rules x 14 years > the cache's 256 entries
            assert schedule.ranges_for(date(year, 1, 25)) == ()
        assert schedule.ranges_for(date(2024, 1, 7)) == ((0, 7),)

    def test_not_a_date(self) -> None:
        """A datetime is not a date here: TypeError."""
        with pytest.raises(TypeError, match=re.escape("day must be a datetime.date")):
            Schedule(zone="UTC", weekly=NEVER).ranges_for(datetime(2024, 1, 1))


class TestIsOpen:
    """Schedule.is_open: membership of an instant (W1, half-open ranges)."""

    def test_half_open(self) -> None:
        """Open at a range's start, closed at its end (W1: [start, end))."""
        schedule = Schedule(zone="America/New_York", weekly=NINE_TO_FIVE)
        monday = date(2024, 6, 3)
        assert not schedule.is_open(local("America/New_York", 2024, 6, 3, 8, 59))
        assert schedule.is_open(local("America/New_York", 2024, 6, 3, 9))
        assert schedule.is_open(local("America/New_York", 2024, 6, 3, 17) - TINY)
        assert not schedule.is_open(local("America/New_York", 2024, 6, 3, 17))
        assert schedule.ranges_for(monday) == ((540, 1020),)

    def test_any_zone_for_now(self) -> None:
        """The instant counts, not the zone it is written in (T3)."""
        schedule = Schedule(zone="America/New_York", weekly=NINE_TO_FIVE)
        assert schedule.is_open(utc(2024, 6, 3, 13))
        assert schedule.is_open(local("Asia/Tokyo", 2024, 6, 3, 22))
        assert not schedule.is_open(local("Asia/Tokyo", 2024, 6, 3, 21, 59))

    def test_several_ranges(self) -> None:
        """A day may have several ranges, with gaps between them."""
        schedule = Schedule(zone="UTC", weekly=[[(540, 720), (780, 1020)]] * 7)
        assert schedule.is_open(utc(2024, 6, 3, 11, 59))
        assert not schedule.is_open(utc(2024, 6, 3, 12, 30))
        assert schedule.is_open(utc(2024, 6, 3, 13))

    def test_overnight_belongs_to_start_day(self) -> None:
        """'22:00-06:00' on Friday is Friday's and is open Saturday 03:00 (W1)."""
        weekly: Sequence[Ranges] = [[], [], [], [], [(1320, 360)], [], []]
        schedule = Schedule(zone="Europe/London", weekly=weekly)
        assert not schedule.is_open(local("Europe/London", 2024, 6, 7, 21, 59))
        assert schedule.is_open(local("Europe/London", 2024, 6, 7, 22))
        assert schedule.is_open(local("Europe/London", 2024, 6, 8, 3))
        assert not schedule.is_open(local("Europe/London", 2024, 6, 8, 6))
        assert not schedule.is_open(local("Europe/London", 2024, 6, 6, 3))  # Thursday night

    def test_overnight_into_holiday(self) -> None:
        """A closed override on the next date does not cut short an overnight range (W1)."""
        weekly: Sequence[Ranges] = [[], [], [], [], [(1320, 360)], [(1320, 360)], []]
        schedule = Schedule(zone="UTC", weekly=weekly, dates={date(2024, 6, 8): []})
        assert schedule.is_open(utc(2024, 6, 8, 5, 59))
        assert not schedule.is_open(utc(2024, 6, 8, 6))
        assert not schedule.is_open(utc(2024, 6, 8, 22))
        assert not schedule.is_open(utc(2024, 6, 9, 3))

    def test_override_after_overnight(self) -> None:
        """An override's own ranges apply while the previous night's range continues (W1)."""
        weekly: Sequence[Ranges] = [[], [], [], [], [(1320, 360)], [], []]
        schedule = Schedule(zone="UTC", weekly=weekly, dates={date(2024, 6, 8): [(300, 600)]})
        assert schedule.ranges_for(date(2024, 6, 8)) == ((300, 600),)
        assert schedule.is_open(utc(2024, 6, 8, 3))
        assert schedule.is_open(utc(2024, 6, 8, 9, 59))
        assert not schedule.is_open(utc(2024, 6, 8, 10))
        assert schedule.intervals(utc(2024, 6, 8), utc(2024, 6, 9)) == [
            (utc(2024, 6, 7, 22), utc(2024, 6, 8, 10))
        ]

    def test_cached_window_reused(self) -> None:
        """Repeated calls on one date and moving to the next give consistent answers."""
        schedule = Schedule(zone="America/New_York", weekly=NINE_TO_FIVE)
        start = local("America/New_York", 2024, 6, 3)
        states = [schedule.is_open(start + k * timedelta(minutes=30)) for k in range(96)]
        assert states == [k % 48 in range(18, 34) for k in range(96)]

    def test_many_dates(self) -> None:
        """Answers stay right over more dates than the per-schedule cache holds."""
        schedule = Schedule(zone="UTC", weekly=NINE_TO_FIVE)
        start = utc(2020, 1, 6, 12)  # a Monday
        for day in range(1500):
            noon = start + timedelta(days=day)
            assert schedule.is_open(noon) == (day % 7 < 5)
            assert not schedule.is_open(noon + timedelta(hours=8))

    def test_fallback_across_midnight(self) -> None:
        """After St. John's 00:01 fall-back the repeated 23:01-00:01 belongs to the next date."""
        schedule = Schedule(zone="America/St_Johns", weekly=[[(1380, 1440)]] * 7)
        # Oct 28 23:00 NDT = 01:30Z; its end 24:00 is the first midnight, 02:30Z.
        assert schedule.is_open(utc(2006, 10, 29, 2, 29))
        assert not schedule.is_open(utc(2006, 10, 29, 3))  # 23:29 NST on Oct 28, second pass
        assert schedule.is_open(utc(2006, 10, 30, 2, 30))  # 23:00 NST on Oct 29

    def test_naive_raises(self) -> None:
        """A naive now raises NaiveTimeError naming the argument (T3)."""
        schedule = Schedule(zone="UTC", weekly=ALWAYS)
        with pytest.raises(NaiveTimeError, match="now must be timezone-aware"):
            schedule.is_open(datetime(2024, 1, 1))
        with pytest.raises(NaiveTimeError, match="now must be an aware datetime"):
            schedule.is_open(date(2024, 1, 1))  # type: ignore[arg-type]

    def test_extremes_are_closed(self) -> None:
        """Instants within a week of datetime's limits count as closed."""
        schedule = Schedule(zone="Pacific/Kiritimati", weekly=ALWAYS)
        assert not schedule.is_open(datetime.max.replace(tzinfo=UTC))
        assert not schedule.is_open(datetime.min.replace(tzinfo=ZoneInfo("Asia/Tokyo")))
        assert schedule.is_open(utc(9999, 12, 1))
        assert schedule.is_open(utc(1, 2, 1))


class TestAlwaysAndNever:
    """A 24/7 desk and a desk that never opens."""

    def test_always_open_no_midnight_gap(self) -> None:
        """'00:00-24:00' every day is open at every midnight, across DST changes."""
        schedule = Schedule(zone="America/New_York", weekly=ALWAYS)
        for day in (date(2024, 3, 9), date(2024, 3, 10), date(2024, 11, 3), date(2024, 12, 31)):
            midnight = resolve_local(day, 0, NY)
            assert schedule.is_open(midnight)
            assert schedule.is_open(midnight - TINY)

    def test_always_open_has_no_edges(self) -> None:
        """A 24/7 desk has neither an opening nor a closing edge."""
        schedule = Schedule(zone="Europe/London", weekly=ALWAYS)
        now = utc(2024, 3, 31, 0, 30)
        assert schedule.next_open(now) is None
        assert schedule.next_close(now) is None

    def test_always_open_intervals(self) -> None:
        """A 24/7 desk's period is followed 366 days beyond either end of the query."""
        schedule = Schedule(zone="UTC", weekly=ALWAYS)
        [(start, end)] = schedule.intervals(utc(2024, 6, 1), utc(2024, 6, 2))
        assert start <= utc(2023, 6, 2)
        assert end >= utc(2025, 6, 2)

    def test_never_open(self) -> None:
        """A desk that never opens is closed, with no edges and no periods."""
        schedule = Schedule(zone="UTC", weekly=NEVER)
        now = utc(2024, 6, 1)
        assert not schedule.is_open(now)
        assert schedule.next_open(now) is None
        assert schedule.next_close(now) is None
        assert schedule.intervals(now, now + timedelta(days=30)) == []

    def test_touching_days_merge(self) -> None:
        """Mon 22:00-24:00 and Tue 00:00-06:00 form one period with no edge at midnight."""
        weekly: Sequence[Ranges] = [[(1320, 1440)], [(0, 360)], [], [], [], [], []]
        schedule = Schedule(zone="UTC", weekly=weekly)
        assert schedule.next_close(utc(2024, 6, 3, 23)) == utc(2024, 6, 4, 6)
        assert schedule.next_open(utc(2024, 6, 3, 23)) == utc(2024, 6, 10, 22)
        assert schedule.next_open(utc(2024, 6, 4)) == utc(2024, 6, 10, 22)
        assert schedule.intervals(utc(2024, 6, 4, 1), utc(2024, 6, 4, 2)) == [
            (utc(2024, 6, 3, 22), utc(2024, 6, 4, 6))
        ]


class TestDst:
    """Ranges across DST changes (W2) in several zones."""

    @pytest.mark.parametrize(
        ("zone", "day", "hours"),
        [
            ("America/New_York", date(2024, 3, 10), 1),
            ("America/New_York", date(2024, 11, 3), 3),
            ("Europe/London", date(2024, 3, 31), 1),
            ("Europe/London", date(2024, 10, 27), 3),
            ("America/New_York", date(2024, 6, 1), 2),
        ],
    )
    def test_one_to_three_lasts(self, zone: str, day: date, hours: int) -> None:
        """'01:00-03:00' lasts one hour when springing forward and three when falling back."""
        schedule = only(day, [(60, 180)], zone)
        [(start, end)] = schedule.intervals(utc(2024, 1, 1), utc(2025, 1, 1))
        # Elapsed time on the UTC time line (T3): same-zone subtraction is wall-clock.
        assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=hours)

    def test_start_in_gap(self) -> None:
        """A range starting inside the gap begins at the first instant after it (W2)."""
        schedule = only(date(2024, 3, 10), [(150, 240)], "America/New_York")
        assert spans(schedule, utc(2024, 3, 9), utc(2024, 3, 11)) == [
            (utc(2024, 3, 10, 7), utc(2024, 3, 10, 8))
        ]
        assert schedule.next_open(utc(2024, 3, 10)) == local("America/New_York", 2024, 3, 10, 3)

    def test_start_at_repeated_hour(self) -> None:
        """A range starting at the repeated hour begins at its first occurrence (W2)."""
        schedule = only(date(2024, 11, 3), [(90, 120)], "America/New_York")
        assert spans(schedule, utc(2024, 11, 2), utc(2024, 11, 4)) == [
            (utc(2024, 11, 3, 5, 30), utc(2024, 11, 3, 7))
        ]
        assert schedule.is_open(local("America/New_York", 2024, 11, 3, 1, 45, fold=1))

    def test_range_inside_gap_is_empty(self) -> None:
        """A range wholly inside a gap has no instants."""
        schedule = only(date(2024, 3, 10), [(130, 150)], "America/New_York")
        assert schedule.intervals(utc(2024, 3, 9), utc(2024, 3, 12)) == []
        assert schedule.next_open(utc(2024, 3, 9)) is None

    def test_lord_howe(self) -> None:
        """Lord Howe's 30-minute shifts: '02:00-03:00' lasts 30 min, '01:00-03:00' 2h30."""
        spring = only(date(2024, 10, 6), [(120, 180)], "Australia/Lord_Howe")
        assert spans(spring, utc(2024, 10, 4), utc(2024, 10, 8)) == [
            (utc(2024, 10, 5, 15, 30), utc(2024, 10, 5, 16))
        ]
        autumn = only(date(2024, 4, 7), [(60, 180)], "Australia/Lord_Howe")
        assert spans(autumn, utc(2024, 4, 5), utc(2024, 4, 9)) == [
            (utc(2024, 4, 6, 14), utc(2024, 4, 6, 16, 30))
        ]

    def test_kathmandu(self) -> None:
        """Kathmandu's +05:45 offset shifts the UTC interval by 5h45."""
        schedule = Schedule(zone="Asia/Kathmandu", weekly=NINE_TO_FIVE)
        assert spans(schedule, utc(2024, 6, 3, 4), utc(2024, 6, 3, 5)) == [
            (utc(2024, 6, 3, 3, 15), utc(2024, 6, 3, 11, 15))
        ]

    def test_havana_midnight_transition(self) -> None:
        """Havana's DST starts at midnight: '00:00-08:00' starts at 01:00 CDT and touches
        the previous day's range ending at 24:00."""
        zone = "America/Havana"
        sunday = only(date(2024, 3, 10), [(0, 480)], zone)
        assert spans(sunday, utc(2024, 3, 9), utc(2024, 3, 11)) == [
            (utc(2024, 3, 10, 5), utc(2024, 3, 10, 12))
        ]
        assert sunday.next_open(utc(2024, 3, 10)) == local(zone, 2024, 3, 10, 1)
        weekend = Schedule(
            zone=zone,
            weekly=NEVER,
            dates={date(2024, 3, 9): [(1200, 1440)], date(2024, 3, 10): [(0, 480)]},
        )
        assert weekend.next_close(local(zone, 2024, 3, 9, 21)) == local(zone, 2024, 3, 10, 8)
        assert weekend.is_open(utc(2024, 3, 10, 5))

    def test_havana_fall_back_at_midnight(self) -> None:
        """Havana repeats 00:00-01:00 in November: '00:00-...' starts at the first one."""
        schedule = only(date(2024, 11, 3), [(0, 30)], "America/Havana")
        assert spans(schedule, utc(2024, 11, 2), utc(2024, 11, 4)) == [
            (utc(2024, 11, 3, 4), utc(2024, 11, 3, 4, 30))
        ]

    def test_apia_skipped_date(self) -> None:
        """Samoa skipped 2011-12-30: its ranges are empty, neighbours are unaffected."""
        schedule = Schedule(zone="Pacific/Apia", weekly=[[(540, 1020)]] * 7)
        assert schedule.intervals(utc(2011, 12, 30, 11), utc(2011, 12, 30, 12)) == []
        assert spans(schedule, utc(2011, 12, 29, 4), utc(2011, 12, 31, 12)) == [
            (utc(2011, 12, 29, 19), utc(2011, 12, 30, 3)),
            (utc(2011, 12, 30, 19), utc(2011, 12, 31, 3)),
        ]


class TestNextOpenClose:
    """Schedule.next_open and next_close: the next edges (W3)."""

    zone = "America/New_York"

    def schedule(self) -> Schedule:
        """Weekdays 09:00-17:00 in New York, closed on 2024-03-12."""
        return Schedule(zone=self.zone, weekly=NINE_TO_FIVE, dates={date(2024, 3, 12): []})

    def test_over_weekend_and_dst(self) -> None:
        """From Friday evening the next opening is Monday 09:00 EDT, in the desk's zone."""
        result = self.schedule().next_open(local(self.zone, 2024, 3, 8, 18))
        assert result == local(self.zone, 2024, 3, 11, 9)
        assert result is not None
        assert result.tzinfo == ZoneInfo(self.zone)
        assert result.utcoffset() == timedelta(hours=-4)

    def test_at_opening_edge(self) -> None:
        """At an opening edge next_open returns now itself."""
        now = local(self.zone, 2024, 3, 11, 9)
        assert self.schedule().next_open(now) == now

    def test_open_mid_period(self) -> None:
        """Open in mid-period: next_open is the next period's start, skipping a holiday."""
        now = local(self.zone, 2024, 3, 11, 10)
        assert self.schedule().next_open(now) == local(self.zone, 2024, 3, 13, 9)
        assert self.schedule().next_close(now) == local(self.zone, 2024, 3, 11, 17)

    def test_closing(self) -> None:
        """At a closing edge next_close is now; when closed it is the next period's end."""
        schedule = self.schedule()
        edge = local(self.zone, 2024, 3, 11, 17)
        assert schedule.next_close(edge) == edge
        assert schedule.next_close(edge + TINY) == local(self.zone, 2024, 3, 13, 17)
        assert schedule.next_close(local(self.zone, 2024, 3, 9, 12)) == local(
            self.zone, 2024, 3, 11, 17
        )

    def test_horizon(self) -> None:
        """Edges further than the horizon are not found; the bound is inclusive."""
        schedule = self.schedule()
        now = local(self.zone, 2024, 3, 8, 18)
        assert schedule.next_open(now, horizon=timedelta(days=2)) is None
        monday = local(self.zone, 2024, 3, 11)
        assert schedule.next_open(monday, horizon=timedelta(hours=1)) is None
        assert schedule.next_close(monday, horizon=timedelta(hours=1)) is None
        exact = local(self.zone, 2024, 3, 11, 9) - now
        assert schedule.next_open(now, horizon=exact) == local(self.zone, 2024, 3, 11, 9)
        assert schedule.next_close(now, horizon=exact) is None
        assert schedule.next_close(now, horizon=exact + timedelta(hours=8)) is not None
        assert schedule.next_open(now, horizon=timedelta.max) is not None

    def test_bad_horizon(self) -> None:
        """A negative horizon raises ValueError."""
        with pytest.raises(ValueError, match="horizon"):
            self.schedule().next_open(utc(2024, 1, 1), horizon=timedelta(-1))

    def test_rrule_holidays_within_year(self) -> None:
        """W3 looks ahead at most 366 days: a desk open one day a year is found."""
        schedule = Schedule(
            zone="UTC", weekly=NEVER, rrules=[("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", [(0, 60)])]
        )
        assert schedule.next_open(utc(2024, 3, 1)) is None
        assert schedule.next_open(utc(2027, 3, 1)) == utc(2028, 2, 29)
        assert schedule.next_close(utc(2027, 3, 1)) == utc(2028, 2, 29, 1)

    def test_naive_raises(self) -> None:
        """A naive now raises NaiveTimeError."""
        with pytest.raises(NaiveTimeError, match="now"):
            self.schedule().next_open(datetime(2024, 1, 1))
        with pytest.raises(NaiveTimeError, match="now"):
            self.schedule().next_close(datetime(2024, 1, 1))

    def test_year_9999(self) -> None:
        """Near datetime's end the last periods are found and later ones are absent."""
        schedule = Schedule(zone="UTC", weekly=[[(540, 1020)]] * 7)
        assert schedule.next_open(utc(9999, 12, 10)) == utc(9999, 12, 10, 9)
        assert schedule.next_close(utc(9999, 12, 15, 12)) == utc(9999, 12, 15, 17)
        assert schedule.next_open(utc(9999, 12, 15, 12)) is None
        assert schedule.next_open(datetime.max.replace(tzinfo=UTC)) is None
        assert schedule.next_open(datetime.min.replace(tzinfo=UTC)) == utc(1, 1, 15, 9)


class TestIntervals:
    """Schedule.intervals: merged open periods overlapping [start, end)."""

    def test_full_periods_in_zone(self) -> None:
        """Periods overlapping the query are returned whole, in the desk's zone."""
        zone = "America/New_York"
        schedule = Schedule(zone=zone, weekly=NINE_TO_FIVE)
        result = schedule.intervals(local(zone, 2024, 6, 3, 12), local(zone, 2024, 6, 4, 10))
        assert result == [
            (local(zone, 2024, 6, 3, 9), local(zone, 2024, 6, 3, 17)),
            (local(zone, 2024, 6, 4, 9), local(zone, 2024, 6, 4, 17)),
        ]
        assert all(a.tzinfo == ZoneInfo(zone) and b.tzinfo == ZoneInfo(zone) for a, b in result)

    def test_overlapping_ranges_merge(self) -> None:
        """Overlapping and touching ranges of a day form one period."""
        schedule = Schedule(zone="UTC", weekly=[[(540, 720), (660, 780), (780, 800)]] * 7)
        assert schedule.intervals(utc(2024, 6, 3), utc(2024, 6, 3, 1)) == []
        assert schedule.intervals(utc(2024, 6, 3), utc(2024, 6, 3, 10)) == [
            (utc(2024, 6, 3, 9), utc(2024, 6, 3, 13, 20))
        ]

    def test_bounds(self) -> None:
        """A period ending at start is excluded, one starting at end too; empty queries are []."""
        schedule = Schedule(zone="UTC", weekly=NINE_TO_FIVE)
        assert schedule.intervals(utc(2024, 6, 3, 17), utc(2024, 6, 4, 9)) == []
        assert schedule.intervals(utc(2024, 6, 3, 12), utc(2024, 6, 3, 12)) == []
        assert schedule.intervals(utc(2024, 6, 4), utc(2024, 6, 3)) == []

    def test_long_night_shift_is_followed_back(self) -> None:
        """A period built from many touching days is followed back to its real start."""
        weekly: Sequence[Ranges] = [[(1320, 1440)]] + [[(0, 1440)]] * 6
        schedule = Schedule(zone="UTC", weekly=weekly)
        assert schedule.intervals(utc(2024, 6, 9, 12), utc(2024, 6, 9, 13)) == [
            (utc(2024, 6, 3, 22), utc(2024, 6, 10))
        ]

    def test_naive_raises(self) -> None:
        """Naive bounds raise NaiveTimeError naming the argument."""
        schedule = Schedule(zone="UTC", weekly=NINE_TO_FIVE)
        with pytest.raises(NaiveTimeError, match="start"):
            schedule.intervals(datetime(2024, 1, 1), utc(2024, 1, 2))
        with pytest.raises(NaiveTimeError, match="end"):
            schedule.intervals(utc(2024, 1, 1), datetime(2024, 1, 2))

    def test_extremes(self) -> None:
        """Queries at datetime's limits return the periods that exist, without error."""
        schedule = Schedule(zone="UTC", weekly=[[(540, 1020)]] * 7)
        top = datetime.max.replace(tzinfo=UTC)
        assert schedule.intervals(utc(9999, 12, 15, 12), top) == [
            (utc(9999, 12, 15, 9), utc(9999, 12, 15, 17))
        ]
        bottom = datetime.min.replace(tzinfo=UTC)
        assert schedule.intervals(bottom, utc(1, 1, 15, 10)) == [
            (utc(1, 1, 15, 9), utc(1, 1, 15, 17))
        ]


# --- Property tests --------------------------------------------------------------------

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Havana",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Pacific/Apia",
]
# Dates near DST changes in the zones above (and one ordinary date).
NEAR = [
    date(2024, 3, 10),
    date(2024, 11, 3),
    date(2024, 3, 31),
    date(2024, 10, 27),
    date(2024, 4, 7),
    date(2024, 10, 6),
    date(2018, 2, 17),
    date(2018, 11, 4),
    date(2006, 10, 29),
    date(2006, 4, 2),
    date(2011, 12, 30),
    date(2024, 6, 15),
]
# Wall minutes around the usual transition times, to make DST nights likely.
NIGHT = [0, 1, 15, 30, 60, 61, 90, 120, 121, 150, 180, 1380, 1410, 1439]


@st.composite
def ranges(draw: st.DrawFn, grid: int) -> list[tuple[int, int]]:
    """Zero to two ranges (start, end), possibly overnight or ending at 24:00."""
    result: list[tuple[int, int]] = []
    for _ in range(draw(st.integers(0, 2))):
        minute = st.integers(0, 1439 // grid).map(lambda m: m * grid)
        if grid == 1:
            minute = minute | st.sampled_from(NIGHT)
        start = draw(minute)
        end = draw(minute.map(lambda m: m or 1440) | st.just(1440))
        assume(start != end)
        result.append((start, end))
    return result


@st.composite
def scenarios(
    draw: st.DrawFn, grid: int = 1
) -> tuple[str, list[list[tuple[int, int]]], dict[date, list[tuple[int, int]]], datetime]:
    """A zone, weekly ranges, overrides near a DST date, and an instant near it."""
    zone = draw(st.sampled_from(ZONES))
    weekly = [draw(ranges(grid)) for _ in range(7)]
    base = draw(st.sampled_from(NEAR))
    offsets = st.lists(st.integers(-2, 2), max_size=3, unique=True)
    dates = {base + timedelta(days=k): draw(ranges(grid)) for k in draw(offsets)}
    minutes = draw(st.integers(-2 * 1440, 3 * 1440))
    seconds = draw(st.sampled_from([0, 0, 0, 1, 30, 59]))
    instant = datetime.combine(base, time(), UTC) + timedelta(minutes=minutes, seconds=seconds)
    return zone, weekly, dates, instant


def reference_resolve(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """W2 by brute force: the first whole UTC minute whose local wall time reaches it."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = wall.replace(tzinfo=UTC) - timedelta(hours=15)  # offsets are within +-15h
    while instant.astimezone(zone).replace(tzinfo=None) < wall:
        instant += MINUTE
    return instant


def reference_is_open(
    instant: datetime,
    zone: ZoneInfo,
    weekly: Sequence[Ranges],
    dates: Mapping[date, Ranges],
) -> bool:
    """W1 by brute force over the local dates around the instant."""
    today = instant.astimezone(zone).date()
    for shift in (-2, -1, 0, 1):
        day = today + timedelta(days=shift)
        for start, end in dates.get(day, weekly[day.weekday()]):
            begin = reference_resolve(day, start, zone)
            finish = reference_resolve(day + timedelta(days=end <= start), end, zone)
            if begin <= instant < finish:
                return True
    return False


class TestProperties:
    """Property tests against simple references."""

    @given(scenarios())
    def test_is_open_matches_reference(
        self, scenario: tuple[str, list[list[tuple[int, int]]], dict[date, Ranges], datetime]
    ) -> None:
        """is_open agrees with a minute-by-minute brute-force reference of W1 and W2."""
        zone, weekly, dates, instant = scenario
        schedule = Schedule(zone=zone, weekly=weekly, dates=dates)
        expected = reference_is_open(instant, ZoneInfo(zone), weekly, dates)
        assert schedule.is_open(instant) == expected
        assert schedule.is_open(instant.astimezone(ZoneInfo(zone))) == expected

    @given(scenarios())
    def test_edges(
        self, scenario: tuple[str, list[list[tuple[int, int]]], dict[date, Ranges], datetime]
    ) -> None:
        """next_open/next_close are edges, at or after now, with no edge between now and them."""
        zone, weekly, dates, now = scenario
        schedule = Schedule(zone=zone, weekly=weekly, dates=dates)
        for closing, found in ((False, schedule.next_open(now)), (True, schedule.next_close(now))):
            # Arithmetic in UTC (T3): in the desk's zone it would be wall-clock arithmetic.
            result = None if found is None else found.astimezone(UTC)
            # An opening edge: open at t, closed just before (a closing edge: the reverse).
            if result is not None:
                assert result >= now
                assert schedule.is_open(result) != closing
                assert schedule.is_open(result - TINY) == closing
                assert schedule.is_open(result - MINUTE) == closing
            # Sample every minute up to the edge (or ten days): no earlier edge of its kind.
            stop = min(result or now + timedelta(days=10), now + timedelta(days=10))
            first = now + (-(now - datetime.combine(now.date(), time(), UTC)) % MINUTE)
            samples = [now]
            while first < stop:
                samples.append(first)
                first += MINUTE
            states = [schedule.is_open(x) for x in samples]
            if states[0] != closing:  # now is of the result's kind: an edge only if result
                assert schedule.is_open(now - TINY) != closing or result == now
            for before, after in itertools.pairwise(states):
                assert not (before == closing and after != closing)

    @given(scenarios(grid=15))
    def test_intervals_are_edges(
        self, scenario: tuple[str, list[list[tuple[int, int]]], dict[date, Ranges], datetime]
    ) -> None:
        """Each returned period opens at an opening edge and closes at a closing edge."""
        zone, weekly, dates, now = scenario
        schedule = Schedule(zone=zone, weekly=weekly, dates=dates)
        periods = spans(schedule, now, now + timedelta(days=2))
        for index, (start, end) in enumerate(periods):
            assert start < end
            assert schedule.is_open(start) and schedule.is_open(end - TINY)
            if start > now - timedelta(days=300):  # not cut by the 366-day look-back
                assert not schedule.is_open(start - TINY)
            if end < now + timedelta(days=300):
                assert not schedule.is_open(end)
            if index + 1 < len(periods):
                assert end < periods[index + 1][0]
        if periods and periods[0][0] >= now:
            # Compare in UTC: == across zones is never true in a repeated hour (PEP 495).
            found = schedule.next_open(now)
            assert found is not None
            assert found.astimezone(UTC) == periods[0][0]

    @settings(max_examples=50)
    @given(
        st.datetimes(timezones=st.timezones()),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
        st.timezones(),
        st.sampled_from([NINE_TO_FIVE, ALWAYS, NEVER, [[(1320, 360)]] * 7]),
    )
    def test_never_raises(
        self, now: datetime, span: timedelta, zone: ZoneInfo, weekly: Sequence[Ranges]
    ) -> None:
        """Any aware instant in any zone, down to years 1 and 9999, is handled."""
        schedule = Schedule(zone=str(zone), weekly=weekly)
        schedule.is_open(now)
        for found in (schedule.next_open(now), schedule.next_close(now)):
            assert found is None or found >= now
        try:
            end = now + span
        except OverflowError:
            end = now
        for start, finish in schedule.intervals(now, end):
            assert start < finish


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


class TestDeskRemembersOpenness:
    """The desk remembers open or closed until the next edge (W1); it must agree with
    is_open at every instant of a rising sequence, across DST and overrides."""

    @given(
        scenarios(grid=15),
        st.lists(st.integers(0, 6 * 3600), min_size=1, max_size=40),
    )
    @settings(max_examples=150)
    def test_agrees_with_is_open(
        self,
        scenario: tuple[str, list[list[tuple[int, int]]], dict[date, Ranges], datetime],
        steps: list[int],
    ) -> None:
        """Every request along the way is routed or refused as is_open says (R2)."""
        zone, weekly, dates, instant = scenario
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        document = {
            "working_hours": {
                "enabled": True,
                "timezone": zone,
                "weekly": {
                    days[index]: [f"{_hhmm(start)}-{_hhmm(end)}" for start, end in day]
                    for index, day in enumerate(weekly)
                },
                "dates": [
                    {
                        "date": day.isoformat(),
                        "hours": [f"{_hhmm(start)}-{_hhmm(end)}" for start, end in hours],
                    }
                    for day, hours in sorted(dates.items())
                ],
            }
        }
        settings_ = load_settings(document)
        hours = settings_.working_hours
        memo = OpenMemo(hours.schedule)  # what a desk asks at each request
        moment = instant - timedelta(hours=2)
        for step in steps:
            moment += timedelta(seconds=step)
            probes = [moment]
            is_open = hours.is_open(moment)
            edge = hours.next_close(moment) if is_open else hours.next_open(moment)
            if edge is not None and edge > moment:  # either side of the next edge too
                probes += [edge - timedelta(microseconds=1), edge]
            for probe in probes:
                assert memo.is_open(to_us(probe)) == hours.is_open(probe), probe
            moment = probes[-1]
