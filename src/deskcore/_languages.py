"""Texts in the user's language (P4) and readable failure reasons (P5).

``[languages.<tag>]`` holds, for conversations in that language, any of the texts the
desk sends, under their own sections and keys; a text left out falls back along the tag's
chain (``zh-Hant-TW``, ``zh-Hant``, ``zh``), then to the base text. ``prompts.reasons``
(in the base prompts and under a language) gives the text that ``$Reason`` shows for each
failure reason; a reason left out shows its code.

:func:`text_of` and :func:`reason_of` answer for a settings document, a text and a
language: the engine and :func:`~deskcore.render_prompt` use them both.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ._errors import SettingsError
from ._fields import (
    Check,
    Faults,
    kind_of,
    optional_check,
    raise_faults,
    section_field,
    setting,
    suggest,
    template_check,
    template_schema,
)
from ._show import show
from ._tags import fallback_chain, tag_fault
from ._templates import render

__all__ = [
    "REASONS",
    "TEXTS",
    "LanguageClosure",
    "LanguagePrompts",
    "LanguageQueue",
    "LanguageRatings",
    "LanguageTexts",
    "LanguageWorkingHours",
    "check_languages",
    "languages_faults",
    "reason_of",
    "reasons_field",
    "text_of",
]

REASONS = ("no_agents_online", "queue_full", "queue_timeout", "webhook_failed")
"""The failure reasons that ``prompts.reasons`` may name (those of ``connect_failed``)."""

TEXTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "welcome": ("prompts", "welcome"),
        "connecting": ("prompts", "connecting"),
        "connected": ("prompts", "connected"),
        "connect_failed": ("prompts", "connect_failed"),
        "transferring": ("prompts", "transferring"),
        "queue": ("queue", "prompt"),
        "after_hours": ("working_hours", "after_hours_reply"),
        "timeout_reminder": ("closure", "reminder_message"),
        "timeout_closure": ("closure", "timeout_message"),
        "end": ("closure", "end_message"),
        "rating_card": ("ratings", "invitation"),
        "rating_submitted": ("ratings", "submitted"),
    }
)
"""Each text the desk sends (by prompt kind, and ``rating_card``), and where the settings
keep it: ``(section, key)``."""


# -- prompts.reasons --------------------------------------------------------------------------


def _parse_reasons(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a table of reason = text, got {show(value)} ({kind_of(value)})")
    return MappingProxyType(dict(value))


_REASON_TEXT = template_check()


def _check_reasons(value: object) -> None:
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a mapping of reason to text, got {show(value)}")
    faults: Faults = []
    for reason, text in value.items():
        if reason not in REASONS:
            hint = suggest(str(reason), REASONS)
            known = ", ".join(REASONS)
            faults.append((str(reason)[:60], f"unknown reason{hint}; the reasons are {known}"))
            continue
        try:
            _REASON_TEXT(text)
        except ValueError as exc:
            faults.append((reason, str(exc)))
    raise_faults(faults)


REASONS_SCHEMA = {
    "type": "object",
    "propertyNames": {"enum": list(REASONS)},
    "additionalProperties": template_schema(),
}
"""The JSON Schema of a ``reasons`` table."""


def reasons_field(default: Mapping[str, str] | None) -> Any:
    """The ``reasons`` table: failure reason to the text ``$Reason`` shows (P5)."""
    check: Check = _check_reasons if default is not None else optional_check(_check_reasons)
    return setting(default, check=check, parse=_parse_reasons, hash=False, schema=REASONS_SCHEMA)


# -- the sections of a language ---------------------------------------------------------------


def _given(value: object) -> object:
    if value is None:
        raise ValueError(
            "must be a string, got None (null); leave the key out to use the base text"
        )
    return value


def _text(*variables: str) -> Any:
    """A text a language may give; ``None`` (left out) falls back."""
    return setting(
        None,
        check=optional_check(template_check(*variables)),
        parse=_given,
        schema=template_schema(*variables),
    )


@attrs.frozen(kw_only=True)
class LanguagePrompts:
    """``[languages.<tag>.prompts]``: the prompts of the base ``[prompts]`` section."""

    welcome: str | None = _text()
    connecting: str | None = _text()
    connected: str | None = _text("AgentName", "AgentId")
    connect_failed: str | None = _text("Reason")
    transferring: str | None = _text()
    reasons: Mapping[str, str] | None = reasons_field(None)


@attrs.frozen(kw_only=True)
class LanguageQueue:
    """``[languages.<tag>.queue]``: the queue prompt."""

    prompt: str | None = _text("QueuePosition", "WaitNo")


@attrs.frozen(kw_only=True)
class LanguageClosure:
    """``[languages.<tag>.closure]``: the closure messages and the reminder."""

    timeout_message: str | None = _text()
    reminder_message: str | None = _text("Minutes")
    end_message: str | None = _text()


@attrs.frozen(kw_only=True)
class LanguageWorkingHours:
    """``[languages.<tag>.working_hours]``: the after-hours reply."""

    after_hours_reply: str | None = _text("NextOpen")


@attrs.frozen(kw_only=True)
class LanguageRatings:
    """``[languages.<tag>.ratings]``: the rating card and the thanks."""

    invitation: str | None = _text("AgentName")
    submitted: str | None = _text("Score")


@attrs.frozen(kw_only=True)
class LanguageTexts:
    """``[languages.<tag>]``: the texts for conversations in one language (P4)."""

    prompts: LanguagePrompts = section_field(LanguagePrompts)
    queue: LanguageQueue = section_field(LanguageQueue)
    closure: LanguageClosure = section_field(LanguageClosure)
    working_hours: LanguageWorkingHours = section_field(LanguageWorkingHours)
    ratings: LanguageRatings = section_field(LanguageRatings)


# -- the languages table ----------------------------------------------------------------------


def languages_faults(value: Mapping[Any, Any]) -> Faults:
    """Faults of the table's tags: malformed, or the same as another but for case."""
    faults: Faults = []
    seen: dict[str, str] = {}
    for tag in value:
        fault = tag_fault(tag)
        if fault:
            faults.append((tag, fault))
        elif tag.lower() in seen:
            faults.append((tag, f"is {show(seen[tag.lower()])} again: tags differ only in case"))
        else:
            seen[tag.lower()] = tag
    return faults


def check_languages(value: object) -> None:
    """A languages mapping, as built in Python: tags, and a :class:`LanguageTexts` each."""
    if not isinstance(value, Mapping):
        raise ValueError(f"must be a mapping of language tag to texts, got {show(value)}")
    faults = languages_faults(value)
    faults = [(str(tag)[:60], message) for tag, message in faults]
    faults += [
        (str(tag)[:60], f"must be a LanguageTexts, got {show(texts)}")
        for tag, texts in value.items()
        if not isinstance(texts, LanguageTexts)
    ]
    if faults:
        raise SettingsError(faults)


# -- looking texts up -------------------------------------------------------------------------


def _languages(settings: Any, language: str | None) -> list[LanguageTexts]:
    """The language entries to look under for ``language``, best first (P4)."""
    if not language or not settings.languages:
        return []
    folded = {tag.lower(): texts for tag, texts in settings.languages.items()}
    return [folded[tag] for tag in fallback_chain(language) if tag in folded]


def text_of(settings: Any, kind: str, language: str | None) -> str:
    """The text of ``kind`` (a key of :data:`TEXTS`) for a conversation in ``language``
    (P4): the first of its fallback chain that gives one, else the base text."""
    section, key = TEXTS[kind]
    for texts in _languages(settings, language):
        text = getattr(getattr(texts, section), key)
        if text is not None:
            return str(text)
    return str(getattr(getattr(settings, section), key))


def reason_of(settings: Any, reason: str, language: str | None) -> str:
    """The text ``$Reason`` shows for ``reason`` in ``language`` (P5), else the code."""
    for texts in _languages(settings, language):
        reasons = texts.prompts.reasons
        if reasons is not None and reason in reasons:
            return render(reasons[reason])
    return render(settings.prompts.reasons.get(reason, reason))
