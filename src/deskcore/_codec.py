"""The JSON form of events and actions (protocol.md), both ways, with strict input checks.

Input with unknown keys or types, a missing required field, a value of the wrong JSON
type or a naive instant raises :class:`~deskcore.EventError` naming the event and field
(rule E1). Instants are written in UTC as ``2026-03-02T09:00:00Z``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import attrs

from ._actions import (
    ACTION_TYPES,
    Action,
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
    WithdrawOffer,
    WithdrawReason,
)
from ._errors import ActionError, EventError
from ._events import EVENT_TYPES, UNSET, AgentState, Event, Party
from ._fields import choice, expect_str, suggest
from ._show import show

__all__ = [
    "action_from_json",
    "action_to_json",
    "event_from_json",
    "event_to_json",
    "format_instant",
    "parse_instant",
]


def format_instant(moment: datetime) -> str:
    """An aware instant as ISO 8601 in UTC with ``Z``, seconds or finer as needed."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def parse_instant(value: object) -> datetime:
    """Read an ISO 8601 instant with an offset (``Z`` or ``z`` allowed).

    Raises ``ValueError`` naming the value when it is malformed or naive (T1).
    """
    example = "an ISO 8601 instant with an offset, like '2026-03-02T09:00:00Z'"
    if not isinstance(value, str):
        raise ValueError(f"must be {example}, got {show(value)}")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError:
        raise ValueError(f"must be {example}, got {show(value)}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"instant {show(value)} has no offset (write e.g. '2026-03-02T09:00:00Z')")
    return moment


def _ident(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"must be a non-empty string, got {show(value)}")
    return value


def _idents(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list of ids, got {show(value)}")
    return tuple(_ident(item) for item in value)


def _choice(kind: type[enum.StrEnum]) -> Callable[[object], Any]:
    """The field kit's reading of a member of ``kind`` (with a did-you-mean hint)."""
    return choice(kind)[0]


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer, got {show(value)}")
    return value


def _capacity(value: object) -> int | None:
    return None if value is None else _integer(value)


def _string(value: object) -> str:
    return expect_str(value)


def _name(value: object) -> str | None:
    return None if value is None else _string(value)


_READERS: dict[str, Callable[[object], Any]] = {
    "at": parse_instant,
    "agent": _ident,
    "conversation": _ident,
    "user": _ident,
    "group": _ident,
    "status": _choice(AgentState),
    "groups": _idents,
    "agents": _idents,
    "capacity": _capacity,
    "name": _name,
    "by": _choice(Party),
    "score": _integer,
    "comment": _string,
    "language": _string,
    "priority": _integer,
    "preferred_agent": _ident,
    "to_agent": _ident,
    "to_group": _ident,
    "since": parse_instant,
}


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


def event_from_json(data: object) -> Event:
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
            values[key] = _READERS[key](raw)
        except ValueError as exc:
            raise EventError(str(exc), event_type=kind, field=key) from None
    for name, field in fields.items():
        if field.default is attrs.NOTHING and name not in values:
            raise EventError("is required", event_type=kind, field=name)
    return cls(**values)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def event_to_json(event: Event) -> dict[str, Any]:
    """The JSON object of an event; unset fields (and ``None`` meaning absent) are left out."""
    data: dict[str, Any] = {"at": format_instant(event.at), "type": event.type}
    for field in attrs.fields(type(event))[1:]:
        value = getattr(event, field.name)
        # None is written as null where absent means "keep" (UNSET), else left out.
        if value is UNSET or (value is None and field.default is not UNSET):
            continue
        data[field.name] = _plain(value)
    return data


def action_to_json(action: Action) -> dict[str, Any]:
    """The JSON object of an action, ``type`` first; fields that are ``None`` are left out."""
    data: dict[str, Any] = {"type": action.type}
    for field in attrs.fields(type(action)):
        value = getattr(action, field.name)
        if value is not None:
            data[field.name] = _plain(value)
    return data


_ACTION_READERS: dict[str, Callable[[object], Any]] = {
    "at": parse_instant,
    "expires_at": parse_instant,
    "conversation": _ident,
    "agent": _ident,
    "text": _string,
    "prompt": _choice(PromptKind),
    "position": _integer,
    "score": _integer,
    "event_type": _ident,
    "status": _ident,
    "user": _ident,
    "group": _ident,
    "comment": _string,
}
_REASONS: dict[type[Action], Callable[[object], Any]] = {
    WithdrawOffer: _choice(WithdrawReason),
    RoutingFailed: _choice(FailureReason),
    Close: _choice(CloseReason),
    Release: _choice(ReleaseReason),
    Rejected: _choice(RejectReason),
    SetAgentStatus: _ident,
}


def action_from_json(data: object) -> Action:
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
        if raw is None and fields[key].default is None:
            values[key] = None
            continue
        read = _REASONS[cls] if key == "reason" else _ACTION_READERS[key]
        try:
            values[key] = read(raw)
        except ValueError as exc:
            raise ActionError(str(exc), action_type=kind, field=key) from None
    for name, field in fields.items():
        if field.default is attrs.NOTHING and name not in values:
            raise ActionError("is required", action_type=kind, field=name)
    return cls(**values)
