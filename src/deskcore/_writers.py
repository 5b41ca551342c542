"""Functions written for one event or action class that give its JSON object.

The journal writes every event it takes and every action it returns, and the command
line and the wire protocol write them too. A loop over a class's field names that looks
at each value's type costs more than the rest of the encoding; the writers here are
written once per class from its fields' declared types, so each value goes straight to
its JSON form. They give the same objects as the loop (a test holds them to it for
every class): ``type`` first, then the fields in order, ``None`` left out (for an event,
a field whose default is :data:`~deskcore.UNSET` is left out when unset and written as
null when ``None``), instants in UTC with ``Z``, enum members as their values, tuples
as lists.
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

__all__ = ["ActionWriter", "EventWriter", "action_writer", "event_writer"]

ActionWriter = Callable[[Any, dict[datetime, str]], dict[str, Any]]
"""Writes an action's JSON object, given the texts of the instants written so far."""

EventWriter = Callable[[Any], dict[str, Any]]
"""Writes an event's JSON object."""


def _declared(cls: type) -> list[tuple[str, type | None, bool, bool]]:
    """Each field of ``cls``: its name, the one type it holds besides ``None`` and
    :data:`UNSET` (``None`` when it may hold several), whether it may be ``None`` and
    whether its default is :data:`UNSET`."""
    hints = typing.get_type_hints(cls)
    fields = []
    for field in attrs.fields(cls):
        hint = hints[field.name]
        members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        kinds = [kind for kind in members if kind is not type(None) and kind is not Unset]
        single = (typing.get_origin(kinds[0]) or kinds[0]) if len(kinds) == 1 else None
        fields.append(
            (
                field.name,
                single if isinstance(single, type) else None,
                type(None) in members,
                field.default is UNSET,
            )
        )
    return fields


def _value(kind: type | None) -> str:
    """The expression of ``v``'s JSON value, for a value of ``kind``."""
    if kind is str or kind is int:
        return "v"
    if kind is datetime:
        return "format_instant(v)"
    if kind is tuple:
        return "list(v)"
    if kind is not None and issubclass(kind, enum.Enum):
        return "v.value"
    return "plain(v)"


def _write(parameters: str, start: str, lines: list[str]) -> Any:
    """The function of ``parameters`` that sets ``d`` to the object ``start``, runs
    ``lines`` and returns ``d``."""
    source = "\n".join([f"def write({parameters}):", f"    d = {start}", *lines, "    return d"])
    namespace: dict[str, Any] = {"plain": plain, "UNSET": UNSET, "format_instant": format_instant}
    exec(source, namespace)  # written above from the class's own field names and types
    return namespace["write"]


def action_writer(cls: type[Action]) -> ActionWriter:
    """The writer of ``cls``'s actions: ``write(action, instants)``, where ``instants``
    keeps the text of each instant written (the actions of one step mostly share one)."""
    lines = []
    for name, kind, optional, _ in _declared(cls):
        lines.append(f"    v = a.{name}")
        indent = "    "
        if optional or kind is None:
            lines.append("    if v is not None:")
            indent = "        "
        if kind is datetime:
            lines += [
                f"{indent}t = instants.get(v)",
                f"{indent}if t is None:",
                f"{indent}    t = instants[v] = format_instant(v)",
                f"{indent}d[{name!r}] = t",
            ]
        else:
            lines.append(f"{indent}d[{name!r}] = {_value(kind)}")
    writer: ActionWriter = _write("a, instants", f"{{'type': {cls.type!r}}}", lines)
    return writer


def event_writer(cls: type[Event]) -> EventWriter:
    """The writer of ``cls``'s events: ``write(event)``."""
    lines = []
    for name, kind, optional, unset in _declared(cls)[1:]:
        lines.append(f"    v = e.{name}")
        value = _value(kind)
        if unset:  # absent means "keep": None is written, as null
            lines += [
                "    if v is not UNSET:",
                f"        d[{name!r}] = None if v is None else {value}",
            ]
        elif optional or kind is None:
            lines += ["    if v is not None:", f"        d[{name!r}] = {value}"]
        else:
            lines.append(f"    d[{name!r}] = {value}")
    writer: EventWriter = _write(
        "e", f"{{'at': format_instant(e.at), 'type': {cls.type!r}}}", lines
    )
    return writer
