"""Tests for the simulator (deskcore.sim), its report and ``deskcore simulate``.

The queueing checks run independent replications of an M/M/c desk (automatic service,
capacity 1, exponential times) and ask that Erlang C's mean wait and probability of
waiting, and Erlang A's probability of abandonment, lie inside the replications' 95%
confidence interval. Larger versions run in benchmarks/bench_simulate.py.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import attrs
import pytest

from deskcore import (
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentStatusChanged,
    AnyAction,
    AnyEvent,
    AssignmentAnswered,
    AssignmentFailed,
    ConversationEnded,
    Desk,
    DeskSettings,
    QueueSettings,
    RatingInvited,
    RatingSubmitted,
    SettingsError,
    Tick,
    UserEntered,
    UserMessage,
    load_settings,
)
from deskcore._engine import Engine
from deskcore._raw import (
    ACCEPTED,
    AGENT_MESSAGE,
    ANSWERED,
    DECLINED,
    ENDED,
    ENTERED,
    FAILED,
    INVITED,
    REQUESTED,
    STATUS,
    SUBMITTED,
    TICK,
    USER_MESSAGE,
    RawAction,
)
from deskcore._time import from_us, to_us
from deskcore.sim._cli import add_commands
from deskcore.sim._erlang import erlang_a, erlang_c
from deskcore.sim._report import Report, percentile
from deskcore.sim._shifts import shift_changes
from deskcore.sim._simulate import Simulation, simulate
from deskcore.sim._workload import (
    Agents,
    Arrivals,
    DistributionKind,
    Handling,
    RatingBehaviour,
    Routing,
    Team,
    Timing,
    Users,
    Workload,
    load_workload,
)

MMC = DeskSettings(queue=QueueSettings(max_concurrent=1))
T_95 = {9: 2.262, 11: 2.201}  # Student's t, two-sided 95%, by degrees of freedom


def seconds(value: float) -> timedelta:
    """A duration of ``value`` seconds."""
    return timedelta(seconds=value)


def interval(values: list[float]) -> tuple[float, float]:
    """The 95% confidence interval of the mean of independent replications."""
    mean = statistics.fmean(values)
    half = T_95[len(values) - 1] * statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


def replicate(workload: Workload, count: int, settings: DeskSettings = MMC) -> list[Report]:
    """``count`` independent runs, seeds 0 … count - 1."""
    return [simulate(settings, workload, Random(seed)) for seed in range(count)]


def balance(report: Report) -> int:
    """Requests not accounted for by served, abandoned, failed and unfinished (should be 0)."""
    failed = sum(report.routing_failed.values())
    return report.requests - report.served - report.abandoned - failed - report.unfinished


FULL_SETTINGS = """
[assignment]
strategy = "user_choice"
groups = ["sales", "support"]

[service]
mode = "manual"
accept_timeout = "20s"
break_on_timeout = true

[queue]
max_concurrent = 2
update_interval = "30s"
max_wait = "10m"

[closure]
user_timeout = "3m"
retention = "10m"

[working_hours]
enabled = true
timezone = "Europe/Berlin"
weekly = { mon = ["08:00-20:00"] }

[ratings]
send_on_end = true
validity = "30m"
"""

FULL_WORKLOAD = {
    "start": "2026-03-02T00:00:00+01:00",
    "length": "24h",
    "timezone": "Europe/Berlin",
    "arrivals": {"by_hour": [2] * 8 + [60] * 12 + [2] * 4},
    "users": {
        "patience": "5m",
        "reply_delay": "1m",
        "silent": 0.2,
        "enter": True,
        "groups": {"sales": 1, "support": 2},
    },
    "handling": {"time": {"distribution": "lognormal", "mean": "5m", "cv": 0.7}, "messages": 3},
    "agents": {
        "accept_delay": "8s",
        "missed": 0.15,
        "declined": 0.05,
        "break_return": "2m",
        "teams": [
            {
                "name": "a",
                "count": 4,
                "groups": ["sales", "support"],
                "hours": ["07:30-14:00"],
                "breaks": ["10:00-10:15"],
            },
            {
                "name": "b",
                "count": 3,
                "capacity": 1,
                "groups": ["support"],
                "hours": ["13:00-19:00"],
            },
        ],
    },
    "ratings": {"invite": 0.3, "respond": 0.6, "delay": "2m", "scores": [1, 1, 2, 3, 5]},
}


def event_of(
    now: int, code: int, conversation: str | None, agent: str | None, arg: Any
) -> AnyEvent:
    """The event object of the raw fields the simulator hands the desk."""
    at = from_us(now)
    if code == STATUS:
        assert agent is not None
        status, groups, capacity, name = arg
        return AgentStatusChanged(
            at=at, agent=agent, status=status, groups=groups, capacity=capacity, name=name
        )
    if code == TICK:
        return Tick(at=at)
    assert conversation is not None

    def who() -> str:
        assert agent is not None
        return agent

    make: dict[int, Callable[[], AnyEvent]] = {
        ENTERED: lambda: UserEntered(
            at=at, conversation=conversation, language=arg[0], user=arg[1]
        ),
        REQUESTED: lambda: AgentRequested(
            at=at,
            conversation=conversation,
            group=arg[0],
            user=arg[1],
            language=arg[2],
            priority=arg[3],
            preferred_agent=arg[4],
        ),
        ANSWERED: lambda: AssignmentAnswered(
            at=at, conversation=conversation, group=arg[0], agents=arg[1]
        ),
        FAILED: lambda: AssignmentFailed(at=at, conversation=conversation),
        ACCEPTED: lambda: AgentAccepted(at=at, conversation=conversation, agent=who()),
        DECLINED: lambda: AgentDeclined(at=at, conversation=conversation, agent=who()),
        AGENT_MESSAGE: lambda: AgentMessage(at=at, conversation=conversation),
        USER_MESSAGE: lambda: UserMessage(at=at, conversation=conversation),
        ENDED: lambda: ConversationEnded(at=at, conversation=conversation, by=arg, agent=agent),
        INVITED: lambda: RatingInvited(at=at, conversation=conversation, agent=who()),
        SUBMITTED: lambda: RatingSubmitted(
            at=at, conversation=conversation, score=arg[0], comment=arg[1]
        ),
    }
    return make[code]()


def raw_of(action: AnyAction) -> RawAction:
    """The raw tuple of an action object: (class, instant, *fields), instants in µs."""
    values = [
        to_us(value) if field.name == "expires_at" else value
        for field in attrs.fields(type(action))[1:]
        for value in [getattr(action, field.name)]
    ]
    return (type(action), to_us(action.at), *values)


class ThroughHandle:
    """An engine for the simulator that serves its raw calls through the public
    Desk.handle and Desk.next_deadline."""

    calls = 0

    def __init__(self, settings: DeskSettings) -> None:
        self.desk = Desk(settings)

    def apply(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> list[RawAction]:
        """The raw actions of the event that these raw fields describe."""
        ThroughHandle.calls += 1
        actions = self.desk.handle(event_of(now, code, conversation, agent, arg))
        return [raw_of(action) for action in actions]

    def next_due(self) -> int | None:
        """The next deadline in µs."""
        due = self.desk.next_deadline()
        return None if due is None else to_us(due)


class Wrapped:
    """An engine for the simulator that hands every call on to a real one; tests
    override ``apply`` to watch it (the engine itself is not subclassed: the compiled
    build's classes are native)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def apply(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> list[RawAction]:
        """The engine's raw actions."""
        return self.engine.apply(now, code, conversation, agent, arg)

    def next_due(self) -> int | None:
        """The engine's next deadline in µs."""
        return self.engine.next_due()


@pytest.fixture(scope="module")
def full() -> Report:
    """One run of a desk that uses most of the engine's rules."""
    return simulate(load_settings(FULL_SETTINGS), load_workload(FULL_WORKLOAD), Random(11))


class TestErlangC:
    """Automatic service, capacity 1, exponential times, no abandonment: M/M/c (Erlang C)."""

    @pytest.mark.parametrize(("load", "hours"), [(8.0, 4.0), (9.0, 8.0)])
    def test_mean_wait_and_probability_of_waiting(self, load: float, hours: float) -> None:
        """Erlang C's mean wait and P(wait) lie in the replications' 95% intervals."""
        workload = Workload.simple(
            agents=10,
            arrival_rate=load * 60,
            handle_time=seconds(60),
            hours=hours,
            warmup=timedelta(minutes=30),
        )
        reports = replicate(workload, 12)
        theory = erlang_c(agents=10, arrival_rate=load / 60, mean_handle_time=60)
        low, high = interval([r.wait_mean_s for r in reports])
        assert low <= theory.mean_wait <= high
        low, high = interval([r.queued_share for r in reports])
        assert low <= theory.probability_of_waiting <= high
        low, high = interval([r.utilisation for r in reports])
        assert low <= theory.utilisation <= high
        low, high = interval([r.service_level for r in reports])
        assert low <= theory.service_level(20) <= high
        assert all(r.abandoned == 0 and balance(r) == 0 for r in reports)


class TestErlangA:
    """With exponential patience, abandonment follows Erlang A (M/M/c+M)."""

    def test_probability_of_abandonment(self) -> None:
        """Erlang A's abandonment probability lies in the replications' 95% interval."""
        workload = Workload.simple(
            agents=10,
            arrival_rate=11 * 60,
            handle_time=seconds(60),
            patience=seconds(60),
            hours=3,
            warmup=timedelta(minutes=20),
        )
        reports = replicate(workload, 10)
        theory = erlang_a(agents=10, arrival_rate=11 / 60, mean_handle_time=60, mean_patience=60)
        low, high = interval([r.abandon_share for r in reports])
        assert low <= theory.probability_of_abandonment <= high
        low, high = interval([r.queued_share for r in reports])
        assert low <= theory.probability_of_waiting <= high
        assert all(balance(r) == 0 for r in reports)


class TestFairness:
    """Longest-idle routing (R5) spreads the work evenly."""

    def test_each_agent_near_the_average(self) -> None:
        """Every agent's busy share is within 5 points of the desk's utilisation."""
        workload = Workload.simple(
            agents=10, arrival_rate=480, handle_time=seconds(60), hours=6, warmup=seconds(1800)
        )
        report = simulate(MMC, workload, Random(5))
        assert len(report.agent_utilisation) == 10
        for share in report.agent_utilisation.values():
            assert abs(share - report.utilisation) < 0.05
        assert report.utilisation_max - report.utilisation_min < 0.08
        assert report.utilisation_sd < 0.03
        assert report.occupancy == pytest.approx(report.utilisation)


class TestSimulation:
    """The simulator drives the real desk through events and honours its deadlines."""

    def test_deterministic_for_a_seed(self) -> None:
        """The same seed gives the same report; another seed another one."""
        workload = load_workload(FULL_WORKLOAD)
        settings = load_settings(FULL_SETTINGS)
        first = simulate(settings, workload, Random(3))
        assert simulate(settings, workload, Random(3)) == first
        assert simulate(settings, workload, Random(4)) != first

    def test_everything_accounted_for(self, full: Report) -> None:
        """Every request is served, abandoned, failed or unfinished, exactly once."""
        assert full.requests > 500
        assert balance(full) == 0
        assert full.unfinished == 0
        assert sum(full.closes.values()) == full.requests

    def test_many_rules_take_part(self, full: Report) -> None:
        """Manual offers, timeouts, breaks, user timeouts, hours and ratings all happen."""
        assert set(full.routing_failed) >= {"outside_hours", "no_agents_online"}
        assert set(full.withdrawn) >= {"timeout", "declined", "conversation_ended"}
        assert set(full.closes) == {"ended_by_agent", "ended_by_user", "user_timeout"}
        assert set(full.prompts) >= {
            "welcome",
            "connecting",
            "connected",
            "queue",
            "after_hours",
            "connect_failed",
            "timeout_closure",
            "end",
            "rating_submitted",
        }
        assert full.offers > full.served
        assert full.abandoned > 0
        assert full.rating_cards >= full.served
        assert sum(full.ratings.values()) > 0
        assert set(full.ratings) <= {"1", "2", "3", "4", "5"}
        assert full.rating_mean is not None and 1 <= full.rating_mean <= 5

    def test_every_action_at_the_event_instant(self) -> None:
        """Deadlines are ticked at their own instants, so every action happens 'now'."""
        events: list[tuple[int, int, list[RawAction]]] = []

        class Recording(Wrapped):
            def apply(
                self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
            ) -> list[RawAction]:
                actions = self.engine.apply(now, code, conversation, agent, arg)
                events.append((now, code, actions))
                return actions

        simulation = Simulation(
            load_settings(FULL_SETTINGS), load_workload(FULL_WORKLOAD), Random(2)
        )
        simulation.engine = Recording(Engine(simulation.settings))
        report = simulation.run()
        assert len(events) == report.events
        assert any(code == TICK for _now, code, _actions in events)
        for now, _code, actions in events:
            assert all(action[1] == now for action in actions)
        instants = [now for now, _code, _actions in events]
        assert instants == sorted(instants)

    def test_raw_path_matches_the_public_api(self) -> None:
        """The simulator's raw path is Desk.handle: the same run through event and action
        objects gives the same report, to the last figure."""
        ThroughHandle.calls = 0
        settings_, workload = load_settings(FULL_SETTINGS), load_workload(FULL_WORKLOAD)
        raw = simulate(settings_, workload, Random(5))
        simulation = Simulation(settings_, workload, Random(5))
        simulation.engine = ThroughHandle(settings_)
        public = simulation.run()
        assert ThroughHandle.calls == public.events > 1000
        assert attrs.asdict(public, recurse=False) == attrs.asdict(raw, recurse=False)

    def test_shifts_and_breaks(self, full: Report) -> None:
        """Online agents follow the teams' shifts and breaks, in local time."""
        online = {round(hours * 60): count for hours, _q, _b, count in full.timeline}
        assert online[7 * 60] == 0  # before 07:30 Berlin
        assert online[8 * 60] >= 3  # team a (one may be on break for a missed offer)
        assert online[10 * 60 + 5] == 0  # team a's break, team b not yet
        assert online[16 * 60] <= 3  # team b only
        assert online[20 * 60] == 0

    def test_warmup_excludes_early_requests(self) -> None:
        """Requests before the warm-up ends are not counted, nor what happens to them."""
        settings = load_settings({"service": {"mode": "manual"}, "ratings": {"send_on_end": True}})
        workload = Workload(
            length=timedelta(hours=2),
            agents=Agents(count=2, missed=0.3),
            ratings=RatingBehaviour(respond=1.0),
        )
        whole = simulate(settings, workload, Random(1))
        later = simulate(settings, attrs.evolve(workload, warmup=timedelta(hours=1)), Random(1))
        assert later.warmup_s == 3600
        assert 0 < later.requests < whole.requests
        assert 0 < later.withdrawn["timeout"] < whole.withdrawn["timeout"]
        assert 0 < sum(later.ratings.values()) < sum(whole.ratings.values())
        assert later.prompts["connecting"] == later.requests

    def test_run_stops_a_day_after_the_last_arrival(self) -> None:
        """Conversations still served a day after the last arrival are left as they are."""
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=3),
            handling=Handling(
                time=Timing(distribution=DistributionKind.FIXED, mean=timedelta(hours=30))
            ),
        )
        report = simulate(DeskSettings(), workload, Random(1))
        assert report.served == report.requests > 0
        assert report.closes == {}
        assert report.finished <= report.end + timedelta(hours=24)
        assert report.occupancy > 0
        assert report.utilisation == pytest.approx(report.occupancy / 5)  # capacity 5

    def test_queue_full_and_max_wait(self) -> None:
        """Queue limits fail requests with their reasons (Q4)."""
        settings = load_settings({"queue": {"max_concurrent": 1, "max_length": 3, "max_wait": 60}})
        workload = Workload.simple(agents=1, arrival_rate=120, handle_time=seconds(120), hours=1)
        report = simulate(settings, workload, Random(1))
        assert set(report.routing_failed) == {"queue_full", "queue_timeout"}
        assert report.longest_queue == 3
        assert balance(report) == 0

    def test_no_agents(self) -> None:
        """A desk with nobody online fails every request (R4)."""
        workload = Workload.simple(agents=0, arrival_rate=60, handle_time=seconds(60), hours=1)
        report = simulate(MMC, workload, Random(1))
        assert report.routing_failed == {"no_agents_online": report.requests}
        assert report.utilisation == report.occupancy == report.service_level * 0 == 0.0
        assert report.wait_mean_s == report.wait_p99_s == 0.0

    def test_stuck_users_are_unfinished(self) -> None:
        """Users still waiting when nothing more can happen are counted as unfinished."""
        settings = load_settings({"service": {"mode": "manual", "break_on_timeout": True}})
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=5),
            agents=Agents(count=1, missed=1.0, break_return=None),
        )
        report = simulate(settings, workload, Random(1))
        assert report.unfinished == report.requests > 0
        assert report.withdrawn == {"timeout": 1}  # then the agent is on break for good
        assert report.finished < report.end + timedelta(hours=1)  # nothing more can happen
        assert balance(report) == 0
        assert "unfinished" in report.format()

    def test_late_ratings_are_not_sent(self) -> None:
        """A user who would rate after the desk forgot the conversation does not (D3)."""
        settings = load_settings(
            {"ratings": {"send_on_end": True, "validity": "1m"}, "closure": {"retention": 0}}
        )
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=30),
            ratings=RatingBehaviour(
                respond=1.0, delay=Timing(distribution=DistributionKind.FIXED, mean=seconds(90))
            ),
        )
        report = simulate(settings, workload, Random(1))
        assert report.rating_cards > 0
        assert report.ratings == {}
        assert report.rejected == {}

    def test_expired_ratings_are_rejected(self) -> None:
        """A rating after the card expired, while the desk remembers it, is rejected (V3)."""
        settings = load_settings({"ratings": {"send_on_end": True, "validity": "1m"}})
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=30),
            ratings=RatingBehaviour(
                respond=1.0, delay=Timing(distribution=DistributionKind.FIXED, mean=seconds(90))
            ),
        )
        report = simulate(settings, workload, Random(1))
        assert report.rejected == {"expired": report.rating_cards}
        assert "  expired" in report.format()

    @pytest.mark.parametrize(
        ("routing", "groups", "answered"),
        [
            (Routing(), (("g", 1.0),), True),
            (Routing(), (), True),
            (Routing(failures=1.0), (), False),
        ],
    )
    def test_webhook(
        self, routing: Routing, groups: tuple[tuple[str, float], ...], answered: bool
    ) -> None:
        """Under the webhook strategy the routing service answers, or fails (R3)."""
        settings = load_settings(
            {"assignment": {"strategy": "webhook", "webhook_fallback": "fail"}}
        )
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=60),
            users=Users(groups=groups),
            agents=Agents(teams=(Team(count=3, groups=("g",)),)),
            routing=routing,
        )
        report = simulate(settings, workload, Random(1))
        if answered:
            assert report.served == report.requests
            assert report.wait_p50_s == pytest.approx(1.0)
        else:
            assert report.routing_failed == {"webhook_failed": report.requests}

    def test_late_webhook_answers_are_rejected(self) -> None:
        """An answer after the webhook timeout is rejected (E2), the fallback served."""
        settings = load_settings({"assignment": {"strategy": "webhook", "webhook_timeout": 1}})
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=60),
            routing=Routing(
                answer_delay=Timing(distribution=DistributionKind.FIXED, mean=seconds(3))
            ),
        )
        report = simulate(settings, workload, Random(1))
        assert report.served == report.requests
        assert report.rejected == {"not_waiting_for_answer": report.requests}

    def test_abandon_while_awaiting_answer(self) -> None:
        """A user may give up while the routing service thinks."""
        settings = load_settings({"assignment": {"strategy": "webhook", "webhook_timeout": 60}})
        workload = Workload(
            length=timedelta(hours=1),
            arrivals=Arrivals(rate=60),
            users=Users(patience=Timing(distribution=DistributionKind.FIXED, mean=seconds(5))),
            routing=Routing(
                answer_delay=Timing(distribution=DistributionKind.FIXED, mean=seconds(30))
            ),
        )
        report = simulate(settings, workload, Random(1))
        assert report.abandoned == report.requests
        assert report.rejected == {}  # no answer is sent for a closed conversation

    def test_invites_need_agent_invite(self) -> None:
        """Agents invite to rate only when the settings allow it (V1)."""
        settings = load_settings({"ratings": {"agent_invite": False}})
        workload = Workload(
            length=timedelta(hours=1), ratings=RatingBehaviour(invite=1.0, respond=1.0)
        )
        assert simulate(settings, workload, Random(1)).rating_cards == 0
        report = simulate(DeskSettings(), workload, Random(1))
        assert report.rating_cards == report.served
        assert sum(report.ratings.values()) == report.served

    def test_constant_rate_in_a_zone(self) -> None:
        """A constant rate needs no hour boundaries, in any zone."""
        workload = Workload(
            timezone="Asia/Kolkata", length=timedelta(hours=10), arrivals=Arrivals(rate=6)
        )
        report = simulate(DeskSettings(), workload, Random(1))
        assert 30 < report.requests < 95

    def test_hourly_rates_across_a_dst_change(self) -> None:
        """Hourly rates follow local hours, also on the night clocks go forward."""
        rates = [0.0] * 24
        rates[1], rates[3] = 300.0, 300.0  # 02:00-03:00 does not exist that night
        workload = Workload(
            start=datetime(2026, 3, 29, tzinfo=UTC) - timedelta(hours=1),  # Berlin midnight
            length=timedelta(hours=6),
            timezone="Europe/Berlin",
            arrivals=Arrivals(by_hour=tuple(rates)),
            handling=Handling(time=Timing(mean=seconds(60))),
            agents=Agents(count=30),
        )
        report = simulate(DeskSettings(), workload, Random(1))
        hours = [hours for hours, _queue, busy, _online in report.timeline if busy]
        assert report.requests == pytest.approx(600, rel=0.15)
        # 01:00-02:00 local is 1-2 h after the start; 03:00-04:00 local is 2-3 h after.
        assert 1.0 < min(hours) < 1.1
        assert max(hours) < 3.5

    def test_progress(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Progress is told as a share that grows to 1."""
        monkeypatch.setattr("deskcore.sim._loop.PROGRESS_EVERY", 64)
        shares: list[float] = []
        workload = Workload.simple(agents=5, arrival_rate=300, handle_time=seconds(50), hours=2)
        simulate(MMC, workload, Random(1), progress=shares.append)
        assert len(shares) > 2
        assert shares == sorted(shares)
        assert shares[-1] == 1.0

    def test_runs_once(self) -> None:
        """A simulation cannot be run twice; it shows what it runs and what it counted."""
        workload = Workload(length=timedelta(minutes=30))
        simulation = Simulation(MMC, workload, Random(1))
        assert simulation.settings is MMC and simulation.workload is workload
        assert isinstance(simulation.engine, Engine) and simulation.tally.requests == 0
        report = simulation.run()
        assert simulation.tally.requests == report.requests > 0
        with pytest.raises(RuntimeError, match="runs once"):
            simulation.run()

    def test_rng_must_be_random(self) -> None:
        """The random generator is passed in and checked."""
        with pytest.raises(TypeError, match=r"random\.Random"):
            Simulation(MMC, Workload(), 1)  # type: ignore[arg-type]

    def test_workload_must_fit_the_settings(self) -> None:
        """Groups and score weights are checked against the settings, with paths."""
        settings = load_settings(
            {"assignment": {"strategy": "user_choice", "groups": ["a"]}, "ratings": {"scale": 3}}
        )
        workload = Workload(
            users=Users(groups=(("b", 1.0),)), ratings=RatingBehaviour(scores=(1.0, 2.0))
        )
        with pytest.raises(SettingsError) as caught:
            simulate(settings, workload, Random(1))
        assert caught.value.errors == (
            ("users.groups.b", "is not one of assignment.groups ['a']"),
            ("ratings.scores", "must give 3 weights (ratings.scale), got 2"),
        )
        with pytest.raises(SettingsError, match="must name the groups"):
            simulate(settings, Workload(), Random(1))


class TestShiftChanges:
    """A team's status changes from its hours, days and breaks."""

    START = 1_772_409_600_000_000  # 2026-03-02T00:00:00Z, a Monday
    HOUR = 3_600_000_000

    def test_whole_run(self) -> None:
        """A team without hours is online from the start."""
        assert shift_changes(Team(), "UTC", self.START, self.START + self.HOUR) == [
            (self.START, "online")
        ]

    def test_shift_with_a_break(self) -> None:
        """Offline, online at the shift's start, break, online, offline at its end."""
        team = load_workload(
            {"agents": {"teams": [{"hours": ["09:00-17:00"], "breaks": ["12:00-13:00"]}]}}
        ).agents.teams[0]
        changes = shift_changes(team, "UTC", self.START, self.START + 24 * self.HOUR)
        assert [(when - self.START) // self.HOUR for when, _ in changes] == [0, 9, 12, 13, 17]
        assert [status for _, status in changes] == [
            "offline",
            "online",
            "break",
            "online",
            "offline",
        ]

    def test_shift_already_running(self) -> None:
        """A shift that began before the run starts online at the start."""
        team = Team(
            hours=load_workload({"agents": {"teams": [{"hours": ["22:00-06:00"]}]}})
            .agents.teams[0]
            .hours
        )
        changes = shift_changes(team, "UTC", self.START, self.START + 12 * self.HOUR)
        assert changes == [(self.START, "online"), (self.START + 6 * self.HOUR, "offline")]

    def test_days(self) -> None:
        """A team works only on its days."""
        team = load_workload(
            {"agents": {"teams": [{"hours": ["09:00-10:00"], "days": ["tue"]}]}}
        ).agents.teams[0]
        changes = shift_changes(team, "UTC", self.START, self.START + 48 * self.HOUR)
        assert [(when - self.START) // self.HOUR for when, _ in changes] == [0, 33, 34]

    def test_break_at_the_shift_start(self) -> None:
        """A break from the shift's first minute: the agent starts on break."""
        team = load_workload(
            {
                "agents": {
                    "teams": [{"hours": ["09:00-17:00"], "breaks": ["09:00-09:30", "20:00-21:00"]}]
                }
            }
        ).agents.teams[0]
        changes = shift_changes(team, "UTC", self.START, self.START + 24 * self.HOUR)
        assert [status for _, status in changes] == ["offline", "break", "online", "offline"]


class TestReport:
    """The report's figures, JSON form, table and plot."""

    def test_percentile(self) -> None:
        """Quantiles interpolate between sorted values."""
        assert percentile([], 0.5) == 0.0
        assert percentile([5.0], 0.9) == 5.0
        assert percentile([0.0, 10.0], 0.9) == pytest.approx(9.0)

    def test_json(self, full: Report) -> None:
        """The JSON form holds the headline figures and round-trips through json."""
        data = json.loads(json.dumps(full.to_json()))
        for key in ("served", "abandoned", "wait_mean_s", "wait_p90_s", "service_level"):
            assert data[key] == getattr(full, key)
        assert data["utilisation"] == full.utilisation
        assert data["start"] == "2026-03-02T00:00:00+01:00"
        assert "timeline" not in data and "waits_s" not in data

    def test_service_level_at(self, full: Report) -> None:
        """The service level at the report's threshold is its ``service_level``."""
        assert full.service_level_at(20.0) == full.service_level
        assert full.service_level_at(1e9) == full.served / full.offered
        assert full.offered == full.requests - full.routing_failed["outside_hours"]

    def test_format(self, full: Report) -> None:
        """The table names every section."""
        text = full.format()
        for label in ("requests", "wait p50 / p90 / p99", "service level", "utilisation"):
            assert label in text
        assert "withdrawn: timeout" in text
        assert "by score" in text

    def test_format_of_an_empty_run(self) -> None:
        """A run without requests still formats."""
        report = simulate(MMC, Workload(arrivals=Arrivals(rate=0)), Random(1))
        assert report.requests == 0
        assert report.rating_mean is None
        assert "requests" in report.format()
        assert report.queued_share == report.abandon_share == 0.0

    def test_plot(self, full: Report, tmp_path: Path) -> None:
        """The plot is written as a PNG."""
        pytest.importorskip("matplotlib")
        path = tmp_path / "run.png"
        full.plot(path)
        assert path.read_bytes().startswith(b"\x89PNG")

    def test_plot_without_matplotlib(
        self, full: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without matplotlib the plot says how to install it."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(ImportError, match=r"deskcore\[plot\]"):
            full.plot(tmp_path / "run.png")


def cli(*args: str) -> tuple[int, str, str]:
    """Run ``deskcore simulate ARGS``; return the exit status, stdout and stderr."""
    parser = argparse.ArgumentParser(prog="deskcore")
    add_commands(parser.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        parsed = parser.parse_args(["simulate", *args])
        status: int = parsed.run(parsed)
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


class TestCommandLine:
    """``deskcore simulate``."""

    FLAGS = ("--agents", "3", "--arrival-rate", "60", "--handle-time", "2m", "--hours", "1")

    def test_flags_only(self) -> None:
        """Flags alone run a capacity-1 automatic desk and print the table."""
        status, out, _err = cli(*self.FLAGS, "--patience", "90", "--quiet")
        assert status == 0
        assert "service level" in out

    def test_json(self) -> None:
        """``--json`` prints one object with the headline figures and the seed."""
        status, out, _err = cli(*self.FLAGS, "--json", "--seed", "7", "--quiet")
        data = json.loads(out)
        assert status == 0
        assert data["seed"] == 7
        assert {"served", "abandoned", "wait_mean_s", "wait_p90_s", "service_level"} <= set(data)
        assert data["end"] == "2026-03-02T01:00:00+00:00"

    def test_same_seed_same_output(self) -> None:
        """The seed fixes the output."""
        assert cli(*self.FLAGS, "--json", "--quiet") == cli(*self.FLAGS, "--json", "--quiet")

    def test_threshold(self) -> None:
        """``--service-level-threshold`` sets the threshold."""
        _status, out, _err = cli(*self.FLAGS, "--json", "--service-level-threshold", "1.5")
        assert json.loads(out)["service_level_threshold_s"] == 1.5

    def test_files_and_overrides(self, tmp_path: Path) -> None:
        """A settings file and a workload file, with flags on top."""
        desk = tmp_path / "desk.toml"
        desk.write_text(FULL_SETTINGS, encoding="utf-8")
        work = tmp_path / "work.json"
        work.write_text(json.dumps(FULL_WORKLOAD), encoding="utf-8")
        status, out, _ = cli(
            str(desk), "--workload", str(work), "--hours", "12", "--patience", "2m",
            "--handle-time", "3m", "--warmup", "1h", "--json", "--quiet",
        )  # fmt: skip
        data = json.loads(out)
        assert status == 0
        assert data["warmup_s"] == 3600
        assert data["end"] == "2026-03-02T12:00:00+01:00"
        assert data["prompts"]["welcome"] == data["requests"]

    def test_workload_without_flags(self, tmp_path: Path) -> None:
        """A workload file alone is run as it is."""
        work = tmp_path / "work.toml"
        work.write_text('length = "30m"\n[agents]\ncount = 2\n', encoding="utf-8")
        status, out, _ = cli("--workload", str(work), "--json")
        assert status == 0
        assert json.loads(out)["agents"] == 2

    def test_agents_flag_replaces_teams(self, tmp_path: Path) -> None:
        """``--agents`` replaces the workload's teams with one all-day team."""
        work = tmp_path / "work.toml"
        work.write_text('[[agents.teams]]\nname = "x"\ncount = 1\n', encoding="utf-8")
        _status, out, _ = cli("--workload", str(work), *self.FLAGS, "--json", "--quiet")
        assert json.loads(out)["agents"] == 3

    def test_plot(self, tmp_path: Path) -> None:
        """``--plot`` writes the picture."""
        pytest.importorskip("matplotlib")
        path = tmp_path / "day.png"
        status, _out, _err = cli(*self.FLAGS, "--plot", str(path), "--quiet")
        assert status == 0
        assert path.exists()

    def test_plot_without_matplotlib(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without matplotlib ``--plot`` fails with exit status 2 and a hint."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        status, _out, err = cli(*self.FLAGS, "--plot", str(tmp_path / "x.png"), "--quiet")
        assert status == 2
        assert "deskcore[plot]" in err

    def test_bad_files(self, tmp_path: Path) -> None:
        """Unreadable or invalid files exit with status 2 and name every fault."""
        desk = tmp_path / "desk.toml"
        desk.write_text("[queue]\nmax_concurrent = 0\n", encoding="utf-8")
        work = tmp_path / "work.toml"
        work.write_text("length = 0\n[users]\npatients = 1\n", encoding="utf-8")
        missing = str(tmp_path / "none.toml")
        status, _out, err = cli(str(desk))
        assert (status, err) == (2, f"{desk}: queue.max_concurrent: must be >= 1, got 0\n")
        status, _out, err = cli("--workload", str(work))
        assert (status, err.splitlines()) == (
            2,
            [
                f"{work}: length: must be longer than zero",
                f"{work}: users.patients: unknown key (did you mean 'patience'?)",
            ],
        )
        assert cli(missing)[0] == 2
        assert cli("--workload", missing)[0] == 2
        assert "cannot read" in cli("--workload", missing)[2]

    def test_workload_that_does_not_fit(self, tmp_path: Path) -> None:
        """A workload that does not fit the settings exits with status 2."""
        desk = tmp_path / "desk.toml"
        desk.write_text(FULL_SETTINGS, encoding="utf-8")
        status, _out, err = cli(str(desk), *self.FLAGS, "--quiet")
        assert status == 2
        assert "workload: users.groups: must name the groups" in err

    def test_bad_values(self) -> None:
        """Zero hours is a workload fault; malformed flags are usage errors."""
        status, _out, err = cli(*self.FLAGS, "--hours", "0")
        assert (status, err) == (2, "workload: length: must be longer than zero\n")
        for flags in (("--handle-time", "soon"), ("--agents", "-1"), ("--arrival-rate", "x")):
            with pytest.raises(SystemExit):
                cli(*flags)

    def test_progress(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Long runs show progress on stderr, a line a tenth when it is not a terminal."""
        monkeypatch.setattr("deskcore.sim._cli.PROGRESS_AFTER", 0.0)
        monkeypatch.setattr("deskcore.sim._loop.PROGRESS_EVERY", 64)
        _status, _out, err = cli(*self.FLAGS)
        lines = err.splitlines()
        assert lines[-1] == "simulated 100%"
        assert len(lines) == len(set(lines)) > 2

    def test_progress_on_a_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal progress rewrites one line."""

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        from deskcore.sim._cli import ProgressLine

        monkeypatch.setattr("deskcore.sim._cli.PROGRESS_AFTER", 0.0)
        out = Terminal()
        progress = ProgressLine(out)
        for share in (0.1, 0.1, 0.55, 1.0):
            progress(share)
        assert out.getvalue() == "simulated 10%\rsimulated 55%\rsimulated 100%\n"

    def test_quiet_short_runs(self) -> None:
        """Short runs print no progress."""
        assert cli(*self.FLAGS)[2] == ""


BEYOND_SETTINGS = """
[assignment]
strategy = "user_choice"
groups = ["billing", "sales"]

[service]
reassign_after = "2m"

[queue]
max_concurrent = 2

[closure]
user_timeout = "4m"
reminder = "1m"

[languages.ko.prompts]
welcome = "안녕하세요"
"""

BEYOND_WORKLOAD = {
    "start": "2026-03-02T08:00:00Z",
    "length": "6h",
    "arrivals": {"rate": 50},
    "users": {
        "patience": "10m",
        "enter": True,
        "silent": 0.3,
        "groups": {"billing": 1, "sales": 1},
        "priorities": {"0": 9, "5": 1},
        "languages": {"ko": 1, "en": 3},
    },
    "handling": {"time": "6m", "messages": 2, "transfers": 0.2, "to_agent": 0.5},
    "agents": {
        "dropouts": 0.3,
        "dropout_time": "10m",
        "teams": [{"name": "a", "count": 8, "groups": ["billing", "sales"]}],
    },
}


class TestBeyondTheSeed:
    """Transfers, agents dropping out mid-shift, priorities and languages in a run."""

    def test_counted_in_the_report(self) -> None:
        """The report counts transfers, reassignments and reminders; every request is
        still served, abandoned, failed or unfinished exactly once."""
        report = simulate(load_settings(BEYOND_SETTINGS), load_workload(BEYOND_WORKLOAD), Random(4))
        assert report.transfers > 20
        assert report.reassignments > 0
        assert report.reminders > 0
        assert report.prompts["transferring"] >= report.transfers
        assert report.served <= report.requests
        assert balance(report) == 0
        text = report.format()
        assert "transfers" in text and "reminders" in text

    def test_priorities_and_languages_reach_the_desk(self) -> None:
        """Users' priorities and languages go with their requests: the Korean welcome is
        sent, and some requests carry a priority."""
        simulation = Simulation(
            load_settings(BEYOND_SETTINGS), load_workload(BEYOND_WORKLOAD), Random(4)
        )
        seen: list[Any] = []

        class Spy(Wrapped):
            def apply(
                self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
            ) -> list[RawAction]:
                if code == REQUESTED:
                    seen.append(arg)
                return self.engine.apply(now, code, conversation, agent, arg)

        simulation.engine = Spy(Engine(simulation.settings))
        report = simulation.run()
        assert {priority for _g, _u, _l, priority, _p in seen} == {0, 5}
        assert {language for _g, _u, language, _pr, _p in seen} == {"ko", "en"}
        assert report.prompts["welcome"] > 0

    def test_workload_checks(self) -> None:
        """Priorities must be integers and languages BCP 47 tags."""
        with pytest.raises(SettingsError, match="priorities are integers"):
            load_workload({"users": {"priorities": {"high": 1}}})
        with pytest.raises(SettingsError, match="BCP 47"):
            load_workload({"users": {"languages": {"ko_KR": 1}}})
