"""The engine's records: one per agent and per conversation, and the keys they are filed by.

Every part of the engine (rooms, queues, deadlines, routing, closing) works over these
records; none of them keeps a second copy of what a record says. Instants are integer
microseconds since the epoch (T3).

Scopes (R3) are tuples: ``ALL`` is everyone, ``("g", group)`` a group, ``("a", id, ...)``
a list of agents (sorted, without repeats). A deadline (T2) is a pair ``(key,
conversation id)`` whose key is one integer, ``due << 64 | order << 3 | kind``: it orders
by due instant, then by the order deadlines were set in, and costs one integer instead of
three (a pending deadline is 96 bytes, not 132). The order stays below 2**61: at a million
deadlines a second that is 73,000 years.
"""

from __future__ import annotations

from typing import Any

from ._members import NEW, OFFLINE
from ._policy import EVERYONE, Scope

__all__ = [
    "ALL",
    "KINDS",
    "NOBODY",
    "OFFER",
    "ORDER_MASK",
    "PROMPT",
    "REASSIGN",
    "REMIND",
    "REPLY",
    "SHIFT",
    "TIMERS",
    "WAIT",
    "WEBHOOK",
    "AgentRecord",
    "ConvRecord",
    "QueueEntry",
    "ScopeKey",
    "Timer",
    "compact_dict",
    "due_of",
    "group_key",
    "scope_of",
    "timer_key",
]

ScopeKey = tuple[str, ...]
ALL: ScopeKey = ("*",)
NOBODY: frozenset[str] = frozenset()

# Deadline kinds, in the order T2 lists them, and the slot of each in a conversation;
# REASSIGN (A6) is an agent's: its slot is the agent's ``t_reassign``.
OFFER, REPLY, WAIT, PROMPT, WEBHOOK, REMIND, REASSIGN = range(7)
KINDS = ("offer", "reply", "wait", "prompt", "webhook", "remind", "reassign")
TIMERS = tuple(f"t_{kind}" for kind in KINDS[:REASSIGN])

Timer = tuple[int, str]
"""A pending deadline: ``(due << SHIFT | order << 3 | kind, conversation or agent id)``."""
SHIFT = 64
ORDER_MASK = (1 << SHIFT) - 1  # the bits of the order set and the kind

QueueEntry = tuple[int, int, int, str]
"""A conversation's place in a queue (Q1): ``(-priority, request instant, arrival order,
id)``, so that the highest priority comes first, then the earliest request."""


def timer_key(due: int, order: int) -> int:
    """The heap key of a deadline due at ``due`` (µs), set ``order``-th (``<< 3 | kind``)."""
    return due << SHIFT | order


def due_of(timer: Timer) -> int:
    """The due instant (µs) of a deadline."""
    return timer[0] >> SHIFT


def compact_dict(table: dict[Any, Any]) -> None:
    """Give a dict that lost most of its keys back its memory, in place (a dict never
    shrinks by deletion alone; other parts keep references to it)."""
    kept = dict(table)  # a sparse dict's copy is compact
    table.clear()
    table.update(kept)


def group_key(group: str) -> ScopeKey:
    """The scope key of a group."""
    return ("g", group)


def scope_of(key: ScopeKey) -> Scope:
    """The :class:`~deskcore.Scope` a scope key names."""
    if key[0] == "g":
        return Scope(group=key[1])
    if key[0] == "a":
        return Scope(agents=frozenset(key[1:]))
    return EVERYONE


class AgentRecord:
    """What the engine knows of one agent (A1–A3, R5)."""

    __slots__ = (
        "capacity",
        "given",
        "groups",
        "id",
        "key",
        "load",
        "name",
        "offers",
        "online",
        "serving",
        "status",
        "t_reassign",
        "zero",
    )

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.name: str | None = None
        self.status = OFFLINE
        self.groups: frozenset[str] = frozenset()
        self.capacity: int | None = None  # None: queue.max_concurrent (A2)
        self.offers: set[str] | None = None  # conversations offered to it (S2)
        self.serving: set[str] | None = None  # conversations it serves
        self.load = 0  # conversations it serves plus offers it holds (A2)
        self.online = 0  # when it last came online
        self.zero: int | None = None  # when its load last fell to 0
        self.given: int | None = None  # its latest offer or automatic assignment
        # Its R5 key while it is online with room, else None; its entries in the room
        # heaps are live while they *are* this object (see deskcore._rooms).
        self.key: tuple[Any, ...] | None = None
        self.t_reassign: Timer | None = None  # its conversations' hand-over (A6)


class ConvRecord:
    """What the engine knows of one conversation; ``state`` says where it stands."""

    __slots__ = (
        "agent",
        "card_agent",
        "card_until",
        "closed",
        "declined",
        "forget",
        "id",
        "language",
        "missed",
        "preferred",
        "queue_at",
        "queue_pos",
        "rated",
        "remind_heap",
        "reply_heap",
        "request",
        "scope",
        "state",
        "user",
        *TIMERS,
    )

    def __init__(self, conv_id: str) -> None:
        self.id = conv_id
        self.state = NEW
        self.user: str | None = None
        self.language: str | None = None  # the last one its events gave (P4)
        # Its place in a queue (Q1: the request's priority first), set when it asks for
        # an agent, and the request's preferred agent (R5), kept through re-routes and
        # transfers.
        self.request: QueueEntry | None = None
        self.preferred: str | None = None
        self.scope: ScopeKey | None = None
        self.agent: str | None = None  # offered to, serving, or (when closed) served it
        self.declined: frozenset[str] = NOBODY  # S4
        self.missed: frozenset[str] = NOBODY  # S3
        # One slot a deadline kind, holding its pending deadline (T2).
        self.t_offer: Timer | None = None
        self.t_reply: Timer | None = None
        self.t_wait: Timer | None = None
        self.t_prompt: Timer | None = None
        self.t_webhook: Timer | None = None
        self.t_remind: Timer | None = None
        self.reply_heap: Timer | None = None  # its user-timeout entry in the heap
        self.remind_heap: Timer | None = None  # its reminder's entry in the heap
        self.queue_pos: int | None = None  # last position told (Q3)
        self.queue_at: int | None = None  # when it was told
        self.card_until: int | None = None  # when its rating card expires (V1)
        self.card_agent: str | None = None  # the agent the card credits (V3)
        self.rated = False
        self.closed: int | None = None
        self.forget: int | None = None  # when it is forgotten (D3)

    @property
    def priority(self) -> int:
        """The priority of its request (Q1); 0 without one."""
        request = self.request
        return 0 if request is None else -request[0]
