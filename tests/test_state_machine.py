"""A whole desk driven through random events next to a plain reference model.

The model follows only what a host can see: the events it sent and the actions it got.
After every step it checks the invariants of the behaviour spec: no agent gets a
conversation without room; every conversation is in exactly one state and the desk agrees
with the model; FIFO within a queue (Q1); nobody waits while an agent who may serve them
is online with room (A5); positions are 1..n (Q3); a restored twin desk produces the same
actions (D1); and replaying the log on a fresh desk gives the same actions (D2).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from deskcore import (
    UNSET,
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AnyAction,
    AnyEvent,
    Assign,
    AssignmentAnswered,
    AssignmentFailed,
    Close,
    ConversationEnded,
    ConversationState,
    Desk,
    DeskSettings,
    Enqueue,
    EventError,
    Offer,
    Party,
    RatingInvited,
    RatingSubmitted,
    Release,
    RequestAssignment,
    Resumed,
    RoutingFailed,
    SetAgentStatus,
    Tick,
    Transfer,
    Unset,
    UserEntered,
    UserMessage,
    WithdrawOffer,
    load_settings,
)
from deskcore.testing import check_invariants

AGENTS = ("a1", "a2", "a3", "a4")
CONVS = tuple(f"c{i}" for i in range(1, 9))
GROUPS = ("g1", "g2")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = ConversationState


@dataclass
class ModelAgent:
    """What the host knows of an agent."""

    status: AgentState = AgentState.OFFLINE
    groups: frozenset[str] = frozenset()
    capacity: int | None = None
    load: int = 0


@dataclass
class ModelConv:
    """What the host knows of a conversation."""

    state: ConversationState = S.NEW
    agent: str | None = None
    group: str | None = None
    scope: frozenset[str] | str | None = None  # a group name, a set of agents, or "*"
    request: tuple[int, datetime, int] | None = None  # (-priority, instant, order) (Q1)
    priority: int = 0
    declined: set[str] = field(default_factory=set)
    position: int | None = None


class DeskMachine(RuleBasedStateMachine):
    """Random events against a desk, a restored twin, and a reference model."""

    def __init__(self) -> None:
        super().__init__()
        self.desk = Desk()
        self.twin = Desk()
        self.settings = DeskSettings()
        self.document: dict[str, Any] = {}
        self.pending: DeskSettings | None = None  # given to update_settings, not yet in force
        self.switching = False  # the current step switched settings
        self.before = self.settings
        self.first_settings = DeskSettings()
        self.now = START
        self.log: list[AnyEvent | DeskSettings] = []
        self.out: list[AnyAction] = []
        self.agents: dict[str, ModelAgent] = {}
        self.convs: dict[str, ModelConv] = {}
        self.order = 0

    @initialize(
        mode=st.sampled_from(["automatic", "manual"]),
        strategy=st.sampled_from(["automatic", "user_choice", "webhook"]),
        max_concurrent=st.integers(1, 3),
        interval=st.sampled_from([0, 30, "never"]),
        max_length=st.sampled_from([None, 2, 4]),
        max_wait=st.sampled_from([None, 300]),
        user_timeout=st.sampled_from([None, 120]),
        break_on_timeout=st.booleans(),
        send_on_end=st.booleans(),
        reassign_after=st.sampled_from([None, 0, 60]),
        reminder=st.booleans(),
        send_on_timeout=st.booleans(),
    )
    def configure(
        self,
        mode: str,
        strategy: str,
        max_concurrent: int,
        interval: int | str,
        max_length: int | None,
        max_wait: int | None,
        user_timeout: int | None,
        break_on_timeout: bool,
        send_on_end: bool,
        reassign_after: int | None,
        reminder: bool,
        send_on_timeout: bool,
    ) -> None:
        """Build the desk from generated settings."""
        queue: dict[str, Any] = {"max_concurrent": max_concurrent, "update_interval": interval}
        if max_length is not None:
            queue["max_length"] = max_length
        if max_wait is not None:
            queue["max_wait"] = max_wait
        closure: dict[str, Any] = {"retention": "30d"}
        if user_timeout is not None:
            closure["user_timeout"] = user_timeout
            if reminder:
                closure["reminder"] = user_timeout // 3
        service: dict[str, Any] = {
            "mode": mode,
            "accept_timeout": 30,
            "break_on_timeout": break_on_timeout,
        }
        if reassign_after is not None:
            service["reassign_after"] = reassign_after
        ratings = {"send_on_end": send_on_end, "send_on_timeout": send_on_timeout}
        document = {
            "assignment": {"strategy": strategy, "groups": list(GROUPS), "webhook_timeout": 20},
            "service": service,
            "queue": queue,
            "closure": closure,
            "ratings": {**ratings, "validity": "10m"},
            "languages": {"ko": {"prompts": {"connected": "ko $AgentName"}}},
        }
        self.document = document
        self.settings = self.first_settings = load_settings(document)
        self.desk = Desk(self.settings)
        self.twin = Desk(self.settings, explain=True)
        # Three agents start online, so that most runs route, offer, serve and transfer.
        for agent, groups in (("a1", ("g1",)), ("a2", ("g1", "g2")), ("a3", ("g2",))):
            self.send(AgentStatusChanged(at=self.now, agent=agent, status="online", groups=groups))

    # -- driving ---------------------------------------------------------------------------

    def send(self, event: AnyEvent) -> None:
        """Handle an event on the desk and its twin; apply the actions to the model."""
        before = self.desk.snapshot()
        try:
            actions = self.desk.handle(event)
        except EventError:
            assert self.desk.snapshot() == before  # E1: nothing changed
            try:
                self.twin.handle(event)
            except EventError:
                return
            raise AssertionError("the twin accepted an event the desk refused") from None
        assert self.twin.handle(event) == actions  # D1
        # New settings are in force from this event on; deadlines due before it fired
        # under the old ones, so in this step an agent's room is the larger of both.
        self.switching = self.pending is not None
        self.before = self.settings
        if self.pending is not None:
            self.settings, self.pending = self.pending, None
        self.check_decisions(actions)
        self.log.append(event)
        self.out.extend(actions)
        self.apply(event, actions)

    def check_decisions(self, actions: list[AnyAction]) -> None:
        """The pure assign() decision behind each routing agrees with what the desk did."""
        given = {(a.conversation, a.agent) for a in actions if isinstance(a, Offer | Assign)}
        queued = {a.conversation for a in actions if isinstance(a, Enqueue)}
        failed = {(a.conversation, a.reason) for a in actions if isinstance(a, RoutingFailed)}
        for conv_id, decision in self.twin.decisions:
            if decision.outcome == "chosen":
                assert (conv_id, decision.agent) in given, decision.describe()
            elif decision.outcome == "no_agents_online":
                assert (conv_id, "no_agents_online") in failed, decision.describe()
            else:
                assert conv_id in queued or (conv_id, "queue_full") in failed, decision.describe()

    def capacity(self, agent: ModelAgent) -> int:
        """The agent's capacity (A2)."""
        default = self.settings.queue.max_concurrent
        return default if agent.capacity is None else agent.capacity

    def room(self, agent: ModelAgent) -> int:
        """The capacity an action of this step may fill: in a step that switches settings,
        the larger of the old and the new."""
        default = self.settings.queue.max_concurrent
        if self.switching:
            default = max(default, self.before.queue.max_concurrent)
        return default if agent.capacity is None else agent.capacity

    def apply(self, event: AnyEvent, actions: list[AnyAction]) -> None:
        """Follow the event and its actions in the model."""
        if isinstance(event, AgentStatusChanged):
            agent = self.agents.setdefault(event.agent, ModelAgent())
            agent.status = event.status
            if not isinstance(event.groups, Unset):
                agent.groups = frozenset(event.groups)
            if not isinstance(event.capacity, Unset):
                agent.capacity = event.capacity
        conv_id = getattr(event, "conversation", None)
        if isinstance(event, UserEntered | AgentRequested) and conv_id not in self.convs:
            self.convs[event.conversation] = ModelConv()
        if isinstance(event, AgentRequested):
            conv = self.convs[event.conversation]
            if conv.state is S.NEW and any(not _is_failure_only(a) for a in actions):
                self.order += 1
                conv.priority = event.priority
                conv.request = (-event.priority, event.at, self.order)
                conv.group = event.group
                strategy = self.settings.assignment.strategy
                conv.scope = event.group if strategy == "user_choice" else "*"
        if isinstance(event, AssignmentAnswered) and conv_id in self.convs:
            conv = self.convs[conv_id]
            if conv.state is S.AWAITING_ANSWER:
                if event.group is not None:
                    known = any(event.group in a.groups for a in self.agents.values())
                    conv.scope = event.group if known else "*"
                else:
                    members = frozenset(a for a in event.agents or () if a in self.agents)
                    conv.scope = members or "*"
        if isinstance(event, AgentDeclined) and any(
            isinstance(a, WithdrawOffer) and a.reason == "declined" for a in actions
        ):
            self.convs[event.conversation].declined.add(event.agent)
        if isinstance(event, Transfer) and any(isinstance(a, Release) for a in actions):
            conv = self.convs[event.conversation]
            conv.declined.add(event.agent)  # X3: as if it had declined (S4)
            conv.scope = frozenset({event.to_agent}) if event.to_agent else event.to_group
        for action in actions:
            self.follow(action)

    def follow(self, action: AnyAction) -> None:
        """Update the model with one action and check what can be checked at once."""
        if isinstance(action, SetAgentStatus):
            self.agents[action.agent].status = AgentState(action.status)
            return
        conv_id = getattr(action, "conversation", None)
        if conv_id is None or conv_id not in self.convs:
            return
        conv = self.convs[conv_id]
        if isinstance(action, Offer) and conv.state is S.OFFERED and conv.agent == action.agent:
            return  # T4: an open offer sent again
        if isinstance(action, Offer | Assign):
            agent = self.agents[action.agent]
            if not (isinstance(action, Assign) and conv.state is S.OFFERED):
                assert agent.status is AgentState.ONLINE, f"{action.agent} is not online"
                assert agent.load < self.room(agent), f"{action.agent} has no room"
                assert action.agent not in conv.declined, "S4: offered again after a decline"
                agent.load += 1
            conv.state = S.OFFERED if isinstance(action, Offer) else S.SERVED
            conv.agent = action.agent
            conv.position = None
        elif isinstance(action, WithdrawOffer):
            self.agents[action.agent].load -= 1
            conv.state, conv.agent = S.NEW, None
        elif isinstance(action, Release):  # X3, A6: a request made now, in its scope
            assert conv.state is S.SERVED and conv.agent == action.agent
            self.agents[action.agent].load -= 1
            conv.state, conv.agent = S.NEW, None
            self.order += 1
            conv.request = (-conv.priority, action.at, self.order)
        elif isinstance(action, Enqueue):
            conv.state, conv.position = S.WAITING, action.position
        elif isinstance(action, RoutingFailed):
            conv.state, conv.position, conv.request = S.NEW, None, None
        elif isinstance(action, RequestAssignment):
            conv.state = S.AWAITING_ANSWER
        elif isinstance(action, Close):
            if conv.state is S.SERVED and conv.agent is not None:
                self.agents[conv.agent].load -= 1
            conv.state, conv.agent, conv.position = S.CLOSED, None, None

    # -- rules ---------------------------------------------------------------------------------

    @rule(seconds=st.integers(0, 90))
    def tick(self, seconds: int) -> None:
        """Time passes; due deadlines fire (T2)."""
        self.now += timedelta(seconds=seconds)
        self.send(Tick(at=self.now))

    @rule(
        agent=st.sampled_from(AGENTS),
        status=st.sampled_from(list(AgentState)),
        groups=st.one_of(st.just(UNSET), st.frozensets(st.sampled_from(GROUPS))),
        capacity=st.one_of(st.just(UNSET), st.none(), st.integers(0, 3)),
    )
    def agent_status(self, agent: str, status: AgentState, groups: Any, capacity: Any) -> None:
        """An agent changes status, groups or capacity (A1–A5)."""
        self.send(
            AgentStatusChanged(
                at=self.now,
                agent=agent,
                status=status,
                groups=groups if groups is UNSET else tuple(sorted(groups)),
                capacity=capacity,
            )
        )

    @rule(conv=st.sampled_from(CONVS))
    def user_entered(self, conv: str) -> None:
        """A user opens a conversation (P1)."""
        self.send(UserEntered(at=self.now, conversation=conv, user=f"u-{conv}"))

    @rule(
        conv=st.sampled_from(CONVS),
        group=st.sampled_from([*GROUPS, None, "nope"]),
        priority=st.sampled_from([0, 0, 1, 5, -2]),
        preferred=st.sampled_from([None, None, *AGENTS, "ghost"]),
        language=st.sampled_from([None, "ko-KR", "en"]),
    )
    def request(
        self,
        conv: str,
        group: str | None,
        priority: int,
        preferred: str | None,
        language: str | None,
    ) -> None:
        """A user asks for an agent (R1–R6), maybe with a priority and a preferred agent."""
        self.send(
            AgentRequested(
                at=self.now,
                conversation=conv,
                group=group,
                priority=priority,
                preferred_agent=preferred,
                language=language,
            )
        )

    @rule(
        data=st.data(),
        to_agent=st.sampled_from([None, *AGENTS]),
        group=st.sampled_from(GROUPS),
    )
    def transfer(self, data: st.DataObject, to_agent: str | None, group: str) -> None:
        """The serving agent (or another) hands a conversation on (X1–X3)."""
        conv = data.draw(st.sampled_from(CONVS))
        agent = self.convs[conv].agent if conv in self.convs else None
        agent = agent or data.draw(st.sampled_from(AGENTS))
        if agent not in self.agents:
            return
        to_group = None if to_agent is not None else group
        self.send(
            Transfer(
                at=self.now, conversation=conv, agent=agent, to_agent=to_agent, to_group=to_group
            )
        )

    @rule(down=st.integers(0, 200))
    def resumed(self, down: int) -> None:
        """The host was down for a while (T4)."""
        since = self.now
        self.now += timedelta(seconds=down)
        self.send(Resumed(at=self.now, since=since))

    @rule(
        conv=st.sampled_from(CONVS),
        group=st.sampled_from([None, *GROUPS]),
        agents=st.lists(st.sampled_from([*AGENTS, "ghost"]), max_size=3),
        fail=st.booleans(),
    )
    def answer(self, conv: str, group: str | None, agents: list[str], fail: bool) -> None:
        """The host's routing service answers or fails (R3, webhook)."""
        if fail:
            self.send(AssignmentFailed(at=self.now, conversation=conv))
        elif group is not None:
            self.send(AssignmentAnswered(at=self.now, conversation=conv, group=group))
        else:
            self.send(AssignmentAnswered(at=self.now, conversation=conv, agents=tuple(agents)))

    @precondition(lambda self: any(c.state is S.OFFERED for c in self.convs.values()))
    @rule(data=st.data(), accept=st.booleans())
    def respond_to_offer(self, data: st.DataObject, accept: bool) -> None:
        """An offered agent accepts or declines (S2, S4)."""
        offered = sorted(c for c, m in self.convs.items() if m.state is S.OFFERED)
        conv = data.draw(st.sampled_from(offered))
        agent = self.convs[conv].agent or "a1"
        kind = AgentAccepted if accept else AgentDeclined
        self.send(kind(at=self.now, conversation=conv, agent=agent))

    @rule(conv=st.sampled_from(CONVS), agent=st.sampled_from(AGENTS), accept=st.booleans())
    def stray_response(self, conv: str, agent: str, accept: bool) -> None:
        """An accept or decline that may not match an open offer (E2)."""
        kind = AgentAccepted if accept else AgentDeclined
        self.send(kind(at=self.now, conversation=conv, agent=agent))

    @rule(conv=st.sampled_from(CONVS), by_agent=st.booleans())
    def message(self, conv: str, by_agent: bool) -> None:
        """The agent or the user writes (C1)."""
        kind = AgentMessage if by_agent else UserMessage
        self.send(kind(at=self.now, conversation=conv))

    @rule(conv=st.sampled_from(CONVS), by=st.sampled_from(list(Party)))
    def end(self, conv: str, by: Party) -> None:
        """Someone ends the conversation (C2, Q6)."""
        self.send(ConversationEnded(at=self.now, conversation=conv, by=by))

    @rule(conv=st.sampled_from(CONVS), agent=st.sampled_from(AGENTS), score=st.integers(0, 6))
    def rating(self, conv: str, agent: str, score: int) -> None:
        """An agent invites a rating and the user rates (V1, V3)."""
        self.send(RatingInvited(at=self.now, conversation=conv, agent=agent))
        self.send(RatingSubmitted(at=self.now, conversation=conv, score=score))

    @rule(
        max_concurrent=st.integers(1, 3),
        interval=st.sampled_from([0, 30, "never"]),
        max_length=st.sampled_from([None, 2, 4]),
        max_wait=st.sampled_from([None, 300]),
        user_timeout=st.sampled_from([None, 120]),
    )
    def update_settings(
        self,
        max_concurrent: int,
        interval: int | str,
        max_length: int | None,
        max_wait: int | None,
        user_timeout: int | None,
    ) -> None:
        """New queue and closure settings, in force from the next event on."""
        queue: dict[str, Any] = {"max_concurrent": max_concurrent, "update_interval": interval}
        if max_length is not None:
            queue["max_length"] = max_length
        if max_wait is not None:
            queue["max_wait"] = max_wait
        closure: dict[str, Any] = {"retention": "30d"}
        if user_timeout is not None:
            closure["user_timeout"] = user_timeout
        self.document = {**self.document, "queue": queue, "closure": closure}
        self.pending = load_settings(self.document)
        self.desk.update_settings(self.pending)
        self.twin.update_settings(self.pending)
        self.log.append(self.pending)

    @rule()
    def restore_twin(self) -> None:
        """The twin is replaced by a desk restored from a JSON copy of the snapshot (D1)."""
        data = json.loads(json.dumps(self.desk.snapshot()))
        self.twin = Desk.restore(self.pending or self.settings, data, explain=True)
        assert self.twin.snapshot() == self.desk.snapshot()

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def states_agree(self) -> None:
        """Every conversation is in exactly one state, the same in the desk and the model."""
        for conv_id, conv in self.convs.items():
            assert self.desk.conversation_state(conv_id) is conv.state, conv_id

    @invariant()
    def loads_agree(self) -> None:
        """Each agent's load is what the actions say it is."""
        for agent_id, agent in self.agents.items():
            view = self.desk.agent_view(agent_id)
            assert view is not None, agent_id
            assert view.load == agent.load, agent_id
            assert view.status is agent.status, agent_id

    @invariant()
    def kit_invariants_hold(self) -> None:
        """The testing kit's invariants hold of the desk (and so are tested themselves)."""
        check_invariants(self.desk)

    @invariant()
    def views_agree(self) -> None:
        """The views say what the actions said: each agent serves and holds offers of the
        conversations the model has with it; each queue lists its users by position; each
        conversation's view has its model's state, agent and priority."""
        serves: dict[str, list[str]] = {}
        offers: dict[str, list[str]] = {}
        for conv_id, conv in sorted(self.convs.items()):
            view = self.desk.conversation_view(conv_id)
            assert view is not None, conv_id
            assert view.state is conv.state, conv_id
            if conv.state in (S.SERVED, S.OFFERED):
                assert view.agent == conv.agent, conv_id
                (serves if conv.state is S.SERVED else offers).setdefault(
                    str(conv.agent), []
                ).append(conv_id)
            assert (view.waited is not None) == (
                conv.state in (S.AWAITING_ANSWER, S.WAITING, S.OFFERED)
            ), conv_id
            assert view.to_json()["state"] == conv.state.value
        for agent in self.desk.agents():
            assert agent.serves == tuple(serves.get(agent.id, ())), agent.id
            assert agent.offers == tuple(offers.get(agent.id, ())), agent.id
        listed = 0
        for queue in self.desk.queues():
            assert queue.length == len(queue.conversations) > 0
            for position, conv_id in enumerate(queue.conversations, 1):
                assert self.desk.queue_position(conv_id) == position
                listed += 1
        assert listed == sum(conv.state is S.WAITING for conv in self.convs.values())

    @invariant()
    def queues_are_fifo_and_numbered(self) -> None:
        """Positions in each queue are 1..n, in request order (Q1, Q3)."""
        queues: dict[Any, list[tuple[Any, int]]] = {}
        for conv_id, conv in self.convs.items():
            if conv.state is S.WAITING:
                position = self.desk.queue_position(conv_id)
                assert position is not None
                queues.setdefault(conv.scope, []).append((conv.request, position))
        for members in queues.values():
            positions = sorted(position for _request, position in members)
            assert positions == list(range(1, len(members) + 1))
            by_request = [position for _request, position in sorted(members)]
            assert by_request == positions

    @invariant()
    def nobody_waits_needlessly(self) -> None:
        """No user waits while an online agent with room may serve them (A5, R6)."""
        for conv_id, conv in self.convs.items():
            if conv.state is not S.WAITING:
                continue
            for agent_id, agent in self.agents.items():
                if agent.status is not AgentState.ONLINE or agent.load >= self.capacity(agent):
                    continue
                if agent_id in conv.declined:
                    continue
                in_scope = self.in_scope(conv, agent_id, agent)
                assert not in_scope, f"{conv_id} waits while {agent_id} has room"

    @invariant()
    def waiting_users_are_staffed(self) -> None:
        """Nobody waits in a scope that no agent staffs (R4, Q5)."""
        for conv_id, conv in self.convs.items():
            if conv.state is not S.WAITING:
                continue
            staffed = [
                agent_id
                for agent_id, agent in self.agents.items()
                if self.in_scope(conv, agent_id, agent)
                and agent.status is not AgentState.OFFLINE
                and self.capacity(agent) >= 1
            ]
            assert staffed, f"{conv_id} waits in a scope nobody staffs"

    def in_scope(self, conv: ModelConv, agent_id: str, agent: ModelAgent) -> bool:
        """Whether the agent belongs to the conversation's scope (R3)."""
        scope = conv.scope
        return (
            scope == "*"
            or (isinstance(scope, str) and scope in agent.groups)
            or (isinstance(scope, frozenset) and agent_id in scope)
        )

    def teardown(self) -> None:
        """Replaying the accepted events on a fresh desk gives the same actions (D2)."""
        fresh = Desk(self.first_settings)
        again: list[AnyAction] = []
        for item in self.log:
            if isinstance(item, DeskSettings):
                fresh.update_settings(item)
            else:
                again.extend(fresh.handle(item))
        assert again == self.out


def _is_failure_only(action: AnyAction) -> bool:
    from deskcore import SendPrompt

    if isinstance(action, RoutingFailed):
        return action.reason == "outside_hours"
    return isinstance(action, SendPrompt) and action.prompt == "after_hours"


DeskMachine.TestCase.settings = hsettings(
    max_examples=int(os.environ.get("DESK_MACHINE_EXAMPLES", "300")),
    stateful_step_count=40,
    deadline=None,
)
TestDeskMachine = DeskMachine.TestCase
