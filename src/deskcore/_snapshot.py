"""Saving and restoring a desk's whole state as plain JSON-able data (rule D1).

Instants are integer microseconds since the epoch (UTC). The indexes are not saved: they
are rebuilt from the agents and conversations, so a restored desk is the same desk.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

from ._desk import _ORDER, _SHIFT, TIMERS, _timer_key
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
            "load": a.load,
            "offers": sorted(a.offers or ()),
            "online": a.online,
            "zero": a.zero,
            "given": a.given,
        }
        for a in (desk._agents[key] for key in sorted(desk._agents))
    ]
    convs = [
        {
            "id": c.id,
            "state": c.state.value,
            "request": None if c.request is None else list(c.request[:2]),
            "scope": None if c.scope is None else list(c.scope),
            "agent": c.agent,
            "declined": sorted(c.declined),
            "missed": sorted(c.missed),
            "timers": [_timer(getattr(c, name)) for name in TIMERS],
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


def _timer(timer: tuple[int, str] | None) -> list[int] | None:
    """A deadline as [due instant, order set << 3 | kind]."""
    return None if timer is None else [timer[0] >> _SHIFT, timer[0] & _ORDER]


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
            groups = frozenset(item["groups"])
            agent.groups = desk._groupsets.setdefault(groups, groups)
            agent.capacity = item["capacity"]
            agent.offers = set(item["offers"]) or None
            agent.load = int(item["load"])
            agent.online, agent.zero, agent.given = item["online"], item["zero"], item["given"]
            desk._agents[agent.id] = agent
            desk._reindex(agent)
            desk._restaff(agent, False, frozenset())
            for group in agent.groups:
                desk._members[group] = desk._members.get(group, 0) + 1
        for item in data["conversations"]:
            conv = _Conv(item["id"])
            conv.state = ConversationState(item["state"])
            request = item["request"]
            if request is not None:
                conv.request = (int(request[0]), int(request[1]), conv.id)
            if item["scope"] is not None:
                conv.scope = desk._intern(tuple(item["scope"]))
            conv.agent = item["agent"]
            conv.declined, conv.missed = frozenset(item["declined"]), frozenset(item["missed"])
            conv.queue_pos, conv.queue_at = item["queue_pos"], item["queue_at"]
            conv.card_until, conv.card_agent = item["card_until"], item["card_agent"]
            conv.rated, conv.closed, conv.forget = item["rated"], item["closed"], item["forget"]
            desk._convs[conv.id] = conv
            if conv.state is ConversationState.WAITING:
                assert conv.scope is not None
                desk._enqueue(conv, conv.scope)
            for kind, (name, timer) in enumerate(zip(TIMERS, item["timers"], strict=True)):
                if timer is not None:
                    order = int(timer[1])
                    assert 0 <= order <= _ORDER and order & 7 == kind
                    entry = (_timer_key(int(timer[0]), order), conv.id)
                    setattr(conv, name, entry)
                    heapq.heappush(desk._heap, entry)
            conv.reply_heap = conv.t_reply
            if conv.forget is not None:
                heapq.heappush(desk._forget, (conv.forget, conv.id))
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"malformed snapshot: {exc!r}") from None
    desk._moved.clear()
    desk._entered.clear()
    desk._rebuild_attention()
