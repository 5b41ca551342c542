"""The raw form of events and actions: what the engine takes and returns.

Inside the engine an instant is an integer of microseconds since the epoch (T3), an
event is four plain values and an action a tuple; :class:`~deskcore.Desk` converts both
ways, and the simulator, which owns its whole loop, uses the raw form directly to skip
building objects.

**Events** are ``(code, conversation, agent, argument)`` with the event's instant passed
beside them. ``conversation`` and ``agent`` are ids or ``None``; the argument is:

=================  =====================  =============================================
code               event                  argument
=================  =====================  =============================================
``TICK``           ``tick``               ``None``
``STATUS``         ``agent_status``       ``(status, groups, capacity, name)``, each
                                          field :data:`~deskcore.UNSET` when not given
``ENTERED``        ``user_entered``       ``(language, user)``, the language ``None``
                                          when not given
``REQUESTED``      ``agent_requested``    ``(group, user, language, priority,
                                          preferred_agent)``
``ANSWERED``       ``assignment_answered`` ``(group, agents)``, one of them ``None``
``FAILED``         ``assignment_failed``  ``None``
``ACCEPTED``       ``agent_accepted``     ``None``
``DECLINED``       ``agent_declined``     ``None``
``AGENT_MESSAGE``  ``agent_message``      ``None``
``USER_MESSAGE``   ``user_message``       ``None``
``ENDED``          ``conversation_ended`` who ended it (:class:`~deskcore.Party`)
``INVITED``        ``rating_invited``     ``None``
``SUBMITTED``      ``rating_submitted``   ``(score, comment)``
``TRANSFER``       ``transfer``           ``(to_agent, to_group)``, one of them ``None``
``RESUMED``        ``resumed``            ``since``, in µs
=================  =====================  =============================================

**Actions** are ``(action class, instant, *fields)``: the fields in the order the class
declares them after ``at`` (:data:`LAYOUT`), instants among them in µs too. So an offer is
``(Offer, at, conversation, agent, expires_at)`` and a refusal ``(Rejected, at,
event_type, reason, conversation, agent)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._actions import (
    ACTION_TYPES,
    Action,
    AnyAction,
)
from ._events import (
    EVENT_TYPES,
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentStatusChanged,
    AssignmentAnswered,
    AssignmentFailed,
    ConversationEnded,
    Event,
    RatingInvited,
    RatingSubmitted,
    Resumed,
    Tick,
    Transfer,
    UserEntered,
    UserMessage,
)
from ._slots import slot_builder
from ._time import from_us, to_us

__all__ = [
    "ACCEPTED",
    "AGENT_MESSAGE",
    "ANSWERED",
    "BUILD",
    "DECLINED",
    "ENDED",
    "ENTERED",
    "EVENT_CLASSES",
    "FAILED",
    "FIELDS",
    "INVITED",
    "LAYOUT",
    "NAMES",
    "REQUESTED",
    "RESUMED",
    "STATUS",
    "SUBMITTED",
    "TICK",
    "TRANSFER",
    "USER_MESSAGE",
    "RawAction",
    "RawEvent",
]

TICK, STATUS, ENTERED, REQUESTED, ANSWERED, FAILED, ACCEPTED, DECLINED = range(8)
# TRANSFER and RESUMED come last: the engine's E1 check tells them apart by that.
AGENT_MESSAGE, USER_MESSAGE, ENDED, INVITED, SUBMITTED, TRANSFER, RESUMED = range(8, 15)

RawEvent = tuple[int, str | None, str | None, Any]
RawAction = tuple[Any, ...]

EVENT_CLASSES: tuple[type[Event], ...] = tuple(EVENT_TYPES.values())  # index = code
"""The event class of each code."""

NAMES: tuple[str, ...] = tuple(cls.type for cls in EVENT_CLASSES)
"""The wire name of each code's event (``NAMES[TICK] == "tick"``)."""

FIELDS: dict[type, Callable[[Any], RawEvent]] = {
    Tick: lambda e: (TICK, None, None, None),
    AgentStatusChanged: lambda e: (STATUS, None, e.agent, (e.status, e.groups, e.capacity, e.name)),
    UserEntered: lambda e: (ENTERED, e.conversation, None, (e.language, e.user)),
    AgentRequested: lambda e: (
        REQUESTED,
        e.conversation,
        None,
        (e.group, e.user, e.language, e.priority, e.preferred_agent),
    ),
    AssignmentAnswered: lambda e: (ANSWERED, e.conversation, None, (e.group, e.agents)),
    AssignmentFailed: lambda e: (FAILED, e.conversation, None, None),
    AgentAccepted: lambda e: (ACCEPTED, e.conversation, e.agent, None),
    AgentDeclined: lambda e: (DECLINED, e.conversation, e.agent, None),
    AgentMessage: lambda e: (AGENT_MESSAGE, e.conversation, None, None),
    UserMessage: lambda e: (USER_MESSAGE, e.conversation, None, None),
    ConversationEnded: lambda e: (ENDED, e.conversation, e.agent, e.by),
    RatingInvited: lambda e: (INVITED, e.conversation, e.agent, None),
    RatingSubmitted: lambda e: (SUBMITTED, e.conversation, None, (e.score, e.comment)),
    Transfer: lambda e: (TRANSFER, e.conversation, e.agent, (e.to_agent, e.to_group)),
    Resumed: lambda e: (RESUMED, None, None, to_us(e.since)),
}
"""How each event class is taken apart into its raw fields."""


LAYOUT: dict[type[Action], tuple[str, ...]] = {
    cls: tuple(field.name for field in attrs.fields(cls)[1:]) for cls in ACTION_TYPES.values()
}
"""The fields of each action class's raw tuple, after the class and the instant."""


def _builder(cls: type[Action]) -> Callable[[RawAction, int, datetime], AnyAction]:
    """The builder of ``cls`` from its raw tuple, given the event's instant in µs and as
    a datetime (most actions take effect then: T2; they keep the event's own ``at``). The
    engine's raw values are already of the fields' types, and action classes have no
    validators or converters, so the result equals what the constructor makes (a test
    compares both for every class)."""
    values = {"at": "at if r[1] == now else from_us(r[1])"}
    for n, name in enumerate(LAYOUT[cls], 2):
        values[name] = f"from_us(r[{n}])" if name.endswith("_at") else f"r[{n}]"
    build: Callable[[RawAction, int, datetime], AnyAction] = slot_builder(
        cls, "r, now, at", values, {"from_us": from_us}
    )
    return build


BUILD: dict[type[Action], Callable[[RawAction, int, datetime], AnyAction]] = {
    cls: _builder(cls) for cls in ACTION_TYPES.values()
}
"""How each action class is built from its raw tuple (the hot path of ``Desk.handle``),
given the instant of the event that produced it, in µs and as a datetime."""
