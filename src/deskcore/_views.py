"""What a desk shows of its state: views of agents, conversations and queues, and
explanations of routing, built from the engine's records.

Views are frozen values taken at one instant; they never change with the desk, and
building them changes nothing. An id the desk does not know (never seen, or a
conversation forgotten under D3) has no view: every function here answers ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

from ._engine import Engine
from ._jsonable import json_form
from ._policy import AgentView, ConversationState, ConversationView, Decision, Scope
from ._records import ALL, AgentRecord, ConvRecord, due_of, scope_of
from ._time import from_us, span_us

__all__ = [
    "Explanation",
    "QueueView",
    "agent_view",
    "agent_views",
    "conversation_view",
    "conversation_views",
    "explain",
    "queue_views",
]

S = ConversationState


@attrs.frozen(kw_only=True)
class QueueView:
    """One queue (Q1): its ``scope``, how many wait, and their ids, next first."""

    scope: Scope
    length: int
    conversations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The view as a JSON object."""
        return json_form(self)


@attrs.frozen(kw_only=True)
class Explanation:
    """What happened to a conversation's routing, and why.

    ``agent`` serves it or holds its offer (``None`` when neither); ``chosen`` is the
    decision that gave it to that agent, kept only by a desk made with ``explain=True``
    (and not across a restore); ``now`` is how routing decides for it at the desk's
    current instant, for a conversation that is not with an agent yet (waiting, or
    waiting for a webhook answer), else ``None``.
    """

    conversation: str
    state: ConversationState
    agent: str | None = None
    scope: Scope | None = None
    chosen: Decision | None = None
    now: Decision | None = None

    def describe(self) -> str:
        """A few readable lines."""
        head = f"{self.conversation}: {self.state.value}"
        if self.agent is not None:
            verb = "offered to" if self.state is S.OFFERED else "served by"
            head += f", {verb} {self.agent}"
        if self.scope is not None:
            head += f" (scope: {self.scope})"
        lines = [head]
        if self.chosen is not None:
            lines.append("chosen by:")
            lines.extend("  " + line for line in self.chosen.describe().splitlines())
        elif self.agent is not None:
            lines.append("the decision is kept by a desk made with explain=True")
        if self.now is not None:
            lines.append("routing now:")
            lines.extend("  " + line for line in self.now.describe().splitlines())
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The explanation as a JSON object."""
        return json_form(self)


# -- agents ----------------------------------------------------------------------------------


def _served(engine: Engine) -> dict[str, list[str]]:
    """The conversations each agent serves (one pass over them: the engine keeps who
    serves what only for A6)."""
    served: dict[str, list[str]] = {}
    for conv in engine.convs.values():
        if conv.state is S.SERVED and conv.agent is not None:
            served.setdefault(conv.agent, []).append(conv.id)
    return served


def _agent(engine: Engine, agent: AgentRecord, serves: list[str]) -> AgentView:
    return attrs.evolve(
        engine.rooms.view(agent),
        name=agent.name,
        serves=tuple(sorted(serves)),
        offers=tuple(sorted(agent.offers or ())),
    )


def agent_view(engine: Engine, agent_id: str) -> AgentView | None:
    """The view of one agent, or ``None`` when the desk does not know it."""
    agent = engine.agents.get(agent_id)
    if agent is None:
        return None
    serving = agent.serving  # kept only for A6: else found by one pass
    serves = list(serving) if serving is not None else _served(engine).get(agent_id, [])
    return _agent(engine, agent, serves)


def agent_views(engine: Engine) -> Iterator[AgentView]:
    """Every known agent's view, in id order."""
    served = _served(engine)
    for agent_id in sorted(engine.agents):
        yield _agent(engine, engine.agents[agent_id], served.get(agent_id, []))


# -- conversations ---------------------------------------------------------------------------


def _known(engine: Engine, conversation: str) -> ConvRecord | None:
    return engine.known(conversation, engine.now)


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


def _conversation(engine: Engine, conv: ConvRecord) -> ConversationView:
    since = None if conv.t_reply is None else due_of(conv.t_reply)
    timeout = engine.settings.closure.user_timeout
    requested = None if conv.request is None else conv.request[1]
    waiting = conv.state in (S.AWAITING_ANSWER, S.WAITING, S.OFFERED)
    now = engine.now
    return ConversationView(
        id=conv.id,
        state=conv.state,
        position=engine.queues.position(conv),
        last_queue_position=conv.queue_pos,
        last_queue_prompt=_instant(conv.queue_at),
        awaiting_reply_since=(
            None if since is None or timeout is None else from_us(since - span_us(timeout))
        ),
        agent=conv.agent if conv.state in (S.OFFERED, S.SERVED, S.CLOSED) else None,
        offer_expires_at=(
            from_us(due_of(conv.t_offer))
            if conv.state is S.OFFERED and conv.t_offer is not None
            else None
        ),
        scope=None if conv.scope is None else scope_of(conv.scope),
        user=conv.user,
        language=conv.language,
        priority=conv.priority,
        requested_at=_instant(requested),
        waited=(
            from_us(now) - from_us(requested)
            if waiting and now is not None and requested is not None
            else None
        ),
        closed_at=_instant(conv.closed),
        declined=conv.declined,
        missed=conv.missed,
    )


def conversation_view(engine: Engine, conversation: str) -> ConversationView | None:
    """The view of one conversation, or ``None`` when unknown or forgotten (D3)."""
    conv = _known(engine, conversation)
    return None if conv is None else _conversation(engine, conv)


def conversation_views(
    engine: Engine, state: ConversationState | None = None
) -> Iterator[ConversationView]:
    """The views of every known conversation (of ``state``, if given), in id order."""
    now = engine.now
    for conv_id in sorted(engine.convs):
        conv = engine.known(conv_id, now)
        if conv is not None and (state is None or conv.state == state):
            yield _conversation(engine, conv)


def queue_views(engine: Engine) -> list[QueueView]:
    """Every queue with somebody in it: everyone's first, then groups', then agent lists'
    (each kind by its ids); within a queue, next first (Q1)."""
    by_scope = engine.queues.by_scope
    keys = sorted(by_scope, key=lambda key: (key != ALL, key[0] != "g", key))
    return [
        QueueView(
            scope=scope_of(key),
            length=len(by_scope[key]),
            conversations=tuple(entry[3] for entry in by_scope[key]),
        )
        for key in keys
    ]


# -- explanations ----------------------------------------------------------------------------


def explain(engine: Engine, conversation: str) -> Explanation | None:
    """What happened to a conversation's routing, or ``None`` when it is unknown."""
    conv = _known(engine, conversation)
    if conv is None:
        return None
    with_agent = conv.state in (S.OFFERED, S.SERVED)
    pending = conv.state in (S.WAITING, S.AWAITING_ANSWER)
    chosen = engine.router.chosen.get(conv.id) if with_agent and engine.router.chosen else None
    if chosen is not None and chosen.agent != conv.agent:
        chosen = None  # a later hand-over the decision did not make (X3 to one agent)
    return Explanation(
        conversation=conv.id,
        state=conv.state,
        agent=conv.agent if with_agent else None,
        scope=None if conv.scope is None else scope_of(conv.scope),
        chosen=chosen,
        now=engine.decide(conv) if pending and conv.scope is not None else None,
    )
