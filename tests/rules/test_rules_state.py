"""Rule tests: state (D1, D2, D3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from deskcore import (
    AnyEvent,
    Desk,
)
from helpers import (
    HOUR,
    accept,
    agent_says,
    as_json,
    ask,
    closed,
    connected,
    decline,
    end,
    enter,
    invite,
    make_desk,
    make_settings,
    rate,
    recorded,
    refused,
    rejected,
    same,
    say,
    status,
    tick,
    user_says,
)

D1_SETTINGS: dict[str, Any] = {
    "service": {"mode": "manual", "accept_timeout": "30s"},
    "queue": {"max_wait": "5m", "update_interval": "20s"},
    "closure": {"user_timeout": "2m", "retention": "10m"},
    "ratings": {"send_on_end": True, "validity": "3m"},
}

D1_EVENTS: list[AnyEvent] = [
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
