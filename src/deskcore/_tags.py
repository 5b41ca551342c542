"""Language tags (BCP 47): whether a tag is well formed, and its fallback chain (P4).

A conversation's language picks its texts: those of the tag itself, else of the tag
without its last subtag, and so on (``zh-Hant-TW``, ``zh-Hant``, ``zh``), compared without
regard to case; else the base texts.
"""

from __future__ import annotations

import re

from ._show import show

__all__ = ["TAG_PATTERN", "fallback_chain", "tag_fault"]

# Tags of older registrations that the grammar does not cover (RFC 5646, "irregular").
_GRANDFATHERED = (
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon",
    "i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr",
    "sgn-be-nl", "sgn-ch-de",
)  # fmt: skip


def _any_case(text: str) -> str:
    """``text`` (letters and hyphens) as a pattern matching it in any case: ``i-ami`` as
    ``[iI]-[aA][mM][iI]``."""
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in text)


_A, _N = "[A-Za-z]", "[A-Za-z0-9]"
TAG_PATTERN = "|".join(
    (
        f"(?:{_A}{{2,3}}(?:-{_A}{{3}}){{0,3}}|{_A}{{4}}|{_A}{{5,8}})"  # language, extlang
        f"(?:-{_A}{{4}})?"  # script
        f"(?:-(?:{_A}{{2}}|[0-9]{{3}}))?"  # region
        f"(?:-(?:{_N}{{5,8}}|[0-9]{_N}{{3}}))*"  # variants
        f"(?:-[0-9A-WY-Za-wy-z](?:-{_N}{{2,8}})+)*"  # extensions
        f"(?:-[xX](?:-{_N}{{1,8}})+)?",  # private use
        f"[xX](?:-{_N}{{1,8}})+",  # a private-use tag alone
        *(_any_case(tag) for tag in _GRANDFATHERED),
    )
)
"""A well-formed BCP 47 language tag, in any case, as a regular expression that JSON
Schema's dialect reads the same (match it whole)."""

_TAG = re.compile(f"(?:{TAG_PATTERN})")


def tag_fault(tag: object) -> str | None:
    """Why ``tag`` is not a well-formed BCP 47 language tag, or ``None`` when it is.

    >>> tag_fault("zh-Hant-TW") is None, tag_fault("ko_KR")
    (True, "must be a BCP 47 language tag like 'ko' or 'zh-Hant-TW', got 'ko_KR'")
    """
    if isinstance(tag, str) and _TAG.fullmatch(tag):
        return None
    return f"must be a BCP 47 language tag like 'ko' or 'zh-Hant-TW', got {show(tag)}"


def fallback_chain(tag: str) -> tuple[str, ...]:
    """The tags to look under for ``tag``'s texts, best first, in lower case (P4).

    >>> fallback_chain("zh-Hant-TW")
    ('zh-hant-tw', 'zh-hant', 'zh')
    """
    parts = tag.lower().split("-")
    return tuple("-".join(parts[:end]) for end in range(len(parts), 0, -1))
