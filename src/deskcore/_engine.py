"""The desk engine: a sans-I/O state machine over raw events, actions and deadlines.

Theory of operation
-------------------

:meth:`Engine.apply` takes one event in its raw form (:mod:`deskcore._raw`) and returns
its actions as raw tuples:

1. The event is checked against the state without changing anything (E1): an error
   raises :class:`~deskcore.EventError` and leaves the engine as it was, even due
   deadlines unfired.
2. Every deadline due at or before the event's instant fires, in order of (due instant,
   order set), each as its own *step* whose actions carry the deadline's instant (T2).
3. The event is handled as a step: one handler per event code, from a table; a handler
   that refuses the event (E2) returns the reason, and the engine emits ``rejected``.
4. A step ends by telling waiting users their positions after the step in full (Q3).
5. Conversations whose retention ran out are forgotten (D3), after the event, so that one
   known when it was checked is handled (as closed) even if it runs out in the same step.

The engine owns the records (:mod:`deskcore._records`) and the parts that work over
them, each a collaborator with its own concept: :class:`~deskcore._rooms.Rooms` (agents
with room, staffing), :class:`~deskcore._queues.Queues` (waiting users),
:class:`~deskcore._deadlines.Deadlines`, :class:`~deskcore._prompts.Prompter`,
:class:`~deskcore._routing.Router` (routing, offers, queue positions) and
:class:`~deskcore._closing.Closer` (closing, ratings). The engine itself decides what an
event means and the scope of a request (R1–R3). Every part appends its actions to the
one list :attr:`Engine.out`, which :meth:`apply` hands back and empties.

This module is package-internal; its documented interface (``Engine(settings)``,
:meth:`~Engine.apply`, :meth:`~Engine.next_due`, :meth:`~Engine.configure`, the records
and parts as attributes) is what :class:`~deskcore.Desk`, the snapshot code and the
simulator use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._actions import (
    FailureReason,
    Offer,
    PromptKind,
    Rejected,
    RejectReason,
    RequestAssignment,
    RoutingFailed,
)
from ._closing import Closer
from ._config import Config
from ._deadlines import Deadlines
from ._errors import EventError
from ._events import UNSET, AgentState
from ._hours import OpenMemo
from ._members import (
    AWAITING_ANSWER,
    CLOSED,
    NEW,
    OFFLINE,
    ONLINE,
    PROMPT_CONNECTING,
    PROMPT_WELCOME,
)
from ._policy import ConversationState, Decision
from ._prompts import PromptCount, Prompter
from ._queues import Queues
from ._raw import (
    ENTERED,
    INVITED,
    NAMES,
    REQUESTED,
    RESUMED,
    STATUS,
    SUBMITTED,
    TICK,
    TRANSFER,
    RawAction,
)
from ._records import (
    ALL,
    ORDER_MASK,
    WEBHOOK,
    AgentRecord,
    ConvRecord,
    ScopeKey,
    due_of,
    group_key,
)
from ._rooms import Rooms
from ._routing import Router
from ._settings import DeskSettings, Strategy
from ._show import show, show_list
from ._time import EARLIEST, from_us

__all__ = ["Engine"]

S = ConversationState
Handler = Callable[[ConvRecord, int, Any, Any], RejectReason | None]


class Engine:
    """The state and rules of one desk; see the module's theory of operation.

    ``rooms`` and ``queues`` are the classes of those parts: a reference implementation
    (a linear scan in the benchmarks) passes its own. With ``count``, prompts are counted
    there instead of sent (no ``send_prompt`` action; P2 holds): the simulator counts
    prompts and never reads them.
    """

    def __init__(
        self,
        settings: DeskSettings,
        *,
        explain: bool = False,
        rooms: type[Rooms] = Rooms,
        queues: type[Queues] = Queues,
        count: PromptCount | None = None,
    ) -> None:
        config = Config(settings)
        self.config = config
        self.now: int | None = None  # the instant of the last event (µs)
        # Settings given by update(): switched to at the next event, after its due deadlines.
        self.pending: Config | None = None
        self.rebalance = False  # settings changed: agents take waiting users at the next event
        self.agents: dict[str, AgentRecord] = {}
        self.convs: dict[str, ConvRecord] = {}
        self.out: list[RawAction] = []
        self.rooms = rooms(self.agents, config.default_capacity)
        self.queues = queues(self.convs, config.interval_us)
        self.deadlines = Deadlines(self.convs, self.agents)
        self.prompter = Prompter(self.out, settings, count=count)
        self.router = Router(
            config,
            self.agents,
            self.convs,
            self.rooms,
            self.queues,
            self.deadlines,
            self.prompter,
            self.out,
        )
        self.closer = Closer(
            config,
            self.agents,
            self.rooms,
            self.queues,
            self.deadlines,
            self.prompter,
            self.router,
            self.out,
        )
        self.explain = explain
        self.hours = OpenMemo(settings.working_hours.schedule)
        router, closer = self.router, self.closer
        # The handler of each event code (tick, agent_status and resumed are handled in
        # dispatch).
        self._handlers: tuple[Handler | None, ...] = (
            None,
            None,
            self._user_entered,
            self._agent_requested,
            self._assignment_answered,
            self._assignment_failed,
            router.accepted,
            router.declined,
            closer.agent_message,
            closer.user_message,
            closer.ended,
            closer.invited,
            closer.submitted,
            router.transferred,
            None,
        )
        # What each deadline kind does when it fires (T2); the last is an agent's (A6).
        self._fire: tuple[Callable[[Any, int], None], ...] = (
            router.offer_timeout,
            closer.user_timeout,
            router.max_wait,
            router.prompt_update,
            self._webhook_fallback,
            closer.remind,
            router.reassign,
        )

    @property
    def settings(self) -> DeskSettings:
        """The settings the engine runs with (those given to :meth:`update` once given)."""
        return (self.pending or self.config).settings

    def update(self, settings: DeskSettings) -> None:
        """Run with ``settings`` from the next event on: after the deadlines due before it
        have fired under the old ones (T2), every part switches and the event is handled
        under the new ones; then agents with room take waiting users (A5)."""
        self.pending = Config(settings)
        self.rebalance = True

    def configure(self, settings: DeskSettings) -> None:
        """Run with ``settings`` now: every part reads them from here on."""
        self._switch(Config(settings))

    @property
    def order(self) -> int:
        """How many requests have been made (their arrival order, Q1)."""
        return self.router.order

    @order.setter
    def order(self, value: int) -> None:
        self.router.order = value

    def _switch(self, config: Config) -> None:
        if config.reassign_us is not None and self.config.reassign_us is None:
            self.router.track_serving()
        self.config = config
        self.router.config = self.closer.config = config
        self.prompter.configure(config.settings)
        self.rooms.default_capacity = config.default_capacity
        self.queues.interval = config.interval_us
        self.queues.rebuild_attention()
        self.hours = OpenMemo(config.settings.working_hours.schedule)

    def next_due(self) -> int | None:
        """The instant (µs) of the earliest deadline that will act, or ``None`` (T2)."""
        return self.deadlines.next_due()

    def known(self, conv_id: str, now: int | None) -> ConvRecord | None:
        """The record of a conversation, or ``None`` when unknown or forgotten at ``now``
        (D3: forgotten is unknown)."""
        conv = self.convs.get(conv_id)
        if conv is None or (conv.forget is not None and now is not None and conv.forget <= now):
            return None
        return conv

    def decide(self, conv: ConvRecord) -> Decision:
        """How routing would decide for ``conv`` now, in its scope (else everyone)."""
        return self.router.decide(conv, ALL if conv.scope is None else conv.scope)

    def rebuild(self) -> None:
        """Every index afresh from the records (after a restore)."""
        self.rooms.rebuild()
        self.queues.rebuild()
        self.deadlines.rebuild()
        agents = self.agents.values()
        if self.config.reassign_us is not None or any(a.t_reassign for a in agents):
            self.router.track_serving()  # A6: hand-overs to come need their conversations

    # -- one event ---------------------------------------------------------------------------

    def apply(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> list[RawAction]:
        """Handle one raw event at ``now`` (µs): fire due deadlines, then the event; return
        the raw actions (T2). Raises :class:`~deskcore.EventError` and changes nothing when
        the event is an error (E1)."""
        conv = self._check(now, code, conversation, agent, arg)
        out = self.out
        out.clear()
        router, queues = self.router, self.queues
        if self.explain:
            router.decisions = []
        deadlines = self.deadlines
        until = arg if code == RESUMED else now  # T4: those due up to the outage only
        if deadlines.due_at <= until:  # something may be due (maybe stale)
            fire = self._fire
            item = deadlines.pop_due(until)
            while item is not None:
                due, kind, record = item
                self.now = due  # actions of the step take effect at its instant (T2)
                fire[kind](record, due)
                if queues.moved:
                    router.tell_positions(due)
                item = deadlines.pop_due(until)
        self.now = now
        rebalance = self.rebalance
        if rebalance:  # new settings take effect now, after the due deadlines
            self._switch_settings()
        self._dispatch(code, conv, conversation, now, agent, arg)
        if rebalance:
            self._rebalance(now)
        if queues.moved:
            router.tell_positions(now)
        if deadlines.forget_at <= now:
            deadlines.purge(now)
        actions = out.copy()
        out.clear()
        return actions

    def _check(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> ConvRecord | None:
        """E1: raise EventError for an event the host should never send; else its record."""
        if self.now is not None and now < self.now:
            raise EventError(
                f"is earlier than the previous event ({from_us(self.now).isoformat()}) (T1)",
                event_type=NAMES[code],
                field="at",
            )
        config = self.pending or self.config  # the settings the event will be handled under
        if not EARLIEST <= now <= config.latest_us:
            latest = from_us(config.latest_us).isoformat()
            raise EventError(
                f"must lie from 0001-01-01T00:00:00+00:00 to {latest} (the latest instant "
                "whose deadlines under these settings a datetime can hold)",
                event_type=NAMES[code],
                field="at",
            )
        conv = None if conversation is None else self.known(conversation, now)
        if code == REQUESTED:
            group = arg[0]
            if config.user_choice:
                assignment = config.settings.assignment
                if group is None:
                    raise EventError(
                        "is required under the user_choice strategy (R3)",
                        event_type=NAMES[code],
                        field="group",
                    )
                if group not in assignment.groups:
                    raise EventError(
                        f"{show(group)} is not one of assignment.groups "
                        f"({show_list(assignment.groups)}) (R3)",
                        event_type=NAMES[code],
                        field="group",
                    )
        elif conv is None and conversation is not None and code != ENTERED:
            raise EventError(
                f"unknown conversation {show(conversation)}",
                event_type=NAMES[code],
                field="conversation",
            )
        if agent is not None and code != STATUS and agent not in self.agents:
            raise EventError(f"unknown agent {show(agent)}", event_type=NAMES[code], field="agent")
        if code < TRANSFER:  # the events with checks of their own come last
            return conv
        if code == TRANSFER:
            self._check_transfer(arg, config.settings.assignment)
        elif code == RESUMED:
            since = arg
            if self.now is not None and since < self.now:
                raise EventError(
                    f"is earlier than the previous event ({from_us(self.now).isoformat()}): "
                    "the desk was up then (T4)",
                    event_type=NAMES[code],
                    field="since",
                )
            if since > now:
                raise EventError("is later than at (T4)", event_type=NAMES[code], field="since")
        return conv

    def _check_transfer(self, target: tuple[str | None, str | None], assignment: Any) -> None:
        """X1: exactly one known target; under user_choice a group of the settings."""
        to_agent, to_group = target
        name = NAMES[TRANSFER]
        if (to_agent is None) == (to_group is None):
            raise EventError("give exactly one of 'to_agent' and 'to_group'", event_type=name)
        if to_agent is not None and to_agent not in self.agents:
            raise EventError(f"unknown agent {show(to_agent)}", event_type=name, field="to_agent")
        if (
            to_group is not None
            and assignment.strategy is Strategy.USER_CHOICE
            and to_group not in assignment.groups
        ):
            raise EventError(
                f"{show(to_group)} is not one of assignment.groups "
                f"({show_list(assignment.groups)}) (X1)",
                event_type=name,
                field="to_group",
            )

    def _dispatch(
        self,
        code: int,
        conv: ConvRecord | None,
        conversation: str | None,
        now: int,
        agent: str | None,
        arg: Any,
    ) -> None:
        if code == TICK:
            return
        if code == STATUS:
            assert agent is not None
            self._agent_status(agent, arg, now)
            return
        if code == RESUMED:
            self._resumed(arg, now)
            return
        if conv is None:  # _check lets only user_entered and agent_requested through
            assert conversation is not None
            conv = self.convs[conversation] = ConvRecord(conversation)
            if code == ENTERED:
                conv.language, conv.user = arg
                self.prompter.say(conv, now, PROMPT_WELCOME)  # P1
                return
        if conv.state is CLOSED and code != INVITED and code != SUBMITTED:
            reason: RejectReason | None = RejectReason.CONVERSATION_CLOSED  # C3
        else:
            handler = self._handlers[code]
            assert handler is not None
            reason = handler(conv, now, agent, arg)
        if reason is not None:
            self.out.append((Rejected, now, NAMES[code], reason, conversation, agent))

    # -- agents (A1–A5) ----------------------------------------------------------------------

    def _agent_status(self, agent_id: str, arg: Any, now: int) -> None:
        status, groups, capacity, name = arg
        agent = self.agents.get(agent_id)
        if agent is None:
            agent = self.agents[agent_id] = AgentRecord(agent_id)
        rooms, router = self.rooms, self.router
        before = rooms.staffs(agent), agent.groups
        rooms.unindex(agent)
        if name is not UNSET:
            agent.name = name
        if capacity is not UNSET:
            agent.capacity = capacity
        if groups is not UNSET:
            rooms.set_groups(agent, frozenset(groups))
        was = agent.status
        left = was is ONLINE and status is not ONLINE
        if status is ONLINE and agent.status is not ONLINE:
            agent.online = now
        agent.status = status
        rooms.reindex(agent)
        rooms.restaff(agent, *before)
        if left:
            router.withdraw_all(agent, now, [])  # A4
        self._reassign_later(agent, was, now)  # A6
        # Q5: queues the agent may have staffed, left with nobody.
        keys = [ALL, *(group_key(g) for g in sorted(before[1] | agent.groups))]
        keys += sorted(self.queues.agent_lists.get(agent.id, ()))
        router.fail_unstaffed(keys, now)
        if was is not status or capacity is not UNSET or groups is not UNSET:
            router.drain(agent, now)  # A5: it may take more
        # An event that changes none of these gives the agent no new room; under new
        # settings every agent's room may have grown, and _rebalance() drains them all
        # in R5's order (this agent first only if R5 says so).

    def _switch_settings(self) -> None:
        """New settings from this event on: every part reads them, every agent is filed
        afresh (its capacity may have changed)."""
        self.rebalance = False
        if self.pending is not None:
            self._switch(self.pending)
            self.pending = None
        self.rooms.rebuild()

    def _reassign_later(self, agent: AgentRecord, was: AgentState, now: int) -> None:
        """A6: an agent that went offline serving conversations hands them over after
        ``reassign_after`` (at once when it is 0); coming back online cancels that."""
        after = self.config.reassign_us
        if agent.status is ONLINE:
            agent.t_reassign = None
        elif (
            after is not None
            and agent.status is OFFLINE
            and was is not OFFLINE
            and agent.serving
            and agent.t_reassign is None
        ):
            if after:
                self.deadlines.set_reassign(agent, now + after)
            else:
                self.router.reassign(agent, now)

    def _resumed(self, since: int, now: int) -> None:
        """T4: the host was down from ``since``: what was due by then has fired; every
        other deadline moves later by the downtime, and each open offer is sent again.
        A queue prompt deadline that moved lies past its user's interval, so the user is
        looked at again by the next move of the queue (Q3), as after a restore."""
        self.deadlines.shift(since, now - since)
        self.queues.rebuild_attention()
        offers = sorted(  # in the order the offers were made
            (timer[0] & ORDER_MASK, conv.id, conv.agent, due_of(timer))
            for conv in self.convs.values()
            if (timer := conv.t_offer) is not None
        )
        for _made, conv_id, agent_id, due in offers:
            self.out.append((Offer, now, conv_id, agent_id, due))

    def _rebalance(self, now: int) -> None:
        """After an event under new settings: agents with room take waiting users (A5)."""
        agents = self.agents.values()
        with_room = sorted((a.key, a) for a in agents if a.key is not None)
        for _key, agent in with_room:
            self.router.drain(agent, now)

    # -- requests (R1–R3) --------------------------------------------------------------------

    def _user_entered(
        self, conv: ConvRecord, now: int, _agent: None, arg: tuple[str | None, str]
    ) -> None:
        """A conversation named before gets no second welcome (P1); a language given
        is its language from now on (P4), and the user its user."""
        language, conv.user = arg
        if language is not None:
            conv.language = language

    def _agent_requested(
        self,
        conv: ConvRecord,
        now: int,
        _agent: None,
        request: tuple[str | None, str | None, str | None, int, str | None],
    ) -> RejectReason | None:
        if conv.state is not NEW:
            return RejectReason.ALREADY_ROUTED  # R1
        group, user, language, priority, preferred = request
        if language is not None:
            conv.language = language  # P4
        if user is not None:
            conv.user = user
        config = self.config
        if config.hours_enabled and not self.hours.is_open(now):  # R2
            opening = self.hours.next_open(now)
            shown = "" if opening is None else opening.strftime("%Y-%m-%d %H:%M")
            self.prompter.say(conv, now, PromptKind.AFTER_HOURS, NextOpen=shown)
            self.out.append((RoutingFailed, now, conv.id, FailureReason.OUTSIDE_HOURS))
            return None
        self.prompter.say(conv, now, PROMPT_CONNECTING)  # R3
        conv.preferred = preferred  # R5: for this request
        router = self.router
        router.request(conv, now, priority)  # Q1
        if config.webhook:
            conv.state = AWAITING_ANSWER
            expires = now + config.webhook_us
            self.deadlines.set(conv, WEBHOOK, expires)
            self.out.append((RequestAssignment, now, conv.id, expires, user, group))
            return None
        if config.user_choice:
            assert group is not None
            conv.scope = self.intern(group_key(group))
        else:
            conv.scope = ALL
        router.route(conv, now)
        return None

    def _assignment_answered(
        self,
        conv: ConvRecord,
        now: int,
        _agent: None,
        answer: tuple[str | None, tuple[str, ...] | None],
    ) -> RejectReason | None:
        if conv.state is not AWAITING_ANSWER:
            return RejectReason.NOT_WAITING_FOR_ANSWER
        conv.t_webhook = None
        key: ScopeKey
        group, agents = answer
        if group is not None:
            key = group_key(group)
            known = self.rooms.has_members(group)
        else:
            assert agents is not None
            members = sorted({a for a in agents if a in self.agents})
            key = ("a", *members)
            known = bool(members)
        if not known:  # R3: a scope with no known agent takes the fallback
            self._webhook_fallback(conv, now)
            return None
        conv.state = NEW
        conv.scope = self.intern(key)
        self.router.route(conv, now)
        return None

    def _assignment_failed(
        self, conv: ConvRecord, now: int, _agent: None, _arg: None
    ) -> RejectReason | None:
        if conv.state is not AWAITING_ANSWER:
            return RejectReason.NOT_WAITING_FOR_ANSWER
        conv.t_webhook = None
        self._webhook_fallback(conv, now)
        return None

    def _webhook_fallback(self, conv: ConvRecord, now: int) -> None:
        """R3: a failed, empty or late answer routes as automatic, or fails."""
        if self.config.webhook_fails:
            self.router.fail(conv, now, FailureReason.WEBHOOK_FAILED)
            return
        conv.state = NEW
        conv.scope = ALL
        self.router.route(conv, now)

    def intern(self, key: ScopeKey) -> ScopeKey:
        """One copy of each shared scope key (see :meth:`Rooms.intern`)."""
        return self.rooms.intern(key)
