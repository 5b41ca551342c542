"""Date rules of working-hours overrides, against dateutil walking the same rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore import SettingsError, load_settings
from deskcore._cli import main
from deskcore._rrules import compile_rule

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def walked(text: str, year: int) -> frozenset[date]:
    """The dates of ``year`` dateutil gives by walking the rule from its start."""
    rule = rrulestr(text, dtstart=datetime(1970, 1, 1), ignoretz=True, tzids={})
    low, high = datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59)
    return frozenset(moment.date() for moment in rule.between(low, high, inc=True))


@st.composite
def direct_rules(draw: st.DrawFn) -> tuple[str, int]:
    """A rule of the directly computed kind, and its start year."""
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if draw(st.booleans()):
        months = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
        parts.append("BYMONTH=" + ",".join(map(str, months)))
    monthdays = freq != "WEEKLY" and draw(st.booleans())
    if monthdays:
        numbers = draw(
            st.lists(st.integers(-31, 31).filter(bool), min_size=1, max_size=3, unique=True)
        )
        parts.append("BYMONTHDAY=" + ",".join(map(str, numbers)))
    if draw(st.booleans()):
        nth = not monthdays and freq in ("YEARLY", "MONTHLY") and draw(st.booleans())
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        if nth:
            days = [f"{draw(st.sampled_from([1, 2, -1, 3, -2]))}{day}" for day in days]
        parts.append("BYDAY=" + ",".join(days))
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    start = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
    hour = draw(st.sampled_from([0, 9, 23]))
    if draw(st.booleans()):
        until = start + timedelta(days=draw(st.integers(0, 1500)))
        parts.append(f"UNTIL={until:%Y%m%d}")
    text = f"DTSTART:{start:%Y%m%d}T{hour:02d}0000\nRRULE:" + ";".join(parts)
    return text, start.year


class TestDirect:
    """The directly computed rules give dateutil's dates, year by year."""

    @settings(max_examples=400, deadline=None)
    @given(direct_rules(), st.integers(-1, 4))
    def test_same_dates_as_dateutil(self, rule: tuple[str, int], offset: int) -> None:
        """Every year near the start, the same dates."""
        text, first = rule
        compiled = compile_rule(text)
        year = first + offset
        assert compiled.dates_in(year) == walked(text, year), text

    def test_common_rules_are_direct(self) -> None:
        """Holidays, weekends and n-th weekdays are computed without walking from 1970."""
        for text in (
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
            "FREQ=DAILY;BYDAY=SA,SU",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        ):
            assert compile_rule(text).direct, text
        assert not compile_rule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1").direct
        weekends = compile_rule("FREQ=DAILY;BYDAY=SA,SU").dates_in(9000)
        assert len(weekends) == 104 and all(d.weekday() >= 5 for d in weekends)


class TestFolded:
    """Rules dateutil must compute repeat with the 400-year cycle."""

    def test_far_year_from_the_cycle(self) -> None:
        """BYSETPOS: year 2470 is 2070's dates 400 years on."""
        text = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        rule = compile_rule(text)
        assert rule.dates_in(2870) == {d.replace(year=d.year + 800) for d in walked(text, 2070)}
        assert rule.dates_in(2030) == walked(text, 2030)

    def test_count_is_walked(self) -> None:
        """A rule with COUNT stops after its occurrences."""
        rule = compile_rule("DTSTART:20260101\nRRULE:FREQ=MONTHLY;COUNT=3")
        assert rule.dates_in(2026) == {date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)}
        assert rule.dates_in(2027) == frozenset()


class TestNeverMatches:
    """A rule that names no date is found out, fast."""

    def test_unsatisfiable(self) -> None:
        """February the 30th never comes; February the 29th does."""
        assert compile_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").never_matches()
        assert not compile_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29").never_matches()
        assert compile_rule("DTSTART:20260101\nRRULE:FREQ=DAILY;UNTIL=20251231").never_matches()

    def test_validate_warns(self) -> None:
        """The settings' warnings name the override whose rule never matches."""
        settings_ = load_settings(
            {
                "working_hours": {
                    "dates": [
                        {"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "hours": []},
                        {"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "hours": []},
                    ]
                }
            }
        )
        assert settings_.working_hours.warnings() == [
            ("working_hours.dates[1].rrule", "never names a date: this override never applies")
        ]


class TestValidateCommand:
    """``deskcore validate`` prints the warnings and still says ok."""

    def test_warning_printed(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A never-matching rule is a warning line before ok; the status is 0."""
        path = tmp_path / "desk.toml"
        path.write_text(
            '[[working_hours.dates]]\nrrule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"\nhours = []\n'
        )
        assert main(["validate", str(path)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out == [
            f"{path}: warning: working_hours.dates[0].rrule: never names a date: "
            "this override never applies",
            f"{path}: ok",
        ]

    def test_count_is_bounded(self) -> None:
        """COUNT over 10,000 is a settings error."""
        document = {"working_hours": {"dates": [{"rrule": "FREQ=DAILY;COUNT=10001", "hours": []}]}}
        with pytest.raises(SettingsError, match="COUNT must be at most 10000"):
            load_settings(document)


@st.composite
def other_rules(draw: st.DrawFn) -> tuple[str, int]:
    """A rule the direct computation leaves to dateutil, and its start year."""
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 4))}")
    kind = draw(st.sampled_from(["setpos", "yearday", "weekno", "nth-and-day", "weekly-day"]))
    if kind == "setpos":
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=5, unique=True))
        parts += ["BYDAY=" + ",".join(days), f"BYSETPOS={draw(st.sampled_from([1, -1, 2]))}"]
    elif kind == "yearday":
        parts.append(f"BYYEARDAY={draw(st.integers(-366, 366).filter(bool))}")
    elif kind == "weekno":
        parts = ["FREQ=YEARLY", f"BYWEEKNO={draw(st.integers(1, 53))}", "BYDAY=MO"]
    elif kind == "nth-and-day":
        parts[0] = draw(st.sampled_from(["FREQ=YEARLY", "FREQ=MONTHLY"]))
        parts += [f"BYMONTHDAY={draw(st.integers(1, 28))}", "BYDAY=1MO"]
    else:
        parts[0] = "FREQ=WEEKLY"
        parts.append(f"BYMONTHDAY={draw(st.integers(1, 28))}")
    start = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
    text = f"DTSTART:{start:%Y%m%d}T090000\nRRULE:" + ";".join(parts)
    return text, start.year


class TestOthers:
    """The rules left to dateutil give its dates, near their start and folded far away."""

    @settings(max_examples=100, deadline=None)
    @given(other_rules(), st.integers(-1, 3))
    def test_same_dates_as_dateutil(self, rule: tuple[str, int], offset: int) -> None:
        """Every year near the start, the same dates."""
        text, first = rule
        compiled = compile_rule(text)
        assert not compiled.direct, text
        year = first + offset
        assert compiled.dates_in(year) == walked(text, year), text

    @settings(max_examples=15, deadline=None)
    @given(other_rules(), st.sampled_from([400, 401, 799, 800, 801]))
    def test_far_years(self, rule: tuple[str, int], offset: int) -> None:
        """Hundreds of years on, still the dates dateutil walks to."""
        text, first = rule
        year = first + offset
        assert compile_rule(text).dates_in(year) == walked(text, year), text

    @pytest.mark.parametrize(
        "text",
        [
            "FREQ=WEEKLY;BYMONTHDAY=1",  # weekly with month days
            "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1",  # n-th weekdays mixed with days
            "FREQ=HOURLY",
            "DTSTART:20260101\nRRULE:FREQ=DAILY\nEXDATE:20260102",
        ],
    )
    def test_not_direct(self, text: str) -> None:
        """Parts the direct computation does not read send the rule to dateutil."""
        assert not compile_rule(text).direct

    def test_until_with_time(self) -> None:
        """An UNTIL with a time of day (UTC form) is computed directly, inclusive."""
        rule = compile_rule("DTSTART:20260101T090000\nRRULE:FREQ=DAILY;UNTIL=20260103T090000Z")
        assert rule.direct
        assert rule.dates_in(2026) == {date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)}

    def test_no_dates_past_9999(self) -> None:
        """Nothing is named past the last representable year, folded or not."""
        assert compile_rule("FREQ=DAILY").dates_in(10000) == frozenset()
        assert compile_rule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1").dates_in(10000) == frozenset()

    def test_never_matches_folded_and_counted(self) -> None:
        """Folded and counted rules are checked too: over a cycle, or to their end."""
        assert compile_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1").never_matches()
        assert not compile_rule("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1").never_matches()
        assert not compile_rule("DTSTART:20260101\nRRULE:FREQ=DAILY;COUNT=2").never_matches()
        counted = "DTSTART:20260101\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2"
        assert compile_rule(counted).never_matches()
