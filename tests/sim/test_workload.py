"""Tests for deskcore.sim._workload: the workload model, its document form and its loader."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

import pytest

from deskcore import SettingsError, TimeRange, load_settings
from deskcore.sim._simulate import Simulation
from deskcore.sim._workload import (
    Agents,
    Arrivals,
    DistributionKind,
    Handling,
    RatingBehaviour,
    Team,
    Timing,
    Users,
    Workload,
    load_workload,
    parse_span,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "workload.toml"


def faults(source: object) -> list[tuple[str, str]]:
    """The (path, message) pairs that loading ``source`` reports."""
    with pytest.raises(SettingsError) as caught:
        load_workload(source)  # type: ignore[arg-type]
    return list(caught.value.errors)


def paths(source: object) -> list[str]:
    """The paths of the faults that loading ``source`` reports."""
    return [path for path, _message in faults(source)]


class TestParseSpan:
    """Durations in a workload: docs/settings.md forms and fractional seconds."""

    def test_unit_strings(self) -> None:
        """A unit string reads as in docs/settings.md."""
        assert parse_span("1h30m") == timedelta(minutes=90)

    def test_fractional_seconds(self) -> None:
        """A float is a number of seconds, fractions allowed."""
        assert parse_span(2.5) == timedelta(seconds=2.5)

    @pytest.mark.parametrize("value", [-1.0, float("inf"), float("nan")])
    def test_bad_floats(self, value: float) -> None:
        """A negative or non-finite number of seconds is refused."""
        with pytest.raises(ValueError, match="finite number of seconds"):
            parse_span(value)


class TestTiming:
    """Random durations: exponential, lognormal or fixed, with a mean."""

    def test_exponential_is_the_default(self) -> None:
        """A timing with only a mean is exponential."""
        timing = Timing.exponential(timedelta(seconds=30))
        assert timing.distribution is DistributionKind.EXPONENTIAL
        assert timing.mean == timedelta(seconds=30)

    @pytest.mark.parametrize(
        ("timing", "sd"),
        [
            (Timing(mean=timedelta(seconds=60)), 60.0),
            (Timing(distribution=DistributionKind.LOGNORMAL, mean=timedelta(seconds=60)), 60.0),
            (
                Timing(distribution=DistributionKind.LOGNORMAL, mean=timedelta(seconds=60), cv=0.5),
                30.0,
            ),
        ],
    )
    def test_sampler_has_the_mean_and_spread(self, timing: Timing, sd: float) -> None:
        """Draws have the given mean and the standard deviation of the distribution."""
        draw = timing.sampler(Random(3))
        values = [draw() / 1e6 for _ in range(40_000)]
        assert statistics.fmean(values) == pytest.approx(60.0, rel=0.03)
        assert statistics.pstdev(values) == pytest.approx(sd, rel=0.08)

    def test_fixed_sampler(self) -> None:
        """A fixed timing always draws its mean, in microseconds."""
        timing = Timing(distribution=DistributionKind.FIXED, mean=timedelta(seconds=1.5))
        draw = timing.sampler(Random(1))
        assert {draw() for _ in range(5)} == {1_500_000}

    def test_fixed_may_be_zero(self) -> None:
        """A fixed duration of zero is allowed (an instant answer)."""
        assert Timing(distribution=DistributionKind.FIXED, mean=timedelta(0)).mean == timedelta(0)

    def test_random_must_not_be_zero(self) -> None:
        """An exponential or lognormal mean of zero is refused, naming the field."""
        with pytest.raises(SettingsError) as caught:
            Timing(mean=timedelta(0))
        assert caught.value.errors == (("mean", "must be longer than zero"),)

    def test_cv_is_for_lognormal_only(self) -> None:
        """``cv`` with another distribution is refused."""
        with pytest.raises(SettingsError, match="lognormal"):
            Timing(mean=timedelta(seconds=1), cv=0.5)

    def test_values_are_checked(self) -> None:
        """A value of the wrong type is refused with the field's name."""
        with pytest.raises(SettingsError) as caught:
            Timing(mean=5)  # type: ignore[arg-type]
        assert caught.value.errors[0][0] == "mean"

    @pytest.mark.parametrize(
        ("timing", "message"),
        [
            ({"mean": "1m", "distribution": 3}, "must be a string, got 3 (an integer)"),
            ({"mean": "1m", "distribution": "lognormal", "cv": 0}, "must be > 0, got 0"),
            ({"mean": "1m", "distribution": "lognormal", "cv": float("inf")}, "must be finite"),
            ({"mean": None}, "must be a duration"),
        ],
    )
    def test_bad_tables(self, timing: dict[str, object], message: str) -> None:
        """Faults of a timing table are reported under its path."""
        ((path, text),) = faults({"handling": {"time": timing}})
        assert path.startswith("handling.time.")
        assert message in text

    def test_negative_mean_in_python(self) -> None:
        """A negative mean built in Python is refused."""
        with pytest.raises(SettingsError, match="must not be negative"):
            Timing(mean=timedelta(seconds=-1))

    def test_kind_checked_in_python(self) -> None:
        """A distribution given as a string in Python is checked like in a document."""
        with pytest.raises(SettingsError, match="did you mean 'lognormal'"):
            Timing(distribution="lognormall", mean=timedelta(seconds=1))  # type: ignore[arg-type]


class TestArrivals:
    """Arrival rates: one rate, or one per hour of the day."""

    def test_default_rate(self) -> None:
        """Without a rate, users arrive at 60 per hour all day."""
        assert Arrivals().per_hour() == (60.0,) * 24

    def test_constant_rate(self) -> None:
        """A rate holds for every hour."""
        assert Arrivals(rate=12).per_hour() == (12.0,) * 24

    def test_by_hour(self) -> None:
        """``by_hour`` gives each hour its own rate."""
        rates = tuple(float(hour) for hour in range(24))
        assert Arrivals(by_hour=rates).per_hour() == rates

    def test_not_both(self) -> None:
        """``rate`` and ``by_hour`` together are refused."""
        with pytest.raises(SettingsError, match="give 'rate' or 'by_hour'"):
            Arrivals(rate=1.0, by_hour=(1.0,) * 24)

    def test_by_hour_needs_24(self) -> None:
        """``by_hour`` must hold 24 rates."""
        with pytest.raises(SettingsError, match="24 rates"):
            Arrivals(by_hour=(1.0,) * 23)

    def test_by_hour_forms(self) -> None:
        """``by_hour`` is a list in a document and a tuple in Python."""
        assert faults({"arrivals": {"by_hour": 5}}) == [
            ("arrivals.by_hour", "must be a list of 24 rates per hour, got 5 (an integer)")
        ]
        with pytest.raises(SettingsError, match="tuple of 24 rates"):
            Arrivals(by_hour=[1.0] * 24)  # type: ignore[arg-type]

    def test_by_hour_items_checked(self) -> None:
        """A negative hourly rate is refused with its index."""
        assert paths({"arrivals": {"by_hour": [1] * 5 + [-1] + [1] * 18}}) == [
            "arrivals.by_hour[5]"
        ]


class TestTeamsAndAgents:
    """Teams of agents, and the agents section with its shorthand."""

    def test_roster_default(self) -> None:
        """Without teams, ten agents work the whole run."""
        (team,) = Agents().roster()
        assert (team.name, team.count, team.capacity, team.hours) == ("agent", 10, None, None)

    def test_roster_shorthand(self) -> None:
        """``count`` and ``capacity`` make one team."""
        (team,) = Agents(count=3, capacity=2).roster()
        assert (team.count, team.capacity) == (3, 2)

    def test_roster_teams(self) -> None:
        """Given teams are the roster."""
        teams = (Team(name="a", count=1), Team(name="b", count=2))
        assert Agents(teams=teams).roster() == teams

    def test_count_and_teams_conflict(self) -> None:
        """``count`` with ``teams`` is refused."""
        with pytest.raises(SettingsError, match="not both"):
            Agents(count=3, teams=(Team(),))

    def test_missed_and_declined_at_most_one(self) -> None:
        """Shares of missed and declined offers add up to at most 1."""
        with pytest.raises(SettingsError, match="missed \\+ declined"):
            Agents(missed=0.6, declined=0.5)

    def test_breaks_need_hours(self) -> None:
        """A team with breaks must have shift hours."""
        with pytest.raises(SettingsError, match="needs 'hours'"):
            Team(breaks=(TimeRange(720, 750),))

    def test_unique_team_names(self) -> None:
        """Two teams with one name are refused, naming the second."""
        document = {"agents": {"teams": [{"name": "x"}, {"name": "x"}]}}
        assert faults(document) == [
            ("agents.teams[1].name", "'x' is already used by teams[0]"),
        ]

    def test_days_are_checked(self) -> None:
        """A misspelt day is refused with a hint."""
        (fault,) = faults({"agents": {"teams": [{"days": ["mon", "tues"]}]}})
        assert fault[0] == "agents.teams[0].days[1]"
        assert "did you mean 'tue'" in fault[1]

    def test_repeated_days(self) -> None:
        """A day named twice is refused."""
        assert faults({"agents": {"teams": [{"days": ["mon", "mon"]}]}}) == [
            ("agents.teams[0].days", "must not repeat a name")
        ]

    def test_team_fields(self) -> None:
        """Team names, groups and ranges are checked with their paths."""
        document = {
            "agents": {
                "teams": [
                    {"name": "", "groups": ["a", ""], "hours": ["9-5"], "breaks": "12:00"},
                    {"groups": "a", "hours": "09:00-17:00", "days": "mon"},
                ]
            }
        }
        assert paths(document) == [
            "agents.teams[0].name",
            "agents.teams[0].groups[1]",
            "agents.teams[0].hours[0]",
            "agents.teams[0].breaks",
            "agents.teams[1].groups",
            "agents.teams[1].hours",
            "agents.teams[1].days",
        ]

    def test_teams_must_be_tables(self) -> None:
        """``teams`` must be a list of tables."""
        assert faults({"agents": {"teams": {"name": "x"}}}) == [
            ("agents.teams", "must be a list of tables, got a table")
        ]

    def test_teams_checked_in_python(self) -> None:
        """A team list holding something else is refused."""
        with pytest.raises(SettingsError, match="tuple of Team"):
            Agents(teams=("x",))  # type: ignore[arg-type]

    def test_python_checks(self) -> None:
        """Values built in Python are checked like document values."""
        with pytest.raises(SettingsError, match="tuple of TimeRange"):
            Team(hours=("09:00-17:00",))  # type: ignore[arg-type]
        with pytest.raises(SettingsError, match="tuple of strings"):
            Team(groups=["a"])  # type: ignore[arg-type]


class TestUsersAndRatings:
    """User behaviour, group weights and rating behaviour."""

    def test_groups_from_a_table(self) -> None:
        """Group weights are read from a table."""
        workload = load_workload({"users": {"groups": {"sales": 1, "support": 3}}})
        assert workload.users.groups == (("sales", 1), ("support", 3))

    @pytest.mark.parametrize(
        ("groups", "message"),
        [
            (["sales"], "must be a table of group = weight"),
            ({"sales": -1}, "'sales' must be >= 0"),
            ({"sales": 0}, "needs a weight above zero"),
            ({"": 1}, "must not be empty"),
        ],
    )
    def test_bad_groups(self, groups: object, message: str) -> None:
        """Bad group weights are refused under ``users.groups``."""
        ((path, text),) = faults({"users": {"groups": groups}})
        assert path == "users.groups"
        assert message in text

    def test_groups_checked_in_python(self) -> None:
        """Group weights in Python are (group, weight) pairs."""
        with pytest.raises(SettingsError, match="pairs"):
            Users(groups=(("a",),))  # type: ignore[arg-type]
        with pytest.raises(SettingsError, match="tuple of"):
            Users(groups={"a": 1})  # type: ignore[arg-type]

    def test_shares(self) -> None:
        """Shares are numbers from 0 to 1."""
        document = {
            "users": {"silent": 1.5, "enter": "yes"},
            "agents": {"missed": None},
            "ratings": {"respond": True},
        }
        assert faults(document) == [
            ("users.silent", "must be <= 1, got 1.5"),
            ("users.enter", "must be true or false, got 'yes' (a string)"),
            ("agents.missed", "must be a number, got None (null)"),
            ("ratings.respond", "must be a number, got True (a boolean)"),
        ]

    def test_scores(self) -> None:
        """Score weights: 2 to 10 of them, not negative, not all zero."""
        assert RatingBehaviour(scores=(1, 2)).scores == (1, 2)
        document = {"ratings": {"scores": [1]}}
        assert "one weight per score" in faults(document)[0][1]
        assert faults({"ratings": {"scores": [0, 0]}})[0][1] == "needs a weight above zero"
        assert faults({"ratings": {"scores": [1, -1]}})[0][0] == "ratings.scores[1]"
        assert "list of weights" in faults({"ratings": {"scores": 3}})[0][1]
        with pytest.raises(SettingsError, match="tuple of weights"):
            RatingBehaviour(scores=[1, 2])  # type: ignore[arg-type]

    def test_messages(self) -> None:
        """The number of agent messages is an integer >= 0."""
        assert Handling(messages=0).messages == 0
        assert faults({"handling": {"messages": 1.5}}) == [
            ("handling.messages", "must be an integer, got 1.5 (a number)")
        ]
        assert faults({"handling": {"messages": -1}}) == [
            ("handling.messages", "must be >= 0, got -1")
        ]


class TestLoadWorkload:
    """Reading workload documents: TOML, JSON, mappings and files; every fault with its path."""

    def test_empty_document(self) -> None:
        """An empty document is the default workload."""
        assert load_workload({}) == Workload()

    def test_toml_text(self) -> None:
        """TOML text with a shorthand timing and a table timing."""
        workload = load_workload(
            '[users]\npatience = "2m"\n[handling]\n'
            'time = {distribution = "lognormal", mean = "6m", cv = 0.8}'
        )
        assert workload.users.patience == Timing(mean=timedelta(minutes=2))
        assert workload.handling.time == Timing(
            distribution=DistributionKind.LOGNORMAL, mean=timedelta(minutes=6), cv=0.8
        )

    def test_json_text(self) -> None:
        """JSON text, with a fractional number of seconds."""
        workload = load_workload('{"agents": {"accept_delay": 2.5}}')
        assert workload.agents.accept_delay.mean == timedelta(seconds=2.5)

    def test_files(self, tmp_path: Path) -> None:
        """Files are read as TOML or JSON by their suffix."""
        toml = tmp_path / "w.toml"
        toml.write_text('length = "2h"\n', encoding="utf-8")
        data = tmp_path / "w.json"
        data.write_text(json.dumps({"length": "3h"}), encoding="utf-8")
        assert load_workload(toml).length == timedelta(hours=2)
        assert load_workload(str(data)).length == timedelta(hours=3)

    def test_example_file(self) -> None:
        """The example workload loads and fits the example desk."""
        workload = load_workload(EXAMPLE)
        assert workload.timezone == "Europe/Berlin"
        assert len(workload.agents.roster()) == 2
        Simulation(load_settings(EXAMPLE.parent / "desk.toml"), workload, Random(1))

    def test_start_forms(self) -> None:
        """``start`` is a TOML instant or an ISO 8601 string with an offset."""
        expected = datetime(2026, 3, 2, 9, tzinfo=UTC)
        assert load_workload("start = 2026-03-02T09:00:00Z").start == expected
        assert load_workload({"start": "2026-03-02T09:00:00Z"}).start == expected

    @pytest.mark.parametrize(
        ("start", "message"),
        [
            ("2026-03-02T09:00:00", "must have an offset"),
            ("tomorrow", "ISO 8601 instant"),
            (5, "must be an instant"),
        ],
    )
    def test_bad_start(self, start: object, message: str) -> None:
        """A naive, unreadable or mistyped start is refused."""
        ((path, text),) = faults({"start": start})
        assert path == "start"
        assert message in text

    def test_every_fault_together(self) -> None:
        """All faults of a document are reported at once, each with its path."""
        document = {
            "lenght": "2h",
            "timezone": "Europe/Berlinn",
            "arrivals": {"rate": "fast"},
            "users": {"patience": "soon", "reply_delay": {"mean": "1m", "cv": 1}},
            "handling": {"time": {"distribution": "normal", "mean": "1m"}},
            "agents": {"count": 2, "teams": [{}], "break_return": -5},
            "routing": "x",
        }
        found = faults(document)
        assert found[0] == ("lenght", "unknown key (did you mean 'length'?)")
        assert [path for path, _ in found[1:]] == [
            "timezone",
            "arrivals.rate",
            "users.patience",
            "users.reply_delay.cv",
            "handling.time.distribution",
            "agents.break_return",
            "routing",
        ]
        assert "did you mean 'Europe/Berlin'" in found[1][1]

    def test_cross_field_faults_have_paths(self) -> None:
        """Faults found when a section is built carry the section's path."""
        assert faults({"agents": {"count": 2, "teams": [{}]}}) == [
            ("agents", "give 'count' and 'capacity', or 'teams', not both")
        ]
        assert faults({"warmup": "2h", "length": "1h"}) == [
            ("warmup", "must be shorter than 'length'")
        ]
        assert faults({"users": {"patience": 0}}) == [
            ("users.patience", "must be longer than zero")
        ]

    def test_unknown_nested_key(self) -> None:
        """An unknown key in a section gets a hint."""
        assert faults({"users": {"patients": "1m"}}) == [
            ("users.patients", "unknown key (did you mean 'patience'?)")
        ]

    def test_not_a_table(self, tmp_path: Path) -> None:
        """A document that is not a table is refused."""
        path = tmp_path / "list.json"
        path.write_text("[1, 2]", encoding="utf-8")
        assert faults(path) == [("(document)", "must be a table, got a list")]

    def test_bad_text(self, tmp_path: Path) -> None:
        """Text that is not TOML or JSON is refused, naming the file."""
        assert "not valid TOML" in faults("length = ")[0][1]
        assert "not valid JSON" in faults("{length")[0][1]
        path = tmp_path / "bad.json"
        path.write_text("{", encoding="utf-8")
        assert "not valid JSON" in faults(path)[0][1]  # the CLI puts the file's name first

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read raises ``OSError``."""
        with pytest.raises(FileNotFoundError):
            load_workload(tmp_path / "none.toml")


class TestWorkload:
    """The workload value and its simple form."""

    def test_simple(self) -> None:
        """``Workload.simple`` builds the common case."""
        workload = Workload.simple(
            agents=4,
            arrival_rate=30,
            handle_time=timedelta(minutes=4),
            patience=timedelta(minutes=1),
            hours=2,
        )
        assert workload.agents.roster()[0].count == 4
        assert workload.arrivals.per_hour() == (30.0,) * 24
        assert workload.handling.time == Timing(mean=timedelta(minutes=4))
        assert workload.users.patience == Timing(mean=timedelta(minutes=1))
        assert workload.length == timedelta(hours=2)

    def test_simple_without_patience(self) -> None:
        """Without patience users wait forever."""
        workload = Workload.simple(agents=1, arrival_rate=1, handle_time=timedelta(seconds=1))
        assert workload.users.patience is None

    def test_sections_checked(self) -> None:
        """A section of the wrong type is refused."""
        with pytest.raises(SettingsError, match="must be a Users"):
            Workload(users=Handling())  # type: ignore[arg-type]

    def test_zone_checked(self) -> None:
        """An unknown or mistyped zone is refused."""
        with pytest.raises(SettingsError, match="must be an IANA time zone name"):
            Workload(timezone="Mars/Olympus")
        with pytest.raises(SettingsError, match="must be a string"):
            Workload(timezone=1)  # type: ignore[arg-type]
