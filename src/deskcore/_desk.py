"""The desk engine: a sans-I/O state machine over events, actions and deadlines.

Theory of operation
-------------------

``Desk.handle(event)`` first checks the event against the desk's state without changing
anything (E1: an error leaves the desk as it was, even due deadlines unfired). Then every
deadline due at or before the event's instant fires, in order of (due instant, order
set), each as its own *step* (T2); then the event is handled as a step. A step ends by
telling waiting users their new positions (Q3), which are those after the step in full.

Indexes keep one event at O(log n) in agents and waiting users:

- per scope (everyone, each group) a heap of the R5 keys
  (:func:`~deskcore._policy.rank_key`) of the agents that are online with room: the best
  agent is the smallest key not barred by S3/S4. A key change pushes a new key object and
  leaves the old entry stale (an entry is live while it *is* its agent's key); stale
  entries are dropped when they come to the top, and a heap over twice the agents is
  compacted;
- per queue (everyone, each group, each webhook agent list) a sorted list of waiting
  conversations by (request instant, arrival order) (Q1), with positions by rank;
- one heap of deadlines; an entry whose conversation moved on is dropped when it comes up,
  and a restarted user timeout moves its single entry later instead of adding one;
- counts of agents that staff each scope (A2), for R4 and Q5.

Instants are integer microseconds since the epoch inside (T3) and aware datetimes outside.
Inside, an event is its fields ``(code, conversation, agent, argument)`` and an action a
tuple ``(action class, instant, *fields)``: :meth:`Desk.handle` converts both ways, and
the simulator drives :meth:`Desk._apply` directly to skip building objects.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sortedcontainers import SortedList

from ._actions import (
    Action,
    Assign,
    Close,
    CloseReason,
    Enqueue,
    FailureReason,
    Offer,
    PromptKind,
    RatingCard,
    RecordRating,
    Rejected,
    RejectReason,
    RequestAssignment,
    RoutingFailed,
    SendPrompt,
    SetAgentStatus,
    WithdrawOffer,
    WithdrawReason,
)
from ._errors import EventError
from ._events import (
    UNSET,
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AssignmentAnswered,
    AssignmentFailed,
    ConversationEnded,
    Event,
    Party,
    RatingInvited,
    RatingSubmitted,
    Tick,
    UserEntered,
    UserMessage,
)
from ._policy import (
    EVERYONE,
    AgentView,
    ConversationState,
    ConversationView,
    Decision,
    Scope,
    assign,
    queue_prompt_due,
    rank_key,
    reply_deadline,
)
from ._settings import DeskSettings, ServiceMode, Strategy, WebhookFallback
from ._templates import Compiled, compile_template, render_compiled
from ._time import EPOCH, from_us, span_us, to_us

__all__ = ["Desk"]

S = ConversationState
ScopeKey = tuple[str, ...]
ALL: ScopeKey = ("*",)

# Deadline kinds, in the order they are listed in T2, and the slot of each in a conversation.
OFFER, REPLY, WAIT, PROMPT, WEBHOOK = range(5)
TIMERS = ("t_offer", "t_reply", "t_wait", "t_prompt", "t_webhook")
# A deadline: (due << 64 | order set << 3 | kind, conversation id). One integer orders
# by due instant, then by the order deadlines were set in (T2), and saves the memory of
# a second one (a pending deadline costs 96 bytes, not 132). The order set stays below
# 2**61: at a million deadlines a second that is 73,000 years.
Timer = tuple[int, str]
_SHIFT = 64
_ORDER = (1 << _SHIFT) - 1  # the bits of the order set and kind


def _timer_key(due: int, order: int) -> int:
    """The heap key of a deadline due at ``due`` (µs), set ``order``-th (``<< 3 | kind``)."""
    return due << _SHIFT | order


Entry = tuple[int, int, str]
NOBODY: frozenset[str] = frozenset()
_DAY = 86_400_000_000
_RENDERED = 4096  # rendered prompts kept for reuse, at most
_SLACK = 64  # a room heap is compacted when over twice the agents plus this


def _scope_of(key: ScopeKey) -> Scope:
    if key[0] == "g":
        return Scope(group=key[1])
    if key[0] == "a":
        return Scope(agents=frozenset(key[1:]))
    return EVERYONE


class _Agent:
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
        "status",
        "zero",
    )

    def __init__(self, agent_id: str) -> None:
        self.id = agent_id
        self.name: str | None = None
        self.status = AgentState.OFFLINE
        self.groups: frozenset[str] = frozenset()
        self.capacity: int | None = None  # None: queue.max_concurrent (A2)
        self.offers: set[str] | None = None  # conversations offered to it (S2)
        self.load = 0  # conversations it serves plus offers it holds (A2)
        self.online = 0  # when it last came online
        self.zero: int | None = None  # when its load last fell to 0
        self.given: int | None = None  # its latest offer or automatic assignment
        self.key: tuple[Any, ...] | None = None  # its entry in the room indexes


class _Conv:
    __slots__ = (
        "agent",
        "card_agent",
        "card_until",
        "closed",
        "declined",
        "forget",
        "id",
        "missed",
        "queue_at",
        "queue_pos",
        "rated",
        "reply_heap",
        "request",
        "scope",
        "state",
        *TIMERS,
    )

    def __init__(self, conv_id: str) -> None:
        self.id = conv_id
        self.state = S.NEW
        # (instant, order, id) of the request: its place in a queue (Q1) and its entry there.
        self.request: Entry | None = None
        self.scope: ScopeKey | None = None
        self.agent: str | None = None  # offered to, serving, or (when closed) served it
        self.declined: frozenset[str] = NOBODY
        self.missed: frozenset[str] = NOBODY
        # One slot a deadline kind, holding its heap entry (due, order set, kind, id) (T2).
        self.t_offer: Timer | None = None
        self.t_reply: Timer | None = None
        self.t_wait: Timer | None = None
        self.t_prompt: Timer | None = None
        self.t_webhook: Timer | None = None
        self.reply_heap: Timer | None = None  # its user-timeout entry in the heap
        self.queue_pos: int | None = None  # last position told (Q3)
        self.queue_at: int | None = None  # when it was told
        self.card_until: int | None = None
        self.card_agent: str | None = None
        self.rated = False
        self.closed: int | None = None
        self.forget: int | None = None


class Desk:
    """A customer-service desk: ``handle(event)`` returns the actions the host must take.

    The desk never reads a clock: time is the ``at`` of each event (T1, T2). Ask
    :meth:`next_deadline` when to wake it with a :class:`~deskcore.Tick`. An event that is
    an error raises :class:`~deskcore.EventError` and changes nothing (E1).

    With ``explain=True`` every routing decision is also computed by the pure
    :func:`~deskcore.assign` and kept in :attr:`decisions` (slower; for debugging).
    """

    # The sorted container of a queue; the benchmarks' naive reference swaps in a plain list.
    _queue_type: Callable[[], SortedList[tuple[int, int, str]]] = SortedList

    def __init__(self, settings: DeskSettings | None = None, *, explain: bool = False) -> None:
        self._settings = settings if settings is not None else DeskSettings()
        self._explain = explain
        self.decisions: list[tuple[str, Decision]] = []
        """With ``explain=True``: (conversation, decision) for each routing decision of the
        last :meth:`handle` call."""
        self._now: int | None = None
        self._order = 0  # arrival order of requests (Q1 ties)
        self._seq = 0  # order deadlines were set in (T2 ties)
        self._agents: dict[str, _Agent] = {}
        self._convs: dict[str, _Conv] = {}
        # Heaps of R5 keys; an entry is live while it *is* its agent's key.
        self._room: dict[ScopeKey, list[tuple[Any, ...]]] = {ALL: []}
        self._staff: dict[ScopeKey, int] = {ALL: 0}
        self._members: dict[str, int] = {}  # known agents in each group (R3)
        self._scopes: dict[ScopeKey, ScopeKey] = {ALL: ALL}  # one copy of each scope key
        self._groupsets: dict[frozenset[str], frozenset[str]] = {}  # one copy of each group set
        self._queues: dict[ScopeKey, SortedList[tuple[int, int, str]]] = {}
        # With a positive update_interval (Q3), per queue the entries that a move may have
        # to tell now or give a prompt deadline: all but those with a pending one.
        self._attention: dict[ScopeKey, SortedList[tuple[int, int, str]]] | None = None
        self._agent_queues: dict[str, set[ScopeKey]] = {}  # agent -> its agent-list queues
        self._heap: list[Timer] = []
        self._forget: list[tuple[int, str]] = []
        self._rebalance = False
        self._at = 0  # the instant of the step being handled (T2)
        self._next: tuple[int, datetime] = (0, EPOCH)  # next_deadline(), as int and datetime
        self._compiled: dict[str, Compiled] = {}  # prompt texts, split once
        self._rendered: dict[tuple[Any, ...], str] = {}  # (kind, text, *values): the prompt
        # Per step: actions out, queues whose positions changed (from which rank on), and
        # conversations that entered a queue.
        self._out: list[RawAction] = []
        self._event: tuple[int, str | None, str | None] = (TICK, None, None)
        self._moved: dict[ScopeKey, int] = {}
        self._entered: set[str] = set()
        self._configure()

    def _configure(self) -> None:
        """Take from the settings, once, what the hot paths read (durations in µs)."""
        settings = self._settings
        queue, service = settings.queue, settings.service
        self._hours = settings.working_hours
        # (from, until, open, edge): the desk's state in between, and the edge at `until`
        # (the next opening while closed), or None when none is within W3's 366 days.
        self._hours_span: tuple[int, int, bool, datetime | None] = (0, 0, False, None)
        self._strategy = settings.assignment.strategy
        self._manual = service.mode is ServiceMode.MANUAL
        self._accept_us = span_us(service.accept_timeout)
        self._default_capacity = queue.max_concurrent
        self._max_length = queue.max_length
        self._max_wait_us = None if queue.max_wait is None else span_us(queue.max_wait)
        interval = queue.update_interval
        self._interval_us = None if interval is None else span_us(interval)
        self._rebuild_attention()
        timeout = settings.closure.user_timeout
        self._user_timeout_us = None if timeout is None else span_us(timeout)
        self._retention_us = span_us(settings.closure.retention)
        self._validity_us = span_us(settings.ratings.validity)

    # -- public surface ---------------------------------------------------------------------

    @property
    def settings(self) -> DeskSettings:
        """The settings the desk runs with."""
        return self._settings

    def update_settings(self, settings: DeskSettings) -> None:
        """Run with ``settings`` from the next event on.

        Deadlines already set keep their instants. Agents whose capacity grows take
        waiting users at the next event (A5).
        """
        if not isinstance(settings, DeskSettings):
            raise TypeError(f"settings must be a DeskSettings, got {settings!r}")
        self._settings = settings
        self._configure()
        self._rebalance = True

    def next_deadline(self) -> datetime | None:
        """The instant of the earliest deadline that will act, or ``None`` (T2)."""
        due = self._next_due()
        if due is None:
            return None
        if due != self._next[0]:  # hosts ask after every event: build the datetime once
            self._next = (due, from_us(due))
        return self._next[1]

    def _next_due(self) -> int | None:
        """:meth:`next_deadline` in µs."""
        self._clean_heap()
        return self._heap[0][0] >> _SHIFT if self._heap else None

    def handle(self, event: Event) -> list[Action]:
        """Handle one event: fire due deadlines, then the event; return the actions (T2)."""
        fields = _FIELDS.get(type(event))
        if fields is None:
            raise EventError(f"expected one of the event classes, got {event!r}")
        at = event.at
        now = to_us(at)  # events are checked aware on construction (T1)
        raw = self._apply(now, *fields(event))
        if not raw:
            return []
        instants: dict[int, datetime] = {now: at}  # actions of the event keep its instant

        def instant(micros: int) -> datetime:
            moment = instants.get(micros)
            if moment is None:
                moment = instants[micros] = from_us(micros)
            return moment

        return [_BUILD[item[0]](item, instant) for item in raw]

    def _apply(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> list[RawAction]:
        """:meth:`handle` on an event's fields, returning raw actions (instants as µs).

        The simulator drives the desk through this to skip building event and action
        objects; everything else is the same code.
        """
        conv = self._check(now, code, conversation, agent, arg)
        self._event = (code, conversation, agent)
        out: list[RawAction] = []
        self._out = out
        if self._explain:
            self.decisions = []
        if self._rebalance:
            self._rebalance = False
            self._at = now
            self._rebalance_all(now)
            if self._moved:
                self._tell_positions(now)
        heap = self._heap
        if heap and heap[0][0] >> _SHIFT <= now:
            self._fire_until(now)
        self._now = self._at = now
        self._dispatch(code, conv, conversation, now, agent, arg)
        if self._moved:
            self._tell_positions(now)
        # D3: forget after the event, so that one known when it was checked is handled
        # (as closed) even if its retention ran out while due deadlines fired.
        forget = self._forget
        if forget and forget[0][0] <= now:
            self._purge(now)
        return out

    def conversation_state(self, conversation: str) -> ConversationState | None:
        """The state of a conversation, or ``None`` when unknown or forgotten (D3)."""
        conv = self._known(conversation, self._now)
        return conv.state if conv else None

    def queue_position(self, conversation: str) -> int | None:
        """The queue position of a waiting conversation (1 = next), else ``None``."""
        conv = self._convs.get(conversation)
        if conv is None or conv.state is not S.WAITING or conv.scope is None:
            return None
        assert conv.request is not None
        return self._queues[conv.scope].index(conv.request) + 1

    def agent_view(self, agent: str) -> AgentView:
        """What routing knows of an agent, as an :class:`~deskcore.AgentView`."""
        record = self._agents[agent]
        return AgentView(
            id=record.id,
            status=record.status,
            capacity=self._capacity(record),
            load=record.load,
            groups=record.groups,
            idle_since=from_us(self._idle(record)),
            last_given=None if record.given is None else from_us(record.given),
        )

    def conversation_view(self, conversation: str) -> ConversationView:
        """What the prompt and closure policies know of a conversation."""
        conv = self._convs[conversation]
        since = None if conv.t_reply is None else conv.t_reply[0] >> _SHIFT
        timeout = self._settings.closure.user_timeout
        return ConversationView(
            id=conv.id,
            state=conv.state,
            position=self.queue_position(conversation),
            last_queue_position=conv.queue_pos,
            last_queue_prompt=None if conv.queue_at is None else from_us(conv.queue_at),
            awaiting_reply_since=(
                None if since is None or timeout is None else from_us(since - span_us(timeout))
            ),
        )

    def explain(self, conversation: str) -> Decision:
        """How routing would decide for ``conversation`` now (R4, R5, S3, S4), and why."""
        conv = self._convs[conversation]
        scope = EVERYONE if conv.scope is None else _scope_of(conv.scope)
        return self._decide(conv, scope)

    def agents(self) -> Iterator[AgentView]:
        """Every known agent, as views, in id order."""
        for agent_id in sorted(self._agents):
            yield self.agent_view(agent_id)

    # -- checking (E1): no change of state before this passes ---------------------------------

    def _known(self, conv_id: str, now: int | None) -> _Conv | None:
        conv = self._convs.get(conv_id)
        if conv is None or (conv.forget is not None and now is not None and conv.forget <= now):
            return None  # D3: forgotten is unknown
        return conv

    def _check(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> _Conv | None:
        """E1: raise EventError for an event the host should never send; else its conversation."""
        if self._now is not None and now < self._now:
            raise EventError(
                f"is earlier than the previous event ({from_us(self._now).isoformat()}) (T1)",
                event_type=_NAMES[code],
                field="at",
            )
        conv = None if conversation is None else self._known(conversation, now)
        if code == REQUESTED:
            settings = self._settings.assignment
            if settings.strategy is Strategy.USER_CHOICE:
                if arg is None:
                    raise EventError(
                        "is required under the user_choice strategy (R3)",
                        event_type=_NAMES[code],
                        field="group",
                    )
                if arg not in settings.groups:
                    raise EventError(
                        f"{arg!r} is not one of assignment.groups {list(settings.groups)} (R3)",
                        event_type=_NAMES[code],
                        field="group",
                    )
        elif conv is None and conversation is not None and code != ENTERED:
            raise EventError(
                f"unknown conversation {conversation!r}",
                event_type=_NAMES[code],
                field="conversation",
            )
        if agent is not None and code != STATUS and agent not in self._agents:
            raise EventError(f"unknown agent {agent!r}", event_type=_NAMES[code], field="agent")
        return conv

    # -- steps and deadlines (T2) -----------------------------------------------------------

    def _timer(self, conv: _Conv, kind: int, due: int) -> Timer:
        """A new deadline: ordered by due instant, then by the order set in (T2)."""
        self._seq += 1
        return (_timer_key(due, self._seq << 3 | kind), conv.id)

    def _set(self, conv: _Conv, kind: int, due: int) -> None:
        timer = self._timer(conv, kind, due)
        setattr(conv, TIMERS[kind], timer)
        heapq.heappush(self._heap, timer)

    def _restart_reply(self, conv: _Conv, due: int | None) -> None:
        # One heap entry per conversation: a later restart leaves the earlier entry in the
        # heap, and _clean_heap moves it to the new instant when it comes up.
        timer = None if due is None else self._timer(conv, REPLY, due)
        conv.t_reply = timer
        if timer is not None and (conv.reply_heap is None or timer[0] < conv.reply_heap[0]):
            conv.reply_heap = timer
            heapq.heappush(self._heap, timer)

    def _clean_heap(self) -> None:
        heap = self._heap
        while heap:
            top = heap[0]
            conv = self._convs.get(top[1])
            if conv is not None and getattr(conv, TIMERS[top[0] & 7]) is top:
                return
            heapq.heappop(heap)
            if conv is not None and conv.reply_heap is top:
                conv.reply_heap = None
                current = conv.t_reply
                if current is not None and current[0] >= top[0]:  # not earlier
                    conv.reply_heap = current
                    heapq.heappush(heap, current)

    def _fire_until(self, now: int) -> None:
        heap = self._heap
        after = (now + 1) << _SHIFT  # keys below this are due at or before now
        while heap and heap[0][0] < after:  # a later top, even a stale one: none is due
            self._clean_heap()
            if not heap or heap[0][0] >= after:
                return
            key, conv_id = heapq.heappop(self._heap)
            due, kind = key >> _SHIFT, key & 7
            conv = self._convs[conv_id]
            setattr(conv, TIMERS[kind], None)
            if kind == REPLY:
                conv.reply_heap = None
            self._now = self._at = due  # actions of the step take effect at its instant (T2)
            self._fire(kind, conv, due)
            if self._moved:
                self._tell_positions(due)

    def _fire(self, kind: int, conv: _Conv, now: int) -> None:
        if kind == OFFER:
            self._offer_timeout(conv, now)
        elif kind == REPLY:
            self._close_served(conv, now, CloseReason.USER_TIMEOUT)
        elif kind == WAIT:
            self._max_wait(conv, now)
        elif kind == PROMPT:
            self._prompt_update(conv, now)
        else:
            self._webhook_fallback(conv, now)

    def _purge(self, now: int) -> None:
        while self._forget and self._forget[0][0] <= now:
            due, conv_id = heapq.heappop(self._forget)
            conv = self._convs.get(conv_id)
            if conv is not None and conv.forget == due:
                del self._convs[conv_id]

    def _prompt(self, conv: _Conv, now: int, kind: PromptKind, text: str, **values: Any) -> None:
        if not text:  # P2: an empty prompt is switched off
            return
        # The same call site (kind) passes the same names.
        rendered = self._render((kind, text, *values.values()), text, values)
        if rendered:  # P2
            self._out.append((SendPrompt, self._at, conv.id, kind, rendered))

    def _render(self, key: tuple[Any, ...], text: str, values: dict[str, Any]) -> str:
        """``text`` with ``values`` (P3), kept under ``key`` for reuse while there is room."""
        rendered = self._rendered.get(key)
        if rendered is None:
            parts = self._compiled.get(text)
            if parts is None:
                parts = self._compiled[text] = compile_template(text)
            rendered = render_compiled(parts, values)
            if len(self._rendered) < _RENDERED:
                self._rendered[key] = rendered
        return rendered

    def _reject(self, reason: RejectReason) -> None:
        code, conversation, agent = self._event
        self._out.append((Rejected, self._at, _NAMES[code], reason, conversation, agent))

    # -- events ---------------------------------------------------------------------------------

    def _dispatch(
        self,
        code: int,
        conv: _Conv | None,
        conversation: str | None,
        now: int,
        agent: str | None,
        arg: Any,
    ) -> None:
        if code == TICK:
            return
        if code == STATUS:
            self._agent_status(arg, now)
            return
        if conv is None:  # _check lets only user_entered and agent_requested through
            assert conversation is not None
            conv = self._convs[conversation] = _Conv(conversation)
            if code == ENTERED:
                self._prompt(conv, now, PromptKind.WELCOME, self._settings.prompts.welcome)  # P1
                return
        if conv.state is S.CLOSED and code != INVITED and code != SUBMITTED:
            self._reject(RejectReason.CONVERSATION_CLOSED)  # C3
            return
        _HANDLERS[code](self, conv, now, agent, arg)

    def _user_entered(self, conv: _Conv, now: int, agent: None, arg: None) -> None:
        """A conversation named before gets no second welcome (P1)."""

    def _open_at(self, now: int) -> bool:
        """W1: whether the desk is open at ``now``; the answer holds until the next edge."""
        low, high, is_open, _edge = self._hours_span
        if low <= now < high:
            return is_open
        hours, moment = self._hours, from_us(now)
        is_open = hours.is_open(moment)
        edge = hours.next_close(moment) if is_open else hours.next_open(moment)
        high = now + _DAY if edge is None else to_us(edge)  # no edge: look again tomorrow
        self._hours_span = (now, high, is_open, edge)
        return is_open

    def _agent_requested(self, conv: _Conv, now: int, agent: None, group: str | None) -> None:
        if conv.state is not S.NEW:
            self._reject(RejectReason.ALREADY_ROUTED)  # R1
            return
        settings = self._settings
        hours = self._hours
        if hours.enabled and not self._open_at(now):  # R2
            opening = self._hours_span[3]  # closed: _open_at found the next opening (W3)
            if opening is None:  # none within 366 days of when it looked: look from now
                opening = hours.next_open(from_us(now))
            shown = "" if opening is None else opening.strftime("%Y-%m-%d %H:%M")
            self._prompt(conv, now, PromptKind.AFTER_HOURS, hours.after_hours_reply, NextOpen=shown)
            self._out.append((RoutingFailed, self._at, conv.id, FailureReason.OUTSIDE_HOURS))
            return
        self._prompt(conv, now, PromptKind.CONNECTING, settings.prompts.connecting)  # R3
        self._order += 1
        conv.request = (now, self._order, conv.id)
        if self._max_wait_us is not None:  # Q4
            self._set(conv, WAIT, now + self._max_wait_us)
        strategy = self._strategy
        if strategy is Strategy.WEBHOOK:
            conv.state = S.AWAITING_ANSWER
            expires = now + span_us(settings.assignment.webhook_timeout)
            self._set(conv, WEBHOOK, expires)
            self._out.append((RequestAssignment, self._at, conv.id, expires))
            return
        if strategy is Strategy.USER_CHOICE:
            assert group is not None
            conv.scope = self._intern(("g", group))
        else:
            conv.scope = ALL
        self._route(conv, now)

    def _assignment_answered(
        self, conv: _Conv, now: int, agent: None, answer: tuple[str | None, tuple[str, ...] | None]
    ) -> None:
        if conv.state is not S.AWAITING_ANSWER:
            self._reject(RejectReason.NOT_WAITING_FOR_ANSWER)
            return
        conv.t_webhook = None
        key: ScopeKey
        group, agents = answer
        if group is not None:
            key = ("g", group)
            known = self._members.get(group, 0) > 0
        else:
            assert agents is not None
            members = sorted({a for a in agents if a in self._agents})
            key = ("a", *members)
            known = bool(members)
        if not known:  # R3: a scope with no known agent takes the fallback
            self._webhook_fallback(conv, now)
            return
        conv.state = S.NEW
        conv.scope = self._intern(key)
        self._route(conv, now)

    def _assignment_failed(self, conv: _Conv, now: int, agent: None, arg: None) -> None:
        if conv.state is not S.AWAITING_ANSWER:
            self._reject(RejectReason.NOT_WAITING_FOR_ANSWER)
            return
        conv.t_webhook = None
        self._webhook_fallback(conv, now)

    def _webhook_fallback(self, conv: _Conv, now: int) -> None:
        if self._settings.assignment.webhook_fallback is WebhookFallback.FAIL:
            self._fail(conv, now, FailureReason.WEBHOOK_FAILED)
            return
        conv.state = S.NEW
        conv.scope = ALL
        self._route(conv, now)

    def _agent_accepted(self, conv: _Conv, now: int, agent_id: str, arg: None) -> None:
        if conv.state is not S.OFFERED or conv.agent != agent_id:
            self._reject(RejectReason.NO_OPEN_OFFER)  # S2
            return
        agent = self._agents[agent_id]
        self._drop_offer(agent, conv)
        self._serve(conv, agent, now)

    def _agent_declined(self, conv: _Conv, now: int, agent_id: str, arg: None) -> None:
        if conv.state is not S.OFFERED or conv.agent != agent_id:
            self._reject(RejectReason.NO_OPEN_OFFER)
            return
        agent = self._agents[agent_id]
        conv.declined = conv.declined | {agent.id}  # S4
        self._end_offer(conv, now, WithdrawReason.DECLINED)
        self._reroute([conv], now, agent)

    def _agent_message(self, conv: _Conv, now: int, agent: None, arg: None) -> None:
        if conv.state is not S.SERVED:
            self._reject(RejectReason.NOT_SERVED)  # C1
            return
        self._restart_reply(conv, reply_deadline(now, self._user_timeout_us))

    def _user_message(self, conv: _Conv, now: int, agent: None, arg: None) -> None:
        if conv.state is S.SERVED:
            conv.t_reply = None  # C1: a reply stops the user timeout

    def _conversation_ended(self, conv: _Conv, now: int, agent_id: str | None, by: Party) -> None:
        serving = conv.agent if conv.state is S.SERVED else None
        if agent_id is not None and agent_id != serving:
            self._reject(RejectReason.NOT_SERVING_AGENT)  # C3
            return
        reason = CloseReason.ENDED_BY_USER if by is Party.USER else CloseReason.ENDED_BY_AGENT
        if conv.state is S.SERVED:
            self._close_served(conv, now, reason)
            return
        # C2, Q6: an unserved conversation closes without the end message.
        if conv.state is S.OFFERED:
            agent = self._end_offer(conv, now, WithdrawReason.CONVERSATION_ENDED)
            self._close(conv, now, reason)
            self._drain(agent, now)
            return
        if conv.state is S.WAITING:
            self._dequeue(conv)
        self._close(conv, now, reason)

    def _rating_invited(self, conv: _Conv, now: int, agent_id: str, arg: None) -> None:
        ratings = self._settings.ratings
        serving = conv.agent if conv.state is S.SERVED else None
        if conv.state is S.CLOSED:
            serving = conv.agent
        if not ratings.agent_invite:
            reason = RejectReason.INVITES_DISABLED
        elif serving is None or agent_id != serving:
            reason = RejectReason.NOT_SERVING_AGENT
        elif conv.rated:
            reason = RejectReason.ALREADY_RATED
        elif conv.card_until is not None and now < conv.card_until:
            reason = RejectReason.ALREADY_INVITED
        else:
            self._send_card(conv, self._agents[agent_id], now)  # V1
            return
        self._reject(reason)

    def _rating_submitted(self, conv: _Conv, now: int, agent: None, score: int) -> None:
        ratings = self._settings.ratings
        if conv.card_until is None:
            reason = RejectReason.NOT_INVITED
        elif conv.rated:
            reason = RejectReason.ALREADY_RATED
        elif now >= conv.card_until:
            reason = RejectReason.EXPIRED
        elif not 1 <= score <= ratings.scale:
            reason = RejectReason.INVALID_SCORE
        else:  # V3
            conv.rated = True
            assert conv.card_agent is not None
            self._out.append((RecordRating, self._at, conv.id, conv.card_agent, score))
            self._prompt(conv, now, PromptKind.RATING_SUBMITTED, ratings.submitted, Score=score)
            return
        self._reject(reason)

    def _agent_status(self, event: AgentStatusChanged, now: int) -> None:
        agent = self._agents.get(event.agent)
        if agent is None:
            agent = self._agents[event.agent] = _Agent(event.agent)
        before = self._staffs(agent), agent.groups
        self._unindex(agent)
        if event.name is not UNSET:
            agent.name = event.name
        if event.capacity is not UNSET:
            agent.capacity = event.capacity
        if event.groups is not UNSET:
            for group in agent.groups:
                self._members[group] -= 1
            groups = frozenset(event.groups)
            agent.groups = self._groupsets.setdefault(groups, groups)
            for group in agent.groups:
                self._members[group] = self._members.get(group, 0) + 1
        left = agent.status is AgentState.ONLINE and event.status is not AgentState.ONLINE
        if event.status is AgentState.ONLINE and agent.status is not AgentState.ONLINE:
            agent.online = now
        agent.status = event.status
        self._reindex(agent)
        self._restaff(agent, *before)
        if left:
            self._withdraw_all(agent, now, [])  # A4
        self._fail_unstaffed(agent, before[1], now)  # Q5
        self._drain(agent, now)  # A5

    # -- agents: capacity, room indexes, staffing ---------------------------------------------

    def _capacity(self, agent: _Agent) -> int:
        return self._default_capacity if agent.capacity is None else agent.capacity

    def _idle(self, agent: _Agent) -> int:
        return agent.online if agent.zero is None else max(agent.zero, agent.online)

    def _staffs(self, agent: _Agent) -> bool:
        return agent.status is not AgentState.OFFLINE and self._capacity(agent) >= 1

    def _unindex(self, agent: _Agent) -> None:
        agent.key = None  # its entries in the room heaps go stale

    def _reindex(self, agent: _Agent) -> None:
        """Put the agent in the room indexes under its current R5 key, or take it out."""
        capacity = self._default_capacity if agent.capacity is None else agent.capacity
        load = agent.load
        if agent.status is not AgentState.ONLINE or load >= capacity:
            key = None
        else:
            key = rank_key(agent.id, load, capacity, self._idle(agent), agent.given)
        if key == agent.key:
            return  # the same entries stay live
        agent.key = key  # a new key object: every older entry of the agent goes stale
        if key is None:
            return
        rooms = self._room
        limit = 2 * len(self._agents) + _SLACK
        room = rooms[ALL]
        heapq.heappush(room, key)
        if len(room) > limit:
            self._compact(room)
        for group in agent.groups:
            room = rooms.setdefault(("g", group), [])
            heapq.heappush(room, key)
            if len(room) > limit:
                self._compact(room)

    def _compact(self, room: list[tuple[Any, ...]]) -> None:
        """Drop the stale entries of a room heap: at least half of it, so O(1) amortised."""
        agents = self._agents
        room[:] = [entry for entry in room if agents[entry[-1]].key is entry]
        heapq.heapify(room)

    def _best(self, room: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
        """The smallest live entry of a room heap, dropping stale ones on the way."""
        agents = self._agents
        while room:
            top = room[0]
            if agents[top[-1]].key is top:
                return top
            heapq.heappop(room)
        return None

    def _restaff(self, agent: _Agent, staffed: bool, groups: frozenset[str]) -> None:
        now_staffs = self._staffs(agent)
        staff = self._staff
        if staffed:
            staff[ALL] -= 1
            for group in groups:
                staff[("g", group)] -= 1
        if now_staffs:
            staff[ALL] += 1
            for group in agent.groups:
                staff[("g", group)] = staff.get(("g", group), 0) + 1

    def _intern(self, key: ScopeKey) -> ScopeKey:
        return self._scopes.setdefault(key, key)

    def _staffed(self, key: ScopeKey) -> bool:
        if key[0] == "a":
            return any(
                member in self._agents and self._staffs(self._agents[member]) for member in key[1:]
            )
        return self._staff.get(key, 0) > 0

    def _change_load(self, agent: _Agent, delta: int, now: int) -> None:
        load = agent.load = agent.load + delta
        if load == 0:
            agent.zero = now
        self._reindex(agent)

    def _rebalance_all(self, now: int) -> None:
        staff: dict[ScopeKey, int] = {ALL: 0}
        for agent in self._agents.values():
            self._reindex(agent)
            if self._staffs(agent):
                staff[ALL] += 1
                for group in agent.groups:
                    staff[("g", group)] = staff.get(("g", group), 0) + 1
        self._staff = staff
        with_room = sorted((a.key, a) for a in self._agents.values() if a.key is not None)
        for _key, agent in with_room:
            self._drain(agent, now)

    # -- routing -----------------------------------------------------------------------------

    def _decide(self, conv: _Conv, scope: Scope) -> Decision:
        views = (self.agent_view(agent_id) for agent_id in self._agents)
        return assign(views, scope=scope, declined=conv.declined, missed=conv.missed)

    def _choose(self, conv: _Conv, key: ScopeKey) -> _Agent | None:
        """R5 with S3/S4: the best agent with room in the scope, from the index."""
        agents = self._agents
        room: list[tuple[Any, ...]]
        if key[0] == "a":
            members = (agents.get(member) for member in key[1:])
            room = [a.key for a in members if a is not None and a.key is not None]
            heapq.heapify(room)
        else:
            room = self._room.get(key) or []
        best = self._best(room)
        if best is None:
            return None
        if conv.declined is NOBODY and conv.missed is NOBODY:  # nobody is passed over
            return agents[best[-1]]
        # In R5 order: take entries off the heap until one fits, then put them back.
        taken: list[tuple[Any, ...]] = []
        fallback = chosen = None
        while room:
            entry = heapq.heappop(room)
            if agents[entry[-1]].key is not entry:
                continue  # stale: dropped
            taken.append(entry)
            agent_id = entry[-1]
            if agent_id in conv.declined:
                continue
            if agent_id in conv.missed:
                fallback = fallback or agent_id
                continue
            chosen = agent_id
            break
        for entry in taken:
            heapq.heappush(room, entry)
        chosen = chosen or fallback
        return None if chosen is None else agents[chosen]

    def _route(self, conv: _Conv, now: int) -> None:
        """Route a request: give it to an agent, queue it, or fail (R4–R6, Q4)."""
        key = conv.scope
        assert key is not None and conv.request is not None
        if self._explain:
            self.decisions.append((conv.id, self._decide(conv, _scope_of(key))))
        if not self._staffed(key):
            self._fail(conv, now, FailureReason.NO_AGENTS_ONLINE)  # R4
            return
        agent = self._choose(conv, key)
        if agent is not None:
            self._give(conv, agent, now)
            return
        queue = self._queues.get(key)
        limit = self._max_length
        if limit is not None and queue is not None and len(queue) >= limit:
            self._fail(conv, now, FailureReason.QUEUE_FULL)  # Q4
            return
        self._enqueue(conv, key)

    def _give(self, conv: _Conv, agent: _Agent, now: int) -> None:
        agent.given = now
        if self._manual:  # S2
            conv.state, conv.agent = S.OFFERED, agent.id
            if agent.offers is None:
                agent.offers = set()
            agent.offers.add(conv.id)
            self._change_load(agent, +1, now)
            expires = now + self._accept_us
            self._set(conv, OFFER, expires)
            self._out.append((Offer, self._at, conv.id, agent.id, expires))
            return
        self._change_load(agent, +1, now)
        self._serve(conv, agent, now)

    def _serve(self, conv: _Conv, agent: _Agent, now: int) -> None:
        conv.state, conv.agent = S.SERVED, agent.id
        conv.t_offer = conv.t_wait = None
        self._out.append((Assign, self._at, conv.id, agent.id))
        text = self._settings.prompts.connected
        if text:
            name = agent.name or agent.id
            self._prompt(conv, now, PromptKind.CONNECTED, text, AgentName=name, AgentId=agent.id)

    def _fail(self, conv: _Conv, now: int, reason: FailureReason) -> None:
        """F1: routing ends; the conversation stays open and un-routed."""
        if conv.state is S.WAITING:
            self._dequeue(conv)
        conv.state, conv.scope, conv.agent, conv.request = S.NEW, None, None, None
        conv.t_wait = conv.t_webhook = conv.t_prompt = None
        self._out.append((RoutingFailed, self._at, conv.id, reason))
        self._prompt(
            conv,
            now,
            PromptKind.CONNECT_FAILED,
            self._settings.prompts.connect_failed,
            Reason=reason,
        )

    @staticmethod
    def _drop_offer(agent: _Agent, conv: _Conv) -> None:
        assert agent.offers is not None
        agent.offers.discard(conv.id)
        if not agent.offers:
            agent.offers = None

    def _end_offer(self, conv: _Conv, now: int, reason: WithdrawReason) -> _Agent:
        agent = self._agents[conv.agent or ""]
        self._drop_offer(agent, conv)
        conv.agent = None
        conv.state = S.NEW
        conv.t_offer = None
        self._out.append((WithdrawOffer, self._at, conv.id, agent.id, reason))
        self._change_load(agent, -1, now)
        return agent

    def _withdraw_all(self, agent: _Agent, now: int, convs: list[_Conv]) -> None:
        """A4: withdraw every offer the agent holds, then route them all again."""
        for conv_id in sorted(
            agent.offers or (), key=lambda c: self._convs[c].request or (0, 0, c)
        ):
            conv = self._convs[conv_id]
            self._end_offer(conv, now, WithdrawReason.AGENT_UNAVAILABLE)
            convs.append(conv)
        self._reroute(convs, now, None)

    def _reroute(self, convs: list[_Conv], now: int, freed: _Agent | None) -> None:
        """Route again conversations whose offers ended, after all the withdrawals (A4).

        Each keeps its request's place (Q2): it goes back into its queue there, the agent
        whose offer ended takes the longest-waiting users it may serve (A5), and the rest
        are routed in the order of their requests; whoever finds no agent waits.
        """
        convs.sort(key=lambda c: c.request or (0, 0, c.id))
        for conv in convs:
            assert conv.scope is not None
            self._enqueue(conv, conv.scope)
        if freed is not None:
            self._drain(freed, now)
        for conv in convs:
            key = conv.scope
            if conv.state is not S.WAITING or key is None:
                continue  # taken by the freed agent
            if self._explain:
                self.decisions.append((conv.id, self._decide(conv, _scope_of(key))))
            if not self._staffed(key):
                self._fail(conv, now, FailureReason.NO_AGENTS_ONLINE)  # R4
                continue
            agent = self._choose(conv, key)
            if agent is not None:
                self._dequeue(conv)
                self._give(conv, agent, now)

    def _offer_timeout(self, conv: _Conv, now: int) -> None:
        agent = self._end_offer(conv, now, WithdrawReason.TIMEOUT)  # S3
        conv.missed = conv.missed | {agent.id}
        if not self._settings.service.break_on_timeout:
            self._reroute([conv], now, agent)
            return
        before = self._staffs(agent), agent.groups
        self._unindex(agent)
        agent.status = AgentState.BREAK
        self._restaff(agent, *before)
        self._out.append((SetAgentStatus, self._at, agent.id, "break", "offer_timeout"))
        self._withdraw_all(agent, now, [conv])

    def _max_wait(self, conv: _Conv, now: int) -> None:
        if conv.state is S.OFFERED:  # Q4: an open offer is withdrawn first
            agent = self._end_offer(conv, now, WithdrawReason.MAX_WAIT)
            self._fail(conv, now, FailureReason.QUEUE_TIMEOUT)
            self._drain(agent, now)
            return
        self._fail(conv, now, FailureReason.QUEUE_TIMEOUT)

    def _drain(self, agent: _Agent, now: int) -> None:
        """A5: an agent with room takes the longest-waiting conversations it may serve."""
        if not self._queues:  # nobody waits anywhere
            return
        while agent.key is not None:
            best: tuple[int, int, str] | None = None
            for key in self._queues_of(agent):
                for entry in self._queues[key]:
                    conv = self._convs[entry[2]]
                    if agent.id in conv.declined:
                        continue
                    if best is None or entry < best:
                        best = entry
                    break
            if best is None:
                return
            conv = self._convs[best[2]]
            assert conv.scope is not None
            chosen = agent
            if agent.id in conv.missed:  # S3: another agent with room goes first
                chosen = self._choose(conv, conv.scope) or agent
            self._dequeue(conv)
            if self._explain:
                self.decisions.append((conv.id, self._decide(conv, _scope_of(conv.scope))))
            self._give(conv, chosen, now)

    def _queues_of(self, agent: _Agent) -> Iterator[ScopeKey]:
        if not self._queues:
            return
        if ALL in self._queues:
            yield ALL
        for group in sorted(agent.groups):
            if ("g", group) in self._queues:
                yield ("g", group)
        yield from sorted(self._agent_queues.get(agent.id, ()))

    # -- queues (Q1–Q6) ------------------------------------------------------------------------

    def _enqueue(self, conv: _Conv, key: ScopeKey) -> None:
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = self._queue_type()
            for member in key[1:] if key[0] == "a" else ():
                self._agent_queues.setdefault(member, set()).add(key)
        entry = conv.request
        assert entry is not None
        queue.add(entry)
        conv.state = S.WAITING
        rank = queue.bisect_left(entry)
        self._moved[key] = min(self._moved.get(key, rank), rank)
        self._entered.add(conv.id)
        if self._attention is not None:
            self._attend(key, entry)

    def _dequeue(self, conv: _Conv) -> None:
        key, entry = conv.scope, conv.request
        assert key is not None and entry is not None
        queue = self._queues[key]
        rank = queue.bisect_left(entry)
        del queue[rank]
        if self._attention is not None:
            attention = self._attention.get(key)
            if attention is not None:
                attention.discard(entry)
                if not attention:
                    del self._attention[key]
        conv.state = S.NEW
        conv.t_prompt = None
        conv.queue_pos = conv.queue_at = None
        self._entered.discard(conv.id)
        if queue:
            self._moved[key] = min(self._moved.get(key, rank), rank)
        else:
            del self._queues[key]
            self._moved.pop(key, None)
            for member in key[1:] if key[0] == "a" else ():
                self._agent_queues[member].discard(key)

    def _tell_positions(self, now: int) -> None:
        """Q3: after a step in full, tell waiting users their new positions."""
        moved, self._moved = self._moved, {}
        entered, self._entered = self._entered, set()
        step = self._interval_us
        for key in sorted(moved):
            queue = self._queues[key]  # _dequeue forgets a queue it empties
            start = moved[key]
            items: Iterable[tuple[int, tuple[int, int, str]]]
            if step is None:  # "never": only those who entered need a word
                ranks = sorted(queue.index(self._entry(c)) for c in entered if self._in(c, key))
                items = [(rank, queue[rank]) for rank in ranks]
            elif step and self._attention is not None:
                # Those behind the move with a prompt deadline pending need nothing: the
                # deadline tells them their position then.
                attention = self._attention.get(key)
                if attention is None or start >= len(queue):
                    continue
                behind = list(attention.irange(minimum=queue[start]))
                items = [(queue.bisect_left(entry), entry) for entry in behind]
            else:
                items = enumerate(queue.islice(start), start)
            for rank, entry in items:
                conv = self._convs[entry[2]]
                position = rank + 1
                if conv.id in entered:
                    self._out.append((Enqueue, self._at, conv.id, position))
                    self._tell(conv, now, position)
                    continue
                send, due = queue_prompt_due(
                    position=position,
                    last_position=conv.queue_pos,
                    last_sent=conv.queue_at,
                    interval=step,
                    now=now,
                )
                if send:
                    self._tell(conv, now, position)
                elif due is not None and conv.t_prompt is None:
                    self._set(conv, PROMPT, due)
                    if self._attention is not None:
                        self._attention[key].discard(entry)  # the deadline will tell

    def _entry(self, conv_id: str) -> Entry:
        entry = self._convs[conv_id].request
        assert entry is not None
        return entry

    def _in(self, conv_id: str, key: ScopeKey) -> bool:
        conv = self._convs[conv_id]
        return conv.state is S.WAITING and conv.scope == key

    def _tell(self, conv: _Conv, now: int, position: int) -> None:
        conv.queue_pos, conv.queue_at = position, now
        conv.t_prompt = None
        self._prompt(
            conv,
            now,
            PromptKind.QUEUE,
            self._settings.queue.prompt,
            QueuePosition=position,
            WaitNo=position - 1,
        )

    def _prompt_update(self, conv: _Conv, now: int) -> None:
        position = self.queue_position(conv.id)
        if position is None:
            return
        if self._attention is not None:  # no deadline pending any more
            assert conv.scope is not None and conv.request is not None
            self._attend(conv.scope, conv.request)
        if position != conv.queue_pos:
            self._tell(conv, now, position)

    def _attend(self, key: ScopeKey, entry: Entry) -> None:
        attention = self._attention
        assert attention is not None
        entries = attention.get(key)
        if entries is None:
            entries = attention[key] = SortedList()
        if entry not in entries:
            entries.add(entry)

    def _rebuild_attention(self) -> None:
        """The attention sets from scratch (settings or state replaced): every waiting
        entry but those whose prompt deadline is pending and not later than the interval
        now allows (a shorter interval may make a user due before their deadline)."""
        step = self._interval_us
        if not step:
            self._attention = None
            return
        self._attention = {}
        for key, queue in self._queues.items():
            for entry in queue:
                conv = self._convs[entry[2]]
                timer, told = conv.t_prompt, conv.queue_at
                if timer is None or told is None or timer[0] >> _SHIFT > told + step:
                    self._attend(key, entry)

    def _fail_unstaffed(self, agent: _Agent, old_groups: frozenset[str], now: int) -> None:
        """Q5: queues left with nobody who staffs them fail their waiting users."""
        keys = [ALL, *(("g", g) for g in sorted(old_groups | agent.groups))]
        keys += sorted(self._agent_queues.get(agent.id, ()))
        for key in keys:
            queue = self._queues.get(key)
            if queue is None or self._staffed(key):
                continue
            for entry in list(queue):
                self._fail(self._convs[entry[2]], now, FailureReason.NO_AGENTS_ONLINE)

    # -- closing --------------------------------------------------------------------------------

    def _close_served(self, conv: _Conv, now: int, reason: CloseReason) -> None:
        closure = self._settings.closure
        text = (
            closure.timeout_message if reason is CloseReason.USER_TIMEOUT else closure.end_message
        )
        kind = PromptKind.TIMEOUT_CLOSURE if reason is CloseReason.USER_TIMEOUT else PromptKind.END
        self._prompt(conv, now, kind, text)
        agent = self._agents[conv.agent or ""]
        self._close(conv, now, reason)
        ratings = self._settings.ratings
        open_card = conv.card_until is not None and now < conv.card_until
        if ratings.send_on_end and not open_card and not conv.rated:  # V2
            self._send_card(conv, agent, now)
        self._change_load(agent, -1, now)  # C3: closing frees capacity (A5)
        self._drain(agent, now)

    def _close(self, conv: _Conv, now: int, reason: CloseReason) -> None:
        conv.state = S.CLOSED  # conv.agent stays: the agent that served it, if any
        conv.closed = now
        conv.t_offer = conv.t_reply = conv.t_wait = conv.t_prompt = conv.t_webhook = None
        self._out.append((Close, self._at, conv.id, reason))
        self._schedule_forget(conv)

    def _schedule_forget(self, conv: _Conv) -> None:
        assert conv.closed is not None
        keep = max(conv.closed, conv.card_until or conv.closed)
        conv.forget = keep + self._retention_us  # D3
        heapq.heappush(self._forget, (conv.forget, conv.id))

    def _send_card(self, conv: _Conv, agent: _Agent, now: int) -> None:
        ratings = self._settings.ratings
        conv.card_until = now + self._validity_us
        conv.card_agent = agent.id
        name = agent.name or agent.id
        text = self._render(
            (RatingCard, ratings.invitation, name), ratings.invitation, {"AgentName": name}
        )
        self._out.append((RatingCard, self._at, conv.id, text, conv.card_until))
        if conv.state is S.CLOSED:
            self._schedule_forget(conv)

    # -- state (D1) --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain JSON-able data; :meth:`restore` brings it back (D1)."""
        from ._snapshot import dump_state

        return dump_state(self)

    @classmethod
    def restore(
        cls, settings: DeskSettings, snapshot: dict[str, Any], *, explain: bool = False
    ) -> Desk:
        """A desk with ``settings`` and the state of ``snapshot`` (D1)."""
        from ._snapshot import load_state

        desk = cls(settings, explain=explain)
        load_state(desk, snapshot)
        return desk


# Event codes: the raw form of an event is (code, conversation, agent, argument).
TICK, STATUS, ENTERED, REQUESTED, ANSWERED, FAILED, ACCEPTED, DECLINED = range(8)
AGENT_MESSAGE, USER_MESSAGE, ENDED, INVITED, SUBMITTED = range(8, 13)
RawEvent = tuple[int, str | None, str | None, Any]
RawAction = tuple[Any, ...]  # (action class, instant, *fields in order); instants as µs

# Each event class and its handler, by code (_dispatch handles tick and agent_status).
_EVENTS: tuple[tuple[type[Event], Any], ...] = (
    (Tick, None),
    (AgentStatusChanged, None),
    (UserEntered, Desk._user_entered),
    (AgentRequested, Desk._agent_requested),
    (AssignmentAnswered, Desk._assignment_answered),
    (AssignmentFailed, Desk._assignment_failed),
    (AgentAccepted, Desk._agent_accepted),
    (AgentDeclined, Desk._agent_declined),
    (AgentMessage, Desk._agent_message),
    (UserMessage, Desk._user_message),
    (ConversationEnded, Desk._conversation_ended),
    (RatingInvited, Desk._rating_invited),
    (RatingSubmitted, Desk._rating_submitted),
)
_NAMES = tuple(cls.type for cls, _handler in _EVENTS)
_HANDLERS = tuple(handler for _cls, handler in _EVENTS)
_FIELDS: dict[type[Event], Callable[[Any], RawEvent]] = {
    Tick: lambda e: (TICK, None, None, None),
    AgentStatusChanged: lambda e: (STATUS, None, e.agent, e),
    UserEntered: lambda e: (ENTERED, e.conversation, None, None),
    AgentRequested: lambda e: (REQUESTED, e.conversation, None, e.group),
    AssignmentAnswered: lambda e: (ANSWERED, e.conversation, None, (e.group, e.agents)),
    AssignmentFailed: lambda e: (FAILED, e.conversation, None, None),
    AgentAccepted: lambda e: (ACCEPTED, e.conversation, e.agent, None),
    AgentDeclined: lambda e: (DECLINED, e.conversation, e.agent, None),
    AgentMessage: lambda e: (AGENT_MESSAGE, e.conversation, None, None),
    UserMessage: lambda e: (USER_MESSAGE, e.conversation, None, None),
    ConversationEnded: lambda e: (ENDED, e.conversation, e.agent, e.by),
    RatingInvited: lambda e: (INVITED, e.conversation, e.agent, None),
    RatingSubmitted: lambda e: (SUBMITTED, e.conversation, None, e.score),
}
"""How :meth:`Desk.handle` takes each event class apart for :meth:`Desk._apply`."""

Instant = Callable[[int], datetime]
# How each action class is built from its raw tuple (class, at, *fields in field order).
_BUILD: dict[type[Action], Callable[[RawAction, Instant], Action]] = {
    SendPrompt: lambda r, t: SendPrompt(at=t(r[1]), conversation=r[2], prompt=r[3], text=r[4]),
    RequestAssignment: lambda r, t: RequestAssignment(
        at=t(r[1]), conversation=r[2], expires_at=t(r[3])
    ),
    Enqueue: lambda r, t: Enqueue(at=t(r[1]), conversation=r[2], position=r[3]),
    Offer: lambda r, t: Offer(at=t(r[1]), conversation=r[2], agent=r[3], expires_at=t(r[4])),
    WithdrawOffer: lambda r, t: WithdrawOffer(
        at=t(r[1]), conversation=r[2], agent=r[3], reason=r[4]
    ),
    Assign: lambda r, t: Assign(at=t(r[1]), conversation=r[2], agent=r[3]),
    SetAgentStatus: lambda r, t: SetAgentStatus(at=t(r[1]), agent=r[2], status=r[3], reason=r[4]),
    RoutingFailed: lambda r, t: RoutingFailed(at=t(r[1]), conversation=r[2], reason=r[3]),
    Close: lambda r, t: Close(at=t(r[1]), conversation=r[2], reason=r[3]),
    RatingCard: lambda r, t: RatingCard(
        at=t(r[1]), conversation=r[2], text=r[3], expires_at=t(r[4])
    ),
    RecordRating: lambda r, t: RecordRating(at=t(r[1]), conversation=r[2], agent=r[3], score=r[4]),
    Rejected: lambda r, t: Rejected(
        at=t(r[1]), event_type=r[2], reason=r[3], conversation=r[4], agent=r[5]
    ),
}
