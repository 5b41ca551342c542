"""The settings document as frozen values (settings.md).

Every section is an ``attrs`` class, keyword-only and frozen, with the documented defaults,
so ``DeskSettings()`` is a working desk. Each field carries two functions in its metadata:

- ``parse`` turns the document's form (``"10m"``, ``["09:00-18:00"]``) into the Python
  value (``timedelta``, ``tuple[TimeRange, ...]``);
- ``check`` validates a Python value and raises ``ValueError`` with a message.

The constructor runs ``check`` (so values built in Python are validated too) and the
loader in :mod:`deskcore._document` runs ``parse`` then ``check`` field by field, so that
both report the same faults with the same messages.
"""

from __future__ import annotations

import difflib
import enum
import functools
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import attrs

from ._durations import parse_duration
from ._errors import SettingsError
from ._hours import Schedule, parse_range, parse_rrule
from ._templates import check_template

__all__ = [
    "AssignmentSettings",
    "ClosureSettings",
    "DateOverride",
    "DeskSettings",
    "PromptSettings",
    "QueueSettings",
    "RatingSettings",
    "ServiceMode",
    "ServiceSettings",
    "Strategy",
    "TimeRange",
    "WebhookFallback",
    "WeeklyHours",
    "WorkingHoursSettings",
]

Parse = Callable[[Any], Any]
Check = Callable[[Any], None]


class Strategy(enum.StrEnum):
    """How the scope of agents for a conversation is chosen (rule R3)."""

    AUTOMATIC = "automatic"
    USER_CHOICE = "user_choice"
    WEBHOOK = "webhook"


class WebhookFallback(enum.StrEnum):
    """What a failed or late webhook answer leads to (rule R3)."""

    AUTOMATIC = "automatic"
    FAIL = "fail"


class ServiceMode(enum.StrEnum):
    """Whether agents get conversations at once or must accept offers (rules S1, S2)."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


# -- field helpers ------------------------------------------------------------------------


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return names.get(type(value), type(value).__name__)


def suggest(name: str, choices: Sequence[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for a close name in ``choices``, or ``""``."""
    folded = {choice.lower(): choice for choice in choices}
    if name.lower() in folded:
        return f" (did you mean {folded[name.lower()]!r}?)"
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _same(value: Any) -> Any:
    return value


def _expect_bool(value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r} ({_kind(value)})")


def _expect_str(value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {value!r} ({_kind(value)})")


def _int_at_least(low: int, high: int | None = None) -> Check:
    def check(value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be an integer, got {value!r} ({_kind(value)})")
        if value < low:
            raise ValueError(f"must be >= {low}, got {value}")
        if high is not None and value > high:
            raise ValueError(f"must be <= {high}, got {value}")

    return check


def _duration_check(*, zero: bool) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, timedelta):
            raise ValueError(f"must be a duration, got {value!r} ({_kind(value)})")
        if value < timedelta(0):
            raise ValueError(f"must not be negative, got {value}")
        if value % timedelta(seconds=1):
            raise ValueError(f"must be a whole number of seconds, got {value}")
        if not zero and not value:
            raise ValueError("must be longer than zero")

    return check


def _optional(check: Check) -> Check:
    def optional(value: object) -> None:
        if value is not None:
            check(value)

    return optional


def _optional_parse(parse: Parse) -> Parse:
    return lambda value: None if value is None else parse(value)


def _template_check(*variables: str) -> Check:
    allowed = frozenset(variables)

    def check(value: object) -> None:
        _expect_str(value)
        fault = check_template(str(value), allowed)
        if fault:
            raise ValueError(fault)

    return check


def _choice(enum_type: type[enum.StrEnum]) -> tuple[Parse, Check]:
    names = [member.value for member in enum_type]

    def parse(value: object) -> object:
        if isinstance(value, str) and value in names:
            return enum_type(value)
        if isinstance(value, str):
            listed = ", ".join(repr(name) for name in names)
            raise ValueError(f"must be one of {listed}, got {value!r}{suggest(value, names)}")
        raise ValueError(f"must be a string, got {value!r} ({_kind(value)})")

    def check(value: object) -> None:
        if not isinstance(value, enum_type):
            parse(value)

    return parse, check


def _wrap_check(check: Check) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def validator(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        try:
            check(value)
        except ValueError as exc:
            raise SettingsError([(attribute.name, str(exc))]) from None

    return validator


def setting(default: Any = attrs.NOTHING, *, check: Check, parse: Parse = _same, **kw: Any) -> Any:
    """An ``attrs`` field whose value is validated by ``check`` and read by ``parse``."""
    return attrs.field(
        default=default,
        validator=_wrap_check(check),
        metadata={"check": check, "parse": parse},
        **kw,
    )


def _duration(default: timedelta | None, *, zero: bool = False, optional: bool = False) -> Any:
    check = _duration_check(zero=zero)
    if optional:
        return setting(default, check=_optional(check), parse=_optional_parse(parse_duration))
    return setting(default, check=check, parse=parse_duration)


def _text(default: str, *variables: str) -> Any:
    return setting(default, check=_template_check(*variables))


def _flag(default: bool) -> Any:
    return setting(default, check=_expect_bool)


def _enum(enum_type: type[enum.StrEnum], default: enum.StrEnum) -> Any:
    parse, check = _choice(enum_type)
    return setting(default, check=check, parse=parse)


# -- prompts, assignment, service, queue, closure, ratings --------------------------------


@attrs.frozen(kw_only=True)
class PromptSettings:
    """Texts sent while a user is connected to an agent (settings.md, ``[prompts]``).

    An empty text switches a prompt off (rule P2).
    """

    welcome: str = _text("Hello! How can we help you today?")
    connecting: str = _text("Connecting you to an agent...")
    connected: str = _text("You are now chatting with $AgentName.", "AgentName", "AgentId")
    connect_failed: str = _text(
        "Sorry, we could not connect you to an agent right now. Please try again later.",
        "Reason",
    )


def _parse_groups(value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of group ids, got {value!r} ({_kind(value)})")
    return tuple(value)


def _check_groups(value: object) -> None:
    if not isinstance(value, tuple):
        raise ValueError(f"must be a tuple of group ids, got {value!r} ({_kind(value)})")
    seen: set[str] = set()
    for index, group in enumerate(value):
        if not isinstance(group, str) or not group:
            raise ValueError(f"[{index}] must be a non-empty string, got {group!r}")
        if group in seen:
            raise ValueError(f"[{index}] repeats the group {group!r}")
        seen.add(group)


@attrs.frozen(kw_only=True)
class AssignmentSettings:
    """How the agents who may serve a conversation are chosen (``[assignment]``, rule R3)."""

    strategy: Strategy = _enum(Strategy, Strategy.AUTOMATIC)
    groups: tuple[str, ...] = setting((), check=_check_groups, parse=_parse_groups)
    webhook_timeout: timedelta = _duration(timedelta(seconds=2))
    webhook_fallback: WebhookFallback = _enum(WebhookFallback, WebhookFallback.AUTOMATIC)

    def __attrs_post_init__(self) -> None:
        for path, message in self.cross_check():
            raise SettingsError([(path, message)])

    def cross_check(self) -> list[tuple[str, str]]:
        """Faults that involve more than one field, as ``(field, message)`` pairs."""
        if self.strategy is Strategy.USER_CHOICE and not self.groups:
            return [("groups", "must list at least one group when strategy is 'user_choice'")]
        return []


@attrs.frozen(kw_only=True)
class ServiceSettings:
    """Automatic or manual service (``[service]``, rules S1–S4)."""

    mode: ServiceMode = _enum(ServiceMode, ServiceMode.AUTOMATIC)
    accept_timeout: timedelta = _duration(timedelta(seconds=60))
    break_on_timeout: bool = _flag(False)


def _parse_interval(value: object) -> timedelta | None:
    if value is None or value == "never":
        return None
    return parse_duration(value)


@attrs.frozen(kw_only=True)
class QueueSettings:
    """Capacity, waiting and queue prompts (``[queue]``, rules A2, Q1–Q6).

    ``update_interval`` is ``None`` for ``"never"``.
    """

    max_concurrent: int = setting(5, check=_int_at_least(1))
    prompt: str = _text(
        "You are number $QueuePosition in line. An agent will be with you shortly.",
        "QueuePosition",
        "WaitNo",
    )
    update_interval: timedelta | None = setting(
        timedelta(0), check=_optional(_duration_check(zero=True)), parse=_parse_interval
    )
    max_length: int | None = setting(None, check=_optional(_int_at_least(1)))
    max_wait: timedelta | None = _duration(None, optional=True)


@attrs.frozen(kw_only=True)
class ClosureSettings:
    """When served conversations close and what users are told (``[closure]``, C1–C3, D3)."""

    user_timeout: timedelta | None = _duration(None, optional=True)
    timeout_message: str = _text(
        "We closed this conversation because we did not hear back. Write again any time!"
    )
    end_message: str = _text("This conversation has ended. Thank you for contacting us!")
    retention: timedelta = _duration(timedelta(hours=1), zero=True)


@attrs.frozen(kw_only=True)
class RatingSettings:
    """Satisfaction ratings (``[ratings]``, rules V1–V3)."""

    agent_invite: bool = _flag(True)
    send_on_end: bool = _flag(False)
    invitation: str = _text("How did $AgentName do? Please rate this conversation.", "AgentName")
    submitted: str = _text("Thank you for your rating!", "Score")
    validity: timedelta = _duration(timedelta(hours=24))
    scale: int = setting(5, check=_int_at_least(2, 10))


# -- working hours --------------------------------------------------------------------------


@attrs.frozen(order=True)
class TimeRange:
    """A local-time range ``[start, end)`` in minutes after midnight.

    ``end`` may be 1440 (``"24:00"``); an ``end`` not after ``start`` runs past midnight and
    belongs to the day it starts on (settings.md).
    """

    start: int
    end: int

    def __attrs_post_init__(self) -> None:
        try:
            text = str(self)
            if not (0 <= self.start < 1440 and 0 < self.end <= 1440):
                raise ValueError(f"times out of range in {text!r}")
            parse_range(text)
        except (ValueError, TypeError) as exc:
            raise SettingsError([("", str(exc))]) from None

    @classmethod
    def parse(cls, text: object) -> TimeRange:
        """Read ``"HH:MM-HH:MM"``; raises ``ValueError`` naming what is wrong."""
        if not isinstance(text, str):
            raise ValueError(f"must be a string 'HH:MM-HH:MM', got {text!r} ({_kind(text)})")
        start, end = parse_range(text)
        return cls(start, end)

    def __str__(self) -> str:
        return "{:02d}:{:02d}-{:02d}:{:02d}".format(*divmod(self.start, 60), *divmod(self.end, 60))


def _parse_ranges(value: object) -> tuple[TimeRange, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of 'HH:MM-HH:MM' ranges, got {value!r} ({_kind(value)})")
    ranges = []
    for index, item in enumerate(value):
        try:
            ranges.append(TimeRange.parse(item))
        except ValueError as exc:
            raise ValueError(f"[{index}] {exc}") from None
    return tuple(ranges)


def _check_ranges(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, TimeRange) for item in value):
        raise ValueError(f"must be a tuple of TimeRange, got {value!r}")


def _ranges(default: tuple[TimeRange, ...] = ()) -> Any:
    return setting(default, check=_check_ranges, parse=_parse_ranges)


@attrs.frozen(kw_only=True)
class WeeklyHours:
    """The ranges of each weekday; a day left out is closed (``[working_hours.weekly]``)."""

    DAYS: ClassVar[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

    mon: tuple[TimeRange, ...] = _ranges()
    tue: tuple[TimeRange, ...] = _ranges()
    wed: tuple[TimeRange, ...] = _ranges()
    thu: tuple[TimeRange, ...] = _ranges()
    fri: tuple[TimeRange, ...] = _ranges()
    sat: tuple[TimeRange, ...] = _ranges()
    sun: tuple[TimeRange, ...] = _ranges()

    @classmethod
    def office(cls) -> WeeklyHours:
        """The default week: Monday to Friday, 09:00 to 18:00."""
        day = (TimeRange(9 * 60, 18 * 60),)
        return cls(mon=day, tue=day, wed=day, thu=day, fri=day)

    def by_weekday(self) -> tuple[tuple[TimeRange, ...], ...]:
        """The seven days' ranges, Monday first."""
        return tuple(getattr(self, day) for day in self.DAYS)


def _parse_date(value: object) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"must be a date 'YYYY-MM-DD', got a date and time {value!r}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a date 'YYYY-MM-DD', got {value!r} ({_kind(value)})")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a date 'YYYY-MM-DD', got {value!r}") from None


def _check_date(value: object) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"must be a date, got {value!r}")


def _check_rrule(value: object) -> None:
    _expect_str(value)
    parse_rrule(str(value))


@attrs.frozen(kw_only=True)
class DateOverride:
    """Hours for one date, or for the dates an rrule names (``[[working_hours.dates]]``).

    Exactly one of ``date`` and ``rrule`` is given; ``hours = ()`` closes the day.
    """

    date: date | None = setting(None, check=_optional(_check_date), parse=_parse_date)
    rrule: str | None = setting(None, check=_optional(_check_rrule))
    hours: tuple[TimeRange, ...] = _ranges()

    def __attrs_post_init__(self) -> None:
        for path, message in self.cross_check():
            raise SettingsError([(path, message)])

    def cross_check(self) -> list[tuple[str, str]]:
        """Faults that involve more than one field, as ``(field, message)`` pairs."""
        if (self.date is None) == (self.rrule is None):
            return [("", "give exactly one of 'date' and 'rrule'")]
        return []


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_zone(value: object) -> None:
    _expect_str(value)
    name = str(value)
    if name not in _zones():
        raise ValueError(f"unknown time zone {name!r}{suggest(name, sorted(_zones()))}")


def _check_overrides(value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, DateOverride) for item in value):
        raise ValueError(f"must be a tuple of DateOverride, got {value!r}")
    seen: dict[date, int] = {}
    for index, override in enumerate(value):
        if override.date is None:
            continue
        if override.date in seen:
            first = seen[override.date]
            raise ValueError(
                f"[{index}].date {override.date} is already overridden by dates[{first}]"
            )
        seen[override.date] = index


@attrs.frozen(kw_only=True)
class WorkingHoursSettings:
    """When the desk is open (``[working_hours]``, rules W1–W3).

    :meth:`is_open`, :meth:`next_open` and :meth:`next_close` answer for any aware instant,
    whether or not ``enabled`` is set (``enabled`` only decides whether the desk checks).
    """

    enabled: bool = _flag(False)
    timezone: str = setting("UTC", check=_check_zone)
    after_hours_reply: str = _text(
        "We are closed right now. We open again at $NextOpen.", "NextOpen"
    )
    weekly: WeeklyHours = attrs.field(
        factory=WeeklyHours.office,
        validator=attrs.validators.instance_of(WeeklyHours),
        metadata={"section": WeeklyHours},
    )
    dates: tuple[DateOverride, ...] = attrs.field(
        default=(),
        validator=_wrap_check(_check_overrides),
        metadata={"items": DateOverride, "check": _check_overrides},
    )
    _schedule: Schedule = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        schedule = Schedule(
            zone=self.timezone,
            weekly=[[(r.start, r.end) for r in day] for day in self.weekly.by_weekday()],
            dates={o.date: [(r.start, r.end) for r in o.hours] for o in self.dates if o.date},
            rrules=[(o.rrule, [(r.start, r.end) for r in o.hours]) for o in self.dates if o.rrule],
        )
        object.__setattr__(self, "_schedule", schedule)

    @property
    def schedule(self) -> Schedule:
        """The evaluated schedule (open intervals on the UTC time line)."""
        return self._schedule

    def is_open(self, now: datetime) -> bool:
        """Whether the desk is open at the aware instant ``now`` (rules W1, W2)."""
        return self._schedule.is_open(now)

    def next_open(
        self, now: datetime, *, horizon: timedelta = timedelta(days=366)
    ) -> datetime | None:
        """The first opening at or after ``now`` within ``horizon``, in the desk's zone (W3).

        An opening is an instant when the desk is open and was closed just before; while the
        desk is open this is the start of its next period, not ``now``.
        """
        return self._schedule.next_open(now, horizon=horizon)

    def next_close(
        self, now: datetime, *, horizon: timedelta = timedelta(days=366)
    ) -> datetime | None:
        """The first closing at or after ``now`` within ``horizon``, in the desk's zone."""
        return self._schedule.next_close(now, horizon=horizon)


@attrs.frozen(kw_only=True)
class DeskSettings:
    """The whole settings document (settings.md); ``DeskSettings()`` is a working desk."""

    prompts: PromptSettings = attrs.field(
        factory=PromptSettings, metadata={"section": PromptSettings}
    )
    assignment: AssignmentSettings = attrs.field(
        factory=AssignmentSettings, metadata={"section": AssignmentSettings}
    )
    service: ServiceSettings = attrs.field(
        factory=ServiceSettings, metadata={"section": ServiceSettings}
    )
    queue: QueueSettings = attrs.field(factory=QueueSettings, metadata={"section": QueueSettings})
    closure: ClosureSettings = attrs.field(
        factory=ClosureSettings, metadata={"section": ClosureSettings}
    )
    working_hours: WorkingHoursSettings = attrs.field(
        factory=WorkingHoursSettings, metadata={"section": WorkingHoursSettings}
    )
    ratings: RatingSettings = attrs.field(
        factory=RatingSettings, metadata={"section": RatingSettings}
    )

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if not isinstance(value, field.metadata["section"]):
                expected = field.metadata["section"].__name__
                raise SettingsError([(field.name, f"must be a {expected}, got {value!r}")])
