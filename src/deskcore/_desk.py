"""The desk: the public face of the engine, in events, actions and aware datetimes.

:class:`Desk` turns each event object into its raw form, hands it to the engine
(:mod:`deskcore._engine`), and turns the raw actions back into action objects; it converts
instants both ways and answers questions about the state (views, snapshots, explanations)
from the engine's records. It holds no rules of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from . import _views as views
from ._actions import AnyAction
from ._capture import StateCapture, capture_state, dump_state
from ._engine import Engine
from ._errors import EventError
from ._events import AnyEvent
from ._policy import AgentView, ConversationState, ConversationView, Decision
from ._raw import BUILD, FIELDS
from ._settings import DeskSettings
from ._show import show
from ._snapshot import load_state
from ._time import EPOCH, ONE_US, from_us
from ._views import Explanation, QueueView

__all__ = ["Desk"]


class Desk:
    """A customer-service desk: ``handle(event)`` returns the actions the host must take.

    The desk never reads a clock: time is the ``at`` of each event (T1, T2). Ask
    :meth:`next_deadline` when to wake it with a :class:`~deskcore.Tick`. An event that is
    an error raises :class:`~deskcore.EventError` and changes nothing (E1).

    With ``explain=True`` every routing decision is also computed by the pure
    :func:`~deskcore.assign` and kept in :attr:`decisions` (slower; for debugging).
    """

    __slots__ = ("_engine", "_next")

    def __init__(self, settings: DeskSettings | None = None, *, explain: bool = False) -> None:
        self._engine = Engine(settings if settings is not None else DeskSettings(), explain=explain)
        self._next: tuple[int, datetime] = (0, EPOCH)  # next_deadline(), as int and datetime

    @classmethod
    def over(cls, engine: Engine) -> Desk:
        """A desk over an engine built by hand (with other parts, as the benchmarks'
        naive reference is). The engine is package-internal; hosts use ``Desk(settings)``."""
        desk = cls.__new__(cls)
        desk._engine = engine
        desk._next = (0, EPOCH)
        return desk

    # -- events and deadlines ----------------------------------------------------------------

    def handle(self, event: AnyEvent) -> list[AnyAction]:
        """Handle one event: fire due deadlines, then the event; return the actions (T2)."""
        fields = FIELDS.get(type(event))  # raw_event(), inline: the hot path
        if fields is None:
            raise EventError(f"expected one of the event classes, got {show(event)}")
        at = event.at
        now = (at - EPOCH) // ONE_US  # to_us(), inline; events are aware (T1)
        actions = self._engine.apply(now, *fields(event))
        if not actions:
            return []
        build = BUILD
        return [build[item[0]](item, now, at) for item in actions]

    def next_deadline(self) -> datetime | None:
        """The instant of the earliest deadline that will act, or ``None`` (T2)."""
        due = self._engine.next_due()
        if due is None:
            return None
        if due != self._next[0]:  # hosts ask after every event: build the datetime once
            self._next = (due, from_us(due))
        return self._next[1]

    @property
    def now(self) -> datetime | None:
        """The instant of the last event handled, or ``None`` before the first.

        Events must not be earlier than this (T1). A host that stamps events with its own
        clock can use ``max(clock(), desk.now)`` so that a clock stepping back never
        turns an event into an error.
        """
        now = self._engine.now
        return None if now is None else from_us(now)

    # -- settings ----------------------------------------------------------------------------

    @property
    def settings(self) -> DeskSettings:
        """The settings the desk runs with."""
        return self._engine.settings

    @property
    def pending_settings(self) -> DeskSettings | None:
        """Settings given to :meth:`update_settings` that take effect at the next event,
        or ``None``. A snapshot holds the state under the settings in force, so a host
        that persists snapshots takes them while nothing is pending."""
        pending = self._engine.pending
        return None if pending is None else pending.settings

    def update_settings(self, settings: DeskSettings) -> None:
        """Run with ``settings`` from the next event on.

        The switch happens in the next event's step, after the deadlines due before that
        event have fired under the old settings (T2); the event is checked and handled
        under the new ones, and then agents with room take waiting users (A5). Deadlines
        already set keep their instants.
        """
        if not isinstance(settings, DeskSettings):
            raise TypeError(f"settings must be a DeskSettings, got {show(settings)}")
        self._engine.update(settings)

    # -- views -------------------------------------------------------------------------------

    @property
    def decisions(self) -> list[tuple[str, Decision]]:
        """With ``explain=True``: (conversation, decision) for each routing decision of the
        last :meth:`handle` call."""
        return self._engine.router.decisions or []

    def conversation_state(self, conversation: str) -> ConversationState | None:
        """The state of a conversation, or ``None`` when unknown or forgotten (D3)."""
        engine = self._engine
        conv = engine.known(conversation, engine.now)
        return conv.state if conv else None

    def queue_position(self, conversation: str) -> int | None:
        """The queue position of a waiting conversation (1 = next), else ``None``."""
        engine = self._engine
        conv = engine.known(conversation, engine.now)
        return None if conv is None else engine.queues.position(conv)

    def agent_view(self, agent: str) -> AgentView | None:
        """What the desk knows of an agent (:class:`~deskcore.AgentView`, with its name,
        the conversations it serves and the offers it holds), or ``None`` when unknown."""
        return views.agent_view(self._engine, agent)

    def agents(self) -> Iterator[AgentView]:
        """Every known agent, as views, in id order."""
        return views.agent_views(self._engine)

    def conversation_view(self, conversation: str) -> ConversationView | None:
        """What the desk knows of a conversation (:class:`~deskcore.ConversationView`:
        state, agent, scope, user, request instant, wait so far, queue position, language,
        priority), or ``None`` when unknown or forgotten (D3)."""
        return views.conversation_view(self._engine, conversation)

    def conversations(self, state: ConversationState | None = None) -> Iterator[ConversationView]:
        """Every known conversation (in ``state``, if given), as views, in id order."""
        return views.conversation_views(self._engine, state)

    def queues(self) -> list[QueueView]:
        """Every queue with somebody waiting: its scope, length and ids, next first (Q1)."""
        return views.queue_views(self._engine)

    def explain(self, conversation: str) -> Explanation | None:
        """What happened to a conversation's routing, or ``None`` when unknown.

        For a conversation with an agent: who holds its offer or serves it, and (on a desk
        made with ``explain=True``) the decision that chose them. For one still waiting:
        how routing decides for it now (R4, R5, S3, S4), and why it waits.
        """
        return views.explain(self._engine, conversation)

    def decide(self, conversation: str) -> Decision | None:
        """How routing would decide for ``conversation`` now, in its scope (everyone's
        when it has none yet), whatever its state; ``None`` when unknown."""
        engine = self._engine
        conv = engine.known(conversation, engine.now)
        return None if conv is None else engine.decide(conv)

    # -- state (D1) --------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain JSON-able data; :meth:`restore` brings it back (D1)."""
        return dump_state(self._engine)

    def capture(self) -> StateCapture:
        """The state now, taken cheaply: ``capture().dump()`` equals :meth:`snapshot` at
        this instant, and the dump (the costly part) may run later, on another thread,
        while the desk handles more events."""
        return capture_state(self._engine)

    @classmethod
    def restore(
        cls, settings: DeskSettings, snapshot: dict[str, Any], *, explain: bool = False
    ) -> Desk:
        """A desk with ``settings`` and the state of ``snapshot`` (D1)."""
        desk = cls(settings, explain=explain)
        load_state(desk._engine, snapshot)
        return desk
