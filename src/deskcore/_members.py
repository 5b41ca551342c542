"""The enum members the engine's hot paths compare or send, as module constants.

The engine compares states and sends prompt kinds and reasons at nearly every step. On Python
3.11 an enum class's attribute (``AgentState.ONLINE``) goes through
``EnumType.__getattr__``'s hook each time; a module constant is a plain global (and a C
static in the compiled build).
"""

from __future__ import annotations

from typing import Final

from ._actions import CloseReason, PromptKind
from ._events import AgentState, Party
from ._policy import ConversationState

__all__ = [
    "AGENT",
    "AWAITING_ANSWER",
    "BREAK",
    "CLOSED",
    "ENDED_BY_AGENT",
    "ENDED_BY_USER",
    "NEW",
    "OFFERED",
    "OFFLINE",
    "ONLINE",
    "PROMPT_CONNECTED",
    "PROMPT_CONNECTING",
    "PROMPT_END",
    "PROMPT_QUEUE",
    "PROMPT_TIMEOUT_CLOSURE",
    "PROMPT_WELCOME",
    "SERVED",
    "USER",
    "USER_TIMEOUT",
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

USER: Final = Party.USER
AGENT: Final = Party.AGENT

ENDED_BY_USER: Final = CloseReason.ENDED_BY_USER
ENDED_BY_AGENT: Final = CloseReason.ENDED_BY_AGENT
USER_TIMEOUT: Final = CloseReason.USER_TIMEOUT

PROMPT_WELCOME: Final = PromptKind.WELCOME
PROMPT_CONNECTING: Final = PromptKind.CONNECTING
PROMPT_CONNECTED: Final = PromptKind.CONNECTED
PROMPT_QUEUE: Final = PromptKind.QUEUE
PROMPT_END: Final = PromptKind.END
PROMPT_TIMEOUT_CLOSURE: Final = PromptKind.TIMEOUT_CLOSURE
