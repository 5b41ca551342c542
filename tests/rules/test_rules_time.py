"""Rule tests: time (T1, T2, T3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskcore import (
    AgentRequested,
    EventError,
    Offer,
    event_from_json,
)
from helpers import (
    MANUAL,
    accept,
    agent_says,
    answer,
    ask,
    at,
    closed,
    connected,
    end,
    failed,
    handed_over,
    invite,
    make_desk,
    make_settings,
    offered,
    queued,
    rate,
    recorded,
    refused,
    rejected,
    resumed,
    same,
    same_in_order,
    say,
    served_desk,
    status,
    tick,
    told,
    withdrawn,
)


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


class TestRuleT4:
    """T4: ``resumed`` after the host was down."""

    def test_due_before_the_outage_fire_the_rest_move(self) -> None:
        """T4: a deadline due before ``since`` fires as of its instant; one due during
        the outage moves later by the downtime."""
        desk = make_desk(
            make_settings(
                service=MANUAL, queue={"max_concurrent": 2}, closure={"user_timeout": "60s"}
            ),
            status(0, "a1"),
            ask(1, "c1"),  # offer until 31
            accept(2, "c1", "a1"),
            agent_says(3, "c1"),  # user timeout at 63
            ask(10, "c2"),  # offer until 40
        )
        # Down from 35 to 100: c2's offer (due 40) moves to 105; c1's timeout to 128.
        same(desk.handle(resumed(100, 35)), offered(100, "c2", "a1", 105))
        assert desk.handle(tick(104)) == []
        same(
            desk.handle(tick(105)),
            withdrawn(105, "c2", "a1", "timeout"),
            offered(105, "c2", "a1", 135),
        )
        same(
            desk.handle(tick(128)),
            say(128, "c1", "timeout_closure", "TO"),
            closed(128, "c1", "user_timeout"),
        )

    def test_fires_what_was_due_before_since(self) -> None:
        """T4: the deadlines due at or before ``since`` fire first, at their instants."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(1, "c1"))
        same(
            desk.handle(resumed(100, 50)),
            withdrawn(31, "c1", "a1", "timeout"),
            offered(31, "c1", "a1", 61),  # offered again at 31 (S3), until 61 ...
            # ... which is after since: it moves by the downtime, and is sent again
            offered(100, "c1", "a1", 111),
        )

    def test_offers_sent_again_in_the_order_made(self) -> None:
        """T4: each open offer is sent again with its new expiry, oldest offer first."""
        desk = make_desk(
            make_settings(service=MANUAL, queue={"max_concurrent": 3}),
            status(0, "a2"),
            status(0, "a1"),
            ask(1, "c9"),
            ask(2, "c1"),
        )
        out = desk.handle(resumed(20, 10))
        assert [(a.conversation, a.expires_at) for a in out if isinstance(a, Offer)] == [
            ("c9", at(41)),
            ("c1", at(42)),
        ]

    def test_since_before_the_last_event_is_an_error(self) -> None:
        """T4, E1: ``since`` earlier than the desk's last event."""
        desk = make_desk(make_settings(), status(10, "a1"))
        assert refused(desk, resumed(20, 5)).field == "since"

    def test_since_after_at_is_an_error(self) -> None:
        """T4, E1: ``since`` later than ``at``."""
        with pytest.raises(EventError) as caught:
            resumed(5, 10)
        assert caught.value.field == "since"

    def test_nothing_else_happens(self) -> None:
        """T4: no break for offers nobody saw, no timeout for the downtime, no queue move."""
        desk = make_desk(
            make_settings(
                service={**MANUAL, "break_on_timeout": True},
                closure={"user_timeout": "60s", "reminder": "30s"},
                queue={"update_interval": "20s"},
                assignment={"strategy": "webhook", "webhook_timeout": "10s"},
            ),
            status(0, "a1"),
            ask(1, "c1"),  # awaiting an answer until 11
        )
        same(desk.handle(resumed(500, 2)), [])
        same(desk.handle(answer(505, "c1", agents=["a1"])), offered(505, "c1", "a1", 535))

    def test_reassignment_moves(self) -> None:
        """T4, A6: an agent's hand-over deadline moves by the downtime too."""
        desk = make_desk(
            make_settings(service={"reassign_after": "60s"}),
            status(0, "a1"),
            ask(1, "c1"),
            status(2, "a2"),
            status(3, "a1", "offline"),  # hand-over due at 63
        )
        same(desk.handle(resumed(100, 10)), [])  # down 90 s: due at 153
        same(desk.handle(tick(152)), [])
        same(
            desk.handle(tick(153)),
            handed_over(153, "c1", "a1", "agent_offline"),
            connected(153, "c1", "a2"),
        )

    def test_rating_card_moves(self) -> None:
        """T4, V3: an open rating card's expiry moves by the downtime; one that expired
        before ``since`` stays expired."""
        hour = 3600
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))  # open until 10 + 1 h
        desk.handle(ask(20, "c2"))  # to a2
        desk.handle(invite(30, "c2", "a2"))  # open until 30 + 1 h
        same(desk.handle(resumed(hour + 50, hour + 20)), [])  # c1's expired; c2's moves 30 s
        same(
            desk.handle(rate(hour + 55, "c1", 5)),
            rejected(hour + 55, "rating_submitted", "expired", "c1"),
        )
        same(
            desk.handle(rate(hour + 59, "c2", 5)),
            recorded(hour + 59, "c2", "a2", 5),
            say(hour + 59, "c2", "rating_submitted", "S 5"),
        )

    def test_pending_offer_reminder_queue_prompt_and_webhook(self) -> None:
        """T4: an offer, a user timeout with its reminder, a queue prompt update and a
        webhook answer pending together all move by the downtime."""
        desk = make_desk(
            make_settings(
                service=MANUAL,
                assignment={"strategy": "webhook", "webhook_timeout": "10s"},
                queue={"max_concurrent": 1, "update_interval": "20s"},
                closure={"user_timeout": "60s", "reminder": "30s"},
            ),
            status(0, "a1"),
            ask(1, "c1"),
            answer(1, "c1", agents=["a1"]),  # offer to a1 until 31
            accept(2, "c1", "a1"),
            agent_says(3, "c1"),  # reminder at 33, user timeout at 63
            ask(4, "c2"),
            answer(4, "c2", agents=["a1"]),  # waits, position 1
            ask(5, "c3"),
            answer(5, "c3", agents=["a1"]),  # waits, position 2
            ask(6, "c4"),  # awaits an answer until 16
            end(7, "c2"),  # c3 moves to 1: its update is held back until 25 (5 + 20)
        )
        same(desk.handle(resumed(100, 8)), [])  # no open offer; everything moves by 92
        same(desk.handle(tick(107)), [])
        same(desk.handle(tick(108)), queued(108, "c4", 1))  # the webhook timeout (16 + 92)
        same(desk.handle(tick(117)), told(117, "c3", 1))  # the held-back update (25 + 92)
        reminder = "This chat will close in 1 minutes unless you reply."
        same(desk.handle(tick(125)), say(125, "c1", "timeout_reminder", reminder))  # 33 + 92
        same(
            desk.handle(tick(155)),  # the user timeout (63 + 92); a1 then takes c3
            say(155, "c1", "timeout_closure", "TO"),
            closed(155, "c1", "user_timeout"),
            offered(155, "c3", "a1", 185),
        )
