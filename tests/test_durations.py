"""Tests of durations in settings documents: parse_duration and format_duration."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskcore import format_duration, parse_duration


class TestParseDuration:
    """parse_duration: whole seconds, unit strings and ISO 8601."""

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            (0, 0),
            (90, 90),
            (86400 * 400, 86400 * 400),
            ("90s", 90),
            ("10m", 600),
            ("2h", 7200),
            ("1d", 86400),
            ("1h30m", 5400),
            ("1d2h3m4s", 93784),
            ("90m", 5400),
            ("0s", 0),
            (" 10m ", 600),
            ("PT10M", 600),
            ("pt10m", 600),
            ("P1DT2H", 93600),
            ("P2W", 1209600),
            ("P1D", 86400),
            ("PT1H30M15S", 5415),
            ("PT0S", 0),
        ],
    )
    def test_good(self, value: int | str, seconds: int) -> None:
        """Every documented form reads as the expected number of seconds."""
        assert parse_duration(value) == timedelta(seconds=seconds)

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (-1, "must not be negative, got -1"),
            ("-5m", "must not be negative, got '-5m'"),
            ("-PT5M", "must not be negative, got '-PT5M'"),
            (1.5, "got 1.5 (a number)"),
            (3.0, "got 3.0 (a number)"),
            (True, "got True (a boolean)"),
            (None, "got None (null)"),
            ([90], "got [90] (a list)"),
            ("90", "cannot read '90' as a duration"),
            ("", "cannot read '' as a duration"),
            ("1.5h", "cannot read '1.5h' as a duration"),
            ("10 m", "cannot read '10 m' as a duration"),
            ("10M", "cannot read '10M' as a duration"),
            ("30m1h", "cannot read '30m1h' as a duration"),
            ("ten minutes", "cannot read 'ten minutes'"),
            ("P", "cannot read 'P'"),
            ("PT", "cannot read 'PT'"),
            ("P1DT", "cannot read 'P1DT'"),
            ("P1Y", "cannot read 'P1Y'"),
            ("P1M", "cannot read 'P1M'"),
            ("PT1.5S", "cannot read 'PT1.5S'"),
            ("٣m", "cannot read '٣m'"),
            ("999999999999d", "is too long to be a duration, got '999999999999d'"),
            ("P999999999999W", "is too long to be a duration"),
            (10**20, "is too long to be a duration, got 100000000000000000000"),
        ],
    )
    def test_bad(self, value: object, message: str) -> None:
        """Negative, fractional, unparsable or huge values raise ValueError saying why."""
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_duration(value)

    def test_message_names_the_forms(self) -> None:
        """An unreadable duration's message lists the accepted forms."""
        with pytest.raises(ValueError, match=r"whole seconds like 90, .*'1h30m'.*'PT10M'"):
            parse_duration("soon")


class TestFormatDuration:
    """format_duration: the shortest unit form."""

    @pytest.mark.parametrize(
        ("seconds", "text"),
        [
            (0, "0s"),
            (1, "1s"),
            (60, "1m"),
            (5400, "1h30m"),
            (86400, "1d"),
            (93784, "1d2h3m4s"),
            (86400 * 999, "999d"),
        ],
    )
    def test_forms(self, seconds: int, text: str) -> None:
        """Whole-second durations are written in d, h, m, s units, largest first."""
        assert format_duration(timedelta(seconds=seconds)) == text

    @given(st.integers(min_value=0, max_value=86400 * 999_999_999 - 1))
    def test_round_trip(self, seconds: int) -> None:
        """parse_duration reads back every duration format_duration writes."""
        span = timedelta(seconds=seconds)
        assert parse_duration(format_duration(span)) == span
