"""The JSON form of events and actions (docs/protocol.md), both ways, with strict input checks.

Input with unknown keys or types, a missing required field, a value of the wrong JSON
type or a naive instant raises :class:`~deskcore.EventError` naming the event and field
(rule E1). Instants are written in UTC as ``2026-03-02T09:00:00Z``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ._actions import (
    ACTION_TYPES,
    Action,
    AnyAction,
    Close,
    CloseReason,
    FailureReason,
    PromptKind,
    Rejected,
    RejectReason,
    Release,
    ReleaseReason,
    RoutingFailed,
    SetAgentStatus,
    StatusReason,
    WithdrawOffer,
    WithdrawReason,
)
from ._errors import ActionError, EventError
from ._events import EVENT_TYPES, UNSET, AgentState, AnyEvent, Event, Party
from ._fields import MOST, PRIORITY, choice, expect_str, suggest
from ._jsonable import plain
from ._show import show
from ._tags import TAG_PATTERN
from ._time import format_instant
from ._writers import ActionWriter, EventWriter, action_value, action_writer, event_writer

__all__ = [
    "ACTION_FIELDS",
    "ACTION_REASONS",
    "EVENT_FIELDS",
    "ID",
    "IDS",
    "INSTANT",
    "INSTANT_PATTERN",
    "TEXT",
    "Wire",
    "action_from_json",
    "action_to_json",
    "action_wire",
    "actions_to_json",
    "event_from_json",
    "event_to_json",
    "format_instant",
    "parse_instant",
]


INSTANT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?"
    r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:\.[0-9]+)?)?)?)$"
)
"""The form of an instant on the wire, as a regular expression that JSON Schema's
dialect reads the same: date, ``T`` (or ``t`` or a space), hours and minutes, optional
seconds and fraction, and an offset (``Z`` or ``±HH:MM``), which is required (T1)."""

_INSTANT = re.compile(INSTANT_PATTERN)
_NAIVE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9:.,]*)?$")
_EXAMPLE = "an ISO 8601 instant with an offset, like '2026-03-02T09:00:00Z'"


def parse_instant(value: object) -> datetime:
    """Read an ISO 8601 instant with an offset (:data:`INSTANT_PATTERN`).

    Raises ``ValueError`` naming the value and showing the expected form when it is
    malformed, names no real date or time, or is naive (T1).

    >>> parse_instant("2026-03-02T18:00:00+09:00").isoformat()
    '2026-03-02T18:00:00+09:00'
    """
    if not isinstance(value, str):
        raise ValueError(f"must be {_EXAMPLE}, got {show(value)}")
    if _INSTANT.match(value) is None:
        if _NAIVE.match(value):
            raise ValueError(
                f"instant {show(value)} has no offset (write e.g. '2026-03-02T09:00:00Z')"
            )
        raise ValueError(f"must be {_EXAMPLE}, got {show(value)}")
    try:
        return datetime.fromisoformat(value[:-1] + "Z" if value.endswith("z") else value)
    except ValueError as exc:
        raise ValueError(f"must be {_EXAMPLE}, got {show(value)}: {exc}") from None


def _ident(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a non-empty string, got {show(value)}")
    return value


def _idents(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list of ids, got {show(value)}")
    return tuple(_ident(item) for item in value)


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {show(value)}")
    return value


def _nullable(read: Callable[[object], Any]) -> Callable[[object], Any]:
    return lambda value: None if value is None else read(value)


def _event_type(value: object) -> str:
    if not isinstance(value, str) or value not in EVENT_TYPES:
        hint = suggest(value, list(EVENT_TYPES)) if isinstance(value, str) else ""
        raise ValueError(f"must be an event type, got {show(value)}{hint}")
    return value


@attrs.frozen
class Wire:
    """How one field is read from JSON (``read`` raises ``ValueError``) and its JSON
    Schema: the codec and :func:`~deskcore.json_schema` both use these."""

    read: Callable[[object], Any]
    schema: Mapping[str, Any]

    def nullable(self) -> Wire:
        """The same field, where JSON ``null`` is also a value."""
        return Wire(_nullable(self.read), {"anyOf": [dict(self.schema), {"type": "null"}]})


def _member(kind: type[enum.StrEnum]) -> Wire:
    """A member of ``kind`` by its value (with a did-you-mean hint)."""
    return Wire(choice(kind)[0], {"enum": [member.value for member in kind]})


def _count(low: int | None = None, high: int | None = None) -> Wire:
    schema: dict[str, Any] = {"type": "integer"}
    if low is not None:
        schema["minimum"] = low
    if high is not None:
        schema["maximum"] = high
    return Wire(_integer, schema)


ID = Wire(_ident, {"type": "string", "minLength": 1})
IDS = Wire(_idents, {"type": "array", "items": dict(ID.schema)})
INSTANT = Wire(parse_instant, {"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN})
TEXT = Wire(expect_str, {"type": "string"})

EVENT_FIELDS: Mapping[str, Wire] = MappingProxyType(
    {
        "at": INSTANT,
        "agent": ID,
        "conversation": ID,
        "user": ID,
        "group": ID,
        "status": _member(AgentState),
        "groups": IDS,
        "agents": IDS,
        "capacity": _count(0, MOST).nullable(),
        "name": TEXT.nullable(),
        "by": _member(Party),
        "score": _count(),
        "comment": TEXT,
        "language": Wire(expect_str, {"type": "string", "pattern": f"^(?:{TAG_PATTERN})$"}),
        "priority": _count(-PRIORITY - 1, PRIORITY),
        "preferred_agent": ID,
        "to_agent": ID,
        "to_group": ID,
        "since": INSTANT,
    }
)
"""Every event field by name, as the codec reads it."""

_T = TypeVar("_T")


def _typed(
    data: object,
    table: Mapping[str, type[_T]],
    noun: str,
    error: Callable[..., Exception],
) -> tuple[Mapping[str, Any], str, type[_T]]:
    """A JSON object read as an event or action: the object, its ``type`` and the class
    of that name; raises ``error`` naming the fault."""
    if not isinstance(data, Mapping):
        article = "an" if noun[0] in "aeiou" else "a"
        raise error(f"{article} {noun} must be a JSON object, got {show(data)}")
    if "type" not in data:
        raise error("is required", field="type")
    kind = data["type"]
    if not isinstance(kind, str) or kind not in table:
        hint = suggest(kind, list(table)) if isinstance(kind, str) else ""
        raise error(f"unknown {noun} type {show(kind)}{hint}", field="type")
    return data, kind, table[kind]


def event_from_json(data: object) -> AnyEvent:
    """Build an event from its JSON object (a mapping with ``type`` and ``at``).

    >>> event_from_json({"type": "tick", "at": "2026-03-02T09:00:00Z"}).type
    'tick'
    """
    data, kind, cls = _typed(data, EVENT_TYPES, "event", EventError)
    fields = {field.name: field for field in attrs.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "type":
            continue
        if key not in fields:
            raise EventError(
                f"unknown field{suggest(key, list(fields))}", event_type=kind, field=key
            )
        try:
            values[key] = EVENT_FIELDS[key].read(raw)
        except ValueError as exc:
            raise EventError(str(exc), event_type=kind, field=key) from None
    for name, field in fields.items():
        if field.default is attrs.NOTHING and name not in values:
            raise EventError("is required", event_type=kind, field=name)
    return cls(**values)


_AS_IS = frozenset({str, int})  # values JSON takes as they are (a Choice is not one)


def _event_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """Each field of an event class after ``at``, and whether ``None`` in it is written
    (as null: where absent means "keep", the default is UNSET)."""
    return tuple((field.name, field.default is UNSET) for field in attrs.fields(cls)[1:])


_EVENT_WRITERS: dict[type, EventWriter] = {cls: event_writer(cls) for cls in EVENT_TYPES.values()}
_ACTION_WRITERS: dict[type, ActionWriter] = {
    cls: action_writer(cls) for cls in ACTION_TYPES.values()
}


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON object of an event; unset fields (and ``None`` meaning absent) are left out."""
    write = _EVENT_WRITERS.get(type(event))
    return generic_event_json(event) if write is None else write(event)


def generic_event_json(event: Event) -> dict[str, Any]:
    """:func:`event_to_json` for any event class, the classes' own writers aside (a
    subclass of an event class has none)."""
    data: dict[str, Any] = {"at": format_instant(event.at), "type": event.type}
    cls = type(event)
    for name, null_kept in _event_fields(cls):
        value = getattr(event, name)
        if value is UNSET or (value is None and not null_kept):
            continue
        data[name] = value if type(value) in _AS_IS else plain(value)
    return data


def action_to_json(action: Action) -> dict[str, Any]:
    """The JSON object of an action, ``type`` first; fields that are ``None`` are left out."""
    return actions_to_json([action])[0]


def actions_to_json(
    actions: Iterable[Action], instants: dict[datetime, str] | None = None
) -> list[dict[str, Any]]:
    """The JSON objects of ``actions``, as :func:`action_to_json` writes each; an instant
    that several share (the actions of one step mostly do) is formatted once. ``instants``
    may give the texts of instants already written (the event's own); it gets those of
    the actions too."""
    if instants is None:
        instants = {}
    writers = _ACTION_WRITERS
    out = []
    for action in actions:
        write = writers.get(type(action))
        out.append(
            generic_action_json(action, instants) if write is None else write(action, instants)
        )
    return out


def generic_action_json(action: Action, instants: dict[datetime, str]) -> dict[str, Any]:
    """One object of :func:`actions_to_json` for any action class, the classes' own
    writers aside (a subclass of an action class has none)."""
    data: dict[str, Any] = {"type": action.type}
    for field in attrs.fields(type(action)):
        value = getattr(action, field.name)
        if value is None:
            continue
        data[field.name] = action_value(value, instants)
    return data


ACTION_FIELDS: Mapping[str, Wire] = MappingProxyType(
    {
        "at": INSTANT,
        "expires_at": INSTANT,
        "conversation": ID,
        "agent": ID,
        "text": TEXT,
        "prompt": _member(PromptKind),
        "position": _count(1),
        "score": _count(1),
        "event_type": Wire(_event_type, {"enum": list(EVENT_TYPES)}),
        "status": _member(AgentState),
        "user": ID,
        "group": ID,
        "comment": TEXT,
    }
)
"""Every action field by name (but ``reason``), as the codec reads it."""

ACTION_REASONS: Mapping[type[Action], Wire] = MappingProxyType(
    {
        WithdrawOffer: _member(WithdrawReason),
        RoutingFailed: _member(FailureReason),
        Close: _member(CloseReason),
        Release: _member(ReleaseReason),
        Rejected: _member(RejectReason),
        SetAgentStatus: _member(StatusReason),
    }
)
"""The ``reason`` of each action class that has one."""


def action_wire(cls: type[Action], name: str) -> Wire:
    """How field ``name`` of action class ``cls`` is read; an optional field (``None`` by
    default) also reads JSON ``null``."""
    wire = ACTION_REASONS[cls] if name == "reason" else ACTION_FIELDS[name]
    default = attrs.fields_dict(cls)[name].default
    return wire.nullable() if default is None else wire


def action_from_json(data: object) -> AnyAction:
    """Build an action from its JSON object (for recorded action logs and tests).

    Unknown keys or types, a missing field and a value of the wrong kind raise
    :class:`~deskcore.ActionError` naming the action and the field.

    >>> action_from_json({"type": "assign", "at": "2026-03-02T09:00:00Z",
    ...                   "conversation": "c1", "agent": "a1"}).agent
    'a1'
    """
    data, kind, cls = _typed(data, ACTION_TYPES, "action", ActionError)
    fields = {field.name: field for field in attrs.fields(cls)}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "type":
            continue
        if key not in fields:
            hint = suggest(str(key), list(fields))
            raise ActionError(f"unknown field{hint}", action_type=kind, field=str(key))
        try:
            values[key] = action_wire(cls, key).read(raw)
        except ValueError as exc:
            raise ActionError(str(exc), action_type=kind, field=key) from None
    for name, field in fields.items():
        if field.default is attrs.NOTHING and name not in values:
            raise ActionError("is required", action_type=kind, field=name)
    return cls(**values)
