"""check_invariants: quiet on a desk that keeps its rules, precise on one that does not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from deskcore import AgentState, AgentView, ConversationState, ConversationView, QueueView, Scope
from deskcore.testing import DeskDriver, InvariantError, check_invariants

S = ConversationState
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


class FakeDesk:
    """Views made up by the test, to break one invariant at a time."""

    def __init__(
        self, agents: list[AgentView], convs: list[ConversationView], queues: list[QueueView]
    ) -> None:
        self._agents, self._convs, self._queues = agents, convs, queues

    def agents(self) -> Iterator[AgentView]:
        return iter(self._agents)

    def conversations(self) -> Iterator[ConversationView]:
        return iter(self._convs)

    def queues(self) -> list[QueueView]:
        return self._queues


def agent(name: str = "a1", **fields: Any) -> AgentView:
    base: dict[str, Any] = {"id": name, "status": AgentState.ONLINE, "capacity": 1}
    return AgentView(**(base | fields))


def conv(name: str = "c1", **fields: Any) -> ConversationView:
    base: dict[str, Any] = {"id": name, "state": S.NEW, "scope": Scope(), "requested_at": AT}
    return ConversationView(**(base | fields))


def problems(desk: FakeDesk) -> list[str]:
    with pytest.raises(InvariantError) as failure:
        check_invariants(desk)  # type: ignore[arg-type]
    assert "the desk breaks its invariants" in str(failure.value)
    return list(failure.value.problems)


def test_a_busy_desk_keeps_them() -> None:
    """A driver checks after every step: a busy manual desk goes through quietly."""
    driver = DeskDriver({"service": {"mode": "manual"}, "queue": {"max_concurrent": 1}})
    driver.online("a1", "a2")
    for n in range(6):
        driver.request(f"c{n}")
    driver.accept("c0")
    driver.advance(60)
    driver.end("c0")
    check_invariants(driver.desk)


def test_load_must_add_up() -> None:
    found = problems(
        FakeDesk([agent(load=2, serves=("c1",))], [conv(state=S.SERVED, agent="a1")], [])
    )
    assert found == ["agent a1: load 2 but serves 1 and holds 0 offers"]


def test_offers_only_online() -> None:
    found = problems(
        FakeDesk(
            [agent(status=AgentState.BREAK, load=1, offers=("c1",))],
            [conv(state=S.OFFERED, agent="a1")],
            [],
        )
    )
    assert found == ["agent a1 is break and holds offers ('c1',)"]


def test_one_state_each() -> None:
    found = problems(
        FakeDesk(
            [agent(load=1, serves=("c1",), capacity=2)],
            [conv(state=S.WAITING, position=1)],
            [QueueView(scope=Scope(), length=1, conversations=("c1",))],
        )
    )
    assert "agent a1 serves c1, which is waiting" in found
    assert "c1 is waiting and 1 agents have it" in found


def test_queue_positions_and_order() -> None:
    late = conv("c1", state=S.WAITING, position=1, requested_at=AT.replace(minute=5))
    early = conv("c2", state=S.WAITING, position=3)
    found = problems(
        FakeDesk(
            [agent(status=AgentState.BREAK)],
            [late, early],
            [QueueView(scope=Scope(), length=2, conversations=("c1", "c2"))],
        )
    )
    assert found == [
        "queue of all agents: positions [1, 3]",
        "queue of all agents is not in Q1 order: ('c1', 'c2')",
    ]


def test_nobody_waits_needlessly_and_only_where_staffed() -> None:
    waiting = conv(state=S.WAITING, position=1)
    queue = QueueView(scope=Scope(), length=1, conversations=("c1",))
    assert problems(FakeDesk([agent()], [waiting], [queue])) == ["c1 waits while a1 has room (A5)"]
    declined = attrs.evolve(waiting, declined=frozenset({"a1"}))
    check_invariants(FakeDesk([agent()], [declined], [queue]))  # type: ignore[arg-type]
    alone = FakeDesk([agent(status=AgentState.OFFLINE)], [waiting], [queue])
    assert problems(alone) == ["c1 waits in all agents, which nobody staffs (Q5)"]


def test_capacity_of_what_a_step_gives() -> None:
    """The driver refuses a step that gives an agent more than its capacity; lowering a
    capacity below the load is not such a step."""
    driver = DeskDriver({"queue": {"max_concurrent": 2}})
    driver.online("a1")
    driver.request("c1")
    driver.request("c2")
    driver.status("a1", "online", capacity=1)  # keeps both (A2)
    driver.end("c1")
    assert driver.agent("a1").load == 1
