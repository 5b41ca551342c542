"""Rule tests: queue (Q1, Q2, Q3, Q4, Q5, Q6), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from deskcore import (
    Assign,
    Desk,
    EventError,
)
from helpers import (
    GROUPS,
    MANUAL,
    MANUAL_BREAK,
    accept,
    answer,
    ask,
    at,
    closed,
    connected,
    decline,
    end,
    enqueued,
    failed,
    make_desk,
    make_settings,
    offered,
    on_break,
    queued,
    rejected,
    same,
    same_in_order,
    say,
    status,
    tick,
    told,
    withdrawn,
)


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


class TestRuleQ1Priority:
    """Q1: within a queue, higher priority first, then the earlier request."""

    def test_higher_priority_goes_ahead(self) -> None:
        """Q1, Q3: a request of priority 5 enters ahead of one of priority 0."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c0"), ask(2, "c1"))
        same(
            desk.handle(ask(3, "c2", priority=5)),
            say(3, "c2", "connecting", "C"),
            queued(3, "c2", 1),
            told(3, "c1", 2),
        )
        assert desk.queue_position("c1") == 2

    def test_drain_follows_priority(self) -> None:
        """Q1, A5: the freed agent takes the highest priority first."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            ask(1, "c0"),
            ask(2, "c1"),
            ask(3, "c2", priority=5),
            ask(4, "c3", priority=-1),
        )
        out = desk.handle(end(5, "c0"))
        assert [a.conversation for a in out if isinstance(a, Assign)] == ["c2"]

    def test_any_signed_64_bit_priority(self) -> None:
        """Q1, E1: priorities span the signed 64-bit range, kept through a snapshot;
        one beyond it is an error naming the field."""
        top, bottom = 2**63 - 1, -(2**63)
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            ask(1, "c0"),
            ask(2, "c1", priority=2**53),
            ask(3, "c2", priority=top),
            ask(4, "c3", priority=bottom),
        )
        assert [desk.queue_position(c) for c in ("c2", "c1", "c3")] == [1, 2, 3]
        restored = Desk.restore(desk.settings, json.loads(json.dumps(desk.snapshot())))
        assert [restored.queue_position(c) for c in ("c2", "c1", "c3")] == [1, 2, 3]
        for beyond in (top + 1, bottom - 1):
            with pytest.raises(EventError) as caught:
                ask(5, "c4", priority=beyond)
            assert caught.value.field == "priority"

    def test_equal_priority_by_request(self) -> None:
        """Q1: equal priorities keep the order of requests."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            ask(1, "c0"),
            ask(2, "c1", priority=3),
            ask(3, "c2", priority=3),
        )
        assert [desk.queue_position(c) for c in ("c1", "c2")] == [1, 2]

    def test_priority_with_s3_re_entry(self) -> None:
        """Q1, Q2, S3: an offer that timed out goes back to its place, behind a higher
        priority that came later; the freed agent takes that one first."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            ask(1, "c1"),  # offered to a1 until 31
            ask(2, "c2"),  # waits, 1
            ask(3, "c3", priority=9),  # waits, 1 (c2 moves to 2)
        )
        same(
            desk.handle(tick(31)),
            withdrawn(31, "c1", "a1", "timeout"),
            offered(31, "c3", "a1", 61),
            queued(31, "c1", 1),
        )
        assert desk.queue_position("c2") == 2
