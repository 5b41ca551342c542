"""Plain JSON values of the desk's Python values: what every ``to_json`` writes.

Instants are ISO 8601 in UTC with ``Z``; durations are seconds (a number); enum members
are their values; tuples are lists; sets are sorted lists; attrs values are objects of
their fields, ``None`` fields left out.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._time import format_instant

__all__ = ["json_form", "plain"]


def plain(value: object) -> Any:
    """``value`` as a JSON value (see the module's notes).

    >>> plain((frozenset({"b", "a"}), timedelta(minutes=1, microseconds=500)))
    [['a', 'b'], 60.0005]
    """
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(plain(item) for item in value)
    if attrs.has(type(value)):
        return json_form(value)
    return value


def json_form(instance: Any) -> dict[str, Any]:
    """The JSON object of an attrs value: its fields, ``None`` ones left out."""
    out: dict[str, Any] = {}
    for field in attrs.fields(type(instance)):
        value = getattr(instance, field.name)
        if value is not None:
            out[field.name] = plain(value)
    return out
