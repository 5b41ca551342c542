"""Rule tests: routing (R1, R2, R3, R4, R5, R6), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deskcore import (
    AnyEvent,
    Assign,
    Desk,
    assign,
)
from helpers import (
    GROUPS,
    MANUAL,
    WEBHOOK,
    accept,
    answer,
    answer_failed,
    ask,
    at,
    connected,
    end,
    enter,
    failed,
    make_desk,
    make_settings,
    offered,
    queued,
    refused,
    rejected,
    requested,
    routing_failed,
    same,
    same_in_order,
    say,
    status,
    tick,
    withdrawn,
)


class TestRuleR1:
    """R1: a routed conversation is not routed again; a closed one never again."""

    @pytest.mark.parametrize("state", ["awaiting_answer", "waiting", "offered", "served"])
    def test_second_request_is_rejected(self, state: str) -> None:
        """R1, E2: a request for a conversation already routed is rejected ``already_routed``."""
        events: list[AnyEvent] = [status(0, "a1"), ask(5, "c0")]
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
            requested(10, "c1", 20, group="ignored"),
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
    def test_fallback_fail_ends_routing(self, event: AnyEvent) -> None:
        """R3, F1: with fallback ``fail`` a useless, failed or missing answer fails routing."""
        desk = self._webhook_desk(webhook_fallback="fail")
        moment = 11 if event.type != "tick" else 20
        same(desk.handle(event), failed(moment, "c1", "webhook_failed"))
        assert desk.conversation_state("c1") == "new"

    @pytest.mark.parametrize("late", [answer(26, "c1", group="vip"), answer_failed(26, "c1")])
    def test_late_answer_is_rejected(self, late: AnyEvent) -> None:
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


class TestRuleR5Preferred:
    """R5: the request's preferred agent comes first when it may serve."""

    def three(self, **sections: dict[str, Any]) -> Desk:
        """a1, a2, a3 online (a1 idle longest)."""
        return make_desk(
            make_settings(**sections), status(0, "a1"), status(1, "a2"), status(2, "a3")
        )

    def test_chosen_first(self) -> None:
        """R5: a2 preferred gets it though a1 has been idle longer."""
        same(
            self.three().handle(ask(3, "c1", preferred="a2")),
            say(3, "c1", "connecting", "C"),
            connected(3, "c1", "a2"),
        )

    def test_unknown_is_ignored(self) -> None:
        """R5: an unknown preferred agent is no error and no preference."""
        out = self.three().handle(ask(3, "c1", preferred="zz"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a1"]

    def test_on_break(self) -> None:
        """R5: a preferred agent on break does not get it; the R5 order decides."""
        desk = self.three()
        desk.handle(status(3, "a2", "break"))
        out = desk.handle(ask(4, "c1", preferred="a2"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a1"]

    def test_without_room(self) -> None:
        """R5: a full preferred agent does not get it (capacity 1 in the base settings)."""
        desk = self.three()
        desk.handle(ask(3, "c0", preferred="a2"))
        out = desk.handle(ask(4, "c1", preferred="a2"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a1"]

    def test_outside_the_scope(self) -> None:
        """R5: a preferred agent outside the chosen group does not get it."""
        desk = make_desk(
            make_settings(assignment=GROUPS),
            status(0, "a1", groups=["sales"]),
            status(1, "a2", groups=["support"]),
        )
        out = desk.handle(ask(2, "c1", "sales", preferred="a2"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a1"]

    def test_lasts_through_re_routes(self) -> None:
        """R5: the preference holds when the request is routed again after an offer."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(0, "a2"),
            ask(1, "c0", preferred="a2"),  # a2 is busy with c0
            ask(2, "c1", preferred="a2"),  # so c1 is offered to a1
            end(5, "c0"),  # a2 is free again
        )
        same(
            desk.handle(tick(32)),
            withdrawn(32, "c1", "a1", "timeout"),
            offered(32, "c1", "a2", 62),
        )

    def test_not_after_a_missed_offer(self) -> None:
        """R5, S3: a preferred agent that let the offer time out is not preferred again."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(1, "a2"),
            ask(2, "c1", preferred="a2"),
        )
        same(
            desk.handle(tick(32)),
            withdrawn(32, "c1", "a2", "timeout"),
            offered(32, "c1", "a1", 62),
        )

    def test_when_agents_gain_room_together(self) -> None:
        """R5, A5: when new settings give several agents room at once, a waiting user
        with a preferred agent goes to it, not to the agent that drains first."""
        desk = make_desk(
            make_settings(), status(0, "a1"), status(0, "a2"), ask(1, "c0"), ask(2, "c1")
        )
        desk.handle(ask(3, "c2", preferred="a2"))  # both are full: c2 waits
        desk.update_settings(make_settings(queue={"max_concurrent": 2}))
        out = desk.handle(tick(4))
        assert [(a.conversation, a.agent) for a in out if isinstance(a, Assign)] == [("c2", "a2")]

    def test_assign_policy_agrees(self) -> None:
        """R5: the pure assign() puts the preferred agent first, marked as such."""
        desk = self.three(service=MANUAL)
        decision = assign(desk.agents(), preferred="a3")
        assert decision.agent == "a3"
        assert decision.candidates[0].preferred
        assert "preferred" in decision.describe()


class TestRuleR3Request:
    """R3: request_assignment carries the request's user and group."""

    def test_user_and_group(self) -> None:
        """R3: both given, both carried."""
        desk = make_desk(make_settings(assignment=WEBHOOK))
        same(
            desk.handle(ask(1, "c1", "vip", user="u1")),
            say(1, "c1", "connecting", "C"),
            requested(1, "c1", 11, user="u1", group="vip"),
        )

    def test_without(self) -> None:
        """R3: neither given, neither carried."""
        desk = make_desk(make_settings(assignment=WEBHOOK))
        same(
            desk.handle(ask(1, "c1")),
            say(1, "c1", "connecting", "C"),
            requested(1, "c1", 11),
        )
