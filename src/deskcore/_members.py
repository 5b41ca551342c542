"""The enum members the engine's hot paths compare, as module constants.

The engine compares a conversation's or an agent's state at nearly every step. On Python
3.11 an enum class's attribute (``AgentState.ONLINE``) goes through
``EnumType.__getattr__``'s hook each time; a module constant is a plain global (and a C
static in the compiled build).
"""

from __future__ import annotations

from typing import Final

from ._events import AgentState
from ._policy import ConversationState

__all__ = [
    "AWAITING_ANSWER",
    "BREAK",
    "CLOSED",
    "NEW",
    "OFFERED",
    "OFFLINE",
    "ONLINE",
    "SERVED",
    "WAITING",
]

ONLINE: Final = AgentState.ONLINE
BREAK: Final = AgentState.BREAK
OFFLINE: Final = AgentState.OFFLINE

NEW: Final = ConversationState.NEW
AWAITING_ANSWER: Final = ConversationState.AWAITING_ANSWER
WAITING: Final = ConversationState.WAITING
OFFERED: Final = ConversationState.OFFERED
SERVED: Final = ConversationState.SERVED
CLOSED: Final = ConversationState.CLOSED
