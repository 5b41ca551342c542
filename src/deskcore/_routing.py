"""Routing: who gets a conversation, offers, queues and what waiting users are told.

The engine decides a conversation's scope (R2, R3) and hands it here. The router then
gives it to the preferred or the best agent with room (R4, R5), by assignment or offer
(S1, S2), queues it when nobody has room (R6, Q1–Q4), takes offers back (S3, S4, A4),
hands served conversations over to another scope (X1–X3) or from an agent gone offline
(A6), and fails routing (F1, Q4, Q5). Whenever an agent may take more it takes waiting
users (A5). At the end of a step it tells waiting users their new positions (Q3).
"""

from __future__ import annotations

from typing import Any

from ._actions import (
    Assign,
    Enqueue,
    FailureReason,
    Offer,
    PromptKind,
    RejectReason,
    Release,
    ReleaseReason,
    RoutingFailed,
    SetAgentStatus,
    StatusReason,
    WithdrawOffer,
    WithdrawReason,
)
from ._config import Config
from ._deadlines import Deadlines
from ._members import BREAK, NEW, OFFERED, PROMPT_CONNECTED, PROMPT_QUEUE, SERVED, WAITING
from ._policy import ConversationState, Decision, assign
from ._positions import prompt_due
from ._prompts import Prompter
from ._queues import Queues
from ._records import (
    OFFER,
    PROMPT,
    WAIT,
    AgentRecord,
    ConvRecord,
    ScopeKey,
    group_key,
    scope_of,
)
from ._rooms import Rooms

__all__ = ["Router", "drop_serving"]

S = ConversationState


class Router:
    """Routes conversations among a desk's agents; a collaborator of the engine."""

    def __init__(
        self,
        config: Config,
        agents: dict[str, AgentRecord],
        convs: dict[str, ConvRecord],
        rooms: Rooms,
        queues: Queues,
        deadlines: Deadlines,
        prompter: Prompter,
        out: list[tuple[Any, ...]],
    ) -> None:
        self.config = config
        self.agents = agents
        self.convs = convs
        self.rooms = rooms
        self.queues = queues
        self.deadlines = deadlines
        self.prompter = prompter
        self.out = out
        # With explain mode: (conversation, decision) of each routing decision of a step,
        # and the latest decision that gave each conversation to an agent.
        self.decisions: list[tuple[str, Decision]] | None = None
        self.chosen: dict[str, Decision] | None = None
        self.order = 0  # arrival order of requests (Q1 ties)

    # -- deciding ----------------------------------------------------------------------------

    def decide(self, conv: ConvRecord, key: ScopeKey) -> Decision:
        """How the pure :func:`~deskcore.assign` decides for ``conv`` in ``key`` now."""
        views = (self.rooms.view(agent) for agent in self.agents.values())
        return assign(
            views,
            scope=scope_of(key),
            declined=conv.declined,
            missed=conv.missed,
            preferred=conv.preferred,
        )

    def _note(self, conv: ConvRecord, key: ScopeKey) -> None:
        """Explain mode: keep the pure decision beside the one the index makes."""
        assert self.decisions is not None
        decision = self.decide(conv, key)
        self.decisions.append((conv.id, decision))
        if decision.agent is not None:
            chosen = self.chosen
            if chosen is None:
                chosen = self.chosen = {}
            chosen[conv.id] = decision
            if len(chosen) > 2 * len(self.convs) + 64:  # forgotten ones go, amortised
                self.chosen = {key: value for key, value in chosen.items() if key in self.convs}

    # -- routing -----------------------------------------------------------------------------

    def request(self, conv: ConvRecord, now: int, priority: int) -> None:
        """A request made at ``now``: its place in a queue (Q1) and its ``max_wait`` (Q4)."""
        self.order += 1
        conv.request = (-priority, now, self.order, conv.id)
        max_wait = self.config.max_wait_us
        if max_wait is not None:
            self.deadlines.set(conv, WAIT, now + max_wait)

    def route(self, conv: ConvRecord, now: int, *, new: bool = True) -> None:
        """Route a request in its scope: give it to an agent, queue it, or fail (R4–R6,
        Q4); a request that is not ``new`` (a hand-over) is never refused as queue_full."""
        key = conv.scope
        assert key is not None and conv.request is not None
        if self.decisions is not None:
            self._note(conv, key)
        if not self.rooms.staffed(key):
            self.fail(conv, now, FailureReason.NO_AGENTS_ONLINE)  # R4
            return
        agent = self.rooms.choose(conv, key)
        if agent is not None:
            self.give(conv, agent, now)
            return
        limit = self.config.max_length
        if new and limit is not None and self.queues.length(key) >= limit:
            self.fail(conv, now, FailureReason.QUEUE_FULL)  # Q4
            return
        self.queues.add(conv, key)

    def give(self, conv: ConvRecord, agent: AgentRecord, now: int) -> None:
        """The chosen agent gets the conversation: an offer (S2) or at once (S1)."""
        agent.given = now
        config = self.config
        if config.manual:  # S2
            conv.state, conv.agent = OFFERED, agent.id
            if agent.offers is None:
                agent.offers = set()
            agent.offers.add(conv.id)
            self.rooms.change_load(agent, +1, now)
            expires = now + config.accept_us
            self.deadlines.set(conv, OFFER, expires)
            self.out.append((Offer, now, conv.id, agent.id, expires))
            return
        self.rooms.change_load(agent, +1, now)
        self.serve(conv, agent, now)

    def serve(self, conv: ConvRecord, agent: AgentRecord, now: int) -> None:
        """``agent`` serves ``conv``: ``assign``, then the ``connected`` prompt (S1, S2)."""
        conv.state, conv.agent = SERVED, agent.id
        conv.t_offer = conv.t_wait = None
        if self.config.reassign_us is not None:  # A6 will want its conversations
            if agent.serving is None:
                agent.serving = set()
            agent.serving.add(conv.id)
        self.out.append((Assign, now, conv.id, agent.id))
        prompter = self.prompter
        if PROMPT_CONNECTED in prompter.on:
            name = agent.name or agent.id
            prompter.say(conv, now, PROMPT_CONNECTED, AgentName=name, AgentId=agent.id)

    def fail(self, conv: ConvRecord, now: int, reason: FailureReason) -> None:
        """F1: routing ends; the conversation stays open and un-routed."""
        if conv.state is WAITING:
            self.queues.remove(conv)
        conv.state, conv.scope, conv.agent, conv.request = NEW, None, None, None
        conv.t_wait = conv.t_webhook = conv.t_prompt = None
        self.out.append((RoutingFailed, now, conv.id, reason))
        shown = self.prompter.reason(conv, reason)  # P5
        self.prompter.say(conv, now, PromptKind.CONNECT_FAILED, Reason=shown)

    # -- offers (S2–S4, A4) ----------------------------------------------------------------

    def accepted(
        self, conv: ConvRecord, now: int, agent_id: str, _arg: None
    ) -> RejectReason | None:
        """``agent_accepted``: an open offer becomes an assignment (S2)."""
        if conv.state is not OFFERED or conv.agent != agent_id:
            return RejectReason.NO_OPEN_OFFER
        agent = self.agents[agent_id]
        _drop_offer(agent, conv)
        self.serve(conv, agent, now)
        return None

    def declined(
        self, conv: ConvRecord, now: int, agent_id: str, _arg: None
    ) -> RejectReason | None:
        """``agent_declined``: the offer is withdrawn and the agent barred (S4)."""
        if conv.state is not OFFERED or conv.agent != agent_id:
            return RejectReason.NO_OPEN_OFFER
        agent = self.agents[agent_id]
        conv.declined = conv.declined | {agent.id}
        self.end_offer(conv, now, WithdrawReason.DECLINED)
        self.reroute([conv], now, agent)
        return None

    def end_offer(self, conv: ConvRecord, now: int, reason: WithdrawReason) -> AgentRecord:
        """Withdraw ``conv``'s open offer; return the agent who held it."""
        agent = self.agents[conv.agent or ""]
        _drop_offer(agent, conv)
        conv.agent = None
        conv.state = NEW
        conv.t_offer = None
        self.out.append((WithdrawOffer, now, conv.id, agent.id, reason))
        self.rooms.change_load(agent, -1, now)
        return agent

    def withdraw_all(self, agent: AgentRecord, now: int, convs: list[ConvRecord]) -> None:
        """A4: withdraw every offer the agent holds, then route them (and ``convs``) again."""
        records = self.convs
        for conv_id in sorted(agent.offers or (), key=lambda c: _request_order(records[c])):
            conv = records[conv_id]
            self.end_offer(conv, now, WithdrawReason.AGENT_UNAVAILABLE)
            convs.append(conv)
        self.reroute(convs, now, None)

    def reroute(self, convs: list[ConvRecord], now: int, freed: AgentRecord | None) -> None:
        """Route again conversations whose offers ended, after all the withdrawals (A4).

        Each keeps its request's place (Q2): it goes back into its queue there, the agent
        whose offer ended takes the longest-waiting users it may serve (A5), and the rest
        are routed in the order of their requests; whoever finds no agent waits.
        """
        convs.sort(key=_request_order)
        queues, rooms = self.queues, self.rooms
        for conv in convs:
            assert conv.scope is not None
            queues.add(conv, conv.scope)
        if freed is not None:
            self.drain(freed, now)
        for conv in convs:
            key = conv.scope
            if conv.state is not WAITING or key is None:
                continue  # taken by the freed agent
            if self.decisions is not None:
                self._note(conv, key)
            if not rooms.staffed(key):
                self.fail(conv, now, FailureReason.NO_AGENTS_ONLINE)  # R4
                continue
            agent = rooms.choose(conv, key)
            if agent is not None:
                queues.remove(conv)
                self.give(conv, agent, now)

    def offer_timeout(self, conv: ConvRecord, now: int) -> None:
        """S3: the offer is withdrawn; with ``break_on_timeout`` the agent goes on break."""
        agent = self.end_offer(conv, now, WithdrawReason.TIMEOUT)
        conv.missed = conv.missed | {agent.id}
        if not self.config.break_on_timeout:
            self.reroute([conv], now, agent)
            return
        rooms = self.rooms
        before = rooms.staffs(agent), agent.groups
        rooms.unindex(agent)
        agent.status = BREAK
        rooms.restaff(agent, *before)
        self.out.append((SetAgentStatus, now, agent.id, BREAK, StatusReason.OFFER_TIMEOUT))
        self.withdraw_all(agent, now, [conv])

    def max_wait(self, conv: ConvRecord, now: int) -> None:
        """Q4: a conversation not served ``max_wait`` after its request fails."""
        if conv.state is OFFERED:  # an open offer is withdrawn first
            agent = self.end_offer(conv, now, WithdrawReason.MAX_WAIT)
            self.fail(conv, now, FailureReason.QUEUE_TIMEOUT)
            self.drain(agent, now)
            return
        self.fail(conv, now, FailureReason.QUEUE_TIMEOUT)

    # -- hand-overs (X1–X3, A6) ----------------------------------------------------------

    def transferred(
        self, conv: ConvRecord, now: int, agent_id: str, target: tuple[str | None, str | None]
    ) -> RejectReason | None:
        """``transfer``: hand a served conversation to another agent or group (X1–X3)."""
        to_agent, to_group = target
        if conv.state is not SERVED:
            return RejectReason.NOT_SERVED
        if conv.agent != agent_id:
            return RejectReason.NOT_SERVING_AGENT
        if to_agent == agent_id:
            return RejectReason.SAME_AGENT
        key: ScopeKey = ("a", to_agent) if to_agent is not None else group_key(to_group or "")
        serving = self.agents[agent_id]
        if not self.rooms.staffed_by_others(key, serving, conv.declined):
            return RejectReason.NO_AGENTS_ONLINE  # X2: nothing changes
        self.hand_over(conv, now, key, ReleaseReason.TRANSFERRED)
        return None

    def hand_over(self, conv: ConvRecord, now: int, key: ScopeKey, reason: ReleaseReason) -> None:
        """X3: release the serving agent, say so, and route the conversation in ``key`` as
        a request made now (no ``connecting``, never queue_full). A transfer bars the
        releasing agent (S4) and lets it take waiting users (A5); a hand-over from an agent
        gone offline (A6) does neither."""
        agent = self.agents[conv.agent or ""]
        drop_serving(agent, conv)
        conv.t_reply = conv.t_remind = None  # its user timeout stops (C1, C4)
        self.out.append((Release, now, conv.id, agent.id, reason))
        self.rooms.change_load(agent, -1, now)
        transfer = reason is ReleaseReason.TRANSFERRED
        if transfer:
            conv.declined = conv.declined | {agent.id}
        self.prompter.say(conv, now, PromptKind.TRANSFERRING)
        conv.state, conv.agent, conv.scope = NEW, None, self.rooms.intern(key)
        self.request(conv, now, conv.priority)  # the same priority, asked again
        self.route(conv, now, new=False)
        if transfer:
            self.drain(agent, now)

    def track_serving(self) -> None:
        """A6 from now on: every agent's set of the conversations it serves, afresh (the
        sets are kept only while ``reassign_after`` is set)."""
        for agent in self.agents.values():
            agent.serving = None
        for conv in self.convs.values():
            if conv.state is SERVED:
                holder = self.agents[conv.agent or ""]
                if holder.serving is None:
                    holder.serving = set()
                holder.serving.add(conv.id)

    def reassign(self, agent: AgentRecord, now: int) -> None:
        """A6: hand over each conversation the offline agent still serves, in the order of
        their requests, where some other agent not barred from it staffs its scope."""
        records = self.convs
        for conv_id in sorted(agent.serving or (), key=lambda c: _request_order(records[c])):
            conv = records[conv_id]
            key = conv.scope
            assert key is not None
            if self.rooms.staffed_by_others(key, agent, conv.declined):
                self.hand_over(conv, now, key, ReleaseReason.AGENT_OFFLINE)

    # -- agents with room (A5, Q5) ---------------------------------------------------------

    def drain(self, agent: AgentRecord, now: int) -> None:
        """A5: an agent with room takes the longest-waiting conversations it may serve."""
        queues = self.queues
        if not queues:  # nobody waits anywhere
            return
        while agent.key is not None:
            best = queues.first_for(agent)
            if best is None:
                return
            conv = self.convs[best[3]]
            assert conv.scope is not None
            chosen = agent
            if agent.id in conv.missed:  # S3: another agent with room goes first
                chosen = self.rooms.choose(conv, conv.scope) or agent
            elif conv.preferred is not None and conv.preferred != agent.id:
                chosen = self.rooms.preferred(conv, conv.scope) or agent  # R5
            queues.remove(conv)
            if self.decisions is not None:
                self._note(conv, conv.scope)
            self.give(conv, chosen, now)

    def fail_unstaffed(self, keys: list[ScopeKey], now: int) -> None:
        """Q5: queues among ``keys`` left with nobody who staffs them fail their users."""
        by_scope = self.queues.by_scope
        for key in keys:
            queue = by_scope.get(key)
            if queue is None or self.rooms.staffed(key):
                continue
            for entry in list(queue):
                self.fail(self.convs[entry[3]], now, FailureReason.NO_AGENTS_ONLINE)

    # -- queue positions (Q3) --------------------------------------------------------------

    def tell_positions(self, now: int) -> None:
        """Q3: after a step in full, tell waiting users their new positions."""
        queues = self.queues
        moved, entered = queues.take_moves()
        step = self.config.interval_us
        convs, out = self.convs, self.out
        for key in sorted(moved):
            for rank, entry in queues.behind(key, moved[key], entered):
                conv = convs[entry[3]]
                position = rank + 1
                if conv.id in entered:
                    out.append((Enqueue, now, conv.id, position))
                    self.tell(conv, now, position)
                    continue
                if step == 0:  # every change is told at once: prompt_due() in short
                    if position != conv.queue_pos or conv.queue_at is None:
                        self.tell(conv, now, position)
                    continue
                send, due = prompt_due(position, conv.queue_pos, conv.queue_at, step, now)
                if send:
                    self.tell(conv, now, position)
                elif due is not None and conv.t_prompt is None:
                    self.deadlines.set(conv, PROMPT, due)
                    queues.unattend(key, entry)  # the deadline will tell

    def tell(self, conv: ConvRecord, now: int, position: int) -> None:
        """Send the queue prompt for ``position`` (Q3)."""
        conv.queue_pos, conv.queue_at = position, now
        conv.t_prompt = None
        prompter = self.prompter
        if prompter.count is not None and prompter.counted(conv, PROMPT_QUEUE):
            return  # the simulator's count, settled without the values
        prompter.say(conv, now, PROMPT_QUEUE, QueuePosition=position, WaitNo=position - 1)

    def prompt_update(self, conv: ConvRecord, now: int) -> None:
        """A queue prompt deadline: tell the position if it changed since the last one."""
        position = self.queues.position(conv)
        if position is None:
            return
        if self.queues.attention is not None:  # no deadline pending any more
            assert conv.scope is not None and conv.request is not None
            self.queues.attend(conv.scope, conv.request)
        if position != conv.queue_pos:
            self.tell(conv, now, position)


def _drop_offer(agent: AgentRecord, conv: ConvRecord) -> None:
    assert agent.offers is not None
    agent.offers.discard(conv.id)
    if not agent.offers:
        agent.offers = None


def drop_serving(agent: AgentRecord, conv: ConvRecord) -> None:
    """The agent no longer serves ``conv`` (it closed or was handed over); an agent gone
    offline that now serves nobody has nothing left to hand over (A6)."""
    serving = agent.serving
    if serving is None:  # not kept: A6 is off
        return
    serving.discard(conv.id)  # the set stays: an agent serving one at a time reuses it
    if not serving:
        agent.t_reassign = None  # its heap entry is stale from now on


def _request_order(conv: ConvRecord) -> tuple[int, int]:
    """The order of requests (A4, A6): their instants, ties by arrival."""
    request = conv.request
    return (0, 0) if request is None else (request[1], request[2])
