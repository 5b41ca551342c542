"""The settings document as frozen values.

Every section is an ``attrs`` class, keyword-only and frozen, with the documented defaults,
so ``DeskSettings()`` is a working desk. Its fields are made with the field kit
(:mod:`deskcore._fields`): each has a ``parse`` from the document's form and a ``check``
of the Python value, run by the constructor and by the loader alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from ._choices import Choice
from ._durations import LONGEST, duration_schema, format_duration, parse_duration
from ._fields import (
    MOST,
    Faults,
    duration_check,
    duration_field,
    enum_field,
    flag_field,
    int_field,
    kind_of,
    optional_check,
    raise_faults,
    section_field,
    setting,
    text_field,
    wrap_check,
)
from ._languages import LanguageTexts, check_languages, languages_faults, reasons_field
from ._show import show
from ._working_hours import (
    WorkingHoursSettings,
)

__all__ = [
    "AssignmentSettings",
    "ClosureSettings",
    "DeskSettings",
    "PromptSettings",
    "QueueSettings",
    "RatingSettings",
    "ServiceMode",
    "ServiceSettings",
    "Strategy",
    "WebhookFallback",
]


class Strategy(Choice):
    """How the scope of agents for a conversation is chosen (rule R3)."""

    AUTOMATIC = "automatic"
    USER_CHOICE = "user_choice"
    WEBHOOK = "webhook"


class WebhookFallback(Choice):
    """What a failed or late webhook answer leads to (rule R3)."""

    AUTOMATIC = "automatic"
    FAIL = "fail"


class ServiceMode(Choice):
    """Whether agents get conversations at once or must accept offers (rules S1, S2)."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


# -- prompts, assignment, service, queue, closure, ratings --------------------------------


@attrs.frozen(kw_only=True)
class PromptSettings:
    """Texts sent while a user is connected to an agent (docs/settings.md, ``[prompts]``).

    An empty text switches a prompt off (rule P2).
    """

    welcome: str = text_field("Hello! How can we help you today?")
    connecting: str = text_field("Connecting you to an agent...")
    connected: str = text_field("You are now chatting with $AgentName.", "AgentName", "AgentId")
    connect_failed: str = text_field(
        "Sorry, we could not connect you to an agent right now. Please try again later.",
        "Reason",
    )
    transferring: str = text_field("Transferring you to another agent...")
    reasons: Mapping[str, str] = reasons_field(MappingProxyType({}))
    """The text ``$Reason`` shows for each failure reason (P5); a reason left out shows
    its code."""


def _parse_groups(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of group ids, got {show(value)} ({kind_of(value)})")
    return tuple(value)


def _check_groups(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of group ids, got {show(value)} ({kind_of(value)})")
    faults: Faults = []
    seen: dict[str, int] = {}
    for index, group in enumerate(value):
        if not isinstance(group, str) or not group:
            message = f"must be a non-empty string, got {show(group)} ({kind_of(group)})"
            faults.append((f"[{index}]", message))
        elif group in seen:
            faults.append(
                (f"[{index}]", f"repeats the group {show(group)} of groups[{seen[group]}]")
            )
        else:
            seen[group] = index
    raise_faults(faults)


@attrs.frozen(kw_only=True)
class AssignmentSettings:
    """How the agents who may serve a conversation are chosen (``[assignment]``, rule R3)."""

    strategy: Strategy = enum_field(Strategy, Strategy.AUTOMATIC)
    groups: tuple[str, ...] = setting(
        (),
        check=_check_groups,
        parse=_parse_groups,
        schema={"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
    )
    webhook_timeout: timedelta = duration_field(timedelta(seconds=2))
    webhook_fallback: WebhookFallback = enum_field(WebhookFallback, WebhookFallback.AUTOMATIC)

    # cross_check's rule, as JSON Schema says it: user_choice needs a group.
    schema_rules: ClassVar[Mapping[str, Any]] = {
        "if": {"properties": {"strategy": {"const": "user_choice"}}, "required": ["strategy"]},
        "then": {"properties": {"groups": {"minItems": 1}}, "required": ["groups"]},
    }

    def __attrs_post_init__(self) -> None:
        raise_faults(self.cross_check())

    def cross_check(self) -> list[tuple[str, str]]:
        """Faults that involve more than one field, as ``(field, message)`` pairs."""
        if self.strategy is Strategy.USER_CHOICE and not self.groups:
            return [("groups", "must list at least one group when strategy is 'user_choice'")]
        return []


@attrs.frozen(kw_only=True)
class ServiceSettings:
    """Automatic or manual service (``[service]``, rules S1–S4)."""

    mode: ServiceMode = enum_field(ServiceMode, ServiceMode.AUTOMATIC)
    accept_timeout: timedelta = duration_field(timedelta(seconds=60))
    break_on_timeout: bool = flag_field(False)
    reassign_after: timedelta | None = duration_field(None, zero=True, optional=True)
    """Hand an agent's conversations over this long after it went offline (A6)."""


def _parse_interval(value: object) -> timedelta | None:
    if value is None or value == "never":
        return None
    return parse_duration(value)


@attrs.frozen(kw_only=True)
class QueueSettings:
    """Capacity, waiting and queue prompts (``[queue]``, rules A2, Q1–Q6).

    ``update_interval`` is ``None`` for ``"never"``.
    """

    max_concurrent: int = int_field(5, 1, MOST)
    prompt: str = text_field(
        "You are number $QueuePosition in line. An agent will be with you shortly.",
        "QueuePosition",
        "WaitNo",
    )
    update_interval: timedelta | None = setting(
        timedelta(0),
        check=optional_check(duration_check(zero=True)),
        parse=_parse_interval,
        schema={
            "anyOf": [
                duration_schema(zero=True, longest=LONGEST),
                {"const": "never"},
                {"type": "null"},
            ]
        },
    )
    max_length: int | None = int_field(None, 1, MOST, optional=True)
    max_wait: timedelta | None = duration_field(None, optional=True)


@attrs.frozen(kw_only=True)
class ClosureSettings:
    """When served conversations close and what users are told (``[closure]``, C1–C4, D3)."""

    user_timeout: timedelta | None = duration_field(None, optional=True)
    timeout_message: str = text_field(
        "We closed this conversation because we did not hear back. Write again any time!"
    )
    reminder: timedelta | None = duration_field(None, optional=True)
    """Send ``reminder_message`` this long before the user timeout closes (C4)."""
    reminder_message: str = text_field(
        "This chat will close in $Minutes minutes unless you reply.", "Minutes"
    )
    end_message: str = text_field("This conversation has ended. Thank you for contacting us!")
    retention: timedelta = duration_field(timedelta(hours=1), zero=True)

    # cross_check's first rule, as JSON Schema says it (the second, reminder shorter than
    # user_timeout, compares durations, which a schema cannot).
    schema_rules: ClassVar[Mapping[str, Any]] = {
        "if": {"properties": {"reminder": {"not": {"type": "null"}}}, "required": ["reminder"]},
        "then": {
            "properties": {"user_timeout": {"not": {"type": "null"}}},
            "required": ["user_timeout"],
        },
    }

    def __attrs_post_init__(self) -> None:
        raise_faults(self.cross_check())

    def cross_check(self) -> list[tuple[str, str]]:
        """Faults that involve more than one field, as ``(field, message)`` pairs."""
        if self.reminder is None:
            return []
        if self.user_timeout is None:
            return [("reminder", "needs closure.user_timeout: there is no timeout to remind of")]
        if self.reminder >= self.user_timeout:
            timeout = format_duration(self.user_timeout)
            return [
                (
                    "reminder",
                    f"must be shorter than closure.user_timeout ({timeout}), "
                    f"got {format_duration(self.reminder)}",
                )
            ]
        return []


@attrs.frozen(kw_only=True)
class RatingSettings:
    """Satisfaction ratings (``[ratings]``, rules V1–V3)."""

    agent_invite: bool = flag_field(True)
    send_on_end: bool = flag_field(False)
    send_on_timeout: bool = flag_field(True)
    """With ``send_on_end``: also when the user timeout closed the conversation (V2)."""
    invitation: str = text_field(
        "How did $AgentName do? Please rate this conversation.", "AgentName"
    )
    submitted: str = text_field("Thank you for your rating!", "Score")
    validity: timedelta = duration_field(timedelta(hours=24))
    scale: int = int_field(5, 2, 10)


def _read_only(value: object) -> object:
    """A mapping given in Python, kept read-only (the settings are frozen)."""
    return MappingProxyType(dict(value)) if isinstance(value, dict) else value


@attrs.frozen(kw_only=True)
class DeskSettings:
    """The whole settings document (docs/settings.md); ``DeskSettings()`` is a working desk."""

    prompts: PromptSettings = section_field(PromptSettings)
    assignment: AssignmentSettings = section_field(AssignmentSettings)
    service: ServiceSettings = section_field(ServiceSettings)
    queue: QueueSettings = section_field(QueueSettings)
    closure: ClosureSettings = section_field(ClosureSettings)
    working_hours: WorkingHoursSettings = section_field(WorkingHoursSettings)
    ratings: RatingSettings = section_field(RatingSettings)
    languages: Mapping[str, LanguageTexts] = attrs.field(
        factory=lambda: MappingProxyType({}),
        converter=_read_only,
        validator=wrap_check(check_languages),
        metadata={"entries": LanguageTexts, "entry_faults": languages_faults},
        hash=False,
    )
    """The texts for conversations in each language, by BCP 47 tag (P4)."""
