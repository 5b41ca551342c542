"""Rule tests: agents (A1, A2, A3, A4, A5), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

import pytest

from deskcore import Desk, Release
from helpers import (
    GROUPS,
    MANUAL,
    accept,
    ask,
    at,
    closed,
    connected,
    decline,
    end,
    enter,
    failed,
    handed_over,
    make_desk,
    make_settings,
    offered,
    queued,
    refused,
    rejected,
    same,
    same_in_order,
    say,
    status,
    tick,
    told,
    transfer,
    withdrawn,
)


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


REASSIGN = {"reassign_after": "60s"}


class TestRuleA6:
    """A6: the conversations of an agent gone offline are handed over after a while."""

    def test_handed_over_after_the_delay(self) -> None:
        """A6, X3: at the deadline, release (agent_offline), the transferring prompt, and
        the conversation goes to an agent of its scope."""
        desk = make_desk(
            make_settings(service=REASSIGN), status(0, "a1"), ask(1, "c1"), status(2, "a2")
        )
        same(desk.handle(status(3, "a1", "offline")), [])
        same(desk.handle(tick(62)), [])
        same(
            desk.handle(tick(63)),
            handed_over(63, "c1", "a1", "agent_offline"),
            connected(63, "c1", "a2"),
        )

    def test_coming_back_online_cancels(self) -> None:
        """A6: back online before the deadline, the agent keeps its conversations."""
        desk = make_desk(
            make_settings(service=REASSIGN), status(0, "a1"), ask(1, "c1"), status(2, "a2")
        )
        desk.handle(status(3, "a1", "offline"))
        desk.handle(status(10, "a1", "online"))
        same(desk.handle(tick(100)), [])

    def test_break_and_offline_do_not_move_it(self) -> None:
        """A6: a later break or offline event leaves the deadline where it is."""
        desk = make_desk(
            make_settings(service=REASSIGN), status(0, "a1"), ask(1, "c1"), status(2, "a2")
        )
        desk.handle(status(3, "a1", "offline"))
        desk.handle(status(10, "a1", "break"))
        desk.handle(status(20, "a1", "offline"))
        same(
            desk.handle(tick(63)),
            handed_over(63, "c1", "a1", "agent_offline"),
            connected(63, "c1", "a2"),
        )

    def test_stays_when_nobody_else_staffs(self) -> None:
        """A6: with no other agent staffing the scope, the conversation stays."""
        desk = make_desk(make_settings(service=REASSIGN), status(0, "a1"), ask(1, "c1"))
        desk.handle(status(3, "a1", "offline"))
        same(desk.handle(tick(63)), [])
        view = desk.agent_view("a1")
        assert view is not None
        assert view.load == 1
        assert view.serves == ("c1",)

    def test_nothing_left_when_its_users_leave(self) -> None:
        """A6, D1: once the agent gone offline serves nobody (its user ended, another was
        transferred away), no hand-over is pending and the desk restores."""
        desk = make_desk(
            make_settings(service=REASSIGN, queue={"max_concurrent": 2}),
            status(0, "a1"),
            ask(1, "c1"),
            ask(1, "c2"),
            status(2, "a2"),
            status(3, "a1", "offline"),  # hand-over due at 63
        )
        assert desk.next_deadline() == at(63)
        desk.handle(end(4, "c1"))
        assert desk.next_deadline() == at(63)  # c2 is still to be handed over
        desk.handle(transfer(5, "c2", "a1", to_agent="a2"))
        assert desk.next_deadline() is None
        restored = Desk.restore(desk.settings, desk.snapshot())
        same(restored.handle(tick(63)), [])

    def test_switched_on_while_serving(self) -> None:
        """A6 after update_settings: conversations served before reassign_after was set
        are handed over too."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"), status(2, "a2"))
        desk.update_settings(make_settings(service=REASSIGN))
        same(desk.handle(status(3, "a1", "offline")), [])
        same(
            desk.handle(tick(63)),
            handed_over(63, "c1", "a1", "agent_offline"),
            connected(63, "c1", "a2"),
        )

    def test_pending_hand_over_survives_a_restore(self) -> None:
        """A6, D1: a hand-over pending in a snapshot fires after a restore, even under
        settings that no longer set reassign_after (a deadline set keeps its instant)."""
        desk = make_desk(
            make_settings(service=REASSIGN),
            status(0, "a1"),
            ask(1, "c1"),
            status(2, "a2"),
            status(3, "a1", "offline"),
        )
        restored = Desk.restore(make_settings(), desk.snapshot())
        same(
            restored.handle(tick(63)),
            handed_over(63, "c1", "a1", "agent_offline"),
            connected(63, "c1", "a2"),
        )

    def test_at_zero_after_a4(self) -> None:
        """A6: with reassign_after = 0 the hand-over is in the same step, after A4 has
        withdrawn the agent's offers and routed them again."""
        desk = make_desk(
            make_settings(service={**MANUAL, "reassign_after": 0}, queue={"max_concurrent": 2}),
            status(0, "a1"),
            ask(1, "c1"),
            accept(2, "c1", "a1"),
            ask(3, "c2"),  # offered to a1 too
            status(4, "a2"),
        )
        same_in_order(
            desk.handle(status(5, "a1", "offline")),
            withdrawn(5, "c2", "a1", "agent_unavailable"),
            offered(5, "c2", "a2", 35),
            handed_over(5, "c1", "a1", "agent_offline"),
            offered(5, "c1", "a2", 35),
        )

    def test_agents_barred_by_s4_are_left_out(self) -> None:
        """A6: the only other agent declined the conversation: it stays with the agent."""
        desk = make_desk(
            make_settings(service={**MANUAL, **REASSIGN}),
            status(0, "a2"),
            status(1, "a1"),
            ask(2, "c1"),  # offered to a2, idle longer
            decline(3, "c1", "a2"),  # then to a1
            accept(4, "c1", "a1"),
        )
        desk.handle(status(5, "a1", "offline"))
        same(desk.handle(tick(65)), [])

    def test_not_barred_afterwards(self) -> None:
        """A6: unlike a transfer, the agent may get the conversation back later."""
        desk = make_desk(
            make_settings(service={"reassign_after": 0}),
            status(0, "a1", groups=["g"]),
            ask(1, "c1"),
            status(2, "a2", groups=["g"]),
            status(3, "a1", "offline"),  # c1 goes to a2 at once
            status(4, "a1", "online"),
        )
        same(
            desk.handle(transfer(5, "c1", "a2", to_group="g")),
            handed_over(5, "c1", "a2"),
            connected(5, "c1", "a1"),
        )

    def test_in_the_order_of_requests(self) -> None:
        """A6: several conversations are handed over in the order of their requests."""
        desk = make_desk(
            make_settings(service={"reassign_after": 0}, queue={"max_concurrent": 3}),
            status(0, "a1"),
            ask(1, "c2"),
            ask(2, "c1"),
            status(3, "a2"),
        )
        out = desk.handle(status(4, "a1", "offline"))
        assert [a.conversation for a in out if isinstance(a, Release)] == ["c2", "c1"]
