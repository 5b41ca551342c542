"""What holds of every desk after every event, checked from its views alone."""

from __future__ import annotations

import itertools
from collections import Counter

from .._desk import Desk
from .._events import AgentState
from .._policy import AgentView, ConversationState, ConversationView
from .._time import EPOCH

__all__ = ["InvariantError", "check_invariants"]

S = ConversationState


class InvariantError(AssertionError):
    """A desk broke an invariant; ``problems`` lists each, a line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "the desk breaks its invariants:\n" + "\n".join(f"  {p}" for p in problems)
        )


def _in_scope(conv: ConversationView, agent: AgentView) -> bool:
    return conv.scope is not None and conv.scope.contains(agent.id, agent.groups)


def _staffs(agent: AgentView) -> bool:
    return agent.status is not AgentState.OFFLINE and agent.capacity >= 1  # A2


def check_invariants(desk: Desk) -> None:
    """Raise :class:`InvariantError` naming every invariant ``desk`` breaks:

    - every conversation is in exactly one state, and what its view says agrees with the
      agents' and the queues': a served one is in its agent's ``serves``, an offered one
      in its agent's ``offers``, a waiting one in exactly one queue, nobody else's;
    - an agent's load is the conversations it serves plus the offers it holds, and only
      an ``online`` agent holds offers (A2, A4);
    - each queue's positions are 1…n, in Q1's order (priority first, then the instant
      of the request);
    - nobody waits while an online agent with room who may serve them (in the scope, and
      not one that declined them) exists (A5, R6);
    - nobody waits in a scope that no agent staffs (R4, Q5).

    Views cost time in proportion to the desk, so this is for tests, not production.
    """
    problems: list[str] = []
    agents = {view.id: view for view in desk.agents()}
    convs = {view.id: view for view in desk.conversations()}
    queues = desk.queues()
    held: Counter[str] = Counter()
    for agent in agents.values():
        if agent.load != len(agent.serves) + len(agent.offers):
            problems.append(
                f"agent {agent.id}: load {agent.load} but serves {len(agent.serves)} "
                f"and holds {len(agent.offers)} offers"
            )
        if agent.offers and agent.status is not AgentState.ONLINE:
            problems.append(f"agent {agent.id} is {agent.status} and holds offers {agent.offers}")
        for conv_id in agent.serves:
            held[conv_id] += 1
            state = convs[conv_id].state if conv_id in convs else None
            if state is not S.SERVED or convs[conv_id].agent != agent.id:
                problems.append(f"agent {agent.id} serves {conv_id}, which is {state}")
        for conv_id in agent.offers:
            held[conv_id] += 1
            state = convs[conv_id].state if conv_id in convs else None
            if state is not S.OFFERED or convs[conv_id].agent != agent.id:
                problems.append(f"agent {agent.id} holds an offer of {conv_id}, which is {state}")
    listed: Counter[str] = Counter(conv_id for queue in queues for conv_id in queue.conversations)
    for conv in convs.values():
        with_agent = conv.state in (S.SERVED, S.OFFERED)
        if held[conv.id] != (1 if with_agent else 0):
            problems.append(f"{conv.id} is {conv.state} and {held[conv.id]} agents have it")
        if listed[conv.id] != (1 if conv.state is S.WAITING else 0):
            problems.append(f"{conv.id} is {conv.state} and in {listed[conv.id]} queues")
    for queue in queues:
        entries = [convs[c] for c in queue.conversations if c in convs]
        positions = [conv.position for conv in entries]
        if positions != list(range(1, len(entries) + 1)) or queue.length != len(entries):
            problems.append(f"queue of {queue.scope}: positions {positions}")
        keys = [(-conv.priority, conv.requested_at or EPOCH) for conv in entries]
        if any(a > b for a, b in itertools.pairwise(keys)):
            problems.append(f"queue of {queue.scope} is not in Q1 order: {queue.conversations}")
        for conv in entries:
            for agent in agents.values():
                if not _in_scope(conv, agent):
                    continue
                if (
                    agent.status is AgentState.ONLINE
                    and agent.load < agent.capacity
                    and agent.id not in conv.declined
                ):
                    problems.append(f"{conv.id} waits while {agent.id} has room (A5)")
            if not any(_in_scope(conv, agent) and _staffs(agent) for agent in agents.values()):
                problems.append(f"{conv.id} waits in {queue.scope}, which nobody staffs (Q5)")
    if problems:
        raise InvariantError(problems)
