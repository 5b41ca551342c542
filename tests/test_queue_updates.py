"""Q3 with a positive update_interval: the engine visits only the waiting users a move may
concern (those without a pending prompt deadline). It must act exactly like the direct
reading of the rule, which looks at every user behind the move after every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore import (
    AgentAccepted,
    AgentRequested,
    AgentStatusChanged,
    AgentStatusName,
    AnyAction,
    AnyEvent,
    ConversationEnded,
    Desk,
    DeskSettings,
    EventError,
    Offer,
    Resumed,
    Tick,
    load_settings,
)
from deskcore._engine import Engine

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENTS = ("a1", "a2", "a3")
INTERVALS = ("never", "0s", "5s", "20s", "1m")


def full_scan_desk(settings: DeskSettings) -> Desk:
    """The direct reading of Q3: after every step, every user behind the move is looked
    at, with or without a pending prompt deadline."""
    engine = Engine(settings)
    engine.queues.indexed = False
    engine.queues.rebuild_attention()
    assert engine.queues.attention is None
    return Desk.over(engine)


def desk_settings(interval: str, manual: bool, capacity: int) -> DeskSettings:
    """A desk whose queue prompt has the given update interval."""
    document: dict[str, Any] = {
        "queue": {"update_interval": interval, "max_concurrent": capacity},
        "service": {"mode": "manual" if manual else "automatic", "accept_timeout": "15s"},
    }
    return load_settings(document)


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["ask", "ask", "ask", "end", "end", "accept", "agent", "wait", "set", "resume"]
        ),
        st.integers(0, 11),
        st.integers(0, 40),
    ),
    min_size=5,
    max_size=70,
)


def run(
    desk: Desk,
    ops: list[tuple[str, int, int]],
    manual: bool,
    capacity: int,
    restore_at: int | None = None,
) -> list[Any]:
    """Drive ``desk`` through ``ops``; return what it did, event by event. With
    ``restore_at``, the desk is replaced before that op by one restored from its
    snapshot (D1), when no settings update is pending."""
    now = START
    log: list[Any] = []
    offers: dict[str, str] = {}
    asked: list[str] = []  # every conversation asked for, open or not
    for index, (op, number, amount) in enumerate(ops):
        if index == restore_at and desk.pending_settings is None:
            desk = Desk.restore(desk.settings, desk.snapshot())
        since = now
        now += timedelta(seconds=1)
        event: AnyEvent
        if op == "ask":
            asked.append(f"c{len(asked)}")
            event = AgentRequested(at=now, conversation=asked[-1])
        elif op == "end" and asked:
            # Mostly the oldest ones, which are the ones served: the queue moves up.
            conversation = asked[min(number, amount) % len(asked)]
            event = ConversationEnded(at=now, conversation=conversation, by="user")
        elif op == "accept" and offers:
            conversation = sorted(offers)[number % len(offers)]
            event = AgentAccepted(at=now, conversation=conversation, agent=offers[conversation])
        elif op == "agent":
            statuses: tuple[AgentStatusName, ...] = ("online", "online", "break", "offline")
            status = statuses[amount % 4]
            event = AgentStatusChanged(at=now, agent=AGENTS[number % 3], status=status)
        elif op == "set":
            desk.update_settings(desk_settings(INTERVALS[number % 5], manual, capacity))
            event = Tick(at=now)
        elif op == "resume":  # T4: down since the last event, for up to 20 minutes
            now += timedelta(seconds=30 * amount)
            event = Resumed(at=now, since=since)
        else:
            now += timedelta(seconds=amount)
            event = Tick(at=now)
        try:
            actions: list[AnyAction] = desk.handle(event)
        except EventError as error:
            log.append(("error", str(error)))
            continue
        for action in actions:
            if isinstance(action, Offer):
                offers[action.conversation] = action.agent
        log.append((actions, desk.next_deadline()))
    log.append(desk.snapshot())
    return log


class TestAttention:
    """The indexed Q3 against the full scan."""

    @settings(max_examples=300)
    @given(
        ops=OPS,
        interval=st.sampled_from(INTERVALS),
        manual=st.booleans(),
        capacity=st.integers(1, 2),
        restore_at=st.integers(0, 70),
    )
    def test_same_actions_as_a_full_scan(
        self,
        ops: list[tuple[str, int, int]],
        interval: str,
        manual: bool,
        capacity: int,
        restore_at: int,
    ) -> None:
        """Same actions, deadlines and final state as the full scan, for any sequence,
        including interval changes while prompt deadlines are pending and restarts (T4);
        and the same again for a desk restored from its snapshot part of the way (D1)."""
        settings_ = desk_settings(interval, manual, capacity)
        engine = Engine(settings_)
        # A new desk keeps the index from its first event (not only after an update).
        assert (engine.queues.attention is not None) == (interval in ("5s", "20s", "1m"))
        desks = [Desk.over(engine), full_scan_desk(settings_)]
        for desk in desks:
            for agent in AGENTS[:1]:
                desk.handle(AgentStatusChanged(at=START, agent=agent, status="online"))
        restored = Desk(settings_)
        restored.handle(AgentStatusChanged(at=START, agent=AGENTS[0], status="online"))
        expected = run(desks[1], ops, manual, capacity)
        assert run(desks[0], ops, manual, capacity) == expected
        assert run(restored, ops, manual, capacity, restore_at) == expected

    def test_restored_desk_rebuilds_attention(self) -> None:
        """D1: a desk restored with prompt deadlines pending tells users like the original."""
        settings_ = desk_settings("30s", manual=False, capacity=1)
        desk = Desk(settings_)
        desk.handle(AgentStatusChanged(at=START, agent="a1", status="online"))
        for number in range(6):
            desk.handle(AgentRequested(at=START, conversation=f"c{number}"))
        desk.handle(
            ConversationEnded(at=START + timedelta(seconds=10), conversation="c0", by="user")
        )
        desk.handle(
            ConversationEnded(at=START + timedelta(seconds=12), conversation="c1", by="user")
        )
        twin = Desk.restore(settings_, desk.snapshot())
        later = Tick(at=START + timedelta(seconds=45))
        expected = desk.handle(later)
        assert expected  # the pending deadlines tell the new positions
        assert twin.handle(later) == expected
        step = ConversationEnded(at=START + timedelta(seconds=50), conversation="c2", by="user")
        assert twin.handle(step) == desk.handle(step)
