"""Closing conversations and rating them: C1–C3, V1–V3, and when a closed one is forgotten.

A served conversation closes when its user does not answer the agent within
``closure.user_timeout`` (C1), after a reminder ``closure.reminder`` before (C4), or
when someone ends it (C2); closing frees the agent, who then takes waiting users (C3,
A5). Rating cards are sent on invitation (V1) or on close
(V2) and accept one rating each (V3). A closed conversation is remembered for
``closure.retention`` after the later of its closing and its card's expiry (D3).
"""

from __future__ import annotations

from typing import Any

from ._actions import (
    Close,
    CloseReason,
    PromptKind,
    RatingCard,
    RecordRating,
    RejectReason,
    WithdrawReason,
)
from ._config import Config
from ._deadlines import Deadlines
from ._events import Party
from ._members import (
    CLOSED,
    ENDED_BY_AGENT,
    ENDED_BY_USER,
    OFFERED,
    PROMPT_END,
    PROMPT_TIMEOUT_CLOSURE,
    SERVED,
    USER,
    USER_TIMEOUT,
    WAITING,
)
from ._policy import ConversationState, reply_deadline
from ._prompts import Prompter
from ._queues import Queues
from ._records import REMIND, REPLY, AgentRecord, ConvRecord, due_of
from ._rooms import Rooms
from ._routing import Router, drop_serving

__all__ = ["Closer"]

S = ConversationState
MINUTE = 60_000_000


class Closer:
    """Closes a desk's conversations and handles their ratings; a collaborator of the engine."""

    def __init__(
        self,
        config: Config,
        agents: dict[str, AgentRecord],
        rooms: Rooms,
        queues: Queues,
        deadlines: Deadlines,
        prompter: Prompter,
        router: Router,
        out: list[tuple[Any, ...]],
    ) -> None:
        self.config = config
        self.agents = agents
        self.rooms = rooms
        self.queues = queues
        self.deadlines = deadlines
        self.prompter = prompter
        self.router = router
        self.out = out

    # -- messages (C1) -----------------------------------------------------------------------

    def agent_message(
        self, conv: ConvRecord, now: int, _agent: None, _arg: None
    ) -> RejectReason | None:
        """``agent_message``: (re)start the user timeout of a served conversation and its
        reminder (C1, C4)."""
        if conv.state is not SERVED:
            return RejectReason.NOT_SERVED
        config = self.config
        due = reply_deadline(now, config.user_timeout_us)
        self.deadlines.restart(conv, REPLY, due)
        if config.reminder_us is not None and due is not None:
            self.deadlines.restart(conv, REMIND, due - config.reminder_us)
        return None

    def user_message(self, conv: ConvRecord, now: int, _agent: None, _arg: None) -> None:
        """``user_message``: a reply stops the user timeout and its reminder (C1, C4)."""
        if conv.state is SERVED:
            conv.t_reply = conv.t_remind = None

    def remind(self, conv: ConvRecord, now: int) -> None:
        """C4: the reminder, with the whole minutes left until the closure, rounded up."""
        timer = conv.t_reply
        if timer is None:  # pragma: no cover - stopped together with the user timeout
            return
        minutes = -(-(due_of(timer) - now) // MINUTE)
        self.prompter.say(conv, now, PromptKind.TIMEOUT_REMINDER, Minutes=minutes)

    def user_timeout(self, conv: ConvRecord, now: int) -> None:
        """The user timeout fired: the conversation closes (C1)."""
        self.close_served(conv, now, USER_TIMEOUT)

    # -- ending (C2, C3, Q6) -----------------------------------------------------------------

    def ended(
        self, conv: ConvRecord, now: int, agent_id: str | None, by: Party
    ) -> RejectReason | None:
        """``conversation_ended``: close it, with the end message only if it was served."""
        serving = conv.agent if conv.state is SERVED else None
        if agent_id is not None and agent_id != serving:
            return RejectReason.NOT_SERVING_AGENT  # C3
        reason = ENDED_BY_USER if by is USER else ENDED_BY_AGENT
        if conv.state is SERVED:
            self.close_served(conv, now, reason)
            return None
        # C2, Q6: an unserved conversation closes without the end message.
        if conv.state is OFFERED:
            router = self.router
            agent = router.end_offer(conv, now, WithdrawReason.CONVERSATION_ENDED)
            self.close(conv, now, reason)
            router.drain(agent, now)
            return None
        if conv.state is WAITING:
            self.queues.remove(conv)
        self.close(conv, now, reason)
        return None

    def close_served(self, conv: ConvRecord, now: int, reason: CloseReason) -> None:
        """Close a served conversation: its message, ``close``, a card (V2); free the agent."""
        timeout = reason is USER_TIMEOUT
        kind = PROMPT_TIMEOUT_CLOSURE if timeout else PROMPT_END
        if kind in self.prompter.on:
            self.prompter.say(conv, now, kind)
        agent = self.agents[conv.agent or ""]
        drop_serving(agent, conv)
        self.close(conv, now, reason, forget=False)
        config = self.config
        open_card = conv.card_until is not None and now < conv.card_until
        wanted = config.send_on_end and (config.send_on_timeout or not timeout)
        if wanted and not open_card and not conv.rated:  # V2
            self.send_card(conv, agent, now)  # which also sets when it is forgotten
        else:
            self.deadlines.schedule_forget(conv, self.config.retention_us)
        self.rooms.change_load(agent, -1, now)  # C3: closing frees capacity (A5)
        self.router.drain(agent, now)

    def close(
        self, conv: ConvRecord, now: int, reason: CloseReason, *, forget: bool = True
    ) -> None:
        """``close``: the conversation is closed and will be forgotten (D3); with
        ``forget=False`` the caller sets when, once it knows whether a card goes out (one
        retention entry per conversation)."""
        conv.state = CLOSED  # conv.agent stays: the agent that served it, if any
        conv.closed = now
        conv.t_offer = conv.t_reply = conv.t_wait = conv.t_prompt = conv.t_webhook = None
        conv.t_remind = None
        self.out.append((Close, now, conv.id, reason))
        if forget:
            self.deadlines.schedule_forget(conv, self.config.retention_us)

    # -- ratings (V1–V3) ---------------------------------------------------------------------

    def invited(self, conv: ConvRecord, now: int, agent_id: str, _arg: None) -> RejectReason | None:
        """``rating_invited``: the serving agent asks for a rating (V1)."""
        serving = conv.agent if conv.state in (SERVED, CLOSED) else None
        if not self.config.settings.ratings.agent_invite:
            return RejectReason.INVITES_DISABLED
        if serving is None or agent_id != serving:
            return RejectReason.NOT_SERVING_AGENT
        if conv.rated:
            return RejectReason.ALREADY_RATED
        if conv.card_until is not None and now < conv.card_until:
            return RejectReason.ALREADY_INVITED
        self.send_card(conv, self.agents[agent_id], now)
        return None

    def submitted(
        self, conv: ConvRecord, now: int, _agent: None, rating: tuple[int, str | None]
    ) -> RejectReason | None:
        """``rating_submitted``: record a rating, and its comment, while the card is open
        (V3)."""
        score, comment = rating
        ratings = self.config.settings.ratings
        if conv.card_until is None:
            return RejectReason.NOT_INVITED
        if conv.rated:
            return RejectReason.ALREADY_RATED
        if now >= conv.card_until:
            return RejectReason.EXPIRED
        if not 1 <= score <= ratings.scale:
            return RejectReason.INVALID_SCORE
        conv.rated = True
        assert conv.card_agent is not None
        self.out.append((RecordRating, now, conv.id, conv.card_agent, score, comment))
        self.prompter.say(conv, now, PromptKind.RATING_SUBMITTED, Score=score)
        return None

    def send_card(self, conv: ConvRecord, agent: AgentRecord, now: int) -> None:
        """Send a rating card crediting ``agent``, open for ``ratings.validity`` (V1, V2)."""
        conv.card_until = now + self.config.validity_us
        conv.card_agent = agent.id
        name = agent.name or agent.id
        invitation = self.prompter.texts(conv.language)["rating_card"]
        text = self.prompter.render((RatingCard, invitation, name), invitation, {"AgentName": name})
        self.out.append((RatingCard, now, conv.id, text, conv.card_until))
        if conv.state is CLOSED:
            self.deadlines.schedule_forget(conv, self.config.retention_us)
