"""One test class per rule of behaviour.md (T1–T3, A1–A5, R1–R6, S1–S4, Q1–Q6, F1, C1–C3,
W1–W3, V1–V3, P1–P3, E1–E2, D1–D3), each asserting the exact actions the desk returns.

Instants are seconds after ``helpers.T0`` (Monday 2026-03-02 09:00 UTC); prompt texts are
those of ``helpers.BASE`` ("C" connecting, "Hi <agent>" connected, "Q<pos>/<ahead>" queue,
"F <reason>" connect_failed, "E" end, "TO" timeout, "R <agent>" invitation, "S <score>").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from deskcore import (
    AgentRequested,
    Desk,
    Event,
    EventError,
    RatingSubmitted,
    Rejected,
    event_from_json,
)
from helpers import (
    HOUR,
    accept,
    agent_says,
    answer,
    answer_failed,
    as_json,
    ask,
    at,
    card,
    closed,
    connected,
    decline,
    end,
    enqueued,
    enter,
    failed,
    invite,
    make_desk,
    make_settings,
    offered,
    on_break,
    queued,
    rate,
    recorded,
    refused,
    rejected,
    requested,
    routing_failed,
    same,
    same_in_order,
    say,
    snapshot_without_clock,
    status,
    tick,
    told,
    user_says,
    withdrawn,
)

MANUAL = {"mode": "manual", "accept_timeout": "30s"}
MANUAL_BREAK = {"mode": "manual", "accept_timeout": "30s", "break_on_timeout": True}
WEBHOOK = {"strategy": "webhook", "webhook_timeout": "10s"}
GROUPS = {"strategy": "user_choice", "groups": ["sales", "support"]}


# -- Time ---------------------------------------------------------------------------------


class TestRuleT1:
    """T1: events carry aware instants and come in order."""

    def test_backwards_time_is_an_error(self) -> None:
        """T1: an event earlier than the one before is an error naming the field ``at``."""
        desk = make_desk(make_settings(), status(10, "a1"))
        error = refused(desk, ask(5, "c1"))
        assert error.field == "at"
        assert error.event_type == "agent_requested"

    def test_equal_instants_are_fine(self) -> None:
        """T1: an event at the same instant as the one before is handled."""
        desk = make_desk(make_settings(), status(10, "a1"))
        same(
            desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), connected(10, "c1", "a1")
        )

    def test_naive_time_is_an_error(self) -> None:
        """T1: an event with a naive instant cannot be built, in Python or from JSON."""
        with pytest.raises(EventError) as info:
            AgentRequested(at=datetime(2026, 3, 2, 9), conversation="c1")
        assert info.value.field == "at"
        with pytest.raises(EventError) as info:
            event_from_json(
                {"type": "agent_requested", "at": "2026-03-02T09:00:00", "conversation": "c1"}
            )
        assert info.value.field == "at"

    def test_backwards_time_after_a_deadline_is_an_error(self) -> None:
        """T1: the order is that of the events, not of deadlines fired on the way."""
        settings = make_settings(service=MANUAL)
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"), tick(45))
        refused(desk, tick(44))


class TestRuleT2:
    """T2: deadlines fire before the event, in due order, each as of its own instant."""

    def test_deadlines_fire_in_due_order_each_at_its_instant(self) -> None:
        """T2: deadlines due by the event's instant fire in order, including ones set on the way."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(1, "a2"),
            ask(10, "c1"),
            ask(20, "c2"),
        )
        same_in_order(
            desk.handle(tick(90)),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a1", 70),
            withdrawn(50, "c2", "a2", "timeout"),
            offered(50, "c2", "a2", 80),
            withdrawn(70, "c1", "a1", "timeout"),
            offered(70, "c1", "a1", 100),
            withdrawn(80, "c2", "a2", "timeout"),
            offered(80, "c2", "a2", 110),
        )
        assert desk.next_deadline() == at(100)

    def test_ties_fire_in_the_order_set_across_conversations(self) -> None:
        """T2: two offers made in one step expire at one instant in the order they were made."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1", "break", capacity=2),
            ask(10, "c1"),
            ask(11, "c2"),
        )
        same(
            desk.handle(status(20, "a1")), offered(20, "c1", "a1", 50), offered(20, "c2", "a1", 50)
        )
        same_in_order(
            desk.handle(tick(50)),
            withdrawn(50, "c1", "a1", "timeout"),
            offered(50, "c1", "a1", 80),
            withdrawn(50, "c2", "a1", "timeout"),
            offered(50, "c2", "a1", 80),
        )

    def test_ties_fire_in_the_order_set_across_kinds(self) -> None:
        """T2: a queue wait set before an offer at the same instant fires first."""
        settings = make_settings(
            service={"mode": "manual", "accept_timeout": "60s"}, queue={"max_wait": "60s"}
        )
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"))
        out = desk.handle(tick(70))
        same_in_order(out[:1], withdrawn(70, "c1", "a1", "max_wait"))
        same(out, withdrawn(70, "c1", "a1", "max_wait"), failed(70, "c1", "queue_timeout"))

    def test_tick_with_nothing_due_does_nothing(self) -> None:
        """T2: a tick only fires due deadlines; with none due it returns nothing."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        assert desk.handle(tick(39)) == []
        assert desk.next_deadline() == at(40)

    def test_next_deadline_is_none_without_deadlines(self) -> None:
        """T2: a desk with nothing pending has no next deadline."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(10, "c1"))
        assert desk.next_deadline() is None

    def test_deadline_fires_at_its_own_instant_before_the_event(self) -> None:
        """T2: the event's own actions come after, and at the instant of, the deadlines'."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        same_in_order(
            desk.handle(accept(60, "c1", "a2")),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a2", 70),
            connected(60, "c1", "a2"),
        )


class TestRuleT3:
    """T3: elapsed time is measured on the UTC time line."""

    def test_timeout_across_a_dst_change(self) -> None:
        """T3: an hour-long offer made just before spring-forward expires 3600 s later."""
        zone = ZoneInfo("America/New_York")
        start = datetime(2026, 3, 8, 1, 30, tzinfo=zone)  # 06:30 UTC, 30 min before the gap
        settings = make_settings(service={"mode": "manual", "accept_timeout": "1h"})
        desk = make_desk(settings, status(start - timedelta(minutes=1), "a1"))
        # Exactly one hour later on the UTC time line: 03:30 local (EDT), not 02:30.
        expires = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
        same(
            desk.handle(ask(start, "c1")),
            say(start, "c1", "connecting", "C"),
            offered(start, "c1", "a1", expires),
        )
        assert desk.next_deadline() == expires
        same(
            desk.handle(tick(expires)),
            withdrawn(expires, "c1", "a1", "timeout"),
            offered(expires, "c1", "a1", expires + timedelta(hours=1)),
        )


# -- Agents -------------------------------------------------------------------------------


class TestRuleA1:
    """A1: agents are known from their first status event; only online agents get work."""

    def test_unknown_agent_is_an_error(self) -> None:
        """A1, E1: an event naming an agent never seen is an error naming ``agent``."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        error = refused(desk, accept(11, "c1", "zz"))
        assert error.field == "agent"

    def test_agent_first_seen_offline_is_known(self) -> None:
        """A1: an agent first seen offline is known, so naming it is no error."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1", "offline"), enter(1, "c1"))
        same(
            desk.handle(accept(2, "c1", "a1")),
            rejected(2, "agent_accepted", "no_open_offer", "c1", "a1"),
        )

    def test_only_online_agents_receive_conversations(self) -> None:
        """A1: agents on break or offline are passed over for the online one."""
        desk = make_desk(
            make_settings(), status(0, "a1", "break"), status(1, "a2", "offline"), status(2, "a3")
        )
        same(
            desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), connected(10, "c1", "a3")
        )


class TestRuleA2:
    """A2: capacity, load, room and staffing."""

    def test_capacity_null_goes_back_to_the_default(self) -> None:
        """A2: ``capacity: null`` restores queue.max_concurrent, so the agent takes more."""
        settings = make_settings(queue={"max_concurrent": 3})
        desk = make_desk(settings, status(0, "a1", capacity=1), ask(10, "c1"))
        same(desk.handle(ask(20, "c2")), say(20, "c2", "connecting", "C"), queued(20, "c2", 1))
        same(desk.handle(status(30, "a1", capacity=None)), connected(30, "c2", "a1"))
        same(
            desk.handle(ask(40, "c3")), say(40, "c3", "connecting", "C"), connected(40, "c3", "a1")
        )
        same(desk.handle(ask(50, "c4")), say(50, "c4", "connecting", "C"), queued(50, "c4", 1))

    def test_capacity_is_kept_when_an_event_leaves_it_out(self) -> None:
        """A2: a status event without ``capacity`` keeps the last capacity given."""
        desk = make_desk(make_settings(), status(0, "a1", capacity=2), status(5, "a1"))
        same(
            desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), connected(10, "c1", "a1")
        )
        same(
            desk.handle(ask(20, "c2")), say(20, "c2", "connecting", "C"), connected(20, "c2", "a1")
        )

    def test_offers_count_toward_load(self) -> None:
        """A2, S2: an open offer fills the agent's only place, so the next user waits."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        same(desk.handle(ask(20, "c2")), say(20, "c2", "connecting", "C"), queued(20, "c2", 1))

    def test_agent_on_break_staffs_its_scope(self) -> None:
        """A2, R4, R6: an agent on break staffs the scope, so the user waits instead of failing."""
        desk = make_desk(make_settings(), status(0, "a1", "break"))
        same(desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), queued(10, "c1", 1))

    @pytest.mark.parametrize("state", ["online", "break"])
    def test_capacity_zero_does_not_staff(self, state: str) -> None:
        """A2, R4: an agent with capacity 0 does not staff, so routing fails."""
        desk = make_desk(make_settings(), status(0, "a1", state, capacity=0))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            failed(10, "c1", "no_agents_online"),
        )


class TestRuleA3:
    """A3: an agent's groups are replaced by each event that gives them."""

    def test_groups_are_replaced(self) -> None:
        """A3: a new ``groups`` list replaces the old one entirely."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            status(5, "a1", groups=["support"]),
        )
        same(
            desk.handle(ask(10, "c1", "sales")),
            say(10, "c1", "connecting", "C"),
            failed(10, "c1", "no_agents_online"),
        )
        same(
            desk.handle(ask(20, "c2", "support")),
            say(20, "c2", "connecting", "C"),
            connected(20, "c2", "a1"),
        )

    def test_groups_are_kept_when_an_event_leaves_them_out(self) -> None:
        """A3: a status event without ``groups`` keeps the agent's groups."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            status(5, "a1", capacity=2),
        )
        same(
            desk.handle(ask(10, "c1", "sales")),
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1"),
        )


class TestRuleA4:
    """A4: an agent leaving online keeps its conversations and loses its offers."""

    def test_withdraws_every_offer_and_requeues_them_in_request_order(self) -> None:
        """A4, Q2: all offers are withdrawn, then re-routed in request order, keeping place."""
        settings = make_settings(service={"mode": "manual", "accept_timeout": "600s"})
        desk = make_desk(
            settings,
            status(0, "a2"),
            status(1, "a1", capacity=3),
            ask(10, "c0"),
            accept(11, "c0", "a2"),
            ask(20, "c1"),
            ask(21, "c2"),
            ask(22, "c3"),
            ask(23, "c4"),
        )
        assert desk.queue_position("c4") == 1
        out = desk.handle(status(30, "a1", "break"))
        same(
            out[:3],
            withdrawn(30, "c1", "a1", "agent_unavailable"),
            withdrawn(30, "c2", "a1", "agent_unavailable"),
            withdrawn(30, "c3", "a1", "agent_unavailable"),
        )
        same(
            out[3:],
            queued(30, "c1", 1),
            queued(30, "c2", 2),
            queued(30, "c3", 3),
            told(30, "c4", 4),
        )
        same(
            desk.handle(end(40, "c0")),
            say(40, "c0", "end", "E"),
            closed(40, "c0", "ended_by_user"),
            offered(40, "c1", "a2", 640),
            told(40, "c2", 1),
            told(40, "c3", 2),
            told(40, "c4", 3),
        )

    def test_reroutes_together_after_all_withdrawals(self) -> None:
        """A4: the earliest request gets the one free agent; the later one waits."""
        settings = make_settings(service={"mode": "manual", "accept_timeout": "600s"})
        desk = make_desk(
            settings,
            status(0, "a1", capacity=2),
            ask(10, "c1"),
            ask(11, "c2"),
            status(15, "a2"),
        )
        out = desk.handle(status(20, "a1", "offline"))
        same(
            out[:2],
            withdrawn(20, "c1", "a1", "agent_unavailable"),
            withdrawn(20, "c2", "a1", "agent_unavailable"),
        )
        same(out[2:], offered(20, "c1", "a2", 620), queued(20, "c2", 1))

    def test_served_conversations_stay_with_the_agent(self) -> None:
        """A4: a conversation being served stays with an agent who goes on break."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(10, "c1"))
        assert desk.handle(status(20, "a1", "break")) == []
        same(
            desk.handle(end(30, "c1", "agent", "a1")),
            say(30, "c1", "end", "E"),
            closed(30, "c1", "ended_by_agent"),
        )

    def test_offline_sole_agent_fails_the_withdrawn_offers(self) -> None:
        """A4, R4: offers of an agent going offline with nobody else staffing fail."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        out = desk.handle(status(20, "a1", "offline"))
        same_in_order(out[:1], withdrawn(20, "c1", "a1", "agent_unavailable"))
        same(
            out,
            withdrawn(20, "c1", "a1", "agent_unavailable"),
            failed(20, "c1", "no_agents_online"),
        )


class TestRuleA5:
    """A5: an agent that may take more drains the queues it may serve."""

    def test_drains_across_group_queues_longest_waiting_first(self) -> None:
        """A5: across its groups' queues the agent takes the earliest request first."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales", "support"]),
            ask(5, "c0", "sales"),
            ask(10, "c1", "support"),
            ask(20, "c2", "sales"),
            ask(30, "c3", "support"),
        )
        assert [desk.queue_position(c) for c in ("c1", "c2", "c3")] == [1, 1, 2]
        same(
            desk.handle(end(40, "c0")),
            say(40, "c0", "end", "E"),
            closed(40, "c0", "ended_by_user"),
            connected(40, "c1", "a1"),
            told(40, "c3", 1),
        )
        same(
            desk.handle(end(50, "c1")),
            say(50, "c1", "end", "E"),
            closed(50, "c1", "ended_by_user"),
            connected(50, "c2", "a1"),
        )
        same(
            desk.handle(end(60, "c2")),
            say(60, "c2", "end", "E"),
            closed(60, "c2", "ended_by_user"),
            connected(60, "c3", "a1"),
        )

    def test_agent_coming_online_takes_waiting_users(self) -> None:
        """A5: an agent coming online takes the longest-waiting user, until full."""
        desk = make_desk(make_settings(), status(0, "a1", "break"), ask(10, "c1"), ask(20, "c2"))
        same(desk.handle(status(30, "a1")), connected(30, "c1", "a1"), told(30, "c2", 1))

    def test_capacity_growth_takes_waiting_users(self) -> None:
        """A5: an agent whose capacity grows takes as many waiting users as it has room for."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            ask(5, "c0"),
            ask(10, "c1"),
            ask(20, "c2"),
            ask(30, "c3"),
        )
        same(
            desk.handle(status(40, "a1", capacity=3)),
            connected(40, "c1", "a1"),
            connected(40, "c2", "a1"),
            told(40, "c3", 1),
        )

    def test_joining_a_group_takes_its_waiting_users(self) -> None:
        """A5: an agent joining a group takes that group's waiting user."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            status(0, "a2", "break", groups=["support"]),
            ask(10, "c1", "support"),
        )
        same(desk.handle(status(20, "a1", groups=["sales", "support"])), connected(20, "c1", "a1"))

    def test_ended_offer_lets_the_agent_take_another(self) -> None:
        """A5, S4: after a decline the agent takes the next user it may serve."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"), ask(20, "c2")
        )
        same(
            desk.handle(decline(25, "c1", "a1")),
            withdrawn(25, "c1", "a1", "declined"),
            queued(25, "c1", 1),
            offered(25, "c2", "a1", 55),
        )

    def test_agent_outside_the_scope_does_not_take(self) -> None:
        """A5: an agent coming online takes nothing from a group it is not in."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a2", "break", groups=["support"]),
            ask(10, "c1", "support"),
        )
        assert desk.handle(status(20, "a1", groups=["sales"])) == []


# -- Routing ------------------------------------------------------------------------------


class TestRuleR1:
    """R1: a routed conversation is not routed again; a closed one never again."""

    @pytest.mark.parametrize("state", ["awaiting_answer", "waiting", "offered", "served"])
    def test_second_request_is_rejected(self, state: str) -> None:
        """R1, E2: a request for a conversation already routed is rejected ``already_routed``."""
        events: list[Event] = [status(0, "a1"), ask(5, "c0")]
        assignment: dict[str, Any] = {}
        service: dict[str, Any] = {}
        if state == "awaiting_answer":
            assignment = WEBHOOK
            events = [status(0, "a1")]
        elif state == "offered":
            service = MANUAL
            events = [status(0, "a1")]
        elif state == "served":
            events = [status(0, "a1")]
        desk = make_desk(
            make_settings(assignment=assignment, service=service), *events, ask(10, "c1")
        )
        assert desk.conversation_state("c1") == state
        same(
            desk.handle(ask(15, "c1")),
            rejected(15, "agent_requested", "already_routed", "c1"),
        )

    def test_closed_conversation_is_never_routed_again(self) -> None:
        """R1, C3: a request for a closed conversation is rejected ``conversation_closed``."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(10, "c1"), end(20, "c1"))
        same(
            desk.handle(ask(30, "c1")),
            rejected(30, "agent_requested", "conversation_closed", "c1"),
        )

    def test_request_after_a_failure_routes_again(self) -> None:
        """R1, F1: a conversation whose routing failed may be routed again."""
        desk = make_desk(make_settings(), ask(10, "c1"), status(15, "a1"))
        same(
            desk.handle(ask(20, "c1")), say(20, "c1", "connecting", "C"), connected(20, "c1", "a1")
        )


SEOUL_HOURS = {"enabled": True, "timezone": "Asia/Seoul"}


class TestRuleR2:
    """R2: outside working hours routing ends at once."""

    def test_outside_hours_sends_the_reply_and_fails(self) -> None:
        """R2, W3: the after-hours reply names the next opening; nothing is queued."""
        desk = make_desk(make_settings(working_hours=SEOUL_HOURS), status(0, "a1"))
        # T0 is Monday 18:00 in Seoul: just closed.
        same(
            desk.handle(ask(0, "c1")),
            say(0, "c1", "after_hours", "AH 2026-03-03 09:00"),
            routing_failed(0, "c1", "outside_hours"),
        )
        assert desk.conversation_state("c1") == "new"
        assert desk.next_deadline() is None

    def test_user_may_ask_again_when_open(self) -> None:
        """R2, F1: after an outside-hours failure the user is routed once the desk opens."""
        desk = make_desk(make_settings(working_hours=SEOUL_HOURS), status(0, "a1"), ask(0, "c1"))
        opening = datetime(2026, 3, 3, 0, 0, 30, tzinfo=UTC)  # 09:00:30 in Seoul
        same(
            desk.handle(ask(opening, "c1")),
            say(opening, "c1", "connecting", "C"),
            connected(opening, "c1", "a1"),
        )

    def test_next_open_is_empty_when_never_open_within_a_year(self) -> None:
        """R2, W3: with no opening within 366 days ``$NextOpen`` is empty."""
        hours = {"enabled": True, "weekly": {"mon": []}}
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(
            desk.handle(ask(0, "c1")),
            say(0, "c1", "after_hours", "AH "),
            routing_failed(0, "c1", "outside_hours"),
        )

    def test_already_routed_is_checked_before_hours(self) -> None:
        """R1, R2: a second request is ``already_routed`` even after closing time."""
        hours = {"enabled": True, "weekly": {"mon": ["09:00-09:01"]}}
        desk = make_desk(
            make_settings(working_hours=hours), status(0, "a1"), ask(0, "c0"), ask(1, "c1")
        )
        same(desk.handle(ask(120, "c1")), rejected(120, "agent_requested", "already_routed", "c1"))


class TestRuleR3:
    """R3: the connecting prompt, then the scope of the strategy."""

    def test_automatic_ignores_the_group(self) -> None:
        """R3: under ``automatic`` a group in the request is ignored."""
        desk = make_desk(make_settings(), status(0, "a1", groups=["x"]))
        same_in_order(
            desk.handle(ask(10, "c1", "nope")),
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1"),
        )

    def test_user_choice_routes_within_the_group(self) -> None:
        """R3: under ``user_choice`` only agents of the chosen group are considered."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            status(1, "a2", groups=["support"]),
        )
        same(
            desk.handle(ask(10, "c1", "support")),
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a2"),
        )

    @pytest.mark.parametrize("group", [None, "billing"])
    def test_user_choice_without_a_known_group_is_an_error(self, group: str | None) -> None:
        """R3, E1: under ``user_choice`` a missing or unknown group is an error on ``group``."""
        desk = make_desk(make_settings(assignment=GROUPS), status(0, "a1", groups=["sales"]))
        assert refused(desk, ask(10, "c1", group)).field == "group"

    def test_webhook_requests_an_assignment(self) -> None:
        """R3: under ``webhook`` the connecting prompt comes first, then request_assignment."""
        desk = make_desk(make_settings(assignment=WEBHOOK), status(0, "a1"))
        same_in_order(
            desk.handle(ask(10, "c1", "ignored")),
            say(10, "c1", "connecting", "C"),
            requested(10, "c1", 20),
        )
        assert desk.next_deadline() == at(20)

    def _webhook_desk(self, **assignment: str) -> Desk:
        """A webhook desk with a1 (group vip), a2, a3 online in that order, c1 awaiting."""
        return make_desk(
            make_settings(assignment={**WEBHOOK, **assignment}),
            status(0, "a1", groups=["vip"]),
            status(1, "a2"),
            status(2, "a3"),
            status(3, "a4", "offline"),
            ask(10, "c1"),
        )

    def test_group_answer_routes_within_the_group(self) -> None:
        """R3: an answer naming a group routes within it."""
        desk = self._webhook_desk()
        same(desk.handle(answer(11, "c1", group="vip")), connected(11, "c1", "a1"))

    def test_agent_list_answer_ignores_unknown_ids_and_repeats(self) -> None:
        """R3: an agent list keeps only known agents; a2 idle longer than a3 is outside it."""
        desk = self._webhook_desk()
        same(
            desk.handle(answer(11, "c1", agents=["zz", "a3", "a3"])),
            connected(11, "c1", "a3"),
        )

    def test_agent_lists_in_any_order_share_one_queue(self) -> None:
        """R3, Q1: agent lists naming the same known agents are one queue."""
        desk = self._webhook_desk()
        desk.handle(answer(11, "c1", agents=["a2"]))
        desk.handle(ask(20, "c2"))
        same(desk.handle(answer(21, "c2", agents=["a2", "zz"])), queued(21, "c2", 1))
        desk.handle(ask(30, "c3"))
        same(desk.handle(answer(31, "c3", agents=["zz", "a2", "a2"])), queued(31, "c3", 2))

    @pytest.mark.parametrize("reply", [{"agents": ["zz", "yy"]}, {"group": "nobody"}])
    def test_answer_without_a_known_agent_takes_the_automatic_fallback(
        self, reply: dict[str, Any]
    ) -> None:
        """R3: an answer whose scope holds no known agent routes as under ``automatic``."""
        desk = self._webhook_desk()
        same(desk.handle(answer(11, "c1", **reply)), connected(11, "c1", "a1"))

    def test_answer_with_known_agents_not_staffing_fails(self) -> None:
        """R3, R4: an answer naming only a known offline agent fails ``no_agents_online``."""
        desk = self._webhook_desk()
        same(desk.handle(answer(11, "c1", agents=["a4"])), failed(11, "c1", "no_agents_online"))

    def test_failed_answer_takes_the_automatic_fallback(self) -> None:
        """R3: ``assignment_failed`` routes as under ``automatic``."""
        desk = self._webhook_desk()
        same(desk.handle(answer_failed(11, "c1")), connected(11, "c1", "a1"))

    def test_timeout_takes_the_automatic_fallback_at_its_instant(self) -> None:
        """R3, T2: no answer within webhook_timeout routes automatically at the deadline."""
        desk = self._webhook_desk()
        same(desk.handle(tick(25)), connected(20, "c1", "a1"))

    def test_answer_at_the_timeout_instant_is_late(self) -> None:
        """R3, T2: an answer at ``expires_at`` comes after the fallback and is rejected."""
        desk = self._webhook_desk()
        same_in_order(
            desk.handle(answer(20, "c1", group="vip")),
            connected(20, "c1", "a1"),
            rejected(20, "assignment_answered", "not_waiting_for_answer", "c1"),
        )

    @pytest.mark.parametrize(
        "event", [answer(11, "c1", agents=["zz"]), answer_failed(11, "c1"), tick(20)]
    )
    def test_fallback_fail_ends_routing(self, event: Event) -> None:
        """R3, F1: with fallback ``fail`` a useless, failed or missing answer fails routing."""
        desk = self._webhook_desk(webhook_fallback="fail")
        moment = 11 if event.type != "tick" else 20
        same(desk.handle(event), failed(moment, "c1", "webhook_failed"))
        assert desk.conversation_state("c1") == "new"

    @pytest.mark.parametrize("late", [answer(26, "c1", group="vip"), answer_failed(26, "c1")])
    def test_late_answer_is_rejected(self, late: Event) -> None:
        """R3, E2: an answer after the timeout is rejected ``not_waiting_for_answer``."""
        desk = self._webhook_desk()
        desk.handle(tick(25))
        same(desk.handle(late), rejected(26, late.type, "not_waiting_for_answer", "c1"))

    def test_answer_for_a_conversation_never_asked_is_rejected(self) -> None:
        """R3, E2: an answer for a new conversation is rejected ``not_waiting_for_answer``."""
        desk = self._webhook_desk()
        desk.handle(enter(11, "c9"))
        same(
            desk.handle(answer(12, "c9", group="vip")),
            rejected(12, "assignment_answered", "not_waiting_for_answer", "c9"),
        )


class TestRuleR4:
    """R4: routing fails when nobody staffs the scope."""

    def test_no_agent_at_all(self) -> None:
        """R4, F1: with no agent known the request fails ``no_agents_online``."""
        desk = Desk(make_settings())
        out = desk.handle(ask(10, "c1"))
        same_in_order(out[:1], say(10, "c1", "connecting", "C"))
        same(out, say(10, "c1", "connecting", "C"), failed(10, "c1", "no_agents_online"))

    def test_offline_agents_do_not_staff(self) -> None:
        """R4: offline agents do not staff the scope."""
        desk = make_desk(make_settings(), status(0, "a1"), status(5, "a1", "offline"))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            failed(10, "c1", "no_agents_online"),
        )

    def test_group_without_staff_fails_while_others_are_online(self) -> None:
        """R4: agents outside the chosen group do not staff it."""
        desk = make_desk(make_settings(assignment=GROUPS), status(0, "a1", groups=["sales"]))
        same(
            desk.handle(ask(10, "c1", "support")),
            say(10, "c1", "connecting", "C"),
            failed(10, "c1", "no_agents_online"),
        )


class TestRuleR5:
    """R5: the agent idle longest, then the least loaded, then the smallest id."""

    def test_idle_longest_by_when_load_fell_to_zero(self) -> None:
        """R5: an agent idle since an earlier instant wins over one whose load just fell to 0."""
        desk = make_desk(
            make_settings(), status(0, "a1"), status(5, "a2"), ask(10, "c1"), end(20, "c1")
        )
        same(
            desk.handle(ask(30, "c2")), say(30, "c2", "connecting", "C"), connected(30, "c2", "a2")
        )

    def test_idle_time_starts_when_coming_online_if_later(self) -> None:
        """R5: coming back online restarts an agent's idle time."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            status(5, "a2"),
            ask(10, "c1"),
            end(12, "c1"),
            status(15, "a2", "break"),
            status(16, "a2"),
        )
        same(
            desk.handle(ask(30, "c2")), say(30, "c2", "connecting", "C"), connected(30, "c2", "a1")
        )

    def test_idle_agents_come_before_busy_ones(self) -> None:
        """R5: an agent with load 0 wins over a busy agent given work long ago."""
        desk = make_desk(
            make_settings(),
            status(0, "a1", capacity=2),
            status(5, "a2", capacity=2),
            ask(10, "c1"),
            ask(20, "c2"),
            end(25, "c2"),
        )
        same(
            desk.handle(ask(30, "c3")), say(30, "c3", "connecting", "C"), connected(30, "c3", "a2")
        )

    def test_busy_agents_by_share_of_capacity(self) -> None:
        """R5: among busy agents the lowest load ÷ capacity wins, before who was given last."""
        desk = make_desk(
            make_settings(),
            status(0, "a1", capacity=4),
            status(1, "a2", capacity=2),
            ask(10, "c1"),
            ask(11, "c2"),
        )
        # a1 holds 1/4, a2 holds 1/2: a1 wins though a2 was given work longer ago.
        same(
            desk.handle(ask(12, "c3")), say(12, "c3", "connecting", "C"), connected(12, "c3", "a1")
        )
        # Both hold 1/2: a2 was given work longest ago (11 < 12).
        same(
            desk.handle(ask(13, "c4")), say(13, "c4", "connecting", "C"), connected(13, "c4", "a2")
        )

    def test_busy_tie_goes_to_the_oldest_offer_and_accepting_does_not_count(self) -> None:
        """R5: equal shares go to the agent offered work longest ago; an accept is no new offer."""
        settings = make_settings(service={"mode": "manual", "accept_timeout": "600s"})
        desk = make_desk(
            settings,
            status(0, "a1", capacity=2),
            status(1, "a2", capacity=2),
            ask(10, "c1"),
            ask(20, "c2"),
            accept(30, "c2", "a2"),
            accept(40, "c1", "a1"),
        )
        same(
            desk.handle(ask(50, "c3")),
            say(50, "c3", "connecting", "C"),
            offered(50, "c3", "a1", 650),
        )

    def test_idle_tie_goes_to_the_smallest_id_in_string_order(self) -> None:
        """R5: equal idle times go to the smallest id as a string ("a10" < "a9")."""
        desk = make_desk(make_settings(), status(0, "a9"), status(0, "a10"))
        same(
            desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), connected(10, "c1", "a10")
        )
        same(
            desk.handle(ask(10, "c2")), say(10, "c2", "connecting", "C"), connected(10, "c2", "a9")
        )

    def test_busy_tie_goes_to_the_smallest_id(self) -> None:
        """R5: equal share and equal last-given instant go to the smallest id."""
        desk = make_desk(
            make_settings(),
            status(0, "a9", capacity=2),
            status(0, "a10", capacity=2),
            ask(10, "c1"),
            ask(10, "c2"),
        )
        same(
            desk.handle(ask(20, "c3")), say(20, "c3", "connecting", "C"), connected(20, "c3", "a10")
        )


class TestRuleR6:
    """R6: nobody in the scope with room: the conversation waits."""

    def test_full_scope_makes_the_user_wait(self) -> None:
        """R6, Q1, Q3: the user is queued and told its position."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(10, "c1"))
        out = desk.handle(ask(20, "c2"))
        same_in_order(out[:1], say(20, "c2", "connecting", "C"))
        same(out, say(20, "c2", "connecting", "C"), queued(20, "c2", 1))


# -- Service mode -------------------------------------------------------------------------


class TestRuleS1:
    """S1: in automatic mode the agent is assigned at once."""

    def test_assign_then_connected(self) -> None:
        """S1: ``assign`` then the ``connected`` prompt with the agent's name."""
        desk = make_desk(make_settings(), status(0, "a1", name="Mina"))
        same_in_order(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1", "Mina"),
        )

    def test_connected_uses_the_id_when_nameless(self) -> None:
        """S1: an agent without a name is shown by its id."""
        desk = make_desk(
            make_settings(prompts={"connected": "$AgentName/$AgentId"}),
            status(0, "a1", name="Mina"),
            status(1, "a1", name=None),
        )
        out = desk.handle(ask(10, "c1"))
        same(
            out,
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1")[0],
            say(10, "c1", "connected", "a1/a1"),
        )


class TestRuleS2:
    """S2: in manual mode the agent gets an offer to accept."""

    def test_offer_then_accept(self) -> None:
        """S2: the offer expires after accept_timeout; an accept before that assigns."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"))
        same_in_order(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            offered(10, "c1", "a1", 40),
        )
        same_in_order(desk.handle(accept(39, "c1", "a1")), connected(39, "c1", "a1"))
        assert desk.next_deadline() is None

    def test_accept_at_expiry_is_rejected(self) -> None:
        """S2, T2: an accept at ``expires_at`` comes after the timeout and is rejected."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        same_in_order(
            desk.handle(accept(40, "c1", "a1")),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a2", 70),
            rejected(40, "agent_accepted", "no_open_offer", "c1", "a1"),
        )

    def test_accept_by_another_agent_is_rejected(self) -> None:
        """S2, E2: an accept by an agent that holds no offer is rejected and changes nothing."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        before = snapshot_without_clock(desk)
        same(
            desk.handle(accept(20, "c1", "a2")),
            rejected(20, "agent_accepted", "no_open_offer", "c1", "a2"),
        )
        assert snapshot_without_clock(desk) == before

    def test_accept_of_a_waiting_conversation_is_rejected(self) -> None:
        """S2: an accept for a conversation that is waiting is rejected ``no_open_offer``."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"), ask(11, "c2")
        )
        same(
            desk.handle(accept(20, "c2", "a1")),
            rejected(20, "agent_accepted", "no_open_offer", "c2", "a1"),
        )


class TestRuleS3:
    """S3: an offer that times out."""

    def test_break_on_timeout_withdraws_the_other_offers(self) -> None:
        """S3, A4: the agent goes on break, its other offers go, all re-routed in request order."""
        settings = make_settings(service=MANUAL_BREAK)
        desk = make_desk(
            settings,
            status(0, "a1", capacity=2),
            ask(10, "c1"),
            ask(20, "c2"),
            status(25, "a2", capacity=2),
        )
        out = desk.handle(tick(45))
        same_in_order(out[:2], withdrawn(40, "c1", "a1", "timeout"), on_break(40, "a1"))
        same_in_order(
            out[2:],
            withdrawn(40, "c2", "a1", "agent_unavailable"),
            offered(40, "c1", "a2", 70),
            offered(40, "c2", "a2", 70),
        )

    def test_break_on_timeout_with_nobody_else_requeues(self) -> None:
        """S3, Q2: with the only agent on break the conversation waits at its place."""
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same_in_order(
            desk.handle(tick(40))[:2],
            withdrawn(40, "c1", "a1", "timeout"),
            on_break(40, "a1"),
        )
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(tick(40)),
            withdrawn(40, "c1", "a1", "timeout"),
            on_break(40, "a1"),
            queued(40, "c1", 1),
        )

    def test_missed_agent_is_passed_over_when_another_has_room(self) -> None:
        """S3: an agent that let the offer time out loses it to a busier agent with room."""
        settings = make_settings(service=MANUAL)
        desk = make_desk(
            settings,
            status(0, "a2", capacity=2),
            status(1, "a1"),
            ask(5, "c0"),
            accept(6, "c0", "a2"),
            ask(10, "c1"),
        )
        same_in_order(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a2", 70),
        )

    def test_missed_agent_is_chosen_again_when_nobody_else_has_room(self) -> None:
        """S3: with nobody else having room the same agent gets the offer again."""
        settings = make_settings(service=MANUAL)
        desk = make_desk(
            settings,
            status(0, "a2"),
            status(1, "a1"),
            ask(5, "c0"),
            accept(6, "c0", "a2"),
            ask(10, "c1"),
        )
        same_in_order(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a1", 70),
        )


class TestRuleS4:
    """S4: a declined offer is never made to that agent again."""

    def test_decline_requeues_without_break(self) -> None:
        """S4: the offer is withdrawn ``declined`` and the user waits; no break is set."""
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(decline(20, "c1", "a1")),
            withdrawn(20, "c1", "a1", "declined"),
            queued(20, "c1", 1),
        )

    def test_declining_agent_is_never_offered_it_again(self) -> None:
        """S4: a later user goes to the agent ahead of the declined one; another agent takes it."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(decline(20, "c1", "a1")),
            withdrawn(20, "c1", "a1", "declined"),
            queued(20, "c1", 1),
        )
        same(
            desk.handle(ask(30, "c2")),
            say(30, "c2", "connecting", "C"),
            offered(30, "c2", "a1", 60),
        )
        desk.handle(accept(31, "c2", "a1"))
        same(
            desk.handle(end(40, "c2")), say(40, "c2", "end", "E"), closed(40, "c2", "ended_by_user")
        )
        same(desk.handle(status(50, "a2")), offered(50, "c1", "a2", 80))

    def test_declined_user_waits_within_max_wait(self) -> None:
        """S4, Q4: a user only the declining agent could serve fails at max_wait."""
        settings = make_settings(service=MANUAL, queue={"max_wait": "120s"})
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"), decline(20, "c1", "a1"))
        same(desk.handle(tick(200)), failed(130, "c1", "queue_timeout"))

    def test_decline_by_an_agent_without_the_offer_is_rejected(self) -> None:
        """S4, E2: a decline for an offer the agent does not hold is rejected."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        out = desk.handle(decline(20, "c1", "a2"))
        assert len(out) == 1
        assert isinstance(out[0], Rejected)
        assert out[0].event_type == "agent_declined"


# -- Queue --------------------------------------------------------------------------------


class TestRuleQ1:
    """Q1: one queue per scope, ordered by request instant then event order."""

    def test_order_by_request_and_event_order(self) -> None:
        """Q1: users at one instant queue in the order of their events."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c0"))
        same(desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), queued(10, "c1", 1))
        same(desk.handle(ask(10, "c2")), say(10, "c2", "connecting", "C"), queued(10, "c2", 2))
        same(
            desk.handle(end(20, "c0")),
            say(20, "c0", "end", "E"),
            closed(20, "c0", "ended_by_user"),
            connected(20, "c1", "a1"),
            told(20, "c2", 1),
        )

    def test_one_queue_per_group(self) -> None:
        """Q1: each group has its own queue and positions."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales", "support"]),
            ask(5, "c0", "sales"),
            ask(10, "c1", "sales"),
        )
        same(
            desk.handle(ask(20, "c2", "support")),
            say(20, "c2", "connecting", "C"),
            queued(20, "c2", 1),
        )


class TestRuleQ2:
    """Q2: a conversation whose offer ended keeps its place in the queue."""

    def test_reenters_at_its_place_and_those_behind_move_back(self) -> None:
        """Q2: the re-routed user is enqueued ahead of later users, who are told they moved."""
        desk = make_desk(
            make_settings(service=MANUAL_BREAK),
            status(0, "a1"),
            status(1, "a2"),
            ask(5, "c0"),
            accept(6, "c0", "a1"),
            ask(10, "c1"),
            ask(20, "c2"),
            ask(30, "c3"),
        )
        assert [desk.queue_position(c) for c in ("c2", "c3")] == [1, 2]
        same(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a2", "timeout"),
            on_break(40, "a2"),
            queued(40, "c1", 1),
            told(40, "c2", 2),
            told(40, "c3", 3),
        )


class TestRuleQ3:
    """Q3: queue prompts with ``$QueuePosition`` and ``$WaitNo``."""

    def _queue(self, **queue: Any) -> Desk:
        """a1 serves c0; c1, c2 and c3 wait (asked at 10, 20 and 30)."""
        return make_desk(
            make_settings(queue=queue),
            status(0, "a1"),
            ask(5, "c0"),
            ask(10, "c1"),
            ask(20, "c2"),
            ask(30, "c3"),
        )

    def test_interval_zero_tells_every_change(self) -> None:
        """Q3: with update_interval 0 everyone behind is told at once."""
        desk = self._queue(update_interval=0)
        same(
            desk.handle(end(40, "c1")),
            closed(40, "c1", "ended_by_user"),
            told(40, "c2", 1),
            told(40, "c3", 2),
        )
        same(desk.handle(end(41, "c2")), closed(41, "c2", "ended_by_user"), told(41, "c3", 1))

    def test_positive_interval_sends_at_the_deadline_without_an_event(self) -> None:
        """Q3, T2: a held-back update is a deadline, sent at its instant by a later tick."""
        desk = self._queue(update_interval="60s")
        same(desk.handle(end(40, "c1")), closed(40, "c1", "ended_by_user"))
        assert desk.next_deadline() == at(80)
        same(desk.handle(tick(100)), told(80, "c2", 1), told(90, "c3", 2))
        assert desk.next_deadline() is None

    def test_positive_interval_sends_the_latest_position_once(self) -> None:
        """Q3: two moves within an interval give one prompt with the latest position."""
        desk = self._queue(update_interval="60s")
        desk.handle(end(40, "c1"))
        desk.handle(end(50, "c2"))
        same(desk.handle(tick(90)), told(90, "c3", 1))
        assert desk.handle(tick(200)) == []

    def test_positive_interval_after_it_passed_sends_at_once(self) -> None:
        """Q3: a move after the interval has passed is told at once."""
        desk = self._queue(update_interval="60s")
        same(
            desk.handle(end(100, "c1")),
            closed(100, "c1", "ended_by_user"),
            told(100, "c2", 1),
            told(100, "c3", 2),
        )

    def test_positive_interval_skips_an_unchanged_position(self) -> None:
        """Q3: at the deadline nothing is sent when the position is back to the last one told."""
        desk = make_desk(
            make_settings(service=MANUAL_BREAK, queue={"update_interval": "60s"}),
            status(0, "a1"),
            status(1, "a2"),
            ask(5, "c0"),
            accept(6, "c0", "a1"),
            ask(10, "c1"),
            ask(15, "cx"),
            ask(20, "c2"),
            end(25, "cx"),
        )
        assert desk.queue_position("c2") == 1
        assert desk.next_deadline() == at(40)
        same(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a2", "timeout"),
            on_break(40, "a2"),
            queued(40, "c1", 1),
        )
        assert desk.queue_position("c2") == 2
        assert desk.handle(tick(100)) == []

    def test_never_sends_only_the_first(self) -> None:
        """Q3: with ``"never"`` a user gets the first prompt and no update."""
        desk = self._queue(update_interval="never")
        same(desk.handle(end(40, "c1")), closed(40, "c1", "ended_by_user"))
        assert desk.next_deadline() is None
        assert desk.handle(tick(1000)) == []
        same(
            desk.handle(ask(1001, "c4")), say(1001, "c4", "connecting", "C"), queued(1001, "c4", 3)
        )

    def test_user_leaving_in_the_same_event_gets_no_prompt(self) -> None:
        """Q3: positions are those after the event: a user who moved back then left is not told."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"), ask(20, "c2")
        )
        same(
            desk.handle(decline(25, "c1", "a1")),
            withdrawn(25, "c1", "a1", "declined"),
            queued(25, "c1", 1),
            offered(25, "c2", "a1", 55),
        )

    def test_wait_number_is_position_minus_one(self) -> None:
        """Q3: ``$WaitNo`` is the number of users ahead."""
        desk = make_desk(
            make_settings(queue={"prompt": "$QueuePosition-$WaitNo"}),
            status(0, "a1"),
            ask(5, "c0"),
            ask(10, "c1"),
        )
        same(
            desk.handle(ask(20, "c2")),
            say(20, "c2", "connecting", "C"),
            enqueued(20, "c2", 2),
            say(20, "c2", "queue", "2-1"),
        )


class TestRuleQ4:
    """Q4: queue length and waiting limits."""

    def test_max_length_refuses_a_new_request(self) -> None:
        """Q4, F1: a request that would make the queue too long fails ``queue_full``."""
        desk = make_desk(
            make_settings(queue={"max_length": 1}), status(0, "a1"), ask(5, "c0"), ask(10, "c1")
        )
        same(
            desk.handle(ask(20, "c2")),
            say(20, "c2", "connecting", "C"),
            failed(20, "c2", "queue_full"),
        )
        assert desk.conversation_state("c2") == "new"

    def test_max_length_never_refuses_a_reroute(self) -> None:
        """Q4, Q2: a conversation routed again after its offer ended re-enters a full queue."""
        desk = make_desk(
            make_settings(service=MANUAL_BREAK, queue={"max_length": 1}),
            status(0, "a1"),
            ask(10, "c1"),
            ask(20, "c2"),
        )
        same(
            desk.handle(ask(25, "c3")),
            say(25, "c3", "connecting", "C"),
            failed(25, "c3", "queue_full"),
        )
        same(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a1", "timeout"),
            on_break(40, "a1"),
            queued(40, "c1", 1),
            told(40, "c2", 2),
        )

    def test_max_wait_in_the_queue(self) -> None:
        """Q4, F1: a user waiting at max_wait fails ``queue_timeout``; those behind move up."""
        desk = make_desk(
            make_settings(queue={"max_wait": "60s"}),
            status(0, "a1"),
            ask(5, "c0"),
            ask(10, "c1"),
            ask(20, "c2"),
        )
        assert desk.next_deadline() == at(70)
        same(desk.handle(tick(75)), failed(70, "c1", "queue_timeout"), told(70, "c2", 1))

    def test_max_wait_while_offered_withdraws_first(self) -> None:
        """Q4: an open offer is withdrawn ``max_wait`` before routing fails."""
        settings = make_settings(
            service={"mode": "manual", "accept_timeout": "120s"}, queue={"max_wait": "60s"}
        )
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"))
        out = desk.handle(tick(75))
        same_in_order(out[:1], withdrawn(70, "c1", "a1", "max_wait"))
        same(out, withdrawn(70, "c1", "a1", "max_wait"), failed(70, "c1", "queue_timeout"))
        same(
            desk.handle(accept(76, "c1", "a1")),
            rejected(76, "agent_accepted", "no_open_offer", "c1", "a1"),
        )

    def test_max_wait_while_awaiting_the_webhook(self) -> None:
        """Q4: a conversation still waiting for the webhook answer at max_wait fails."""
        settings = make_settings(
            assignment={"strategy": "webhook", "webhook_timeout": "120s"},
            queue={"max_wait": "60s"},
        )
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"))
        same(desk.handle(tick(75)), failed(70, "c1", "queue_timeout"))
        same(
            desk.handle(answer(80, "c1", agents=["a1"])),
            rejected(80, "assignment_answered", "not_waiting_for_answer", "c1"),
        )
        assert desk.handle(tick(200)) == []

    def test_served_conversation_never_times_out(self) -> None:
        """Q4: a conversation served before max_wait does not fail later."""
        desk = make_desk(make_settings(queue={"max_wait": "60s"}), status(0, "a1"), ask(10, "c1"))
        assert desk.next_deadline() is None
        assert desk.handle(tick(200)) == []

    def test_max_wait_counts_from_the_request_across_reroutes(self) -> None:
        """Q4, Q2: a re-routed conversation keeps its request instant for max_wait."""
        settings = make_settings(
            service={"mode": "manual", "accept_timeout": "600s"}, queue={"max_wait": "60s"}
        )
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(decline(30, "c1", "a1")),
            withdrawn(30, "c1", "a1", "declined"),
            queued(30, "c1", 1),
        )
        same(desk.handle(tick(75)), failed(70, "c1", "queue_timeout"))


class TestRuleQ5:
    """Q5: a queue left with nobody staffing it fails its users."""

    @pytest.mark.parametrize(
        "change",
        [
            {"state": "offline"},
            {"state": "online", "capacity": 0},
            {"state": "break", "capacity": 0},
            {"state": "online", "groups": ["support"]},
        ],
    )
    def test_waiting_users_fail(self, change: dict[str, Any]) -> None:
        """Q5, F1: the last staffing agent leaving fails the waiting users; served ones stay."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            ask(5, "c0", "sales"),
            ask(10, "c1", "sales"),
            ask(20, "c2", "sales"),
        )
        same(
            desk.handle(status(30, "a1", **change)),
            failed(30, "c1", "no_agents_online"),
            failed(30, "c2", "no_agents_online"),
        )
        assert desk.conversation_state("c0") == "served"

    def test_everyone_queue_fails_when_the_last_agent_leaves(self) -> None:
        """Q5: under ``automatic`` the last agent going offline fails every waiting user."""
        desk = make_desk(
            make_settings(), status(0, "a1"), ask(5, "c0"), ask(10, "c1"), ask(20, "c2")
        )
        same(
            desk.handle(status(30, "a1", "offline")),
            failed(30, "c1", "no_agents_online"),
            failed(30, "c2", "no_agents_online"),
        )
        same(
            desk.handle(ask(40, "c1")),
            say(40, "c1", "connecting", "C"),
            failed(40, "c1", "no_agents_online"),
        )

    def test_break_keeps_the_queue(self) -> None:
        """Q5: an agent going on break still staffs, so nobody fails."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c0"), ask(10, "c1"))
        assert desk.handle(status(30, "a1", "break")) == []
        assert desk.queue_position("c1") == 1

    def test_other_staff_keeps_the_queue(self) -> None:
        """Q5: one agent leaving while another staffs the scope fails nobody."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            status(0, "a2"),
            ask(5, "c0"),
            ask(6, "cx"),
            ask(10, "c1"),
        )
        assert desk.handle(status(30, "a1", "offline")) == []


class TestRuleQ6:
    """Q6: ending a waiting or offered conversation takes it out of the queue."""

    def test_ending_a_waiting_user_moves_the_others_up(self) -> None:
        """Q6, C2: the waiting user's conversation closes without a message; others move up."""
        desk = make_desk(
            make_settings(), status(0, "a1"), ask(5, "c0"), ask(10, "c1"), ask(20, "c2")
        )
        same(desk.handle(end(30, "c1")), closed(30, "c1", "ended_by_user"), told(30, "c2", 1))

    def test_ending_an_offered_conversation_withdraws_the_offer(self) -> None:
        """Q6, A5: the offer is withdrawn ``conversation_ended`` and the agent takes the next."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"), ask(20, "c2")
        )
        same(
            desk.handle(end(30, "c1")),
            withdrawn(30, "c1", "a1", "conversation_ended"),
            closed(30, "c1", "ended_by_user"),
            offered(30, "c2", "a1", 60),
        )


# -- Routing failures -----------------------------------------------------------------------


class TestRuleF1:
    """F1: every failure emits routing_failed and, except after hours, connect_failed."""

    def test_reason_is_inserted_into_the_prompt(self) -> None:
        """F1: ``$Reason`` is the failure's reason."""
        desk = Desk(make_settings(prompts={"connect_failed": "Sorry ($Reason)."}))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            routing_failed(10, "c1", "no_agents_online"),
            say(10, "c1", "connect_failed", "Sorry (no_agents_online)."),
        )

    def test_conversation_stays_open_and_unrouted(self) -> None:
        """F1: after a failure the user can still talk and ask again."""
        desk = make_desk(make_settings(), ask(10, "c1"))
        assert desk.conversation_state("c1") == "new"
        assert desk.handle(user_says(11, "c1")) == []
        desk.handle(status(12, "a1"))
        same(
            desk.handle(ask(20, "c1")), say(20, "c1", "connecting", "C"), connected(20, "c1", "a1")
        )


# -- Closure --------------------------------------------------------------------------------

TIMEOUT = {"user_timeout": "60s"}


class TestRuleC1:
    """C1: the user timeout of a served conversation."""

    def _served(self) -> Desk:
        """a1 serves c1 from second 5, with a 60 s user timeout."""
        return make_desk(make_settings(closure=TIMEOUT), status(0, "a1"), ask(5, "c1"))

    def test_agent_message_restarts_the_timeout(self) -> None:
        """C1: each agent message moves the timeout; when it fires the conversation closes."""
        desk = self._served()
        assert desk.next_deadline() is None
        assert desk.handle(agent_says(10, "c1")) == []
        assert desk.next_deadline() == at(70)
        assert desk.handle(agent_says(40, "c1")) == []
        assert desk.next_deadline() == at(100)
        assert desk.handle(tick(90)) == []
        same_in_order(
            desk.handle(tick(120)),
            say(100, "c1", "timeout_closure", "TO"),
            closed(100, "c1", "user_timeout"),
        )

    def test_user_message_stops_the_timeout(self) -> None:
        """C1: a user reply stops the timeout."""
        desk = self._served()
        desk.handle(agent_says(10, "c1"))
        assert desk.handle(user_says(20, "c1")) == []
        assert desk.next_deadline() is None
        assert desk.handle(tick(500)) == []

    def test_agent_message_after_a_reply_starts_it_again(self) -> None:
        """C1: the timeout runs again from the next agent message."""
        desk = self._served()
        desk.handle(agent_says(10, "c1"))
        desk.handle(user_says(20, "c1"))
        desk.handle(agent_says(30, "c1"))
        same(
            desk.handle(tick(95)),
            say(90, "c1", "timeout_closure", "TO"),
            closed(90, "c1", "user_timeout"),
        )

    def test_closing_by_timeout_frees_the_agent(self) -> None:
        """C1, C3, A5: the timeout close lets the agent take the next user at that instant."""
        desk = self._served()
        desk.handle(ask(6, "c2"))
        desk.handle(agent_says(10, "c1"))
        same(
            desk.handle(tick(80)),
            say(70, "c1", "timeout_closure", "TO"),
            closed(70, "c1", "user_timeout"),
            connected(70, "c2", "a1"),
        )

    def test_without_user_timeout_nothing_is_set(self) -> None:
        """C1: with user_timeout off an agent message sets no deadline."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"), agent_says(10, "c1"))
        assert desk.next_deadline() is None

    @pytest.mark.parametrize("state", ["new", "waiting", "offered"])
    def test_agent_message_outside_service_is_rejected(self, state: str) -> None:
        """C1, E2: an agent message on a conversation not served is rejected ``not_served``."""
        service = MANUAL if state == "offered" else {}
        events: list[Event] = [status(0, "a1")]
        if state == "waiting":
            events.append(ask(5, "c0"))
        events.append(ask(10, "c1") if state != "new" else enter(10, "c1"))
        desk = make_desk(make_settings(service=service), *events)
        assert desk.conversation_state("c1") == state
        same(desk.handle(agent_says(20, "c1")), rejected(20, "agent_message", "not_served", "c1"))

    def test_user_message_outside_service_changes_nothing(self) -> None:
        """C1: a user message on a waiting conversation returns nothing and changes nothing."""
        desk = make_desk(
            make_settings(queue={"max_wait": "60s"}), status(0, "a1"), ask(5, "c0"), ask(10, "c1")
        )
        before = snapshot_without_clock(desk)
        assert desk.handle(user_says(20, "c1")) == []
        assert snapshot_without_clock(desk) == before


class TestRuleC2:
    """C2: ending a conversation."""

    @pytest.mark.parametrize(
        ("by", "reason"), [("user", "ended_by_user"), ("agent", "ended_by_agent")]
    )
    def test_served_conversation_ends_with_the_message(self, by: str, reason: str) -> None:
        """C2: the end message is sent and the conversation closes with the party's reason."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"))
        same(desk.handle(end(10, "c1", by)), say(10, "c1", "end", "E"), closed(10, "c1", reason))

    def test_agent_naming_itself_ends_it(self) -> None:
        """C2: the serving agent may end the conversation naming itself."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"))
        same(
            desk.handle(end(10, "c1", "agent", "a1")),
            say(10, "c1", "end", "E"),
            closed(10, "c1", "ended_by_agent"),
        )

    def test_new_conversation_closes_without_message(self) -> None:
        """C2: a conversation never routed closes without the end message."""
        desk = make_desk(make_settings(), enter(0, "c1"))
        same(desk.handle(end(10, "c1", "agent")), closed(10, "c1", "ended_by_agent"))

    def test_awaiting_conversation_closes_without_message(self) -> None:
        """C2: a conversation waiting for the webhook closes without the end message."""
        desk = make_desk(make_settings(assignment=WEBHOOK), status(0, "a1"), ask(5, "c1"))
        same(desk.handle(end(6, "c1")), closed(6, "c1", "ended_by_user"))
        assert desk.handle(tick(100)) == []

    def test_waiting_conversation_closes_without_message(self) -> None:
        """C2, Q6: a waiting conversation closes without the end message."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c0"), ask(10, "c1"))
        same(desk.handle(end(20, "c1")), closed(20, "c1", "ended_by_user"))


class TestRuleC3:
    """C3: closing frees capacity; events for closed conversations are rejected."""

    def _closed(self) -> Desk:
        """c1 was served by a1 and closed by the user at second 10; a2 is online."""
        return make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(0, "a2"),
            ask(5, "c1"),
            accept(6, "c1", "a1"),
            end(10, "c1"),
        )

    @pytest.mark.parametrize(
        "event",
        [
            enter(20, "c1"),
            ask(20, "c1"),
            answer(20, "c1", agents=["a1"]),
            answer_failed(20, "c1"),
            accept(20, "c1", "a2"),
            decline(20, "c1", "a2"),
            agent_says(20, "c1"),
            user_says(20, "c1"),
            end(20, "c1", "agent", "a2"),
            end(20, "c1", "user"),
        ],
        ids=lambda e: e.type,
    )
    def test_closed_is_checked_before_any_other_reason(self, event: Event) -> None:
        """C3: any event but rating ones on a closed conversation is ``conversation_closed``."""
        desk = self._closed()
        agent = getattr(event, "agent", None)
        same(desk.handle(event), rejected(20, event.type, "conversation_closed", "c1", agent))

    def test_rating_events_pass_on_a_closed_conversation(self) -> None:
        """C3, V3: a rating on a closed conversation is judged on its own (``not_invited``)."""
        desk = self._closed()
        same(desk.handle(rate(20, "c1", 3)), rejected(20, "rating_submitted", "not_invited", "c1"))

    def test_other_agent_cannot_end_it(self) -> None:
        """C3: an agent that does not serve the conversation cannot end it."""
        desk = make_desk(make_settings(), status(0, "a1"), status(0, "a2"), ask(5, "c1"))
        same(
            desk.handle(end(10, "c1", "agent", "a2")),
            rejected(10, "conversation_ended", "not_serving_agent", "c1", "a2"),
        )
        assert desk.conversation_state("c1") == "served"

    def test_closing_frees_capacity(self) -> None:
        """C3, A5: closing lets the agent take the next waiting user."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"), ask(6, "c2"))
        same(
            desk.handle(end(10, "c1", "agent")),
            say(10, "c1", "end", "E"),
            closed(10, "c1", "ended_by_agent"),
            connected(10, "c2", "a1"),
        )


# -- Working hours (through the desk) -------------------------------------------------------


class TestRuleW1:
    """W1: a date's ranges; ranges past midnight; overrides."""

    def test_range_past_midnight_survives_an_override_of_the_next_date(self) -> None:
        """W1: Monday 22:00-02:00 is open at Tuesday 01:00 though Tuesday is overridden closed."""
        hours = {
            "enabled": True,
            "weekly": {"mon": ["22:00-02:00"]},
            "dates": [{"date": "2026-03-03", "hours": []}],
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1", capacity=5))
        tuesday_1am = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
        same(
            desk.handle(ask(tuesday_1am, "c1")),
            say(tuesday_1am, "c1", "connecting", "C"),
            connected(tuesday_1am, "c1", "a1"),
        )
        tuesday_2am = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
        same(
            desk.handle(ask(tuesday_2am, "c2")),
            say(tuesday_2am, "c2", "after_hours", "AH 2026-03-09 22:00"),
            routing_failed(tuesday_2am, "c2", "outside_hours"),
        )

    def test_rrule_override_replaces_the_weekday(self) -> None:
        """W1: a matching rrule's ranges replace the weekday's."""
        hours = {
            "enabled": True,
            "dates": [{"rrule": "FREQ=WEEKLY;BYDAY=MO", "hours": ["10:00-11:00"]}],
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(
            desk.handle(ask(0, "c1")),  # Monday 09:00: default hours would be open
            say(0, "c1", "after_hours", "AH 2026-03-02 10:00"),
            routing_failed(0, "c1", "outside_hours"),
        )


class TestRuleW2:
    """W2: local times in a DST gap mean the first instant after it."""

    def test_range_starting_in_the_gap_opens_after_it(self) -> None:
        """W2: 02:30 on spring-forward night in New York opens at 03:00 EDT (07:00 UTC)."""
        hours = {
            "enabled": True,
            "timezone": "America/New_York",
            "weekly": {"sun": ["02:30-04:00"]},
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1", capacity=5))
        before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
        same(
            desk.handle(ask(before, "c1")),
            say(before, "c1", "after_hours", "AH 2026-03-08 03:00"),
            routing_failed(before, "c1", "outside_hours"),
        )
        after = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
        same(
            desk.handle(ask(after, "c2")),
            say(after, "c2", "connecting", "C"),
            connected(after, "c2", "a1"),
        )


class TestRuleW3:
    """W3: ``$NextOpen`` in local time."""

    def test_next_open_is_local_time(self) -> None:
        """W3: the next opening is shown in the desk's zone as ``YYYY-MM-DD HH:MM``."""
        hours = {"enabled": True, "timezone": "Asia/Seoul", "weekly": {"tue": ["09:30-10:00"]}}
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(
            desk.handle(ask(0, "c1")),
            say(0, "c1", "after_hours", "AH 2026-03-03 09:30"),
            routing_failed(0, "c1", "outside_hours"),
        )


# -- Ratings --------------------------------------------------------------------------------


def _served_desk(**ratings: Any) -> Desk:
    """a1 (named Mina) serves c1 from second 5; a2 is online too."""
    return make_desk(
        make_settings(ratings=ratings),
        status(0, "a1", name="Mina", capacity=5),
        status(1, "a2"),
        ask(5, "c1"),
    )


class TestRuleV1:
    """V1: the serving agent invites the user to rate."""

    def test_invite_sends_a_card(self) -> None:
        """V1: the card has the invitation text and expires after ``validity``."""
        desk = _served_desk()
        same(desk.handle(invite(10, "c1", "a1")), card(10, "c1", "R Mina", 10 + HOUR))

    def test_card_is_sent_with_empty_text(self) -> None:
        """V1, P2: a card is sent even when its text is empty."""
        desk = _served_desk(invitation="")
        same(desk.handle(invite(10, "c1", "a1")), card(10, "c1", "", 10 + HOUR))

    def test_invites_disabled_comes_first(self) -> None:
        """V1: with invites off even another agent's invite is ``invites_disabled``."""
        desk = _served_desk(agent_invite=False)
        same(
            desk.handle(invite(10, "c1", "a2")),
            rejected(10, "rating_invited", "invites_disabled", "c1", "a2"),
        )

    def test_not_serving_agent_comes_before_already_rated(self) -> None:
        """V1: another agent's invite after a rating is ``not_serving_agent``."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 4))
        same(
            desk.handle(invite(30, "c1", "a2")),
            rejected(30, "rating_invited", "not_serving_agent", "c1", "a2"),
        )

    def test_already_rated_comes_before_already_invited(self) -> None:
        """V1: an invite while the rated card is still open is ``already_rated``."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 4))
        same(
            desk.handle(invite(30, "c1", "a1")),
            rejected(30, "rating_invited", "already_rated", "c1", "a1"),
        )

    def test_already_invited_while_a_card_is_open(self) -> None:
        """V1: a second invite while the card is open is ``already_invited``."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(invite(20, "c1", "a1")),
            rejected(20, "rating_invited", "already_invited", "c1", "a1"),
        )

    def test_new_card_after_the_last_one_expired(self) -> None:
        """V1: once the card expired unrated, the agent may invite again."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(invite(10 + HOUR, "c1", "a1")),
            card(10 + HOUR, "c1", "R Mina", 10 + 2 * HOUR),
        )

    @pytest.mark.parametrize("state", ["new", "waiting"])
    def test_invite_on_an_unserved_conversation(self, state: str) -> None:
        """V1: nobody serves a new or waiting conversation: invites are ``not_serving_agent``."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c0"))
        desk.handle(enter(10, "c1") if state == "new" else ask(10, "c1"))
        same(
            desk.handle(invite(20, "c1", "a1")),
            rejected(20, "rating_invited", "not_serving_agent", "c1", "a1"),
        )


class TestRuleV2:
    """V2: a card when a served conversation closes (``send_on_end``)."""

    def test_card_on_end(self) -> None:
        """V2: ending a served conversation sends the card after closing."""
        desk = _served_desk(send_on_end=True)
        same(
            desk.handle(end(10, "c1")),
            say(10, "c1", "end", "E"),
            closed(10, "c1", "ended_by_user"),
            card(10, "c1", "R Mina", 10 + HOUR),
        )

    def test_card_on_user_timeout(self) -> None:
        """V2: a timeout close sends the card at the timeout's instant."""
        desk = make_desk(
            make_settings(closure=TIMEOUT, ratings={"send_on_end": True}),
            status(0, "a1"),
            ask(5, "c1"),
            agent_says(10, "c1"),
        )
        same(
            desk.handle(tick(100)),
            say(70, "c1", "timeout_closure", "TO"),
            closed(70, "c1", "user_timeout"),
            card(70, "c1", "R a1", 70 + HOUR),
        )

    def test_no_card_while_one_is_open(self) -> None:
        """V2: no second card when the agent's card is still open."""
        desk = _served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(end(20, "c1")), say(20, "c1", "end", "E"), closed(20, "c1", "ended_by_user")
        )

    def test_no_card_after_a_rating(self) -> None:
        """V2: no card once a rating was recorded, even after the card expired."""
        desk = _served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 5))
        same(
            desk.handle(end(2 * HOUR, "c1")),
            say(2 * HOUR, "c1", "end", "E"),
            closed(2 * HOUR, "c1", "ended_by_user"),
        )

    def test_card_again_after_an_unrated_card_expired(self) -> None:
        """V2: an expired, unrated card does not stop the closing card."""
        desk = _served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(end(2 * HOUR, "c1")),
            say(2 * HOUR, "c1", "end", "E"),
            closed(2 * HOUR, "c1", "ended_by_user"),
            card(2 * HOUR, "c1", "R Mina", 3 * HOUR),
        )

    def test_no_card_for_an_unserved_conversation(self) -> None:
        """V2: a waiting conversation closing gets no card."""
        desk = make_desk(
            make_settings(ratings={"send_on_end": True}),
            status(0, "a1"),
            ask(5, "c0"),
            ask(6, "c1"),
        )
        same(desk.handle(end(10, "c1")), closed(10, "c1", "ended_by_user"))


class TestRuleV3:
    """V3: submitting a rating."""

    def test_rating_is_recorded_for_the_agent(self) -> None:
        """V3: a valid score is recorded for the serving agent and thanked."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same_in_order(
            desk.handle(rate(20, "c1", 5)),
            recorded(20, "c1", "a1", 5),
            say(20, "c1", "rating_submitted", "S 5"),
        )

    def test_rating_after_close_goes_to_the_agent_who_served(self) -> None:
        """V3: a card sent on close credits the agent who served, after the close."""
        desk = _served_desk(send_on_end=True)
        desk.handle(end(10, "c1", "agent", "a1"))
        same(
            desk.handle(rate(20, "c1", 1)),
            recorded(20, "c1", "a1", 1),
            say(20, "c1", "rating_submitted", "S 1"),
        )

    def test_not_invited_comes_first(self) -> None:
        """V3: without any card even an invalid score is ``not_invited``."""
        desk = _served_desk()
        same(desk.handle(rate(20, "c1", 99)), rejected(20, "rating_submitted", "not_invited", "c1"))

    def test_already_rated_comes_before_expired_and_invalid(self) -> None:
        """V3: a second rating, late and invalid, is ``already_rated``."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 3))
        same(
            desk.handle(rate(2 * HOUR, "c1", 99)),
            rejected(2 * HOUR, "rating_submitted", "already_rated", "c1"),
        )

    def test_expired_comes_before_invalid(self) -> None:
        """V3: a late invalid score is ``expired``; a rating at ``expires_at`` is late."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(10 + HOUR, "c1", 99)),
            rejected(10 + HOUR, "rating_submitted", "expired", "c1"),
        )

    @pytest.mark.parametrize("score", [0, -1, 6])
    def test_invalid_score(self, score: int) -> None:
        """V3: an integer outside ``1 … scale`` is ``invalid_score`` and the card stays open."""
        desk = _served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(20, "c1", score)),
            rejected(20, "rating_submitted", "invalid_score", "c1"),
        )
        same(
            desk.handle(rate(30, "c1", 2)),
            recorded(30, "c1", "a1", 2),
            say(30, "c1", "rating_submitted", "S 2"),
        )

    def test_scale_sets_the_top_score(self) -> None:
        """V3: with ``scale`` 10 a score of 10 is valid."""
        desk = _served_desk(scale=10)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(20, "c1", 10)),
            recorded(20, "c1", "a1", 10),
            say(20, "c1", "rating_submitted", "S 10"),
        )

    def test_score_that_is_not_an_integer_is_an_error(self) -> None:
        """V3, E1: a non-integer score is an error naming ``score``."""
        with pytest.raises(EventError) as info:
            RatingSubmitted(at=at(0), conversation="c1", score=3.5)  # type: ignore[arg-type]
        assert info.value.field == "score"
        with pytest.raises(EventError) as info:
            event_from_json(
                {
                    "type": "rating_submitted",
                    "at": "2026-03-02T09:00:00Z",
                    "conversation": "c1",
                    "score": "3",
                }
            )
        assert info.value.field == "score"


# -- Prompts --------------------------------------------------------------------------------


class TestRuleP1:
    """P1: the welcome prompt."""

    def test_welcome_once(self) -> None:
        """P1: the first ``user_entered`` gets the welcome, a second one nothing."""
        desk = Desk(make_settings())
        same(desk.handle(enter(0, "c1")), say(0, "c1", "welcome", "W"))
        assert desk.handle(enter(1, "c1")) == []

    def test_no_welcome_when_first_named_by_a_request(self) -> None:
        """P1: a conversation started by ``agent_requested`` never gets the welcome."""
        desk = make_desk(make_settings(), status(0, "a1"))
        same(desk.handle(ask(5, "c1")), say(5, "c1", "connecting", "C"), connected(5, "c1", "a1"))
        assert desk.handle(enter(6, "c1")) == []


class TestRuleP2:
    """P2: a prompt whose text is empty is not sent."""

    def test_empty_connecting_and_connected(self) -> None:
        """P2: with empty connecting and connected texts only ``assign`` remains."""
        desk = make_desk(
            make_settings(prompts={"connecting": "", "connected": ""}), status(0, "a1")
        )
        same(desk.handle(ask(5, "c1")), connected(5, "c1", "a1")[0])

    def test_empty_welcome(self) -> None:
        """P2: an empty welcome is not sent."""
        desk = Desk(make_settings(prompts={"welcome": ""}))
        assert desk.handle(enter(0, "c1")) == []

    def test_empty_queue_prompt_keeps_the_enqueue(self) -> None:
        """P2: with an empty queue prompt the user is still enqueued."""
        desk = make_desk(make_settings(queue={"prompt": ""}), status(0, "a1"), ask(5, "c0"))
        same(desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), enqueued(10, "c1", 1))

    def test_empty_connect_failed_keeps_the_failure(self) -> None:
        """P2: with an empty connect_failed prompt routing_failed is still emitted."""
        desk = Desk(make_settings(prompts={"connect_failed": ""}))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            routing_failed(10, "c1", "no_agents_online"),
        )

    def test_empty_end_and_timeout_messages(self) -> None:
        """P2: with empty end and timeout messages the conversations still close."""
        desk = make_desk(
            make_settings(closure={"end_message": "", "timeout_message": "", **TIMEOUT}),
            status(0, "a1", capacity=2),
            ask(5, "c1"),
            ask(6, "c2"),
            agent_says(10, "c2"),
        )
        same(desk.handle(end(20, "c1")), closed(20, "c1", "ended_by_user"))
        same(desk.handle(tick(100)), closed(70, "c2", "user_timeout"))

    def test_empty_after_hours_reply(self) -> None:
        """P2: with an empty after-hours reply routing still fails ``outside_hours``."""
        hours = {"enabled": True, "after_hours_reply": "", "weekly": {"mon": []}}
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(desk.handle(ask(0, "c1")), routing_failed(0, "c1", "outside_hours"))

    def test_empty_submitted_prompt(self) -> None:
        """P2: with an empty submitted prompt the rating is still recorded."""
        desk = _served_desk(submitted="")
        desk.handle(invite(10, "c1", "a1"))
        same(desk.handle(rate(20, "c1", 4)), recorded(20, "c1", "a1", 4))


class TestRuleP3:
    """P3: variable values are inserted once, never expanded again."""

    @pytest.mark.parametrize("name", ["$AgentId", "$$x", "${AgentName}", "5$"])
    def test_value_with_a_dollar_is_inserted_as_is(self, name: str) -> None:
        """P3: an agent name containing ``$`` appears verbatim in the prompt and card."""
        desk = make_desk(
            make_settings(prompts={"connected": "Hi $AgentName ($AgentId)"}),
            status(0, "a1", name=name),
        )
        same(
            desk.handle(ask(5, "c1")),
            say(5, "c1", "connecting", "C"),
            connected(5, "c1", "a1")[0],
            say(5, "c1", "connected", f"Hi {name} (a1)"),
        )
        same(desk.handle(invite(6, "c1", "a1")), card(6, "c1", f"R {name}", 6 + HOUR))

    def test_agent_id_with_a_dollar_is_inserted_as_is(self) -> None:
        """P3: a nameless agent whose id holds ``$`` is shown by that id verbatim."""
        desk = make_desk(make_settings(), status(0, "$AgentName"))
        same(
            desk.handle(ask(5, "c1")),
            say(5, "c1", "connecting", "C"),
            connected(5, "c1", "$AgentName"),
        )

    def test_double_dollar_in_a_template_is_one_dollar(self) -> None:
        """P3: ``$$`` in operator text is a literal dollar sign."""
        desk = Desk(make_settings(prompts={"welcome": "Pay $$5"}))
        same(desk.handle(enter(0, "c1")), say(0, "c1", "welcome", "Pay $5"))


# -- Bad input and refusals -----------------------------------------------------------------


class TestRuleE1:
    """E1: bad input is an error that changes nothing."""

    def test_unknown_conversation(self) -> None:
        """E1: an event naming an unknown conversation is an error naming ``conversation``."""
        desk = make_desk(make_settings(), status(0, "a1"))
        error = refused(desk, user_says(5, "nope"))
        assert (error.event_type, error.field) == ("user_message", "conversation")
        assert "user_message" in str(error)
        assert "conversation" in str(error)

    def test_error_leaves_due_deadlines_unfired(self) -> None:
        """E1, T2: deadlines due before a bad event fire only with the next valid event."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        refused(desk, accept(50, "c1", "zz"))
        refused(desk, agent_says(50, "nope"))
        same(
            desk.handle(tick(50)), withdrawn(40, "c1", "a1", "timeout"), offered(40, "c1", "a1", 70)
        )

    def test_error_does_not_advance_the_clock(self) -> None:
        """E1: after an error, an event earlier than the bad one is still accepted."""
        desk = make_desk(make_settings(), status(0, "a1"))
        refused(desk, user_says(50, "nope"))
        same(
            desk.handle(ask(20, "c1")), say(20, "c1", "connecting", "C"), connected(20, "c1", "a1")
        )

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            (
                {
                    "type": "agent_status",
                    "at": "2026-03-02T09:00:00Z",
                    "agent": "a1",
                    "status": "sleeping",
                },
                "status",
            ),
            ({"type": "agent_status", "at": "2026-03-02T09:00:00Z", "agent": "a1"}, "status"),
            (
                {
                    "type": "agent_status",
                    "at": "2026-03-02T09:00:00Z",
                    "agent": "",
                    "status": "online",
                },
                "agent",
            ),
            (
                {
                    "type": "agent_status",
                    "at": "2026-03-02T09:00:00Z",
                    "agent": "a1",
                    "status": "online",
                    "capacity": -1,
                },
                "capacity",
            ),
            (
                {
                    "type": "agent_status",
                    "at": "2026-03-02T09:00:00Z",
                    "agent": "a1",
                    "status": "online",
                    "capacity": 1.5,
                },
                "capacity",
            ),
            (
                {
                    "type": "user_message",
                    "at": "2026-03-02T09:00:00Z",
                    "conversation": "c1",
                    "mood": "x",
                },
                "mood",
            ),
            (
                {
                    "type": "conversation_ended",
                    "at": "2026-03-02T09:00:00Z",
                    "conversation": "c1",
                    "by": "bot",
                },
                "by",
            ),
            ({"type": "user_entered", "at": "2026-03-02T09:00:00Z", "conversation": "c1"}, "user"),
            ({"type": "tick", "at": "yesterday"}, "at"),
            ({"type": "teleport", "at": "2026-03-02T09:00:00Z"}, "type"),
        ],
    )
    def test_malformed_json_names_the_field(self, data: dict[str, Any], field: str) -> None:
        """E1: a malformed event is an error naming its field."""
        with pytest.raises(EventError) as info:
            event_from_json(data)
        assert info.value.field == field
        assert field in str(info.value)

    def test_bare_event_base_class_is_an_error(self) -> None:
        """E1: an ``Event`` that is no protocol event type is an error and changes nothing."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        refused(desk, Event(at=at(50)))

    def test_not_an_event(self) -> None:
        """E1: handing the desk something that is not an event is an error."""
        desk = Desk(make_settings())
        with pytest.raises(EventError):
            desk.handle({"type": "tick"})  # type: ignore[arg-type]


class TestRuleE2:
    """E2: events that race with the desk are refused with one ``rejected``."""

    def test_racing_events_give_one_rejection_and_change_nothing(self) -> None:
        """E2: a late accept, a late rating and a second request each give one rejection."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(1, "a2"),
            ask(10, "c1"),
            tick(40),
            accept(45, "c1", "a2"),
            ask(50, "c2"),
            accept(51, "c2", "a1"),
            invite(52, "c2", "a1"),
        )
        for event, reason in [
            (accept(60, "c1", "a1"), "no_open_offer"),
            (ask(61, "c1"), "already_routed"),
            (rate(52 + HOUR, "c2", 3), "expired"),
        ]:
            before = snapshot_without_clock(desk)
            out = desk.handle(event)
            assert len(out) == 1
            assert isinstance(out[0], Rejected)
            assert out[0].reason == reason
            assert snapshot_without_clock(desk) == before


# -- State ----------------------------------------------------------------------------------

D1_SETTINGS: dict[str, Any] = {
    "service": {"mode": "manual", "accept_timeout": "30s"},
    "queue": {"max_wait": "5m", "update_interval": "20s"},
    "closure": {"user_timeout": "2m", "retention": "10m"},
    "ratings": {"send_on_end": True, "validity": "3m"},
}

D1_EVENTS: list[Event] = [
    status(0, "a1", capacity=2, groups=["x"]),
    status(1, "a2", name="Bo"),
    enter(2, "c1"),
    ask(3, "c1"),
    ask(4, "c2"),
    ask(5, "c3"),
    ask(6, "c4"),
    accept(10, "c1", "a1"),
    decline(11, "c2", "a2"),
    tick(40),
    agent_says(41, "c1"),
    end(42, "c4"),
    status(43, "a3"),
    tick(80),
    accept(81, "c3", "a3"),
    user_says(90, "c1"),
    agent_says(100, "c1"),
    tick(230),
    invite(231, "c3", "a3"),
    rate(232, "c1", 4),
    end(233, "c3", "agent", "a3"),
    status(234, "a1", "offline"),
    tick(400),
    rate(401, "c3", 5),
    tick(2000),
]


class TestRuleD1:
    """D1: a snapshot restores a desk that behaves the same from then on."""

    @pytest.mark.parametrize("cut", range(len(D1_EVENTS) + 1))
    def test_restored_desk_gives_the_same_actions(self, cut: int) -> None:
        """D1: after a JSON round trip of the snapshot the later actions are identical."""
        settings = make_settings(**D1_SETTINGS)
        original = make_desk(settings, *D1_EVENTS[:cut])
        restored = Desk.restore(settings, json.loads(json.dumps(original.snapshot())))
        assert restored.snapshot() == original.snapshot()
        assert restored.next_deadline() == original.next_deadline()
        for event in D1_EVENTS[cut:]:
            assert as_json(restored.handle(event)) == as_json(original.handle(event))
            assert restored.next_deadline() == original.next_deadline()

    def test_the_script_does_something(self) -> None:
        """D1: the script used above exercises offers, queues, timeouts and ratings."""
        desk = Desk(make_settings(**D1_SETTINGS))
        kinds = {a.type for e in D1_EVENTS for a in desk.handle(e)}
        assert {"offer", "withdraw_offer", "enqueue", "assign", "close", "rating_card"} <= kinds
        assert {"record_rating", "routing_failed"} <= kinds


class TestRuleD2:
    """D2: the same settings and events give the same actions in the same order."""

    def test_two_desks_agree(self) -> None:
        """D2: two desks fed the same script return identical action lists."""
        settings = make_settings(**D1_SETTINGS)
        first, second = Desk(settings), Desk(settings)
        for event in D1_EVENTS:
            assert as_json(first.handle(event)) == as_json(second.handle(event))


class TestRuleD3:
    """D3: closed conversations are forgotten after ``retention``."""

    def test_forgotten_after_retention(self) -> None:
        """D3: just before retention ends the conversation is closed; just after, unknown."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"), end(20, "c1"))
        same(
            desk.handle(user_says(20 + HOUR - 1, "c1")),
            rejected(20 + HOUR - 1, "user_message", "conversation_closed", "c1"),
        )
        error = refused(desk, user_says(20 + HOUR + 1, "c1"))
        assert error.field == "conversation"

    def test_open_card_extends_retention(self) -> None:
        """D3: retention counts from the card's expiry when that is later than the close."""
        desk = make_desk(
            make_settings(ratings={"send_on_end": True, "validity": "2h"}),
            status(0, "a1"),
            ask(5, "c1"),
            end(20, "c1"),
        )
        same(
            desk.handle(rate(20 + HOUR + 10, "c1", 4)),
            recorded(20 + HOUR + 10, "c1", "a1", 4),
            say(20 + HOUR + 10, "c1", "rating_submitted", "S 4"),
        )
        forget = 20 + 2 * HOUR + HOUR
        same(
            desk.handle(user_says(forget - 1, "c1")),
            rejected(forget - 1, "user_message", "conversation_closed", "c1"),
        )
        refused(desk, rate(forget + 1, "c1", 4))

    def test_forgotten_request_starts_afresh(self) -> None:
        """D3, R1: a request naming a forgotten id is treated as a new conversation."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c1"), end(20, "c1"))
        same(
            desk.handle(ask(20 + 2 * HOUR, "c1")),
            say(20 + 2 * HOUR, "c1", "connecting", "C"),
            connected(20 + 2 * HOUR, "c1", "a1"),
        )

    def test_conversation_closed_and_forgotten_by_deadlines_before_the_event(self) -> None:
        """D3, E1: an event checked before deadlines close and forget it is rejected as closed."""
        desk = make_desk(
            make_settings(closure={"user_timeout": "60s", "retention": "10s"}),
            status(0, "a1"),
            ask(5, "c1"),
            agent_says(10, "c1"),
        )
        out = desk.handle(user_says(100, "c1"))
        assert as_json(out[:2]) == as_json(
            [say(70, "c1", "timeout_closure", "TO"), closed(70, "c1", "user_timeout")]
        )
        assert [(a.type, getattr(a, "reason", None)) for a in out[2:]] == [
            ("rejected", "conversation_closed")
        ]
        assert desk.conversation_state("c1") is None  # forgotten after the event (D3)
