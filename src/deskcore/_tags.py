"""Language tags (BCP 47): whether a tag is well formed, and its fallback chain (P4).

A conversation's language picks its texts: those of the tag itself, else of the tag
without its last subtag, and so on (``zh-Hant-TW``, ``zh-Hant``, ``zh``), compared without
regard to case; else the base texts.
"""

from __future__ import annotations

import re

from ._show import show

__all__ = ["fallback_chain", "tag_fault"]

_LANGTAG = re.compile(
    r"""
    (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})  # language, extlang
    (?:-[a-z]{4})?                                         # script
    (?:-(?:[a-z]{2}|[0-9]{3}))?                            # region
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*               # variants
    (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*                   # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?                             # private use
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PRIVATE = re.compile(r"x(?:-[a-z0-9]{1,8})+", re.IGNORECASE)
# Tags of older registrations that the grammar does not cover (RFC 5646, "irregular").
_GRANDFATHERED = frozenset(
    {
        "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon",
        "i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr",
        "sgn-be-nl", "sgn-ch-de",
    }
)  # fmt: skip


def tag_fault(tag: object) -> str | None:
    """Why ``tag`` is not a well-formed BCP 47 language tag, or ``None`` when it is.

    >>> tag_fault("zh-Hant-TW") is None, tag_fault("ko_KR")
    (True, "must be a BCP 47 language tag like 'ko' or 'zh-Hant-TW', got 'ko_KR'")
    """
    if isinstance(tag, str) and (
        _LANGTAG.fullmatch(tag) or _PRIVATE.fullmatch(tag) or tag.lower() in _GRANDFATHERED
    ):
        return None
    return f"must be a BCP 47 language tag like 'ko' or 'zh-Hant-TW', got {show(tag)}"


def fallback_chain(tag: str) -> tuple[str, ...]:
    """The tags to look under for ``tag``'s texts, best first, in lower case (P4).

    >>> fallback_chain("zh-Hant-TW")
    ('zh-hant-tw', 'zh-hant', 'zh')
    """
    parts = tag.lower().split("-")
    return tuple("-".join(parts[:end]) for end in range(len(parts), 0, -1))
