"""Taking a desk's whole state cheaply, and writing it as a snapshot (rule D1).

:func:`capture_state` copies each record's values (all immutable) into one tuple, which
costs little enough to do inside ``handle``; :class:`StateCapture` turns them into the
snapshot's JSON-able data later, on any thread. :mod:`deskcore._snapshot` reads it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Any

import attrs

from ._document import dump_settings
from ._engine import Engine
from ._records import ORDER_MASK, TIMERS, Timer, due_of

__all__ = ["FORMAT", "StateCapture", "capture_state", "dump_state"]

FORMAT = 3
"""The snapshot format this version writes. Format 3 leaves out a conversation's fields
that hold their defaults (:data:`~deskcore._snapshot.CONV_DEFAULTS`); the reader takes
format 2 (every field written) and format 1 (before transfers, reminders, languages,
priorities and reassignment: their fields take their defaults) too."""

# The values of a record that a snapshot holds, read in one call; every one of them is
# immutable (ids, enums, frozensets, tuples, ints), so a capture shares them safely.
_AGENT_VALUES = attrgetter(
    "id", "name", "status", "groups", "capacity", "load", "online", "zero", "given",
    "t_reassign",
)  # fmt: skip
_CONV_VALUES = attrgetter(
    "id", "state", "request", "scope", "agent", "declined", "missed", *TIMERS, "queue_pos",
    "queue_at", "card_until", "card_agent", "rated", "closed", "forget", "user", "language",
    "preferred",
)  # fmt: skip
_TIMER_COUNT = len(TIMERS)


@attrs.frozen
class StateCapture:
    """A desk's state at one instant, taken cheaply (its records' values, shared, not
    converted); :meth:`dump` turns it into :func:`dump_state`'s data later, on any thread,
    while the desk goes on."""

    top: tuple[Any, ...]
    agents: list[tuple[tuple[Any, ...], tuple[str, ...]]]
    convs: list[tuple[Any, ...]]
    settings_before: Any

    @property
    def now(self) -> int | None:
        """The desk's instant when it was captured (µs since the epoch), or ``None``."""
        now: int | None = self.top[0]
        return now

    def dump(self) -> dict[str, Any]:
        """The state as JSON-able data (as :meth:`Desk.snapshot` gives it)."""
        data = self._head()
        data["agents"] = list(self._agents())
        data["conversations"] = list(self._convs())
        return self._tail(data)

    def encode(self, encode: Callable[[Any], str]) -> str:
        """The state as :meth:`dump` gives it, as one JSON text, each record encoded by
        ``encode`` (a compact ``json`` encoder) as soon as it is made: no record outlives
        its encoding, so the garbage collector stays idle and a thread encoding a large
        desk does not stall the others."""
        head = encode(self._tail(self._head()))
        agents = ",".join([encode(record) for record in self._agents()])
        convs = ",".join([encode(record) for record in self._convs()])
        rest = f',"agents":[{agents}],"conversations":[{convs}]'
        return head[:-1] + rest + "}"

    def _head(self) -> dict[str, Any]:
        now, order, seq, rebalance = self.top
        return {"format": FORMAT, "now": now, "order": order, "seq": seq, "rebalance": rebalance}

    def _tail(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.settings_before is not None:
            data["settings_before"] = dump_settings(self.settings_before)
        return data

    def _agents(self) -> Iterator[dict[str, Any]]:
        for a, offers in sorted(self.agents, key=_first_id):
            yield {
                "id": a[0],
                "name": a[1],
                "status": a[2].value,
                "groups": sorted(a[3]),
                "capacity": a[4],
                "load": a[5],
                "offers": sorted(offers),
                "online": a[6],
                "zero": a[7],
                "given": a[8],
                "reassign": _timer(a[9]),
            }

    def _convs(self) -> Iterator[dict[str, Any]]:
        rest = 7 + _TIMER_COUNT
        for c in sorted(self.convs, key=_id):
            record: dict[str, Any] = {"id": c[0], "state": c[1].value}
            request = c[2]
            if request is not None:
                record["request"] = list(request[1:3])
                if request[0]:
                    record["priority"] = -request[0]
            if c[3] is not None:
                record["scope"] = list(c[3])
            if c[4] is not None:
                record["agent"] = c[4]
            if c[5]:
                record["declined"] = sorted(c[5])
            if c[6]:
                record["missed"] = sorted(c[6])
            timers = c[7:rest]
            if any(timer is not None for timer in timers):
                record["timers"] = [_timer(timer) for timer in timers]
            for name, value in zip(_CONV_TAIL, c[rest:], strict=True):
                if value is not None:
                    record[name] = value
            if not record.get("rated", True):
                del record["rated"]
            yield record


_CONV_TAIL = (
    "queue_pos", "queue_at", "card_until", "card_agent", "rated", "closed", "forget", "user",
    "language", "preferred",
)  # fmt: skip


def _id(values: tuple[Any, ...]) -> str:
    ident: str = values[0]
    return ident


def _first_id(values: tuple[tuple[Any, ...], tuple[str, ...]]) -> str:
    ident: str = values[0][0]
    return ident


def capture_state(engine: Engine) -> StateCapture:
    """The state of ``engine`` now, cheaply (see :class:`StateCapture`)."""
    return StateCapture(
        (engine.now, engine.order, engine.deadlines.seq, engine.rebalance),
        [(_AGENT_VALUES(a), tuple(a.offers or ())) for a in engine.agents.values()],
        [_CONV_VALUES(c) for c in engine.convs.values()],
        # the settings its next due deadlines still fire under
        engine.config.settings if engine.pending is not None else None,
    )


def dump_state(engine: Engine) -> dict[str, Any]:
    """The state of ``engine`` as JSON-able data."""
    return capture_state(engine).dump()


def _timer(timer: Timer | None) -> list[int] | None:
    """A deadline as [due instant, order set << 3 | kind]."""
    return None if timer is None else [due_of(timer), timer[0] & ORDER_MASK]
