"""What a desk shows of itself: views, queues, explanations, and unknown ids."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from deskcore import (
    AgentRequested,
    AgentStatusChanged,
    ConversationState,
    Desk,
    Explanation,
    QueueView,
    Scope,
)
from helpers import (
    HOUR,
    accept,
    answer,
    ask,
    at,
    end,
    enter,
    make_desk,
    make_settings,
    status,
    tick,
    transfer,
)

S = ConversationState
MANUAL = {"mode": "manual", "accept_timeout": "60s"}


class TestUnknownIds:
    """Every question about an id the desk does not know answers ``None``."""

    @pytest.mark.parametrize(
        "ask_desk",
        [
            Desk.conversation_state,
            Desk.queue_position,
            Desk.conversation_view,
            Desk.explain,
            Desk.decide,
            Desk.agent_view,
        ],
        ids=lambda f: f.__name__,
    )
    def test_never_seen(self, ask_desk: object) -> None:
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"))
        assert ask_desk(desk, "nobody") is None  # type: ignore[operator]

    def test_forgotten_is_unknown(self) -> None:
        """D3: after its retention a closed conversation has no view."""
        desk = make_desk(make_settings(closure={"retention": "1m"}), status(0, "a1"), ask(1, "c1"))
        desk.handle(end(2, "c1"))
        closed = desk.conversation_view("c1")
        assert closed is not None
        assert closed.state is S.CLOSED
        assert closed.closed_at == at(2)
        assert closed.agent == "a1"
        desk.handle(tick(2 + 61))
        for answer_ in (
            desk.conversation_view("c1"),
            desk.explain("c1"),
            desk.conversation_state("c1"),
            desk.decide("c1"),
        ):
            assert answer_ is None
        assert list(desk.conversations()) == []


class TestNow:
    def test_before_and_after_events(self) -> None:
        """``now`` is None before the first event, then the last event's instant, even
        when a deadline fired earlier in the step."""
        desk = Desk(make_settings(service=MANUAL))
        assert desk.now is None
        desk.handle(status(0, "a1"))
        desk.handle(ask(5, "c1"))
        assert desk.now == at(5)
        desk.handle(tick(100))  # the offer expired at 65
        assert desk.now == at(100)


class TestConversationView:
    def test_through_its_states(self) -> None:
        """One conversation seen new, waiting, offered, served and closed."""
        desk = make_desk(
            make_settings(service=MANUAL, queue={"max_concurrent": 1}),
            status(0, "a1", groups=["sales"]),
            ask(1, "c0"),
            enter(2, "c1", user="u1", language="ko"),
        )
        view = desk.conversation_view("c1")
        assert view is not None
        assert (view.state, view.user, view.language, view.requested_at) == (
            S.NEW,
            "u1",
            "ko",
            None,
        )
        desk.handle(AgentRequested(at=at(10), conversation="c1", priority=3))
        view = desk.conversation_view("c1")
        assert view is not None
        assert view.state is S.WAITING
        assert (view.position, view.priority, view.scope) == (1, 3, Scope())
        assert view.requested_at == at(10)
        assert view.agent is None
        desk.handle(tick(30))
        view = desk.conversation_view("c1")
        assert view is not None
        assert view.waited == timedelta(seconds=20)
        desk.handle(tick(61))  # c0's offer times out: a1 is offered c1 (Q1: first in line)
        view = desk.conversation_view("c1")
        assert view is not None
        assert (view.state, view.agent, view.offer_expires_at) == (S.OFFERED, "a1", at(121))
        assert view.waited == timedelta(seconds=51)
        desk.handle(accept(70, "c1", "a1"))
        view = desk.conversation_view("c1")
        assert view is not None
        assert (view.state, view.agent, view.waited, view.offer_expires_at) == (
            S.SERVED,
            "a1",
            None,
            None,
        )
        assert view.requested_at == at(10)
        assert view.to_json() == {
            "id": "c1",
            "state": "served",
            "agent": "a1",
            "scope": {},
            "user": "u1",
            "language": "ko",
            "priority": 3,
            "requested_at": "2026-03-02T09:00:10Z",
            "declined": [],
            "missed": [],
        }

    def test_webhook_wait_counts(self) -> None:
        """Waiting for the routing service counts as waiting; the answer sets the scope."""
        desk = make_desk(
            make_settings(assignment={"strategy": "webhook", "webhook_timeout": "10s"}),
            status(0, "a1", groups=["vip"], capacity=0),
            status(0, "a2", groups=["vip"]),
            ask(1, "c1"),
            tick(4),
        )
        view = desk.conversation_view("c1")
        assert view is not None
        assert (view.state, view.waited, view.scope) == (
            S.AWAITING_ANSWER,
            timedelta(seconds=3),
            None,
        )
        desk.handle(answer(5, "c1", group="vip"))
        view = desk.conversation_view("c1")
        assert view is not None
        assert (view.state, view.agent, view.scope) == (S.SERVED, "a2", Scope(group="vip"))

    def test_conversations_filter_and_order(self) -> None:
        desk = make_desk(
            make_settings(queue={"max_concurrent": 1}),
            status(0, "a1"),
            ask(1, "c2"),
            ask(2, "c1"),
            enter(3, "c3"),
        )
        assert [v.id for v in desk.conversations()] == ["c1", "c2", "c3"]
        assert [v.id for v in desk.conversations(S.WAITING)] == ["c1"]
        assert [v.id for v in desk.conversations(S.SERVED)] == ["c2"]


class TestAgentView:
    def test_name_serves_and_offers(self) -> None:
        desk = make_desk(
            make_settings(service=MANUAL, queue={"max_concurrent": 3}),
            AgentStatusChanged(at=at(0), agent="a1", status="online", name="Mina"),
            ask(1, "c2"),
            ask(2, "c1"),
            accept(3, "c2", "a1"),
        )
        view = desk.agent_view("a1")
        assert view is not None
        assert (view.name, view.serves, view.offers, view.load) == ("Mina", ("c2",), ("c1",), 2)
        assert [v.to_json() for v in desk.agents()] == [view.to_json()]
        data = view.to_json()
        assert data["serves"] == ["c2"]
        assert data["offers"] == ["c1"]
        assert data["status"] == "online"
        json.dumps(data)


class TestQueues:
    def test_scopes_in_order_and_users_next_first(self) -> None:
        """Everyone's queue first, then groups by name, then agent lists; within each,
        priority first, then request order (Q1)."""
        desk = make_desk(
            make_settings(assignment={"strategy": "webhook", "webhook_timeout": "10s"}),
            status(0, "a1", "break", groups=["b", "a"]),
            status(0, "a2", "break", groups=["b"]),
            status(0, "a3", "break"),
            *(ask(1, f"c{n}") for n in range(6)),
            answer(2, "c0", group="b"),
            answer(2, "c1", agents=["a2", "a1"]),
            answer(2, "c2", group="a"),
            answer(2, "c3", group="b"),
        )
        desk.handle(AgentRequested(at=at(3), conversation="c9", priority=1))
        assert desk.queues() == [
            QueueView(scope=Scope(group="a"), length=1, conversations=("c2",)),
            QueueView(scope=Scope(group="b"), length=2, conversations=("c0", "c3")),
            QueueView(scope=Scope(agents=frozenset({"a1", "a2"})), length=1, conversations=("c1",)),
        ]
        desk.handle(tick(3 + 10))  # c4, c5 and c9: no answer in time, routed as automatic
        queues = desk.queues()
        assert queues[0] == QueueView(scope=Scope(), length=3, conversations=("c9", "c4", "c5"))
        assert queues[3].to_json() == {
            "scope": {"agents": ["a1", "a2"]},
            "length": 1,
            "conversations": ["c1"],
        }


class TestExplain:
    def test_offered_says_who_and_why(self) -> None:
        """An offered conversation: who holds the offer and the decision that chose them."""
        desk = Desk(make_settings(service=MANUAL), explain=True)
        desk.handle(status(0, "a1"))
        desk.handle(status(1, "a2"))
        desk.handle(ask(2, "c1"))
        explanation = desk.explain("c1")
        assert isinstance(explanation, Explanation)
        assert (explanation.state, explanation.agent) == (S.OFFERED, "a1")
        assert explanation.chosen is not None
        assert explanation.chosen.agent == "a1"
        assert [c.agent for c in explanation.chosen.candidates] == ["a1", "a2"]
        assert explanation.now is None
        assert "offered to a1" in explanation.describe()
        data = explanation.to_json()
        assert data["chosen"]["agent"] == "a1"
        json.dumps(data)

    def test_without_explain_mode_says_so(self) -> None:
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"))
        explanation = desk.explain("c1")
        assert explanation is not None
        assert (explanation.state, explanation.agent, explanation.chosen) == (S.SERVED, "a1", None)
        assert "explain=True" in explanation.describe()

    def test_waiting_tells_why_it_waits(self) -> None:
        desk = make_desk(make_settings(queue={"max_concurrent": 1}), status(0, "a1"), ask(1, "c0"))
        desk.handle(ask(2, "c1"))
        explanation = desk.explain("c1")
        assert explanation is not None
        assert explanation.agent is None
        assert explanation.now is not None
        assert explanation.now.outcome == "wait"
        assert explanation.now.filtered == (("a1", "no_room"),)
        assert "routing now" in explanation.describe()

    def test_a_transfer_is_not_credited_to_an_old_decision(self) -> None:
        """After a hand-over the kept decision of the first agent is not shown as the
        reason the second one serves."""
        desk = Desk(make_settings(), explain=True)
        for event in (status(0, "a1"), status(1, "a2"), ask(2, "c1")):
            desk.handle(event)
        desk.handle(transfer(3, "c1", "a1", to_agent="a2"))
        explanation = desk.explain("c1")
        assert explanation is not None
        assert explanation.agent == "a2"
        assert explanation.chosen is None or explanation.chosen.agent == "a2"

    def test_decide_is_the_hypothetical(self) -> None:
        """``decide`` answers how routing would decide now, whatever the state."""
        desk = make_desk(make_settings(), status(0, "a1"), status(1, "a2"), ask(2, "c1"))
        decision = desk.decide("c1")
        assert decision is not None
        assert decision.agent == "a2"  # a1 is busy now


def test_a_day_of_views_is_json() -> None:
    """Every view of a busy desk serialises with the standard json module."""
    desk = make_desk(
        make_settings(service=MANUAL, closure={"user_timeout": "5m"}),
        status(0, "a1"),
        *(ask(n, f"c{n}") for n in range(1, 8)),
        tick(HOUR),
    )
    blob = {
        "agents": [v.to_json() for v in desk.agents()],
        "conversations": [v.to_json() for v in desk.conversations()],
        "queues": [q.to_json() for q in desk.queues()],
        "explain": [e.to_json() for c in ("c1", "c7") if (e := desk.explain(c))],
    }
    assert json.loads(json.dumps(blob)) == blob
