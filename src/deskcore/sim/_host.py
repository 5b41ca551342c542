"""What the simulated host knows: its conversations, its agents, and its own events.

The simulator keeps a heap of *host* events (arrivals, shift changes, accepts, messages,
endings and so on), each ``(instant, order, kind, target, token)``; the kinds are below.
The records hold what the host learnt from the desk's actions, and the time each agent
spends online and busy inside the measured window.
"""

from __future__ import annotations

from .._events import AgentState

__all__ = [
    "ABANDON",
    "ACCEPT",
    "ANSWER",
    "ARRIVE",
    "CLOSED",
    "DECLINE",
    "DROP",
    "FAILED",
    "FINISH",
    "LEAVE",
    "OFFERED",
    "RATE",
    "REJOIN",
    "REPLY",
    "RETURN",
    "ROUTING",
    "SERVED",
    "SHIFT",
    "TRANSFER",
    "UNSERVED",
    "WAITING",
    "WRITE",
    "HostAgent",
    "HostConv",
]

# Host event kinds.
ARRIVE, SHIFT, RETURN, ACCEPT, DECLINE, ABANDON, WRITE, REPLY, FINISH, LEAVE, RATE, ANSWER = range(
    12
)
TRANSFER, DROP, REJOIN = range(12, 15)
# Where a conversation stands, as the host sees it.
ROUTING, WAITING, OFFERED, SERVED, FAILED, CLOSED = range(6)
UNSERVED = (ROUTING, WAITING, OFFERED)


class HostConv:
    """What the simulated host knows of a conversation."""

    __slots__ = (
        "agent",
        "assigned",
        "card",
        "closed",
        "counted",
        "group",
        "handle",
        "id",
        "offer",
        "pending",
        "queued",
        "remaining",
        "request",
        "silent",
        "state",
    )

    def __init__(self, conv_id: str, request: int, counted: bool) -> None:
        self.id = conv_id
        self.request = request
        self.counted = counted
        self.state = ROUTING
        self.queued = False
        self.agent = ""
        self.assigned = 0
        self.handle = 0  # how long the agent serving it will take
        self.group: str | None = None  # the group the user picked
        self.remaining: int | None = None  # after a hand-over: the handle time left
        self.offer = 0  # bumped by every offer and withdrawal: the token of an answer
        self.silent = False
        self.pending = False  # a rating is on its way
        self.card = 0  # when its latest rating card expires
        self.closed: int | None = None


class HostAgent:
    """What the simulated host knows of an agent, and its time in the window."""

    __slots__ = (
        "busy",
        "busy_since",
        "capacity",
        "epoch",
        "id",
        "known",
        "load",
        "online",
        "served",
        "since",
        "status",
    )

    def __init__(self, agent_id: str, capacity: int) -> None:
        self.id = agent_id
        self.capacity = capacity
        self.status = AgentState.OFFLINE
        self.since = 0  # when the status began
        self.online = 0  # online time in the window (us)
        self.busy = 0  # time with a conversation in the window (us)
        self.busy_since = 0
        self.load = 0  # conversations it serves
        self.served = 0  # conversation-time in the window (us)
        self.epoch = 0  # bumped by every shift change: the token of a return from break
        self.known = False
