"""The base of every closed set of values the desk names (statuses, reasons, kinds)."""

from __future__ import annotations

import enum

__all__ = ["Choice"]


class Choice(enum.StrEnum):
    """A string enum that compares equal to its value and shows as it.

    ``repr`` is the value's, so reprs of actions and pytest's assertion diffs read
    ``reason='timeout'`` whether a side holds the member or the plain string.

    >>> class Colour(Choice):
    ...     RED = "red"
    >>> Colour.RED == "red", repr(Colour.RED), str(Colour.RED)
    (True, "'red'", 'red')
    """

    def __repr__(self) -> str:
        return repr(self.value)
