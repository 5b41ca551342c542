"""The company desk's policy, proved with deskcore's testing kit.

Run with ``pytest examples/company --desk-scenarios examples/company/scenarios``: the
scenario files run as tests beside these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings

from deskcore import AgentState, AnyEvent, DeskSettings, Offer, SetAgentStatus, load_settings
from deskcore.testing import DeskDriver, assert_actions
from deskcore.testing.strategies import event_streams

DESK = load_settings(Path(__file__).with_name("desk.toml"))


@pytest.fixture
def desk_settings() -> DeskSettings:
    """The plugin's ``desk`` and ``desk_driver`` run with the company's settings."""
    return DESK


def test_a_missed_offer_goes_to_the_colleague(desk_driver: DeskDriver) -> None:
    """Ana lets the offer run out: she goes on break and Ben is offered the user."""
    desk_driver.online("ana", "ben", groups=["support"])
    assert desk_driver.request("c1", "support").one(Offer).agent == "ana"
    step = desk_driver.advance("45s")
    assert_actions(
        step,
        [
            {"type": "withdraw_offer", "agent": "ana", "reason": "timeout"},
            {"type": "set_agent_status", "agent": "ana", "status": "break"},
            {"type": "offer", "agent": "ben"},
        ],
        ordered=True,
    )
    assert step.one(SetAgentStatus).status is AgentState.BREAK
    assert desk_driver.accept("c1").assigned == {"c1": "ben"}


def test_the_queue_holds_three(desk_driver: DeskDriver) -> None:
    """Behind a busy agent three users wait; the fourth is told to try later."""
    desk_driver.online("ana", groups=["sales"], capacity=1)
    desk_driver.request("c1", "sales")
    for conversation in ("c2", "c3", "c4"):
        assert "enqueue" in desk_driver.request(conversation, "sales").types
    refused = desk_driver.request("c5", "sales")
    assert_actions(refused, [{"type": "routing_failed", "reason": "queue_full"}], exact=False)


def test_a_silent_user_is_closed_after_ten_minutes(desk_driver: DeskDriver) -> None:
    """The user timeout closes the chat and the rating card follows (send_on_end)."""
    desk_driver.online("ana", groups=["support"])
    desk_driver.request("c1", "support")
    desk_driver.accept("c1")
    desk_driver.agent_says("c1")
    assert desk_driver.advance("9m59s") == []
    assert desk_driver.advance("1s").types == ["send_prompt", "close", "rating_card"]


def test_christmas_eve_is_closed() -> None:
    """On the holiday the user is told when the desk opens again, in Berlin time."""
    driver = DeskDriver(DESK, start=datetime(2026, 12, 24, 10, tzinfo=UTC))
    driver.online("ana", groups=["sales"])
    step = driver.request("c1", "sales")
    assert step.texts("c1") == ["We are closed. We open again at 2026-12-25 09:00."]


@settings(max_examples=50)
@given(event_streams(DESK))
def test_any_day_keeps_the_rules(events: list[AnyEvent]) -> None:
    """Whatever happens, the desk keeps its invariants after every event (the driver
    checks them, and the capacity of what each step gives)."""
    driver = DeskDriver(DESK)
    for event in events:
        driver.send(event)
