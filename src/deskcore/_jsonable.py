"""Plain JSON values of the desk's Python values: what every ``to_json`` writes.

Instants are ISO 8601 in UTC with ``Z``; durations are seconds (a number); enum members
are their values; tuples are lists; sets are sorted lists; attrs values are objects of
their fields, ``None`` fields left out. :func:`compact_json` writes such values as
compact text (the journal's form).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._time import format_instant

__all__ = ["compact_json", "json_form", "plain"]


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


def _compact_writer() -> Callable[[Any], str]:
    """The fastest writer of compact JSON this interpreter has.

    ``json.JSONEncoder.encode`` builds its C encoder anew at every call, which costs
    more than encoding a small object (an event, a step's actions); the encoder built once
    here writes the same text in about half the time. Where the interpreter has no C
    encoder, or it does not write what ``encode`` writes, ``encode`` it is.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return encoder.encode
    try:
        chunks = make(
            None,
            encoder.default,
            json.encoder.encode_basestring,
            None,
            ":",
            ",",
            False,
            False,
            True,
        )  # markers, default, strings, indent, separators, sort_keys, skipkeys, allow_nan
    except TypeError:  # pragma: no cover - another signature
        return encoder.encode
    join = "".join

    def write(value: Any) -> str:
        try:
            return join(chunks(value, 0))
        except RecursionError:  # built without the check for cycles: let encode() say
            return encoder.encode(value)

    probe = [{"a": 'é\n"', "b": [1, -2.5, None, True, False], "": {}}, "z", []]
    if write(probe) != encoder.encode(probe):  # pragma: no cover - a different encoder
        return encoder.encode
    return write


compact_json: Callable[[Any], str] = _compact_writer()
"""``value`` (of JSON values: dicts with string keys, lists, strings, numbers, booleans,
``None``) as compact JSON text, non-ASCII characters as they are: what
``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` writes."""
