"""Matching actions against expectations: what ``deskcore check`` and
:func:`deskcore.testing.assert_actions` share.

An expected action is a JSON object giving some of an action's keys; it matches an actual
action (a JSON object too) that has every key it gives with the same value, instants
compared as instants. The expected actions of a block must match distinct actual ones,
in the order given when ``ordered``; with ``exact`` no actual action may be left over.
What falls short is said field by field, against the closest actual action of the type.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._codec import parse_instant
from ._show import show

__all__ = ["TIME_KEYS", "compare", "same"]

TIME_KEYS = frozenset({"at", "expires_at", "due_at", "next_open", "since"})
Json = dict[str, Any]


def _instant(value: object) -> object:
    if isinstance(value, str):
        try:
            return parse_instant(value)
        except ValueError:
            return value
    return value


def same(expected: object, actual: object, key: str = "") -> bool:
    """Whether ``actual`` has every key ``expected`` gives, with the same values
    (instants compare as instants)."""
    if key in TIME_KEYS:
        return _instant(expected) == _instant(actual)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and same(v, actual[k], k) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual


def _assign(expected: Sequence[Json], actual: Sequence[Json], ordered: bool) -> list[int | None]:
    """For each expected action, the index of a distinct actual action it matches (in
    increasing order when ``ordered``), or ``None``; as many matched as can be."""
    if ordered:  # the earliest match after the previous one is never worse
        found: list[int | None] = []
        start = 0
        for want in expected:
            hit = next((j for j in range(start, len(actual)) if same(want, actual[j])), None)
            found.append(hit)
            if hit is not None:
                start = hit + 1
        return found
    owner: dict[int, int] = {}  # actual index -> expected index (augmenting paths)

    def place(i: int, seen: set[int]) -> bool:
        for j, got in enumerate(actual):
            if j in seen or not same(expected[i], got):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        place(i, set())
    matched: list[int | None] = [None] * len(expected)
    for j, i in owner.items():
        matched[i] = j
    return matched


def _differences(want: Json, got: Json) -> list[str]:
    """``type.field: expected X, got Y`` for each field ``got`` does not match."""
    kind = want.get("type", got.get("type", "?"))
    lines = []
    for key, value in want.items():
        if key not in got:
            lines.append(f"{kind}.{key}: expected {_plain(value)}, got nothing")
        elif not same(value, got[key], key):
            lines.append(f"{kind}.{key}: expected {_plain(value)}, got {_plain(got[key])}")
    return lines


def _plain(value: object) -> str:
    return show(value) if not isinstance(value, dict | list) else json.dumps(value)[:200]


def _closest(want: Json, candidates: Sequence[Json]) -> Json | None:
    """The actual action of the same type that shares the most fields with ``want``."""
    kind = want.get("type")
    alike = [got for got in candidates if kind is None or got.get("type") == kind]
    if not alike:
        return None
    return max(alike, key=lambda got: sum(k in got and same(v, got[k], k) for k, v in want.items()))


def compare(
    expected: Sequence[Mapping[str, Any]],
    actual: Sequence[Json],
    *,
    exact: bool = True,
    ordered: bool = False,
) -> list[str]:
    """What ``actual`` falls short of in ``expected`` (empty: it holds), a line each:
    ``type.field: expected X, got Y``, ``missing {...}``, ``out of order: {...}`` or
    ``unexpected {...}``."""
    wanted = [dict(want) for want in expected]
    matched = _assign(wanted, actual, ordered)
    used = {j for j in matched if j is not None}
    spare = [got for j, got in enumerate(actual) if j not in used]
    problems: list[str] = []
    for want, hit in zip(wanted, matched, strict=True):
        if hit is not None:
            continue
        near = _closest(want, spare)
        if near is None:
            problems.append(f"missing {json.dumps(want, ensure_ascii=False)}")
        elif ordered and same(want, near):
            problems.append(f"out of order: {json.dumps(want, ensure_ascii=False)}")
            spare.remove(near)
        else:
            problems.extend(_differences(want, near))
            spare.remove(near)
    if exact:
        problems.extend(f"unexpected {json.dumps(got, ensure_ascii=False)}" for got in spare)
    return problems
