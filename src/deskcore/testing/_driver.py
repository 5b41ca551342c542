"""A desk with a fake clock and event builders: what a policy test drives."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .._actions import Assign, Offer, WithdrawOffer
from .._desk import Desk
from .._document import load_settings
from .._durations import parse_duration
from .._events import (
    UNSET,
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AgentStatusName,
    AnyEvent,
    AssignmentAnswered,
    AssignmentFailed,
    ConversationEnded,
    Party,
    PartyName,
    RatingInvited,
    RatingSubmitted,
    Resumed,
    Tick,
    Transfer,
    Unset,
    UserEntered,
    UserMessage,
)
from .._policy import AgentView, ConversationState, ConversationView
from .._settings import DeskSettings
from ._invariants import check_invariants
from ._steps import Step

__all__ = ["START", "DeskDriver"]

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
"""Where a driver's clock starts by default: Monday 2026-03-02 09:00 UTC."""

Moment = datetime | float | int | str
"""An instant for :meth:`DeskDriver.at`: a datetime, seconds after the start, or
``"+90s"`` (a duration after the driver's now)."""


def _span(seconds: float | timedelta | str) -> timedelta:
    """A duration given as seconds, a timedelta or a duration string (``"1m30s"``, or
    ``"+1m30s"`` as :meth:`DeskDriver.at` writes a relative instant)."""
    if isinstance(seconds, str):
        return parse_duration(seconds.removeprefix("+"))
    if isinstance(seconds, timedelta):
        return seconds
    return timedelta(seconds=seconds)


def _given_while_away(step: Step, agent: str, view: AgentView) -> None:
    """A1: an agent not online after a step was given nothing in it that it keeps. (It may
    have had an offer made and taken back in the step: the offer came while it was online,
    and then a deadline of the same step put it on break.)"""
    for index, action in enumerate(step):
        if not isinstance(action, Offer | Assign) or action.agent != agent:
            continue
        taken_back = isinstance(action, Offer) and any(
            isinstance(later, WithdrawOffer)
            and later.conversation == action.conversation
            and later.agent == agent
            for later in step[index + 1 :]
        )
        if not taken_back:
            raise AssertionError(
                f"{agent} ({view.status.value} after the step) was given "
                f"{action.conversation!r} and kept it (A1: only online agents receive "
                f"conversations):\n{step.describe()}"
            )


def _names(field: str, value: object) -> None:
    """A list of names given as one string would be read as its letters."""
    if isinstance(value, str):
        raise TypeError(f"{field} is a list of names, got the string {value!r}: use [{value!r}]")


def _settings(settings: DeskSettings | Mapping[str, Any] | str | os.PathLike[str] | None) -> Any:
    if settings is None or isinstance(settings, DeskSettings):
        return settings
    return load_settings(settings)


class DeskDriver:
    """A :class:`~deskcore.Desk` driven through a fake clock.

    Every builder method makes its event at the driver's :attr:`now`, hands it to the
    desk and returns the :class:`Step` of actions; :attr:`steps` keeps them all, and
    :attr:`events` every event sent. Time moves only when the test says so:
    :meth:`advance` (which fires what falls due, as a :class:`~deskcore.Tick`),
    :meth:`at` and :meth:`next_deadline`. With ``check=True`` (the default) the invariants
    of :func:`check_invariants` are checked after every step, and an agent given a
    conversation in a step must not end it over its capacity.

    ``settings`` is a :class:`~deskcore.DeskSettings`, or a document (a mapping, TOML or
    JSON text, or a path) as :func:`~deskcore.load_settings` reads.
    """

    def __init__(
        self,
        settings: DeskSettings | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        start: datetime = START,
        explain: bool = False,
        check: bool = True,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError(f"start must be timezone-aware, got {start!r}")
        self.desk = Desk(_settings(settings), explain=explain)
        self.start = start
        self.now = start
        self.check = check
        self.events: list[AnyEvent] = []
        self.steps: list[Step] = []

    # -- time ----------------------------------------------------------------------------

    def instant(self, moment: Moment) -> datetime:
        """The instant ``moment`` names: a datetime as is, a number as seconds after the
        start, ``"+DURATION"`` after :attr:`now`."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValueError(f"an instant must be timezone-aware, got {moment!r}")
            return moment
        if isinstance(moment, str):
            if not moment.startswith("+"):
                raise ValueError(f"a relative instant starts with '+', got {moment!r}")
            return self.now + parse_duration(moment[1:])
        return self.start + timedelta(seconds=moment)

    def at(self, moment: Moment) -> DeskDriver:
        """Set the clock (never back); nothing fires until the next event. Chainable:
        ``driver.at(30).request("c1")``."""
        instant = self.instant(moment)
        if instant < self.now:
            raise ValueError(f"the clock does not go back: {instant} is before {self.now}")
        self.now = instant
        return self

    def advance(self, seconds: float | timedelta | str = 0) -> Step:
        """Move the clock on by ``seconds`` (a number, a timedelta or ``"90s"``) and fire
        every deadline due by then, in order (a ``tick``)."""
        self.at(self.now + _span(seconds))
        return self.send(Tick(at=self.now))

    def next_deadline(self) -> Step | None:
        """Jump to the desk's next deadline and fire it; ``None`` when there is none."""
        due = self.desk.next_deadline()
        if due is None:
            return None
        self.at(max(due, self.now))
        return self.send(Tick(at=self.now))

    # -- sending -------------------------------------------------------------------------

    def send(self, event: AnyEvent) -> Step:
        """Hand any event to the desk (its own ``at`` is used); the actions as a Step."""
        before = {view.id: view for view in self.desk.agents()} if self.check else {}
        step = Step(self.desk.handle(event))
        self.events.append(event)
        self.steps.append(step)
        self.now = max(self.now, event.at)
        if self.check:
            check_invariants(self.desk)
            self._check_given(step, before)
        return step

    def _check_given(self, step: Step, before: Mapping[str, AgentView]) -> None:
        """An agent given a conversation in this step is online (A1) and has not gone
        over its capacity."""
        given = {action.agent for action in step if isinstance(action, Offer | Assign)}
        for agent_id in sorted(given):
            view = self.desk.agent_view(agent_id)
            if view is not None and view.status is not AgentState.ONLINE:
                _given_while_away(step, agent_id, view)
            if view is None or view.load <= view.capacity:
                continue
            was = before.get(agent_id)
            if was is not None and was.load >= view.load:
                continue  # an accepted offer: the load was already counted
            raise AssertionError(
                f"{agent_id} was given a conversation and holds {view.load} with capacity "
                f"{view.capacity}:\n{step.describe()}"
            )

    # -- agents --------------------------------------------------------------------------

    def status(
        self,
        agent: str,
        status: AgentState | AgentStatusName,
        *,
        groups: Sequence[str] | Unset = UNSET,
        capacity: int | Unset | None = UNSET,
        name: str | Unset | None = UNSET,
    ) -> Step:
        """``agent_status``; ``groups``, ``capacity`` and ``name`` left out keep theirs."""
        _names("groups", groups)
        return self.send(
            AgentStatusChanged(
                at=self.now,
                agent=agent,
                status=status,
                groups=groups if isinstance(groups, Unset) else tuple(groups),
                capacity=capacity,
                name=name,
            )
        )

    def online(self, *agents: str, groups: Sequence[str] | Unset = UNSET, **fields: Any) -> Step:
        """Bring agents online (each with the same ``groups``, ``capacity``, ``name``);
        the actions of every one of them, as one Step."""
        step = Step()
        for agent in agents:
            step.extend(self.status(agent, AgentState.ONLINE, groups=groups, **fields))
        return step

    def on_break(self, agent: str) -> Step:
        """The agent goes on break."""
        return self.status(agent, AgentState.BREAK)

    def offline(self, agent: str) -> Step:
        """The agent goes offline."""
        return self.status(agent, AgentState.OFFLINE)

    # -- users ---------------------------------------------------------------------------

    def enter(
        self, conversation: str, user: str | None = None, *, language: str | None = None
    ) -> Step:
        """``user_entered`` (the user defaults to ``u-<conversation>``)."""
        who = user if user is not None else f"u-{conversation}"
        return self.send(
            UserEntered(at=self.now, conversation=conversation, user=who, language=language)
        )

    def request(
        self,
        conversation: str,
        group: str | None = None,
        *,
        user: str | None = None,
        language: str | None = None,
        priority: int = 0,
        preferred_agent: str | None = None,
    ) -> Step:
        """``agent_requested``."""
        return self.send(
            AgentRequested(
                at=self.now,
                conversation=conversation,
                group=group,
                user=user,
                language=language,
                priority=priority,
                preferred_agent=preferred_agent,
            )
        )

    def answer(
        self, conversation: str, *, group: str | None = None, agents: Sequence[str] | None = None
    ) -> Step:
        """``assignment_answered`` with a group or a list of agents (webhook strategy)."""
        _names("agents", agents)
        return self.send(
            AssignmentAnswered(
                at=self.now,
                conversation=conversation,
                group=group,
                agents=None if agents is None else tuple(agents),
            )
        )

    def answer_failed(self, conversation: str) -> Step:
        """``assignment_failed``."""
        return self.send(AssignmentFailed(at=self.now, conversation=conversation))

    def user_says(self, conversation: str) -> Step:
        """``user_message``."""
        return self.send(UserMessage(at=self.now, conversation=conversation))

    def rate(self, conversation: str, score: int, comment: str | None = None) -> Step:
        """``rating_submitted``."""
        return self.send(
            RatingSubmitted(at=self.now, conversation=conversation, score=score, comment=comment)
        )

    # -- agents on a conversation (the agent defaults to the one holding or serving it) ---

    def holder(self, conversation: str) -> str:
        """The agent that holds the conversation's offer or serves it; ``AssertionError``
        when there is none."""
        view = self.desk.conversation_view(conversation)
        if view is None or view.agent is None or view.state is ConversationState.CLOSED:
            raise AssertionError(f"no agent holds or serves {conversation!r}: {view}")
        return view.agent

    def accept(self, conversation: str, agent: str | None = None) -> Step:
        """``agent_accepted``, by the agent holding the offer unless named."""
        who = agent if agent is not None else self.holder(conversation)
        return self.send(AgentAccepted(at=self.now, conversation=conversation, agent=who))

    def decline(self, conversation: str, agent: str | None = None) -> Step:
        """``agent_declined``, by the agent holding the offer unless named."""
        who = agent if agent is not None else self.holder(conversation)
        return self.send(AgentDeclined(at=self.now, conversation=conversation, agent=who))

    def agent_says(self, conversation: str) -> Step:
        """``agent_message``."""
        return self.send(AgentMessage(at=self.now, conversation=conversation))

    def end(
        self, conversation: str, by: Party | PartyName = "user", agent: str | None = None
    ) -> Step:
        """``conversation_ended`` by the user, or by an agent (``by="agent"``: the serving
        agent unless named)."""
        who = agent
        if who is None and Party(by) is Party.AGENT:
            who = self._served_by(conversation)
        return self.send(
            ConversationEnded(at=self.now, conversation=conversation, by=by, agent=who)
        )

    def invite(self, conversation: str, agent: str | None = None) -> Step:
        """``rating_invited``, by the serving agent unless named."""
        who = agent if agent is not None else self._served_by(conversation)
        return self.send(RatingInvited(at=self.now, conversation=conversation, agent=who))

    def transfer(
        self,
        conversation: str,
        *,
        to_agent: str | None = None,
        to_group: str | None = None,
        agent: str | None = None,
    ) -> Step:
        """``transfer`` to an agent or a group, by the serving agent unless named."""
        who = agent if agent is not None else self.holder(conversation)
        return self.send(
            Transfer(
                at=self.now,
                conversation=conversation,
                agent=who,
                to_agent=to_agent,
                to_group=to_group,
            )
        )

    def _served_by(self, conversation: str) -> str:
        view = self.desk.conversation_view(conversation)
        if view is None or view.agent is None:
            raise AssertionError(f"nobody serves or served {conversation!r}: {view}")
        return view.agent

    # -- the host ------------------------------------------------------------------------

    def down(self, seconds: float | timedelta | str) -> Step:
        """The host is down for ``seconds`` and comes back: a ``resumed`` event (T4)."""
        since = self.now
        self.at(self.now + _span(seconds))
        return self.send(Resumed(at=self.now, since=since))

    # -- looking ---------------------------------------------------------------------------

    def state(self, conversation: str) -> ConversationState | None:
        """The conversation's state, or ``None`` when unknown."""
        return self.desk.conversation_state(conversation)

    def view(self, conversation: str) -> ConversationView:
        """The conversation's view; ``AssertionError`` when the desk does not know it."""
        view = self.desk.conversation_view(conversation)
        if view is None:
            raise AssertionError(f"the desk does not know {conversation!r}")
        return view

    def agent(self, agent: str) -> AgentView:
        """The agent's view; ``AssertionError`` when the desk does not know it."""
        view = self.desk.agent_view(agent)
        if view is None:
            raise AssertionError(f"the desk does not know agent {agent!r}")
        return view

    @property
    def actions(self) -> Step:
        """Every action of every step so far, in order."""
        return Step(action for step in self.steps for action in step)
