"""Memory stays bounded (D3): once a burst of conversations is forgotten, the desk's memory
is back within 10% of where it was before the burst."""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore import (
    AgentRequested,
    AgentStatusChanged,
    AnyEvent,
    AssignmentAnswered,
    ConversationEnded,
    Desk,
    RatingInvited,
    Tick,
    load_settings,
)
from helpers import (
    T0,
    agent_says,
    ask,
    closed,
    connected,
    end,
    handed_over,
    make_desk,
    make_settings,
    same,
    say,
    status,
    tick,
)

AGENTS = [f"a{n:04d}" for n in range(200)]
STEADY = 200  # conversations served throughout
BURST = 4000
Burst = tuple[str, tuple[str, ...], str]  # a conversation, its agents, a group name


def traced(work: Callable[[], None]) -> int:
    """The bytes still allocated after ``work`` (tracemalloc, after a collection)."""
    work()
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def steady_desk() -> tuple[Desk, list[Burst]]:
    """A webhook desk with every agent online and a few long conversations open; the ids
    of the burst are made beforehand, so that the host's strings are not counted."""
    settings = load_settings(
        {
            "assignment": {"strategy": "webhook", "webhook_timeout": "1m"},
            "queue": {"max_concurrent": 50},
            "closure": {"retention": "1m"},
        }
    )
    desk = Desk(settings)
    for agent in AGENTS:
        desk.handle(AgentStatusChanged(at=T0, agent=agent, status="online"))
    for number in range(STEADY):
        conv = f"s{number}"
        desk.handle(AgentRequested(at=T0, conversation=conv))
        desk.handle(AssignmentAnswered(at=T0, conversation=conv, agents=(AGENTS[number],)))
    rng = random.Random(3)
    ids: list[Burst] = [
        (f"b{n}", tuple(rng.sample(AGENTS, rng.randint(1, 6))), f"group-{n}") for n in range(BURST)
    ]
    return desk, ids


def burst(desk: Desk, ids: list[Burst]) -> None:
    """Webhook answers with random agent lists, an agent cycling through new group names,
    every conversation ended; then time passes beyond their retention."""
    now = T0 + timedelta(seconds=1)
    for conv, agents, group in ids:
        desk.handle(AgentRequested(at=now, conversation=conv))
        desk.handle(AssignmentAnswered(at=now, conversation=conv, agents=agents))
        desk.handle(AgentStatusChanged(at=now, agent="a0000", status="online", groups=(group,)))
        desk.handle(ConversationEnded(at=now, conversation=conv, by="user"))
    desk.handle(AgentStatusChanged(at=now, agent="a0000", status="online", groups=()))
    desk.handle(Tick(at=now + timedelta(minutes=5)))


class TestMemoryAfterABurst:
    """Scope keys, groups, queues and forgotten conversations leave nothing behind."""

    def test_back_within_ten_percent(self) -> None:
        """After the burst is forgotten the desk holds about what it held before."""
        tracemalloc.start()
        try:
            desk, ids = steady_desk()
            before = traced(lambda: None)
            after = traced(lambda: burst(desk, ids))
        finally:
            tracemalloc.stop()
        assert after <= before * 1.10, (before, after)
        assert desk.conversation_state("b0") is None  # forgotten (D3)
        assert desk.conversation_state("s0") is not None


class TestCompaction:
    """The heap compaction after many conversations are forgotten keeps every live
    deadline: a restarted user timeout and an agent's hand-over still fire on time."""

    def test_live_deadlines_survive(self) -> None:
        """Over a thousand conversations forgotten at once, then the kept deadlines."""
        desk = make_desk(
            make_settings(
                queue={"max_concurrent": 5000},
                closure={"user_timeout": "10m", "retention": "1s"},
                service={"reassign_after": "1h"},
            ),
            status(0, "a1"),
            ask(1, "keep"),  # to a1
            status(1, "a2"),
            ask(1, "moved"),  # to a2
            agent_says(1, "keep"),  # user timeout due at 601 ...
            agent_says(2, "keep"),  # ... restarted to 602: the heap still holds 601
            status(2, "a2", "offline"),  # hand-over due at 3602
        )
        for number in range(1100):
            desk.handle(ask(3, f"gone{number}"))
            desk.handle(end(3, f"gone{number}"))
        same(desk.handle(tick(10)), [])  # 1,100 forgotten: the heap is compacted
        assert desk.conversation_state("gone0") is None
        same(desk.handle(tick(601)), [])
        same(
            desk.handle(tick(602)),
            say(602, "keep", "timeout_closure", "TO"),
            closed(602, "keep", "user_timeout"),
        )
        same(desk.handle(tick(3601)), [])
        same(
            desk.handle(tick(3602)),
            handed_over(3602, "moved", "a2", "agent_offline"),
            connected(3602, "moved", "a1"),
        )


class TestRetentionEntries:
    def test_one_retention_entry_per_closed_conversation(self) -> None:
        """D3: a conversation closed with a rating card sets when it is forgotten once,
        after the card's expiry; the retention heap holds one entry per conversation."""
        from deskcore._engine import Engine

        settings = load_settings({"ratings": {"send_on_end": True}})
        engine = Engine(settings)
        desk = Desk.over(engine)
        desk.handle(AgentStatusChanged(at=T0, agent="a1", status="online"))
        for number in range(5):
            desk.handle(AgentRequested(at=T0, conversation=f"c{number}"))
            desk.handle(ConversationEnded(at=T0, conversation=f"c{number}", by="user"))
        assert engine.deadlines.retained() == 5
        card = settings.ratings.validity + settings.closure.retention
        desk.handle(Tick(at=T0 + card - timedelta(seconds=1)))
        assert engine.deadlines.retained() == 5  # not forgotten before the card expired
        desk.handle(Tick(at=T0 + card))
        assert not engine.deadlines.retained() and desk.conversation_view("c0") is None


# One conversation: when it asks after the previous one (s), when it is invited to rate
# after its request (s, or none) and when it ends after its request (s).
Life = tuple[int, int | None, int]
LIVES = st.lists(
    st.tuples(st.integers(0, 300), st.none() | st.integers(0, 1200), st.integers(1, 1200)),
    min_size=1,
    max_size=25,
)


class TestRetentionOrder:
    @settings(max_examples=60, deadline=None)
    @given(lives=LIVES)
    def test_each_conversation_is_forgotten_at_its_own_instant(self, lives: list[Life]) -> None:
        """D3 for any mix of closings: a conversation is remembered until the later of its
        closing and its card's expiry, plus the retention, and forgotten then, whatever
        order those instants come in (a card sent during service outlasts closings that
        come after it). Forgotten means gone from memory, not only from the views."""
        from deskcore._engine import Engine

        engine = Engine(
            load_settings(
                {
                    "queue": {"max_concurrent": 50},
                    "ratings": {"validity": "10m"},
                    "closure": {"retention": "5m"},
                }
            )
        )
        desk = Desk.over(engine)
        retention, validity = timedelta(minutes=5), timedelta(minutes=10)
        events: list[tuple[datetime, int, AnyEvent]] = []
        forget: dict[str, datetime] = {}
        at = T0
        for number, (gap, invited, ends) in enumerate(lives):
            conv = f"c{number}"
            at += timedelta(seconds=gap)
            closing = at + timedelta(seconds=ends)
            events.append((at, len(events), AgentRequested(at=at, conversation=conv)))
            keep = closing
            if invited is not None and invited < ends:  # an invite while served
                inviting = at + timedelta(seconds=invited)
                events.append(
                    (
                        inviting,
                        len(events),
                        RatingInvited(at=inviting, conversation=conv, agent="a1"),
                    )
                )
                keep = max(closing, inviting + validity)
            events.append(
                (closing, len(events), ConversationEnded(at=closing, conversation=conv, by="user"))
            )
            forget[conv] = keep + retention
        desk.handle(AgentStatusChanged(at=T0, agent="a1", status="online"))
        for _at, _order, event in sorted(events, key=lambda item: item[:2]):
            desk.handle(event)
        last = max(at for at, _order, _event in events)
        for instant in sorted({moment for due in forget.values() for moment in (due - US, due)}):
            if instant < last:
                continue
            desk.handle(Tick(at=instant))
            assert {conv for conv in forget if desk.conversation_view(conv) is not None} == set(
                engine.convs
            )
            assert set(engine.convs) == {conv for conv, due in forget.items() if due > instant}


US = timedelta(microseconds=1)
