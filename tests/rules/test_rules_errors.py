"""Rule tests: bad input and refusals (E1, E2), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from typing import Any

import pytest

from deskcore import (
    AnyEvent,
    Desk,
    Event,
    EventError,
    Rejected,
    event_from_json,
)
from helpers import (
    HOUR,
    MANUAL,
    accept,
    agent_says,
    ask,
    at,
    connected,
    invite,
    make_desk,
    make_settings,
    offered,
    rate,
    refused,
    same,
    say,
    snapshot_without_clock,
    status,
    tick,
    user_says,
    withdrawn,
)


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
        refused(desk, Event(at=at(50)))  # type: ignore[arg-type]

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
        races: list[tuple[AnyEvent, str]] = [
            (accept(60, "c1", "a1"), "no_open_offer"),
            (ask(61, "c1"), "already_routed"),
            (rate(52 + HOUR, "c2", 3), "expired"),
        ]
        for event, reason in races:
            before = snapshot_without_clock(desk)
            out = desk.handle(event)
            assert len(out) == 1
            assert isinstance(out[0], Rejected)
            assert out[0].reason == reason
            assert snapshot_without_clock(desk) == before
