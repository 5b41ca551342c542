"""Values in error messages: always short, and always printable.

A message names the value it refuses, but the value came from outside: it may be a
string of 100 kB, a list of 10,000 ids, a list nested 100,000 deep or an integer too long
for ``repr`` (over 4,300 digits). :func:`show` writes any of them in a few dozen
characters, cutting with an ellipsis, and never raises.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = ["cut", "show", "show_list"]

_LONGEST = 120  # characters of a shown value, at most
_INT_BITS = 256  # integers longer than this are described, not written


class _Short(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = 6
        self.maxdict = 4
        self.maxstring = 60
        self.maxlong = 40
        self.maxother = 120

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _INT_BITS:
            return f"<an integer of about {int(x.bit_length() * 0.30103)} digits>"
        return super().repr_int(x, level)


_SHORT = _Short()


def show(value: Any) -> str:
    """A short ``repr`` of ``value`` for a message (at most 120 characters).

    >>> show("x" * 1000)[:20], len(show("x" * 1000)) <= 120
    ("'xxxxxxxxxxxxxxxxxxx", True)
    >>> show(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...]'
    """
    text = _SHORT.repr(value)  # a repr that raises is shown as "<Type instance at ...>"
    if len(text) > _LONGEST:
        text = text[: _LONGEST - 3] + "..."
    return text


def show_list(items: Any, limit: int = 5) -> str:
    """A list of names for a message: all of them when few, else the first and a count.

    >>> show_list(["a", "b"]), show_list([str(n) for n in range(100)])
    ("'a', 'b'", "'0', '1', '2', '3', '4' and 95 more")
    """
    names = list(items)
    shown = ", ".join(show(name) for name in names[:limit])
    if len(names) > limit:
        shown += f" and {len(names) - limit} more"
    return shown


def cut(text: str, limit: int = _LONGEST) -> str:
    """``text`` (a message from elsewhere) cut to ``limit`` characters with an ellipsis.

    >>> cut("abc" * 100, 10)
    'abcabca...'
    """
    return text if len(text) <= limit else text[: limit - 3] + "..."
