"""Pure policy functions: the desk's decisions without the engine.

Hosts that keep their own state call these on snapshots of agents and conversations:

- :func:`assign`: which agent gets a conversation under R5 (with S3/S4), or none and why,
  with every agent considered or filtered out and the ordering keys (a :class:`Decision`);
- :func:`next_prompt`: the queue prompt a waiting conversation should get now, rendered
  (Q3), or when it will;
- :func:`should_close`: whether and why a served conversation closes at ``now`` (C1), and
  when it will.

The engine (:class:`~deskcore.Desk`) calls the same primitives (:func:`rank_key`,
:func:`~deskcore._positions.prompt_due`, :func:`reply_deadline`), so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import attrs

from ._actions import CloseReason, PromptKind
from ._choices import Choice
from ._events import AgentState
from ._jsonable import json_form
from ._positions import prompt_due
from ._ranking import rank
from ._settings import DeskSettings
from ._show import show
from ._templates import render
from ._time import require_aware, span_us, to_us

__all__ = [
    "AgentView",
    "Candidate",
    "ClosureDecision",
    "ConversationState",
    "ConversationView",
    "Decision",
    "FilterReason",
    "Prompt",
    "Scope",
    "assign",
    "next_prompt",
    "rank_key",
    "reply_deadline",
    "should_close",
]

T = TypeVar("T", int, datetime)


class ConversationState(Choice):
    """Where a conversation stands; every conversation is in exactly one state."""

    NEW = "new"
    """Open and not being routed: just entered, or routing failed (F1)."""
    AWAITING_ANSWER = "awaiting_answer"
    """Waiting for the host's routing service (webhook strategy, R3)."""
    WAITING = "waiting"
    """In the queue of its scope (Q1)."""
    OFFERED = "offered"
    """Offered to an agent who has not accepted yet (S2)."""
    SERVED = "served"
    """An agent serves it (S1, S2)."""
    CLOSED = "closed"
    """Closed (C1, C2); kept for ``closure.retention`` (D3)."""


class FilterReason(Choice):
    """Why an agent was not considered for a conversation."""

    NOT_IN_SCOPE = "not_in_scope"
    NOT_ONLINE = "not_online"
    NO_ROOM = "no_room"
    DECLINED = "declined"
    """The agent declined this conversation (S4)."""
    MISSED_OFFER = "missed_offer"
    """The agent let an offer of this conversation time out and another agent has room (S3)."""


@attrs.frozen(kw_only=True)
class Scope:
    """The agents that may serve a conversation (R3): everyone, a group, or a list of ids."""

    group: str | None = None
    agents: frozenset[str] | None = None

    def __attrs_post_init__(self) -> None:
        if self.group is not None and self.agents is not None:
            raise ValueError("a scope is a group or a list of agents, not both")

    def contains(self, agent_id: str, groups: Iterable[str]) -> bool:
        """Whether an agent with this id and these groups belongs to the scope."""
        if self.group is not None:
            return self.group in groups
        if self.agents is not None:
            return agent_id in self.agents
        return True

    def to_json(self) -> dict[str, Any]:
        """``{"group": ...}``, ``{"agents": [...]}`` (sorted), or ``{}`` for everyone."""
        return json_form(self)

    def __str__(self) -> str:
        if self.group is not None:
            return f"group {show(self.group)}"
        if self.agents is not None:
            return "agents " + ", ".join(sorted(self.agents))
        return "all agents"


EVERYONE = Scope()


@attrs.frozen(kw_only=True)
class AgentView:
    """What routing needs to know of an agent (A1–A3, R5), as a host may store it.

    ``idle_since`` is when its load last fell to 0, or when it came online if that is
    later; ``last_given`` the instant of its latest offer or automatic assignment.

    From a desk (:meth:`Desk.agent_view <deskcore.Desk.agent_view>`) it also has the
    agent's ``name``, the conversations it ``serves`` and those whose ``offers`` it holds
    (each in id order); :func:`assign` does not read them.
    """

    id: str
    status: AgentState
    capacity: int
    load: int = 0
    groups: frozenset[str] = frozenset()
    idle_since: datetime | None = None
    last_given: datetime | None = None
    name: str | None = None
    serves: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The view as a JSON object (instants in UTC with ``Z``; ``None`` left out)."""
        return json_form(self)


def rank_key(
    agent_id: str, load: int, capacity: int, idle_since: T | None, last_given: T | None
) -> tuple[Any, ...]:
    """The R5 ordering key of an agent with room: the smallest key gets the conversation.

    1. idle agents (load 0) first, the one idle longest first;
    2. then busy agents, lowest share of capacity in use first, then the one given a
       conversation longest ago;
    3. then the smallest agent id.

    Instants may be datetimes or integers, as long as one call site uses one kind.
    """
    return rank(agent_id, load, capacity, idle_since, last_given)


@attrs.frozen(kw_only=True)
class Candidate:
    """An agent that may take the conversation, with its R5 ordering key."""

    agent: str
    key: tuple[Any, ...]
    missed_offer: bool = False
    preferred: bool = False
    """The request's preferred agent, chosen before the R5 order (R5)."""

    def to_json(self) -> dict[str, Any]:
        """The candidate as a JSON object."""
        return json_form(self)


@attrs.frozen(kw_only=True)
class Decision:
    """A routing decision that explains itself.

    ``agent`` is the chosen agent or ``None``; ``outcome`` is ``"chosen"``, ``"wait"`` (R6:
    nobody in the scope has room) or ``"no_agents_online"`` (R4: nobody staffs the scope).
    ``candidates`` are the agents that could take it, best first (the S3 fallback last);
    ``filtered`` says why each other agent could not.
    """

    agent: str | None
    outcome: str
    scope: Scope
    candidates: tuple[Candidate, ...]
    filtered: tuple[tuple[str, FilterReason], ...]

    def describe(self) -> str:
        """A few readable lines: the outcome, then every agent and why."""
        head = {
            "chosen": f"chosen: {self.agent}",
            "wait": "no agent in scope has room: the conversation waits (R6)",
            "no_agents_online": "no agent staffs the scope: routing fails (R4)",
        }[self.outcome]
        lines = [f"{head} (scope: {self.scope})"]
        lines += [
            f"  candidate {c.agent}: {'preferred' if c.preferred else f'key {c.key}'}"
            for c in self.candidates
        ]
        lines += [f"  filtered {agent}: {reason}" for agent, reason in self.filtered]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The decision as a JSON object; ``filtered`` as ``[[agent, reason], ...]``."""
        return json_form(self)


def assign(
    agents: Iterable[AgentView],
    *,
    scope: Scope = EVERYONE,
    declined: Iterable[str] = (),
    missed: Iterable[str] = (),
    preferred: str | None = None,
) -> Decision:
    """Which agent in ``scope`` gets a conversation (R4, R5, S3, S4), and why.

    ``declined`` are agents that declined this conversation (never offered it again, S4);
    ``missed`` those that let an offer of it time out (chosen only when no other agent has
    room, S3); ``preferred`` the request's preferred agent, chosen first when it is in the
    scope, online, has room and is not among those (R5).
    """
    declined_set, missed_set = frozenset(declined), frozenset(missed)
    staffed = False
    best: list[Candidate] = []
    fallback: list[Candidate] = []
    filtered: list[tuple[str, FilterReason]] = []
    for agent in sorted(agents, key=lambda view: view.id):
        if not scope.contains(agent.id, agent.groups):
            filtered.append((agent.id, FilterReason.NOT_IN_SCOPE))
            continue
        staffed = staffed or (agent.status is not AgentState.OFFLINE and agent.capacity >= 1)
        if agent.status is not AgentState.ONLINE:
            filtered.append((agent.id, FilterReason.NOT_ONLINE))
        elif agent.load >= agent.capacity:
            filtered.append((agent.id, FilterReason.NO_ROOM))
        elif agent.id in declined_set:
            filtered.append((agent.id, FilterReason.DECLINED))
        else:
            key = rank_key(agent.id, agent.load, agent.capacity, agent.idle_since, agent.last_given)
            missed_offer = agent.id in missed_set
            (fallback if missed_offer else best).append(
                Candidate(agent=agent.id, key=key, missed_offer=missed_offer)
            )
    best.sort(key=lambda c: c.key)
    fallback.sort(key=lambda c: c.key)
    first = next((c for c in best if c.agent == preferred), None)
    if first is not None:
        best.remove(first)
        best.insert(0, attrs.evolve(first, preferred=True))
    if best:
        filtered.extend((c.agent, FilterReason.MISSED_OFFER) for c in fallback)
        fallback = []
    candidates = tuple(best + fallback)
    if not staffed:
        outcome, chosen = "no_agents_online", None
    elif candidates:
        outcome, chosen = "chosen", candidates[0].agent
    else:
        outcome, chosen = "wait", None
    return Decision(
        agent=chosen,
        outcome=outcome,
        scope=scope,
        candidates=candidates,
        filtered=tuple(filtered),
    )


# -- prompts ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Prompt:
    """A prompt to send: its kind, rendered text, and the instant it is (or becomes) due."""

    kind: PromptKind
    text: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        """The prompt as a JSON object."""
        return json_form(self)


@attrs.frozen(kw_only=True)
class ConversationView:
    """What the prompt and closure policies need to know of a conversation.

    ``position`` is its queue position while waiting; ``last_queue_position`` and
    ``last_queue_prompt`` describe the last queue prompt it got; ``awaiting_reply_since``
    is the instant of the agent message the user has not answered yet (C1).

    From a desk (:meth:`Desk.conversation_view <deskcore.Desk.conversation_view>`) it also
    has what a dashboard shows; the policies do not read these:

    - ``agent``: the agent that serves it, holds its offer, or (closed) served it last;
    - ``offer_expires_at``: when that offer expires (offered only);
    - ``scope``: the agents that may serve it (R3), once it was routed;
    - ``user``, ``language`` (P4) and ``priority`` (Q1), as its events gave them;
    - ``requested_at``: the instant of the request that routes it (a transfer's
      hand-over counts as a request, X3), kept after it is served;
    - ``waited``: how long it has waited so far, while it waits for a webhook answer, in
      a queue or on an offer: the desk's ``now`` less ``requested_at``;
    - ``closed_at``: when it closed;
    - ``declined``: the agents that declined it (never offered it again, S4) and
      ``missed``: those that let an offer of it time out (S3), for its whole session.
    """

    id: str
    state: ConversationState
    position: int | None = None
    last_queue_position: int | None = None
    last_queue_prompt: datetime | None = None
    awaiting_reply_since: datetime | None = None
    agent: str | None = None
    offer_expires_at: datetime | None = None
    scope: Scope | None = None
    user: str | None = None
    language: str | None = None
    priority: int = 0
    requested_at: datetime | None = None
    waited: timedelta | None = None
    closed_at: datetime | None = None
    declined: frozenset[str] = frozenset()
    missed: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        """The view as a JSON object (instants in UTC with ``Z``, ``waited`` in seconds,
        ``None`` left out)."""
        return json_form(self)


def next_prompt(
    conversation: ConversationView, settings: DeskSettings, now: datetime
) -> Prompt | None:
    """The queue prompt a waiting conversation should get at ``now`` (Q3, P2), or ``None``.

    When an update is wanted but ``queue.update_interval`` has not passed since the last
    prompt, the returned prompt's ``at`` is the later instant it becomes due; the host
    sends it then if the position is still different.
    """
    require_aware(now, "now")
    position = conversation.position
    if conversation.state is not ConversationState.WAITING or position is None:
        return None
    last_sent = conversation.last_queue_prompt
    interval = settings.queue.update_interval
    send_now, due = prompt_due(
        position,
        conversation.last_queue_position,
        None if last_sent is None else to_us(last_sent),
        None if interval is None else span_us(interval),
        to_us(now),
    )
    if not send_now and due is None:
        return None
    text = render(settings.queue.prompt, {"QueuePosition": position, "WaitNo": position - 1})
    if not text:
        return None
    if due is None:
        return Prompt(kind=PromptKind.QUEUE, text=text, at=now)
    assert last_sent is not None and interval is not None  # a due instant comes from both
    return Prompt(kind=PromptKind.QUEUE, text=text, at=last_sent + interval)


def reply_deadline(since: T | None, timeout: timedelta | int | None) -> T | None:
    """C1: when a served conversation closes for want of a user reply, or ``None``."""
    if since is None or timeout is None:
        return None
    return since + timeout  # type: ignore[operator]


@attrs.frozen(kw_only=True)
class ClosureDecision:
    """Whether a conversation closes at ``now``, why, and when it will (or did) close;
    with ``closure.reminder``, when the reminder is (or was) due and whether it is due by
    ``now`` (C4), with its ``$Minutes``."""

    close: bool
    reason: CloseReason | None
    at: datetime | None
    remind: bool = False
    remind_at: datetime | None = None
    minutes: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The decision as a JSON object."""
        return json_form(self)


def should_close(
    conversation: ConversationView, settings: DeskSettings, now: datetime
) -> ClosureDecision:
    """Whether a served conversation closes at ``now`` by the user timeout (C1), and when;
    and whether its reminder is due (C4).

    A host sends the reminder once ``remind`` is true (before the closure) and closes
    when ``close`` is; ``minutes`` is what the reminder's ``$Minutes`` shows at ``now``.
    """
    require_aware(now, "now")
    if conversation.state is not ConversationState.SERVED:
        return ClosureDecision(close=False, reason=None, at=None)
    due = reply_deadline(conversation.awaiting_reply_since, settings.closure.user_timeout)
    if due is None:
        return ClosureDecision(close=False, reason=None, at=None)
    closing = due <= now
    reminder = settings.closure.reminder
    remind_at = None if reminder is None else due - reminder
    remind = remind_at is not None and remind_at <= now and not closing
    left = -(-(due - now) // timedelta(minutes=1)) if remind else None
    return ClosureDecision(
        close=closing,
        reason=CloseReason.USER_TIMEOUT if closing else None,
        at=due,
        remind=remind,
        remind_at=remind_at,
        minutes=left,
    )
