"""Rule tests: closure (C1, C2, C3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

import pytest

from deskcore import (
    AnyEvent,
    Desk,
)
from helpers import (
    MANUAL,
    TIMEOUT,
    WEBHOOK,
    accept,
    agent_says,
    answer,
    answer_failed,
    ask,
    at,
    closed,
    connected,
    decline,
    end,
    enter,
    make_desk,
    make_settings,
    rate,
    rejected,
    same,
    same_in_order,
    say,
    snapshot_without_clock,
    status,
    tick,
    user_says,
)


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
        events: list[AnyEvent] = [status(0, "a1")]
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
    def test_closed_is_checked_before_any_other_reason(self, event: AnyEvent) -> None:
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


REMIND = {"user_timeout": "60s", "reminder": "20s", "reminder_message": "M $Minutes"}


class TestRuleC4:
    """C4: the reminder before the user timeout."""

    def served(self, **closure: str) -> Desk:
        """a1 serves c1 from second 1."""
        return make_desk(
            make_settings(closure={**REMIND, **closure}), status(0, "a1"), ask(1, "c1")
        )

    def test_sent_before_the_timeout(self) -> None:
        """C4: 20 s before the timeout, with the whole minutes left rounded up."""
        desk = self.served()
        same(desk.handle(agent_says(5, "c1")), [])
        same(desk.handle(tick(44)), [])
        same(desk.handle(tick(45)), say(45, "c1", "timeout_reminder", "M 1"))
        same(
            desk.handle(tick(65)),
            say(65, "c1", "timeout_closure", "TO"),
            closed(65, "c1", "user_timeout"),
        )

    def test_minutes_rounded_up(self) -> None:
        """C4: 150 s left is 3 minutes."""
        desk = self.served(user_timeout="10m", reminder="150s")
        desk.handle(agent_says(5, "c1"))
        same(desk.handle(tick(455)), say(455, "c1", "timeout_reminder", "M 3"))

    def test_restarted_with_the_user_timeout(self) -> None:
        """C4: a later agent message moves the reminder with the timeout."""
        desk = self.served()
        desk.handle(agent_says(5, "c1"))
        desk.handle(agent_says(30, "c1"))
        same(desk.handle(tick(69)), [])
        same(desk.handle(tick(70)), say(70, "c1", "timeout_reminder", "M 1"))

    def test_stopped_by_a_reply(self) -> None:
        """C4: the user's reply stops the reminder with the timeout."""
        desk = self.served()
        desk.handle(agent_says(5, "c1"))
        desk.handle(user_says(10, "c1"))
        same(desk.handle(tick(100)), [])

    def test_off_when_empty(self) -> None:
        """C4, P2: an empty reminder text sends nothing; the timeout still closes."""
        desk = self.served(reminder_message="")
        desk.handle(agent_says(5, "c1"))
        same(desk.handle(tick(45)), [])
        assert [a.type for a in desk.handle(tick(65))] == ["send_prompt", "close"]

    def test_ending_stops_it(self) -> None:
        """C4: a conversation ended before its reminder gets none."""
        desk = self.served()
        desk.handle(agent_says(5, "c1"))
        desk.handle(end(10, "c1"))
        same(desk.handle(tick(100)), [])
