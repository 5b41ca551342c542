"""The kit's strategies: valid, and busy often enough to find what matters."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deskcore import (
    AnyEvent,
    ConversationState,
    Desk,
    DeskSettings,
    ServiceMode,
    WithdrawOffer,
    WithdrawReason,
    dump_settings,
    load_settings,
)
from deskcore.testing import check_invariants
from deskcore.testing import strategies as kit

SAMPLES = 200


def _busy(desk_settings: DeskSettings, events: list[AnyEvent]) -> tuple[bool, bool]:
    """Whether a run had somebody waiting, and an offer that timed out; checks the
    invariants after every event on the way."""
    desk = Desk(desk_settings)
    waited = timed_out = False
    for item in events:
        out = desk.handle(item)
        check_invariants(desk)
        waited = waited or any(True for _ in desk.conversations(ConversationState.WAITING))
        timed_out = timed_out or any(
            isinstance(a, WithdrawOffer) and a.reason is WithdrawReason.TIMEOUT for a in out
        )
    return waited, timed_out


@given(kit.documents())
def test_documents_load_and_dump_back(document: dict[str, Any]) -> None:
    loaded = load_settings(document)
    assert load_settings(dump_settings(loaded)) == loaded


@given(kit.settings(service={"mode": "manual"}, queue={"max_concurrent": 1}))
def test_fixed_parts_are_kept(desk_settings: DeskSettings) -> None:
    assert desk_settings.service.mode is ServiceMode.MANUAL
    assert desk_settings.queue.max_concurrent == 1


@settings(max_examples=SAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_streams_are_valid_and_busy(data: st.DataObject) -> None:
    """Every drawn stream is valid for its settings; the statistics (``pytest
    --hypothesis-show-statistics``) show how often streams reach busy states."""
    desk_settings = data.draw(kit.settings())
    waited, timed_out = _busy(desk_settings, data.draw(kit.event_streams(desk_settings)))
    event("somebody waits" if waited else "nobody waits")
    event("an offer times out" if timed_out else "no offer times out")


def test_reach_into_busy_states() -> None:
    """Of 200 streams (a fixed seed), at least half queue a user and a third see an offer
    time out: measured here, and printed."""
    seen: list[tuple[bool, bool]] = []

    @settings(max_examples=SAMPLES, derandomize=True, database=None, deadline=None)
    @given(st.data())
    def sample(data: st.DataObject) -> None:
        desk_settings = data.draw(kit.settings())
        seen.append(_busy(desk_settings, data.draw(kit.event_streams(desk_settings))))

    sample()
    waited = sum(w for w, _ in seen) / len(seen)
    timed_out = sum(t for _, t in seen) / len(seen)
    print(f"{len(seen)} streams: {waited:.0%} queue a user, {timed_out:.0%} time an offer out")
    assert waited >= 0.5
    assert timed_out >= 1 / 3


def test_reach_with_one_fixed_manual_desk() -> None:
    """With settings a user fixes (manual service, the rest defaults), streams still
    queue users in half of them and time offers out in a third."""
    manual = load_settings({"service": {"mode": "manual"}})
    seen: list[tuple[bool, bool]] = []

    @settings(max_examples=SAMPLES, derandomize=True, database=None, deadline=None)
    @given(kit.event_streams(manual))
    def sample(events: list[AnyEvent]) -> None:
        seen.append(_busy(manual, events))

    sample()
    waited = sum(w for w, _ in seen) / len(seen)
    timed_out = sum(t for _, t in seen) / len(seen)
    print(f"manual desk: {waited:.0%} queue a user, {timed_out:.0%} time an offer out")
    assert waited >= 0.5
    assert timed_out >= 1 / 3


@given(kit.event_streams(DeskSettings(), agents=1, max_events=10))
def test_a_small_stream(events: list[AnyEvent]) -> None:
    assert 1 <= len(events) <= 10


@settings(max_examples=1)
@given(st.data())
def test_stream_arguments_are_checked(data: st.DataObject) -> None:
    with pytest.raises(ValueError, match="event_streams: max_events must be"):
        data.draw(kit.event_streams(DeskSettings(), max_events=4))
    with pytest.raises(ValueError, match="event_streams: agents must be"):
        data.draw(kit.event_streams(DeskSettings(), agents=0))


@settings(max_examples=60)
@given(
    kit.settings(assignment={"strategy": "user_choice"}),
    kit.settings(closure={"user_timeout": 60}),
    kit.settings(closure={"user_timeout": None}),
)
def test_fixed_parts_that_others_depend_on(
    choice: DeskSettings, short: DeskSettings, none: DeskSettings
) -> None:
    """What is drawn follows what is fixed: groups for a fixed user_choice, no reminder
    drawn for another user timeout than the fixed one."""
    assert choice.assignment.groups
    assert short.closure.user_timeout is not None and short.closure.reminder is None
    assert none.closure.user_timeout is None
