"""Durations in settings documents: whole seconds, unit strings, or ISO 8601."""

from __future__ import annotations

import re
from datetime import timedelta

from ._show import show

__all__ = ["LONGEST", "duration_schema", "format_duration", "parse_duration"]

LONGEST = timedelta(days=3650)
"""The longest duration a setting may give (10 years), so that every instant a desk
computes stays far inside what a datetime can hold."""

# ASCII digits only: str.isdigit-style matching would accept "٣m".
_UNITS_FORM = "(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?"
_ISO_FORM = "P(?:([0-9]+)W)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?)?"
_UNITS = re.compile(_UNITS_FORM)
_ISO = re.compile(_ISO_FORM)
_UNIT_SECONDS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_FORMS = "whole seconds like 90, units like '90s', '10m', '1h30m', or ISO 8601 like 'PT10M'"
_KINDS = {bool: "a boolean", float: "a number", type(None): "null", list: "a list", dict: "a table"}


def _span(value: object, **parts: int) -> timedelta:
    """``timedelta(**parts)``, with a ``ValueError`` when it is too long to represent."""
    try:
        return timedelta(**parts)
    except OverflowError:
        raise ValueError(f"is too long to be a duration, got {show(value)}") from None


def parse_duration(value: object) -> timedelta:
    """Read a duration written as in docs/settings.md.

    Accepts an integer number of seconds (``90``), a string of whole units (``"90s"``,
    ``"10m"``, ``"2h"``, ``"1d"``, ``"1h30m"``, in that order of units) or an ISO 8601
    duration in weeks, days, hours, minutes and seconds (``"PT10M"``, ``"P1DT2H"``).
    Raises ``ValueError`` for anything else, including negative or fractional values and
    numbers given as strings (``"90"``); whether zero is allowed is the caller's decision.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("PT10M")
    datetime.timedelta(seconds=600)
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        kind = _KINDS.get(type(value), type(value).__name__)
        raise ValueError(f"must be a duration ({_FORMS}), got {show(value)} ({kind})")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"must not be negative, got {value}")
        return _span(value, seconds=value)
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"must not be negative, got {show(value)}")
    unit = _UNITS.fullmatch(text)
    if text and unit is not None:
        days, hours, minutes, seconds = (int(part or 0) for part in unit.groups())
        return _span(value, days=days, hours=hours, minutes=minutes, seconds=seconds)
    iso = _ISO.fullmatch(text.upper())
    if iso is not None and any(iso.groups()) and not text.upper().endswith("T"):
        weeks, days, hours, minutes, seconds = (int(part or 0) for part in iso.groups())
        return _span(value, weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"cannot read {show(value)} as a duration (use {_FORMS})")


def _any_case(form: str) -> str:
    """A pattern's capital letters, matched in either case (ISO forms are read so)."""
    return re.sub("[A-Z]", lambda m: f"[{m.group()}{m.group().lower()}]", form)


def duration_schema(*, zero: bool, longest: timedelta) -> dict[str, object]:
    """The JSON Schema of a duration in a document, as :func:`parse_duration` reads one:
    whole seconds up to ``longest``, or a unit or ISO 8601 string (surrounding blanks
    allowed; a string must give some number, and a nonzero one unless ``zero``).

    A string's length is not bounded by the schema; :func:`parse_duration` and the
    setting's check still refuse one over ``longest``.
    """
    # Regular expressions in the dialect of JSON Schema (ECMA 262) and Python alike.
    units = "(?=[0-9])" + _UNITS_FORM
    # ISO: some number after P, and none of "P", "PT" or "P1DT" (a T with nothing after).
    iso = _any_case(_ISO_FORM).replace("[Pp]", "[Pp](?=[0-9]|[Tt][0-9])", 1)
    iso = iso.replace("(?:[Tt]", "(?:[Tt](?=[0-9])", 1)
    nonzero = "" if zero else "(?=[^1-9]*[1-9])"
    pattern = f"^\\s*{nonzero}(?:{units}|{iso})\\s*$"
    most = longest // timedelta(seconds=1)
    seconds = {"type": "integer", "minimum": 0 if zero else 1, "maximum": most}
    return {"anyOf": [seconds, {"type": "string", "pattern": pattern}]}


def format_duration(value: timedelta) -> str:
    """Write a whole-second duration in the shortest unit form (``"1h30m"``, ``"0s"``).

    >>> format_duration(timedelta(seconds=5400))
    '1h30m'
    """
    seconds = value // timedelta(seconds=1)
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in _UNIT_SECONDS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
