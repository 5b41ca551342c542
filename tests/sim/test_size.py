"""deskcore size: the fewest agents per hour, from Erlang A or C and confirmed by
simulated replications through the desk."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from deskcore import DeskSettings, QueueSettings, ServiceMode, ServiceSettings
from deskcore._cli import main
from deskcore.sim import (
    Arrivals,
    DistributionKind,
    Timing,
    Workload,
    erlang_c,
    parse_target,
    replicate,
    size,
)
from deskcore.sim._size import parse_share, settled

MMC = DeskSettings(queue=QueueSettings(max_concurrent=1))
RATES = (0.0,) * 8 + (30.0, 90.0, 200.0, 120.0) + (0.0,) * 12


def _erlang_c_agents(rate: float, handle: float, share: float, within: float) -> int:
    agents = 1
    while True:
        result = erlang_c(agents=agents, arrival_rate=rate / 3600, mean_handle_time=handle)
        if result.service_level(within) >= share:
            return agents
        agents += 1


def test_stationary_hours_match_erlang_c() -> None:
    """Automatic, capacity 1, no abandonment, prompts and working hours off: the agents
    picked are within one of Erlang C's answer, hour by hour."""
    workload = attrs.evolve(
        Workload.simple(agents=1, arrival_rate=1, handle_time=timedelta(minutes=3)),
        arrivals=Arrivals(by_hour=RATES),
    )
    staffing = size(MMC, workload, parse_target("80% in 20s"), seed=3)
    assert [h.hour for h in staffing.hours] == [8, 9, 10, 11]
    for hour in staffing.hours:
        theory = _erlang_c_agents(hour.arrivals_per_hour, 180, 0.8, 20)
        assert abs(hour.agents - theory) <= 1, hour
        assert hour.theory == theory
        assert hour.service_level >= 0.8 and hour.abandon_rate == 0.0
    assert "agent-hours" in staffing.format()


def test_abandonment_bounds_the_staffing() -> None:
    workload = Workload.simple(
        agents=1, arrival_rate=120, handle_time=timedelta(minutes=3),
        patience=timedelta(minutes=1), hours=1,
    )  # fmt: skip
    workload = attrs.evolve(workload, arrivals=Arrivals(by_hour=(120.0,) + (0.0,) * 23))
    loose = size(MMC, workload, parse_target("50% in 60s")).hours[0]
    strict = size(MMC, workload, parse_target("50% in 60s", "1%")).hours[0]
    assert strict.agents > loose.agents
    assert strict.abandon_rate <= 0.01


def _summary(level: list[float] | None, abandoned: list[float] | None) -> dict[str, object]:
    return {"service_level_ci": level, "abandon_share_ci": abandoned}


def test_doubt_is_where_an_interval_straddles_its_bound() -> None:
    plain, bounded = parse_target("80% in 20s"), parse_target("80% in 20s", "5%")
    assert settled(_summary([0.81, 0.9], [0.0, 0.0]), plain) is True
    assert settled(_summary([0.7, 0.79], [0.0, 0.0]), plain) is False
    assert settled(_summary([0.79, 0.81], [0.0, 0.0]), plain) is None
    assert settled(_summary([0.8, 0.81], [0.0, 0.0]), plain) is True  # the bound is met
    assert settled(_summary(None, None), plain) is None  # one day: no interval
    assert settled(_summary([0.81, 0.9], None), plain) is True
    assert settled(_summary([0.81, 0.9], [0.01, 0.04]), bounded) is True
    assert settled(_summary([0.81, 0.9], [0.04, 0.06]), bounded) is None
    assert settled(_summary([0.81, 0.9], [0.051, 0.06]), bounded) is False
    assert settled(_summary([0.79, 0.81], [0.051, 0.06]), bounded) is False
    assert settled(_summary([0.81, 0.9], None), bounded) is None
    assert settled(_summary(None, [0.051, 0.06]), bounded) is False  # abandonment alone
    assert settled(_summary(None, [0.01, 0.04]), bounded) is None


def test_a_staffing_in_doubt_gets_more_days() -> None:
    """At 200 an hour and 4 minutes, 17 agents answer 81% within 20 s: two days cannot
    tell that from 80%, so the candidates near it get more, up to the most allowed."""
    workload = Workload.simple(agents=1, arrival_rate=200, handle_time=timedelta(minutes=4))
    workload = attrs.evolve(workload, arrivals=Arrivals(by_hour=(200.0,) + (0.0,) * 23))
    target = parse_target("80% in 20s")
    hour = size(MMC, workload, target, replications=2, max_replications=6).hours[0]
    assert (hour.theory, hour.agents) == (17, 17)
    assert hour.replications > 2
    # the figures are those of that many days, each day once: as one call gives them
    staffed = attrs.evolve(
        workload,
        arrivals=Arrivals(rate=200),
        length=timedelta(hours=4, minutes=30),
        warmup=timedelta(minutes=30),
        agents=attrs.evolve(workload.agents, count=17),
    )
    days = replicate(MMC, staffed, hour.replications, seed=100).summary
    assert hour.service_level == days["service_level"]
    fixed = size(MMC, workload, target, replications=2, max_replications=2).hours[0]
    assert fixed.replications == 2
    with pytest.raises(ValueError, match="max_replications must be an integer >= replications"):
        size(MMC, workload, target, replications=2, max_replications=1)
    for name, bad in (("replications", 0), ("replications", 1.5), ("jobs", 0), ("jobs", True)):
        with pytest.raises(ValueError, match=f"^{name} must be an integer >= 1"):
            size(MMC, workload, target, **{name: bad})  # type: ignore[arg-type]


def test_an_hour_whose_days_are_empty_needs_one_agent() -> None:
    """A day in which nobody asked tells nothing (its service level is 0 by the report's
    definition); an hour with almost no arrivals is sized from the days that have some."""
    workload = Workload.simple(agents=1, arrival_rate=1, handle_time=timedelta(minutes=4))
    workload = attrs.evolve(workload, arrivals=Arrivals(by_hour=(0.05,) + (0.0,) * 23))
    hour = size(MMC, workload, parse_target("80% in 20s"), replications=2).hours[0]
    assert (hour.agents, hour.service_level, hour.abandon_rate) == (1, 1.0, 0.0)
    workload = attrs.evolve(workload, arrivals=Arrivals(by_hour=(0.0001,) + (0.0,) * 23))
    hour = size(MMC, workload, parse_target("80% in 20s"), replications=2).hours[0]
    assert (hour.agents, hour.service_level, hour.replications) == (1, 1.0, 8)  # all empty


def test_a_target_the_settings_rule_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Agents who take 30 s to accept answer nobody within 10 s: adding agents does not
    help, and the search stops with an error instead of climbing for ever."""
    manual = attrs.evolve(MMC, service=ServiceSettings(mode=ServiceMode.MANUAL))
    workload = Workload.simple(agents=1, arrival_rate=60, handle_time=timedelta(minutes=4))
    workload = attrs.evolve(
        workload,
        arrivals=Arrivals(by_hour=(60.0,) + (0.0,) * 23),
        agents=attrs.evolve(
            workload.agents,
            accept_delay=Timing(distribution=DistributionKind.FIXED, mean=timedelta(seconds=30)),
        ),
    )
    with pytest.raises(
        ValueError,
        match=r"^hour 0: no staffing up to 24 agents meets 80% in 10s \(the formula's answer is 7",
    ):
        size(manual, workload, parse_target("80% in 10s"), replications=2, max_replications=2)


def _one_hour(rate: float, handle: timedelta, patience: timedelta | None = None) -> Workload:
    workload = Workload.simple(
        agents=1, arrival_rate=rate, handle_time=handle, patience=patience, hours=1
    )
    return attrs.evolve(workload, arrivals=Arrivals(by_hour=(rate,) + (0.0,) * 23))


def test_days_that_cannot_tell_a_strict_target_keep_the_formula() -> None:
    """At 99.99% the days (under 10,000 users) show nobody waiting with several agents
    fewer than Erlang C needs; they cannot tell the target from 99.9%, so the staffing
    does not go below the formula's answer (18 here; days said 15 to 17 before)."""
    workload = _one_hour(120, timedelta(minutes=3))
    for seed in (1, 2):
        hour = size(MMC, workload, parse_target("99.99% in 0s"), seed=seed).hours[0]
        assert hour.theory == _erlang_c_agents(120, 180, 0.9999, 0)
        # not below it; above it only where the days show someone waiting
        assert hour.theory <= hour.agents <= hour.theory + 1
        assert hour.replications == 16  # every day was tried before trusting the formula
    target = parse_target("99.9% in 0s")
    assert not target.resolved_by(9_999, abandonment=False)
    assert target.resolved_by(10_000, abandonment=False)
    capped = parse_target("80% in 20s", "0.1%")
    assert capped.resolved_by(100, abandonment=False)  # nobody gives up: no bound to tell
    assert not capped.resolved_by(9_000, abandonment=True)
    assert not parse_target("100% in 20s").resolved_by(10**9, abandonment=False)


def test_users_who_never_give_up_need_more_room_than_their_work() -> None:
    """An hour's wait of an hour is met by a few simulated hours of a queue that grows
    for ever; without patience the staffing keeps more room than the offered load (6
    Erlangs here: 7 agents, not the 5 the days alone allowed)."""
    workload = _one_hour(120, timedelta(minutes=3))
    hour = size(MMC, workload, parse_target("80% in 3600s")).hours[0]
    assert hour.agents == 7
    doubled = size(MMC.__class__(queue=QueueSettings(max_concurrent=2)), workload,
                   parse_target("80% in 3600s")).hours[0]  # fmt: skip
    assert doubled.agents == 4  # 6 Erlangs over two conversations each


def test_targets() -> None:
    target = parse_target("80% in 20s", "5%")
    assert (target.share, target.within, target.max_abandon) == (0.8, timedelta(seconds=20), 0.05)
    assert parse_target(" 90.5% in PT1M ").within == timedelta(minutes=1)
    assert str(target) == "80% in 20s, at most 5% abandoned"
    assert str(parse_target("99.9% in 20", "0.25%")) == "99.9% in 20s, at most 0.25% abandoned"
    assert parse_target("80% in 1.5").within == timedelta(seconds=1.5)
    assert parse_share("0.25") == 0.25
    for bad in ("80 in 20s", "80% within 20s", "180% in 20s", "80% in soon"):
        with pytest.raises(ValueError, match="target"):
            parse_target(bad)
    with pytest.raises(ValueError, match="max-abandon"):
        parse_target("80% in 20s", "lots")


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["size", "--arrival-rate", "60", "--handle-time", "3m", "--hours", "2"]
    flags += ["--target", "80% in 20s", "--quiet", "--replications", "2"]
    picture = tmp_path / "staff.png"
    assert main([*flags, "--json", "--plot", str(picture)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [h["hour"] for h in data["hours"]] == [0, 1]
    for hour in data["hours"]:
        assert {"hour", "arrivals_per_hour", "agents", "service_level", "abandon_rate"} <= set(hour)
        assert 0 <= hour["service_level"] <= 1
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(flags) == 0
    assert "staffing for 80% in 20s" in capsys.readouterr().out
    assert main(["size", "--target", "80 in 20s"]) == 2
    assert "expected a share and a wait" in capsys.readouterr().err
    assert main([*flags, "--hours", "25"]) == 2
    assert "a staffing plans one day" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*flags, "--handle-time", "0"])
    assert "--handle-time: must be longer than zero" in capsys.readouterr().err
    assert main([*flags, "--max-abandon", "5"]) == 2
    assert "a bare number is a fraction" in capsys.readouterr().err
    assert main([*flags, "--max-abandon", "5%"]) == 0
    assert "nobody gives up and --max-abandon never binds" in capsys.readouterr().err
    assert main([*flags, "--max-replications", "1"]) == 2
    assert "--max-replications (1) must be at least --replications (2)" in capsys.readouterr().err
    assert main([*flags, "--max-replications", "2", "--json"]) == 0
    assert {h["replications"] for h in json.loads(capsys.readouterr().out)["hours"]} == {2}
    desk, day = tmp_path / "desk.toml", tmp_path / "day.toml"
    desk.write_text('[service]\nmode = "manual"\n[queue]\nmax_concurrent = 1\n')
    day.write_text(
        'start = "2026-03-02T00:00:00+00:00"\nlength = "1h"\n[arrivals]\nrate = 60\n'
        '[handling]\ntime = "4m"\n[agents]\ncount = 1\n'
        'accept_delay = { distribution = "fixed", mean = "30s" }\n'
    )
    flags = ["size", str(desk), "--workload", str(day), "--target", "80% in 10s", "--quiet"]
    assert main([*flags, "--replications", "2", "--max-replications", "2"]) == 1
    assert "deskcore size: hour 0: no staffing up to 24 agents" in capsys.readouterr().err
