"""Instants: aware datetimes outside, integer microseconds since the epoch (UTC) inside (T3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ._errors import NaiveTimeError
from ._show import show

__all__ = [
    "EARLIEST",
    "EPOCH",
    "LATEST",
    "ONE_US",
    "format_instant",
    "from_us",
    "require_aware",
    "span_us",
    "to_us",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
"""One microsecond, the engine's unit of time (T3)."""
EARLIEST = (datetime.min.replace(tzinfo=UTC) - EPOCH) // ONE_US
"""The earliest instant (µs) a desk handles: 0001-01-01T00:00:00Z."""
LATEST = (datetime.max.replace(tzinfo=UTC) - EPOCH) // ONE_US
"""The latest instant (µs) a datetime holds: 9999-12-31T23:59:59.999999Z."""


def require_aware(moment: object, name: str) -> datetime:
    """Return ``moment`` if it is an aware datetime; raise ``NaiveTimeError`` naming ``name``."""
    if not isinstance(moment, datetime):
        raise NaiveTimeError(f"{name} must be an aware datetime, got {show(moment)}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTimeError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact, on the UTC time line)."""
    return (moment - EPOCH) // ONE_US


def from_us(micros: int) -> datetime:
    """The UTC datetime of ``micros`` microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def span_us(span: timedelta) -> int:
    """A duration in whole microseconds."""
    return span // ONE_US


def format_instant(moment: datetime) -> str:
    """An aware instant as ISO 8601 in UTC with ``Z``, seconds or finer as needed.

    >>> format_instant(datetime(2026, 3, 2, 18, tzinfo=UTC))
    '2026-03-02T18:00:00Z'
    """
    if moment.tzinfo is UTC:  # most instants: ``isoformat`` ends in ``+00:00``
        return moment.isoformat()[:-6] + "Z"
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"
