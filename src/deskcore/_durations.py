"""Durations in settings documents: whole seconds, unit strings, or ISO 8601."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["format_duration", "parse_duration"]

_UNITS = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_ISO = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_UNIT_SECONDS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def parse_duration(value: object) -> timedelta:
    """Read a duration written as in settings.md.

    Accepts an integer number of seconds (``90``), a string of whole units (``"90s"``,
    ``"10m"``, ``"2h"``, ``"1d"``, ``"1h30m"``) or an ISO 8601 duration (``"PT10M"``,
    ``"P1DT2H"``). Raises ``ValueError`` for anything else, including negative or
    fractional values; whether zero is allowed is the caller's decision.

    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        if isinstance(value, float):
            raise ValueError(f"must be a whole number of seconds, got {value!r}")
        raise ValueError(
            f"must be a duration (seconds, or a string like '90s' or 'PT10M'), got {value!r}"
        )
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"must not be negative, got {value}")
        return timedelta(seconds=value)
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"must not be negative, got {value!r}")
    unit = _UNITS.fullmatch(text)
    if text and unit is not None:
        days, hours, minutes, seconds = (int(part or 0) for part in unit.groups())
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    iso = _ISO.fullmatch(text.upper())
    if iso is not None and any(iso.groups()) and not text.upper().endswith("T"):
        weeks, days, hours, minutes, seconds = (int(part or 0) for part in iso.groups())
        return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(
        f"cannot read {value!r} as a duration (use whole seconds, units like '1h30m', "
        "or ISO 8601 like 'PT10M')"
    )


def format_duration(value: timedelta) -> str:
    """Write a whole-second duration in the shortest unit form (``"1h30m"``, ``"0s"``).

    >>> format_duration(timedelta(seconds=5400))
    '1h30m'
    """
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in _UNIT_SECONDS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
