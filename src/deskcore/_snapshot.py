"""Saving and restoring a desk's whole state as plain JSON-able data (rule D1).

Instants are integer microseconds since the epoch (UTC). The indexes are not saved: they
are rebuilt from the agents and conversations, so a restored desk is the same desk.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from ._errors import DeskcoreError
from ._events import AgentState
from ._policy import ConversationState

if TYPE_CHECKING:
    from ._desk import Desk

__all__ = ["SnapshotError", "dump_state", "load_state"]

FORMAT = 1


class SnapshotError(DeskcoreError, ValueError):
    """A snapshot given to :meth:`~deskcore.Desk.restore` is malformed."""


def dump_state(desk: Desk) -> dict[str, Any]:
    """The state of ``desk`` as JSON-able data."""
    agents = [
        {
            "id": a.id,
            "name": a.name,
            "status": a.status.value,
            "groups": sorted(a.groups),
            "capacity": a.capacity,
            "served": sorted(a.served),
            "offers": sorted(a.offers),
            "online": a.online,
            "zero": a.zero,
            "given": a.given,
        }
        for a in (desk._agents[key] for key in sorted(desk._agents))
    ]
    convs = [
        {
            "id": c.id,
            "user": c.user,
            "state": c.state.value,
            "request": None if c.request is None else list(c.request),
            "scope": None if c.scope is None else list(c.scope),
            "agent": c.agent,
            "served_by": c.served_by,
            "declined": sorted(c.declined),
            "missed": sorted(c.missed),
            "due": list(c.due),
            "seq": list(c.seq),
            "queue_pos": c.queue_pos,
            "queue_at": c.queue_at,
            "card_until": c.card_until,
            "card_agent": c.card_agent,
            "rated": c.rated,
            "closed": c.closed,
            "forget": c.forget,
        }
        for c in (desk._convs[key] for key in sorted(desk._convs))
    ]
    return {
        "format": FORMAT,
        "now": desk._now,
        "order": desk._order,
        "seq": desk._seq,
        "rebalance": desk._rebalance,
        "agents": agents,
        "conversations": convs,
    }


def load_state(desk: Desk, data: dict[str, Any]) -> None:
    """Put the state of ``data`` into the new ``desk``, rebuilding its indexes."""
    from ._desk import _Agent, _Conv

    try:
        if data["format"] != FORMAT:
            raise SnapshotError(f"snapshot format {data['format']!r} is not {FORMAT}")
        desk._now, desk._order, desk._seq = data["now"], data["order"], data["seq"]
        desk._rebalance = bool(data["rebalance"])
        for item in data["agents"]:
            agent = _Agent(item["id"])
            agent.name = item["name"]
            agent.status = AgentState(item["status"])
            agent.groups = frozenset(item["groups"])
            agent.capacity = item["capacity"]
            agent.served, agent.offers = set(item["served"]), set(item["offers"])
            agent.load = len(agent.served) + len(agent.offers)
            agent.online, agent.zero, agent.given = item["online"], item["zero"], item["given"]
            desk._agents[agent.id] = agent
            desk._reindex(agent)
            desk._restaff(agent, False, frozenset())
            for group in agent.groups:
                desk._members[group] = desk._members.get(group, 0) + 1
        for item in data["conversations"]:
            conv = _Conv(item["id"], item["user"])
            conv.state = ConversationState(item["state"])
            request = item["request"]
            conv.request = None if request is None else (int(request[0]), int(request[1]))
            conv.scope = None if item["scope"] is None else tuple(item["scope"])
            conv.agent, conv.served_by = item["agent"], item["served_by"]
            conv.declined, conv.missed = set(item["declined"]), set(item["missed"])
            conv.due, conv.seq = list(item["due"]), list(item["seq"])
            conv.queue_pos, conv.queue_at = item["queue_pos"], item["queue_at"]
            conv.card_until, conv.card_agent = item["card_until"], item["card_agent"]
            conv.rated, conv.closed, conv.forget = item["rated"], item["closed"], item["forget"]
            desk._convs[conv.id] = conv
            if conv.state is ConversationState.WAITING:
                assert conv.scope is not None
                desk._enqueue(conv, conv.scope)
            for kind, due in enumerate(conv.due):
                if due is not None:
                    heapq.heappush(desk._heap, (due, conv.seq[kind], kind, conv.id))
            conv.reply_heap = conv.due[1]
            if conv.forget is not None:
                heapq.heappush(desk._forget, (conv.forget, conv.id))
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"malformed snapshot: {exc!r}") from None
    desk._moved.clear()
    desk._entered.clear()
