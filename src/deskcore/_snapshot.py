"""Saving and restoring a desk's whole state as plain JSON-able data (rule D1).

Instants are integer microseconds since the epoch (UTC). The indexes are not saved: they
are rebuilt from the agents and conversations, so a restored desk is the same desk.
"""

from __future__ import annotations

from typing import Any

from ._document import dump_settings, load_settings
from ._engine import Engine
from ._errors import DeskcoreError, SettingsError
from ._events import AgentState
from ._policy import ConversationState
from ._records import ORDER_MASK, TIMERS, AgentRecord, ConvRecord, Timer, due_of, timer_key
from ._show import show

__all__ = ["FORMAT", "SnapshotError", "dump_state", "load_state"]

FORMAT = 1


class SnapshotError(DeskcoreError, ValueError):
    """A snapshot given to :meth:`~deskcore.Desk.restore` is malformed."""


def dump_state(engine: Engine) -> dict[str, Any]:
    """The state of ``engine`` as JSON-able data."""
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
        for a in (engine.agents[key] for key in sorted(engine.agents))
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
        for c in (engine.convs[key] for key in sorted(engine.convs))
    ]
    data: dict[str, Any] = {
        "format": FORMAT,
        "now": engine.now,
        "order": engine.order,
        "seq": engine.deadlines.seq,
        "rebalance": engine.rebalance,
        "agents": agents,
        "conversations": convs,
    }
    if engine.pending is not None:  # the settings its next due deadlines still fire under
        data["settings_before"] = dump_settings(engine.config.settings)
    return data


def _timer(timer: Timer | None) -> list[int] | None:
    """A deadline as [due instant, order set << 3 | kind]."""
    return None if timer is None else [due_of(timer), timer[0] & ORDER_MASK]


def load_state(engine: Engine, data: dict[str, Any]) -> None:
    """Put the state of ``data`` into the new ``engine``, rebuilding its indexes."""
    try:
        if data["format"] != FORMAT:
            raise SnapshotError(f"snapshot format {show(data['format'])} is not {FORMAT}")
        engine.now, engine.order = data["now"], data["order"]
        engine.deadlines.seq = data["seq"]
        engine.rebalance = bool(data["rebalance"])
        for item in data["agents"]:
            agent = AgentRecord(item["id"])
            agent.name = item["name"]
            agent.status = AgentState(item["status"])
            agent.groups = frozenset(item["groups"])
            agent.capacity = item["capacity"]
            agent.offers = set(item["offers"]) or None
            agent.load = int(item["load"])
            agent.online, agent.zero, agent.given = item["online"], item["zero"], item["given"]
            engine.agents[agent.id] = agent
        for item in data["conversations"]:
            conv = ConvRecord(item["id"])
            conv.state = ConversationState(item["state"])
            request = item["request"]
            if request is not None:
                conv.request = (int(request[0]), int(request[1]), conv.id)
            if item["scope"] is not None:
                conv.scope = engine.intern(tuple(item["scope"]))
            conv.agent = item["agent"]
            conv.declined, conv.missed = frozenset(item["declined"]), frozenset(item["missed"])
            conv.queue_pos, conv.queue_at = item["queue_pos"], item["queue_at"]
            conv.card_until, conv.card_agent = item["card_until"], item["card_agent"]
            conv.rated, conv.closed, conv.forget = item["rated"], item["closed"], item["forget"]
            for kind, (name, timer) in enumerate(zip(TIMERS, item["timers"], strict=True)):
                if timer is not None:
                    order = int(timer[1])
                    assert 0 <= order <= ORDER_MASK and order & 7 == kind
                    setattr(conv, name, (timer_key(int(timer[0]), order), conv.id))
            engine.convs[conv.id] = conv
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"malformed snapshot: {show(exc)}") from None
    if "settings_before" in data:
        settings = engine.settings
        try:
            engine.configure(load_settings(data["settings_before"]))
        except SettingsError as exc:
            raise SnapshotError(f"settings_before: {exc}") from None
        engine.update(settings)
    engine.rebuild()
