"""The simulator's event loop: synthetic users and agents driving the real engine.

Theory of operation
-------------------

A discrete-event loop keeps its own heap of *host* events (arrivals, shift changes,
accepts, messages, handle-time ends, abandonments, ratings), each ``(instant, order,
kind, target, token)``. Each turn it compares the earliest host event with
the engine's next deadline: a deadline that comes first is fired by a tick at its
instant (T2); otherwise the host event is sent as its desk event. Events go into the
engine under :meth:`~deskcore.Desk.handle` in their raw form (:mod:`deskcore._raw`),
and actions come back as tuples: the same code as ``handle`` without building objects (a
test runs a whole day both ways and compares the reports). The actions the desk
returns are the only way the simulator learns what happened: an ``Offer`` schedules
the agent's answer, an ``Assign`` the service, a ``RoutingFailed`` the user's leaving,
and so on. Host events that the desk's actions made pointless (an accept for an offer
that was withdrawn, the patience of a user already served) are dropped when they come
up: the target's state or token no longer matches.

Every action is taken at the instant of the event that produced it: deadlines are
ticked at their own instants, so nothing is ever due earlier.

1. Users arrive as a Poisson process (per hour of the local day); each asks for an
   agent and ends the conversation if not served within its patience.
2. Agents come online, go on break and go offline as their team's shift says.
3. In manual mode an agent answers an offer after the accept delay, or misses it.
4. A served conversation lasts the handle time; the agent writes messages that the user
   answers (or not: the user timeout may close it); the agent may invite a rating, then
   ends the conversation; rating cards are answered by a share of users.
5. A user whose routing failed leaves at once (``conversation_ended``).

Randomness comes from the ``random.Random`` passed in, so a seed fixes the run.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Callable
from datetime import timedelta
from random import Random
from typing import Any, Protocol

from .._actions import (
    Action,
    Assign,
    Close,
    Enqueue,
    Offer,
    RatingCard,
    RecordRating,
    Rejected,
    Release,
    ReleaseReason,
    RequestAssignment,
    RoutingFailed,
    SendPrompt,
    SetAgentStatus,
    WithdrawOffer,
)
from .._engine import Engine
from .._events import UNSET, AgentState
from .._members import AGENT, BREAK, OFFLINE, ONLINE, USER
from .._prompts import PromptCount
from .._raw import (
    ACCEPTED,
    AGENT_MESSAGE,
    ANSWERED,
    DECLINED,
    ENDED,
    ENTERED,
    INVITED,
    REQUESTED,
    STATUS,
    SUBMITTED,
    TICK,
    USER_MESSAGE,
    RawAction,
)
from .._raw import (
    FAILED as ROUTING_FAILED,
)
from .._raw import (
    TRANSFER as TRANSFER_EVENT,
)
from .._settings import DeskSettings, Strategy
from .._time import span_us, to_us
from ._arrivals import ArrivalClock
from ._draws import exponential
from ._host import (
    ABANDON,
    ACCEPT,
    ANSWER,
    ARRIVE,
    CLOSED,
    DECLINE,
    DROP,
    FAILED,
    FINISH,
    LEAVE,
    OFFERED,
    RATE,
    REJOIN,
    REPLY,
    RETURN,
    ROUTING,
    SERVED,
    SHIFT,
    TRANSFER,
    UNSERVED,
    WAITING,
    WRITE,
    HostAgent,
    HostConv,
)
from ._report import Report
from ._shifts import check_fit, shift_changes
from ._tally import AgentTime, Tally, overlap
from ._workload import Workload

__all__ = ["PROGRESS_EVERY", "Driven", "Loop", "Progress"]

Progress = Callable[[float], None]


class Driven(Protocol):
    """What the simulator needs of an engine (:class:`~deskcore._engine.Engine` has it)."""

    def apply(
        self, now: int, code: int, conversation: str | None, agent: str | None, arg: Any
    ) -> list[RawAction]:
        """Handle one raw event; return the raw actions."""

    def next_due(self) -> int | None:
        """The instant of the next deadline, in µs, or ``None``."""


_HOUR = 3_600_000_000
_DRAIN = 24 * _HOUR  # the longest the run goes on after the last arrival
PROGRESS_EVERY = 8192  # host events between progress calls


class Loop:
    """The event loop of one simulated run: its host events, its engine, its tally.
    :class:`~deskcore.sim.Simulation` is its public face."""

    def __init__(
        self,
        settings: DeskSettings,
        workload: Workload,
        rng: Random,
        service_level_threshold: timedelta,
    ) -> None:
        check_fit(settings, workload)
        self.settings = settings
        self.workload = workload
        self.rng = rng
        self.threshold = service_level_threshold
        # The report counts prompts by kind and never reads their texts: the engine
        # counts them into the tally itself, leaving out the conversations that arrived
        # before the warm-up ended (the count-only path; a test holds the report to the
        # one Desk.handle gives). An engine put in its place returns them as actions.
        self._uncounted: set[str] = set()
        self._heap: list[tuple[int, int, int, Any, int]] = []
        self._order = itertools.count()
        self._convs: dict[str, HostConv] = {}
        self._closed: list[HostConv] = []
        self._agents: dict[str, HostAgent] = {}
        self._roster = workload.agents.roster()
        self._teams: list[list[HostAgent]] = []
        self._now = 0
        self._count = 0
        self._open = 0
        self._pending = 0
        self._moved = True  # the desk handled an event since next_deadline() was asked
        # The measured window, and what is measured in it.
        self._start = to_us(workload.start)
        self._end = self._start + span_us(workload.length)
        self._from = self._start + span_us(workload.warmup)
        self.tally = Tally(self._start, self._end, self._from)
        count = PromptCount(self.tally.prompts, self._uncounted)
        self.engine: Driven = Engine(settings, count=count)
        self._on: dict[type[Action], Callable[[Any], None]] = {
            Enqueue: self._on_enqueue,
            Offer: self._on_offer,
            WithdrawOffer: self._on_withdraw,
            Assign: self._on_assign,
            RoutingFailed: self._on_failed,
            Close: self._on_close,
            RatingCard: self._on_card,
            RecordRating: self._on_record,
            Rejected: self._on_rejected,
            SetAgentStatus: self._on_status,
            RequestAssignment: self._on_request,
            Release: self._on_release,
        }
        self._build_samplers()

    def _build_samplers(self) -> None:
        workload, rng, settings = self.workload, self.rng, self.settings
        users, agents = workload.users, workload.agents
        self._patience = None if users.patience is None else users.patience.sampler(rng)
        self._reply_delay = users.reply_delay.sampler(rng)
        self._handle_time = workload.handling.time.sampler(rng)
        self._accept_delay = agents.accept_delay.sampler(rng)
        self._rating_delay = workload.ratings.delay.sampler(rng)
        self._answer_delay = workload.routing.answer_delay.sampler(rng)
        timeout = settings.closure.user_timeout
        self._messages = 0 if timeout is None else workload.handling.messages
        self._invite = workload.ratings.invite if settings.ratings.agent_invite else 0.0
        self._break_return = None if agents.break_return is None else span_us(agents.break_return)
        self._retention = span_us(settings.closure.retention)
        scores = workload.ratings.scores or (1.0,) * settings.ratings.scale
        self._score_weights = list(itertools.accumulate(scores))
        groups = workload.users.groups
        self._groups = [group for group, _weight in groups]
        self._group_weights = list(itertools.accumulate(weight for _group, weight in groups))
        self._priorities = _choices(users.priorities)
        self._languages = _choices(users.languages)
        self._transfers = workload.handling.transfers
        # Read at nearly every event: kept here, not looked up in the workload each time.
        self._enter = users.enter
        self._silent = users.silent
        self._missed, self._declined = agents.missed, agents.declined
        self._respond = workload.ratings.respond
        self._failures = workload.routing.failures
        self._dropouts = agents.dropouts / _HOUR
        self._dropout_time = agents.dropout_time.sampler(rng)
        strategy = settings.assignment.strategy
        self._choose_group = strategy is Strategy.USER_CHOICE
        self._arrivals = ArrivalClock(workload, rng, self._start, self._end)

    # -- the loop --------------------------------------------------------------------------

    def run(self, progress: Progress | None = None) -> Report:
        """Run the whole workload and return the report; ``progress(share)`` is told how
        far the run is (0 … 1) now and then. A simulation runs once."""
        self._staff()
        arrival = self._arrivals.after(self._start)
        if arrival is not None:
            self._push(arrival, ARRIVE, None, 0)
        heap, engine, tally, stop = self._heap, self.engine, self.tally, self._end + _DRAIN
        dispatch = (
            self._arrive,
            self._shift,
            self._return,
            self._accept,
            self._decline,
            self._abandon,
            self._write,
            self._reply,
            self._finish,
            self._leave,
            self._rate_conversation,
            self._answer,
            self._transfer,
            self._drop,
            self._rejoin,
        )
        turns, every = 0, PROGRESS_EVERY
        end, length = self._end, self._end - self._start
        pop, next_due = heapq.heappop, engine.next_due
        due: int | None = None
        while True:
            if self._moved:  # the desk's deadlines change only when it handles an event
                self._moved = False
                due = next_due()
            if heap and (due is None or heap[0][0] <= due):
                when = heap[0][0]
                if when >= end and not self._open and not self._pending:
                    break  # only shift changes are left
                if when > stop:
                    break
                _when, _order, kind, target, token = pop(heap)
                if when >= tally.next_sample:
                    self._advance(when)
                self._now = when
                dispatch[kind](target, token)
            elif due is not None and due <= stop:
                self._advance(due)
                self._send(TICK, None, None, None)
            else:
                break
            turns += 1
            if not turns % every and progress is not None:
                progress(min(1.0, (self._now - self._start) / length))
        if progress is not None:
            progress(1.0)
        return self._report()

    def _push(self, when: int, kind: int, target: Any, token: int) -> None:
        heapq.heappush(self._heap, (when, next(self._order), kind, target, token))

    def _advance(self, now: int) -> None:
        if now != self._now:
            self.tally.sample_until(now)
            self._now = now

    def _send(self, code: int, conversation: str | None, agent: str | None, arg: Any) -> None:
        """Hand the desk one event, as raw fields, and take in its actions."""
        self.tally.events += 1
        self._moved = True
        on, convs, prompts = self._on, self._convs, self.tally.prompts
        for action in self.engine.apply(self._now, code, conversation, agent, arg):
            if action[0] is SendPrompt:  # the most frequent action, counted here
                if convs[action[2]].counted:
                    prompts[action[3]] += 1
            else:
                on[action[0]](action)
        closed = self._closed
        if closed:
            for conv in closed:  # after the step: its later actions may name them
                self._forget(conv)
            closed.clear()

    def _forget(self, conv: HostConv) -> None:
        """Drop a closed conversation once no rating of it is on its way."""
        if conv.state == CLOSED and not conv.pending:
            del self._convs[conv.id]
            if not conv.counted:
                self._uncounted.discard(conv.id)

    # -- agents ----------------------------------------------------------------------------

    def _staff(self) -> None:
        """Create every team's agents and schedule its shift changes."""
        capacity = self.settings.queue.max_concurrent
        for index, team in enumerate(self._roster):
            members = []
            for number in range(1, team.count + 1):
                agent_id = f"{team.name}-{number:04d}"
                agent = HostAgent(agent_id, capacity if team.capacity is None else team.capacity)
                self._agents[agent_id] = agent
                members.append(agent)
            self._teams.append(members)
            stop = self._end + _DRAIN
            for when, status in shift_changes(team, self.workload.timezone, self._start, stop):
                self._push(when, SHIFT, status, index)

    def _shift(self, status: AgentState, team: int) -> None:
        roster = self._roster[team]
        for agent in self._teams[team]:
            agent.epoch += 1
            if agent.status is status and agent.known:
                continue
            change: tuple[Any, ...]  # the raw agent_status argument
            if agent.known:
                change = (status, UNSET, UNSET, UNSET)
            else:
                agent.known = True
                capacity = UNSET if roster.capacity is None else roster.capacity
                change = (status, roster.groups, capacity, UNSET)
            self._set_status(agent, status)
            self._send(STATUS, None, agent.id, change)

    def _return(self, agent: HostAgent, epoch: int) -> None:
        """An agent the desk put on break comes back, unless its shift moved on."""
        if agent.epoch != epoch or agent.status is not BREAK:
            return
        self._switch(agent, ONLINE)

    def _switch(self, agent: HostAgent, status: AgentState) -> None:
        """The agent changes its own status (only the status: the desk keeps the rest)."""
        self._set_status(agent, status)
        self._send(STATUS, None, agent.id, (status, UNSET, UNSET, UNSET))

    def _set_status(self, agent: HostAgent, status: AgentState) -> None:
        now = self._now
        if agent.status is ONLINE:
            agent.online += overlap(agent.since, now, self._from, self._end)
            self.tally.online -= 1
        if status is ONLINE:
            self.tally.online += 1
            if self._dropouts:
                when = now + round(exponential(self.rng, self._dropouts))
                self._push(when, DROP, agent, agent.epoch)
        agent.status, agent.since = status, now

    def _on_status(self, action: RawAction) -> None:
        agent = self._agents[action[2]]
        self._set_status(agent, AgentState(action[3]))
        if self._break_return is not None and agent.status is BREAK:
            self._push(self._now + self._break_return, RETURN, agent, agent.epoch)

    # -- users -----------------------------------------------------------------------------

    def _arrive(self, _target: None, _token: int) -> None:
        now = self._now
        nxt = self._arrivals.after(now)
        if nxt is not None:
            self._push(nxt, ARRIVE, None, 0)
        self._count += 1
        conv_id = f"c{self._count}"
        counted = self._from <= now
        conv = self._convs[conv_id] = HostConv(conv_id, now, counted)
        if not counted:
            self._uncounted.add(conv_id)
        self._open += 1
        self.tally.requests += counted
        languages, priorities = self._languages, self._priorities
        language = None if languages is None else self._draw(languages)
        if self._enter:
            self._send(ENTERED, conv_id, None, (language, f"u{self._count}"))
        group = self._pick_group() if self._choose_group else None
        conv.group = group
        priority = 0 if priorities is None else self._draw(priorities)
        self._send(REQUESTED, conv_id, None, (group, None, language, priority, None))
        if self._patience is not None and conv.state in UNSERVED:
            self._push(now + self._patience.draw(), ABANDON, conv, 0)

    def _draw(self, choices: tuple[list[Any], list[float]]) -> Any:
        """One of weighted ``choices``."""
        values, weights = choices
        return values[bisect.bisect_right(weights, self.rng.random() * weights[-1])]

    def _pick_group(self) -> str:
        weights = self._group_weights
        return self._groups[bisect.bisect_right(weights, self.rng.random() * weights[-1])]

    def _abandon(self, conv: HostConv, _token: int) -> None:
        if conv.state in UNSERVED:
            self.tally.abandoned += conv.counted
            self._end_by_user(conv)

    def _leave(self, conv: HostConv, _token: int) -> None:
        self._end_by_user(conv)

    def _end_by_user(self, conv: HostConv) -> None:
        self._send(ENDED, conv.id, None, USER)

    def _answer(self, conv: HostConv, _token: int) -> None:
        """The routing service answers (webhook strategy); late answers are sent too."""
        if conv.state == CLOSED:
            return
        if self.rng.random() < self._failures:
            self._send(ROUTING_FAILED, conv.id, None, None)
        elif self._groups:
            self._send(ANSWERED, conv.id, None, (self._pick_group(), None))
        else:
            self._send(ANSWERED, conv.id, None, (None, tuple(self._agents)))

    # -- offers and service --------------------------------------------------------------------

    def _accept(self, conv: HostConv, offer: int) -> None:
        if conv.state == OFFERED and conv.offer == offer:
            self._send(ACCEPTED, conv.id, conv.agent, None)

    def _decline(self, conv: HostConv, offer: int) -> None:
        if conv.state == OFFERED and conv.offer == offer:
            self._send(DECLINED, conv.id, conv.agent, None)

    def _write(self, conv: HostConv, number: int) -> None:
        """The agent's message ``number`` (0 first): it (re)starts the user timeout (C1)."""
        if conv.state != SERVED:
            return
        self._send(AGENT_MESSAGE, conv.id, None, None)
        if not conv.silent:
            self._push(self._now + self._reply_delay.draw(), REPLY, conv, 0)
        number += 1
        if number < self._messages:
            self._push(conv.assigned + conv.handle * number // self._messages, WRITE, conv, number)

    def _transfer(self, conv: HostConv, assigned: int) -> None:
        """Half way through, the agent hands the conversation on (X1–X3): to another
        agent, or to a group (the user's, else one of the workload's)."""
        if conv.state != SERVED or conv.assigned != assigned:
            return
        handling = self.workload.handling
        group = conv.group or (self._pick_group() if self._groups else None)
        target: tuple[str | None, str | None]
        if group is None or self.rng.random() < handling.to_agent:
            others = [agent_id for agent_id in self._agents if agent_id != conv.agent]
            if not others:
                return
            target = (others[int(self.rng.random() * len(others))], None)
        else:
            target = (None, group)
        self._send(TRANSFER_EVENT, conv.id, conv.agent, target)

    def _drop(self, agent: HostAgent, epoch: int) -> None:
        """An online agent drops offline mid-shift; it comes back after a while."""
        if agent.epoch != epoch or agent.status is not ONLINE:
            return
        self._switch(agent, OFFLINE)
        self._push(self._now + self._dropout_time.draw(), REJOIN, agent, agent.epoch)

    def _rejoin(self, agent: HostAgent, epoch: int) -> None:
        """A dropped-out agent is back, unless its shift moved on meanwhile."""
        if agent.epoch != epoch or agent.status is not OFFLINE:
            return
        self._switch(agent, ONLINE)

    def _reply(self, conv: HostConv, _token: int) -> None:
        if conv.state == SERVED:
            self._send(USER_MESSAGE, conv.id, None, None)

    def _finish(self, conv: HostConv, _token: int) -> None:
        if conv.state != SERVED:
            return
        if self._invite and self.rng.random() < self._invite:
            self._send(INVITED, conv.id, conv.agent, None)
        self._send(ENDED, conv.id, conv.agent, AGENT)

    def _rate_conversation(self, conv: HostConv, _token: int) -> None:
        conv.pending = False
        self._pending -= 1
        # The desk forgets a closed conversation after its retention (D3): a user that
        # late does not rate.
        if conv.closed is None or self._now < max(conv.closed, conv.card) + self._retention:
            weights = self._score_weights
            score = bisect.bisect_right(weights, self.rng.random() * weights[-1]) + 1
            self._send(SUBMITTED, conv.id, None, (score, None))
        self._forget(conv)

    # -- actions -------------------------------------------------------------------------------

    def _on_enqueue(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        conv.state = WAITING
        self.tally.queue_change(self._now, +1)
        if not conv.queued:
            conv.queued = True
            self.tally.queued += conv.counted

    def _on_offer(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        if conv.state == WAITING:
            self.tally.queue_change(self._now, -1)
        conv.state, conv.agent = OFFERED, action[3]
        conv.offer += 1
        self.tally.offers += conv.counted
        draw = self.rng.random()
        if draw < self._missed:
            return  # the offer times out (S3)
        kind = DECLINE if draw < self._missed + self._declined else ACCEPT
        self._push(self._now + self._accept_delay.draw(), kind, conv, conv.offer)

    def _on_withdraw(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        conv.state = ROUTING
        conv.offer += 1
        if conv.counted:
            self.tally.withdrawn[action[4]] += 1  # a Choice is its value

    def _on_assign(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        now = self._now
        if conv.state == WAITING:
            self.tally.queue_change(self._now, -1)
        conv.state, conv.agent, conv.assigned = SERVED, action[3], now
        again = conv.remaining is not None  # after a hand-over: served, and waited, already
        if conv.counted and not again:
            self.tally.served += 1
            self.tally.waits.append(now - conv.request)
        agent = self._agents[action[3]]
        if not agent.load:
            self.tally.busy += 1
            agent.busy_since = now
        agent.load += 1
        handle = conv.remaining if conv.remaining is not None else self._handle_time.draw()
        conv.handle, conv.remaining = handle, None
        self._push(now + handle, FINISH, conv, 0)
        if self._transfers and not again and self.rng.random() < self._transfers:
            self._push(now + handle // 2, TRANSFER, conv, now)
        if self._messages:
            conv.silent = self.rng.random() < self._silent
            self._push(now, WRITE, conv, 0)

    def _on_release(self, action: RawAction) -> None:
        """A hand-over (X3, A6): the agent is free of it; the rest of the handle time goes
        with the conversation to its next agent."""
        conv = self._convs[action[2]]
        self._unserve(conv, self._now)
        conv.state = ROUTING
        conv.remaining = max(0, conv.handle - (self._now - conv.assigned))
        if conv.counted:
            if action[4] is ReleaseReason.TRANSFERRED:
                self.tally.transfers += 1
            else:
                self.tally.reassignments += 1

    def _unserve(self, conv: HostConv, now: int) -> None:
        """The agent serving ``conv`` no longer does: its time is counted."""
        agent = self._agents[conv.agent]
        agent.served += overlap(conv.assigned, now, self._from, self._end)
        agent.load -= 1
        if not agent.load:
            agent.busy += overlap(agent.busy_since, now, self._from, self._end)
            self.tally.busy -= 1

    def _on_failed(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        if conv.state == WAITING:
            self.tally.queue_change(self._now, -1)
        conv.state = FAILED
        if conv.counted:
            self.tally.failed[action[3]] += 1
        self._push(self._now, LEAVE, conv, 0)

    def _on_close(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        now = self._now
        if conv.state == WAITING:
            self.tally.queue_change(self._now, -1)
        elif conv.state == SERVED:
            self._unserve(conv, now)
        conv.state, conv.closed = CLOSED, now
        self._open -= 1
        if conv.counted:
            self.tally.closes[action[3]] += 1
        self._closed.append(conv)

    def _on_card(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        self.tally.cards += conv.counted
        conv.card = action[4]
        if not conv.pending and self.rng.random() < self._respond:
            conv.pending = True
            self._pending += 1
            self._push(self._now + self._rating_delay.draw(), RATE, conv, 0)

    def _on_record(self, action: RawAction) -> None:
        if self._convs[action[2]].counted:
            self.tally.ratings[action[4]] += 1

    def _on_rejected(self, action: RawAction) -> None:
        self.tally.rejected[action[3]] += 1

    def _on_request(self, action: RawAction) -> None:
        conv = self._convs[action[2]]
        self._push(self._now + self._answer_delay.draw(), ANSWER, conv, 0)

    # -- the report ----------------------------------------------------------------------------

    def _report(self) -> Report:
        """Close the books: time still running at the end counts up to it."""
        now, low, high = self._now, self._from, self._end
        for conv in self._convs.values():
            if conv.state == SERVED:  # still served when the run stopped
                self._agents[conv.agent].served += overlap(conv.assigned, now, low, high)
        times: list[AgentTime] = []
        for agent in self._agents.values():
            if agent.status is ONLINE:
                agent.online += overlap(agent.since, now, low, high)
            if agent.load:
                agent.busy += overlap(agent.busy_since, now, low, high)
            times.append((agent.id, agent.online, agent.capacity, agent.served, agent.busy))
        unfinished = sum(1 for c in self._convs.values() if c.counted and c.state in UNSERVED)
        return self.tally.report(
            start=self.workload.start,
            length=self.workload.length,
            finished=now,
            threshold=self.threshold,
            agents=times,
            unfinished=unfinished,
        )


def _choices(weighted: tuple[tuple[Any, float], ...]) -> tuple[list[Any], list[float]] | None:
    """Values and their cumulative weights, for drawing; ``None`` when there are none."""
    if not weighted:
        return None
    return [value for value, _ in weighted], list(itertools.accumulate(w for _, w in weighted))
