"""Functions written for one event or action class that give its JSON object.

The journal writes every event it takes and every action it returns, and the command
line and the wire protocol write them too. A loop over a class's field names that looks
at each value's type costs more than the rest of the encoding; the writers here are
written once per class from its fields' declared types, so a value of its field's type
(checked exactly) goes straight to its JSON form, and any other value (a plain string in
an enum field, say) takes the loop's way. They give the same objects as the loop (a test
holds them to it for every class, with values of other types too): ``type`` first, then
the fields in order, ``None`` left out (for an event, a field whose default is
:data:`~deskcore.UNSET` is left out when unset and written as null when ``None``),
instants in UTC with ``Z``, enum members as their values, tuples as lists.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._actions import Action
from ._events import UNSET, Event, Unset
from ._jsonable import plain
from ._time import format_instant

__all__ = ["ActionWriter", "EventWriter", "action_value", "action_writer", "event_writer"]

ActionWriter = Callable[[Any, dict[datetime, str]], dict[str, Any]]
"""Writes an action's JSON object, given the texts of the instants written so far."""

EventWriter = Callable[[Any], dict[str, Any]]
"""Writes an event's JSON object."""


def _declared(cls: type) -> list[tuple[str, type | None, bool]]:
    """Each field of ``cls``: its name; the type its writer checks first (``str``,
    ``int``, ``datetime`` or an enum, when the field holds that one besides ``None`` and
    :data:`UNSET`), else ``None``; and whether its default is :data:`UNSET`."""
    hints = typing.get_type_hints(cls)
    fields = []
    for field in attrs.fields(cls):
        hint = hints[field.name]
        members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        kinds = [kind for kind in members if kind is not type(None) and kind is not Unset]
        kind = kinds[0] if len(kinds) == 1 and isinstance(kinds[0], type) else None
        if kind not in (str, int, datetime) and not (kind and issubclass(kind, enum.Enum)):
            kind = None
        fields.append((field.name, kind, field.default is UNSET))
    return fields


def _value(kind: type | None, fallback: str) -> str:
    """The expression of ``v``'s JSON value: the quick form for a value of ``kind``
    (checked by its exact type), else ``fallback``, the loop's own decision (a host may
    build an action with a plain string for an enum field, say)."""
    if kind is None:
        return fallback
    quick = "format_instant(v)" if kind is datetime else "v" if kind in (str, int) else "v.value"
    return f"{quick} if type(v) is {kind.__name__} else {fallback}"


def _write(parameters: str, start: str, lines: list[str], kinds: dict[str, type]) -> Any:
    """The function of ``parameters`` that sets ``d`` to the object ``start``, runs
    ``lines`` and returns ``d``; ``kinds`` are the types the lines name."""
    source = "\n".join([f"def write({parameters}):", f"    d = {start}", *lines, "    return d"])
    namespace: dict[str, Any] = {
        "plain": plain,
        "other": action_value,
        "UNSET": UNSET,
        "format_instant": format_instant,
        "datetime": datetime,
        "str": str,
        "int": int,
        **kinds,
    }
    exec(source, namespace)  # written above from the class's own field names and types
    return namespace["write"]


def action_value(v: Any, instants: dict[datetime, str]) -> Any:
    """An action's value (not ``None``) as JSON: strings and integers as they are, an
    instant through ``instants`` (kept there once written), anything else through
    :func:`plain`. The writers use it for values not of their field's declared type, and
    the loop over fields for every value."""
    kind = type(v)
    if kind is str or kind is int:
        return v
    if kind is datetime:
        text = instants.get(v)
        if text is None:
            text = instants[v] = format_instant(v)
        return text
    return plain(v)


def _kinds(fields: list[tuple[str, type | None, bool]]) -> dict[str, type]:
    """The types the writer of ``fields`` names, by name."""
    return {kind.__name__: kind for _, kind, _ in fields if kind is not None}


def action_writer(cls: type[Action]) -> ActionWriter:
    """The writer of ``cls``'s actions: ``write(action, instants)``, where ``instants``
    keeps the text of each instant written (the actions of one step mostly share one)."""
    fields = _declared(cls)
    lines = []
    for name, kind, _ in fields:
        lines += [f"    v = a.{name}", "    if v is not None:"]  # None is left out
        if kind is datetime:
            lines += [
                "        if type(v) is datetime:",
                "            t = instants.get(v)",
                "            if t is None:",
                "                t = instants[v] = format_instant(v)",
                f"            d[{name!r}] = t",
                "        else:",
                f"            d[{name!r}] = other(v, instants)",
            ]
        else:
            lines.append(f"        d[{name!r}] = {_value(kind, 'other(v, instants)')}")
    writer: ActionWriter = _write("a, instants", f"{{'type': {cls.type!r}}}", lines, _kinds(fields))
    return writer


def event_writer(cls: type[Event]) -> EventWriter:
    """The writer of ``cls``'s events: ``write(event)``."""
    fields = _declared(cls)
    lines = []
    for name, kind, unset in fields[1:]:
        lines.append(f"    v = e.{name}")
        if unset:  # absent means "keep": None is written, as null
            lines.append("    if v is not UNSET:")
        else:
            lines.append("    if v is not None:")
        lines.append(f"        d[{name!r}] = {_value(kind, 'plain(v)')}")
    start = f"{{'at': format_instant(e.at), 'type': {cls.type!r}}}"
    writer: EventWriter = _write("e", start, lines, _kinds(fields))
    return writer
