"""Tests of the settings values built in Python (docs/settings.md): defaults and validation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from deskcore import (
    AssignmentSettings,
    ClosureSettings,
    DateOverride,
    Desk,
    DeskcoreError,
    DeskSettings,
    PromptSettings,
    QueueSettings,
    RatingSettings,
    ServiceMode,
    ServiceSettings,
    SettingsError,
    Strategy,
    TimeRange,
    WebhookFallback,
    WeeklyHours,
    WorkingHoursSettings,
)
from deskcore._fields import join_path, kind_of, suggest

OFFICE = (TimeRange(540, 1080),)
SECTIONS: dict[str, type[Any]] = {
    "prompts": PromptSettings,
    "assignment": AssignmentSettings,
    "service": ServiceSettings,
    "queue": QueueSettings,
    "closure": ClosureSettings,
    "working_hours": WorkingHoursSettings,
    "ratings": RatingSettings,
}
DEFAULTS: list[tuple[str, str, object]] = [
    ("prompts", "welcome", "Hello! How can we help you today?"),
    ("prompts", "connecting", "Connecting you to an agent..."),
    ("prompts", "connected", "You are now chatting with $AgentName."),
    (
        "prompts",
        "connect_failed",
        "Sorry, we could not connect you to an agent right now. Please try again later.",
    ),
    ("prompts", "transferring", "Transferring you to another agent..."),
    ("prompts", "reasons", {}),
    ("assignment", "strategy", Strategy.AUTOMATIC),
    ("assignment", "groups", ()),
    ("assignment", "webhook_timeout", timedelta(seconds=2)),
    ("assignment", "webhook_fallback", WebhookFallback.AUTOMATIC),
    ("service", "mode", ServiceMode.AUTOMATIC),
    ("service", "accept_timeout", timedelta(seconds=60)),
    ("service", "break_on_timeout", False),
    ("service", "reassign_after", None),
    ("queue", "max_concurrent", 5),
    (
        "queue",
        "prompt",
        "You are number $QueuePosition in line. An agent will be with you shortly.",
    ),
    ("queue", "update_interval", timedelta(0)),
    ("queue", "max_length", None),
    ("queue", "max_wait", None),
    ("closure", "user_timeout", None),
    (
        "closure",
        "timeout_message",
        "We closed this conversation because we did not hear back. Write again any time!",
    ),
    ("closure", "reminder", None),
    (
        "closure",
        "reminder_message",
        "This chat will close in $Minutes minutes unless you reply.",
    ),
    ("closure", "end_message", "This conversation has ended. Thank you for contacting us!"),
    ("closure", "retention", timedelta(hours=1)),
    ("working_hours", "enabled", False),
    ("working_hours", "timezone", "UTC"),
    (
        "working_hours",
        "after_hours_reply",
        "We are closed right now. We open again at $NextOpen.",
    ),
    (
        "working_hours",
        "weekly",
        WeeklyHours(mon=OFFICE, tue=OFFICE, wed=OFFICE, thu=OFFICE, fri=OFFICE),
    ),
    ("working_hours", "dates", ()),
    ("ratings", "agent_invite", True),
    ("ratings", "send_on_end", False),
    ("ratings", "send_on_timeout", True),
    ("ratings", "invitation", "How did $AgentName do? Please rate this conversation."),
    ("ratings", "submitted", "Thank you for your rating!"),
    ("ratings", "validity", timedelta(hours=24)),
    ("ratings", "scale", 5),
]


def fault(cls: type[Any], **values: Any) -> tuple[tuple[str, str], ...]:
    """The faults SettingsError lists when ``cls(**values)`` is refused."""
    with pytest.raises(SettingsError) as info:
        cls(**values)
    return info.value.errors


class TestDefaults:
    """Every key of docs/settings.md has its documented default; DeskSettings() is a desk."""

    @pytest.mark.parametrize(("section", "key", "default"), DEFAULTS)
    def test_default(self, section: str, key: str, default: object) -> None:
        """An absent key takes the documented default."""
        assert getattr(getattr(DeskSettings(), section), key) == default

    def test_every_key_listed(self) -> None:
        """The table above covers every field of every section."""
        listed = {(section, key) for section, key, _ in DEFAULTS}
        fields = {
            (section, field.name)
            for section, cls in SECTIONS.items()
            for field in attrs.fields(cls)
            if field.init
        }
        assert listed == fields

    def test_sections(self) -> None:
        """DeskSettings has exactly the sections of docs/settings.md, each defaulted."""
        settings = DeskSettings()
        assert [field.name for field in attrs.fields(DeskSettings)] == [*SECTIONS, "languages"]
        for name, cls in SECTIONS.items():
            assert getattr(settings, name) == cls()
        assert settings.languages == {}

    def test_enum_defaults_are_members(self) -> None:
        """Choice defaults are enum members, which the desk compares with `is`."""
        settings = DeskSettings()
        assert settings.assignment.strategy is Strategy.AUTOMATIC
        assert settings.assignment.webhook_fallback is WebhookFallback.AUTOMATIC
        assert settings.service.mode is ServiceMode.AUTOMATIC

    def test_default_is_a_working_desk(self) -> None:
        """A desk runs with the default settings."""
        assert Desk(DeskSettings()).settings == DeskSettings()

    def test_default_office_hours(self) -> None:
        """By default the desk is open Monday to Friday, 09:00 to 18:00 UTC."""
        hours = DeskSettings().working_hours
        assert hours.is_open(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        assert not hours.is_open(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
        assert not hours.is_open(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))


class TestFrozen:
    """Settings are frozen, keyword-only values."""

    @pytest.mark.parametrize("cls", [*SECTIONS.values(), DeskSettings, WeeklyHours])
    def test_assigning_raises(self, cls: type[Any]) -> None:
        """Assigning to a field raises FrozenInstanceError."""
        instance = cls()
        name = attrs.fields(cls)[0].name
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(instance, name, getattr(instance, name))

    @pytest.mark.parametrize("cls", [*SECTIONS.values(), DeskSettings, WeeklyHours])
    def test_keyword_only(self, cls: type[Any]) -> None:
        """Positional arguments are refused."""
        with pytest.raises(TypeError):
            cls(None)

    def test_time_range_frozen(self) -> None:
        """A TimeRange cannot be changed."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            TimeRange(0, 60).start = 5  # type: ignore[misc]

    def test_evolve_validates(self) -> None:
        """attrs.evolve makes a new validated value."""
        queue = QueueSettings()
        assert attrs.evolve(queue, max_concurrent=2).max_concurrent == 2
        with pytest.raises(SettingsError, match="max_concurrent: must be >= 1, got 0"):
            attrs.evolve(queue, max_concurrent=0)

    def test_hashable_and_equal(self) -> None:
        """Equal settings are equal and hash alike."""
        assert DeskSettings() == DeskSettings()
        assert hash(DeskSettings()) == hash(DeskSettings())
        assert DeskSettings(queue=QueueSettings(max_concurrent=2)) != DeskSettings()


class TestSettingsError:
    """SettingsError: one exception type listing (path, message) pairs."""

    def test_bases(self) -> None:
        """It is a DeskcoreError and a ValueError."""
        assert issubclass(SettingsError, DeskcoreError)
        assert issubclass(SettingsError, ValueError)

    def test_errors_and_text(self) -> None:
        """errors is a tuple of pairs; the text lists each as 'path: message'."""
        error = SettingsError([("queue.max_concurrent", "must be >= 1, got 0"), ("", "bad")])
        assert error.errors == (("queue.max_concurrent", "must be >= 1, got 0"), ("", "bad"))
        assert str(error) == (
            "2 errors in settings:\n  queue.max_concurrent: must be >= 1, got 0\n  bad"
        )

    def test_one_error_text(self) -> None:
        """One fault reads as '1 error in settings'."""
        assert str(SettingsError([("a", "b")])) == "1 error in settings:\n  a: b"


class TestHelpers:
    """suggest, join_path and kind_of: the pieces of every message."""

    @pytest.mark.parametrize(
        ("name", "hint"),
        [
            ("max_concurent", " (did you mean 'max_concurrent'?)"),
            ("MAX_CONCURRENT", " (did you mean 'max_concurrent'?)"),
            ("zzz", ""),
        ],
    )
    def test_suggest(self, name: str, hint: str) -> None:
        """A close or mis-cased name gets a hint; a far one gets none."""
        assert suggest(name, ["max_concurrent", "max_length", "prompt"]) == hint

    @pytest.mark.parametrize(
        ("path", "key", "joined"),
        [
            ("", "queue", "queue"),
            ("queue", "", "queue"),
            ("queue", "max_wait", "queue.max_wait"),
            ("groups", "[1]", "groups[1]"),
            ("dates", "[1].date", "dates[1].date"),
        ],
    )
    def test_join_path(self, path: str, key: str, joined: str) -> None:
        """Keys join with a dot, indexes without one."""
        assert join_path(path, key) == joined

    @pytest.mark.parametrize(
        ("value", "kind"),
        [
            (None, "null"),
            (True, "a boolean"),
            (3, "an integer"),
            (3.5, "a number"),
            ("x", "a string"),
            ([], "a list"),
            ((), "a list"),
            ({}, "a table"),
            (date(2026, 1, 1), "date"),
        ],
    )
    def test_kind_of(self, value: object, kind: str) -> None:
        """Values are described in the document's words."""
        assert kind_of(value) == kind


class TestPromptSettings:
    """[prompts]: templates with the variables each prompt offers."""

    def test_custom_and_off(self) -> None:
        """Offered variables are accepted and an empty text switches a prompt off."""
        prompts = PromptSettings(
            welcome="",
            connected="Hi, I am ${AgentName} ($AgentId).",
            connect_failed="Sorry: $Reason",
        )
        assert prompts.welcome == ""
        assert prompts.connected == "Hi, I am ${AgentName} ($AgentId)."

    @pytest.mark.parametrize(
        ("key", "text", "message"),
        [
            ("welcome", "Hi $AgentName", "unknown variable $AgentName; this prompt offers no"),
            ("connecting", "costs $5", "malformed template: the '$' at position 6"),
            ("connected", "Hi $Agent", "unknown variable $Agent (did you mean $AgentId?)"),
            ("connect_failed", "$reason", "unknown variable $reason (did you mean $Reason?)"),
            ("welcome", 3, "must be a string, got 3 (an integer)"),
            ("welcome", None, 'must be a string, got None (null); write "" to switch it off'),
        ],
    )
    def test_bad(self, key: str, text: object, message: str) -> None:
        """A bad prompt raises SettingsError naming the prompt."""
        ((path, got),) = fault(PromptSettings, **{key: text})
        assert path == key
        assert got.startswith(message)


class TestAssignmentSettings:
    """[assignment]: strategy, groups, webhook timeout and fallback."""

    def test_strings_become_members(self) -> None:
        """Choice names given as strings are stored as enum members."""
        assignment = AssignmentSettings(
            strategy="webhook",  # type: ignore[arg-type]
            webhook_fallback="fail",  # type: ignore[arg-type]
        )
        assert assignment.strategy is Strategy.WEBHOOK
        assert assignment.webhook_fallback is WebhookFallback.FAIL

    def test_user_choice_with_groups(self) -> None:
        """user_choice with a list of groups is accepted."""
        assignment = AssignmentSettings(strategy=Strategy.USER_CHOICE, groups=("sales", "support"))
        assert assignment.groups == ("sales", "support")

    @pytest.mark.parametrize("strategy", [Strategy.USER_CHOICE, "user_choice"])
    def test_user_choice_without_groups(self, strategy: Any) -> None:
        """user_choice without groups is refused, also when given as a string."""
        assert fault(AssignmentSettings, strategy=strategy) == (
            ("groups", "must list at least one group when strategy is 'user_choice'"),
        )

    def test_unknown_strategy(self) -> None:
        """An unknown strategy names the choices and the closest one."""
        assert fault(AssignmentSettings, strategy="automatc") == (
            (
                "strategy",
                "must be one of 'automatic', 'user_choice', 'webhook', got 'automatc' "
                "(did you mean 'automatic'?)",
            ),
        )

    def test_strategy_not_a_string(self) -> None:
        """A strategy that is not a string says so."""
        assert fault(AssignmentSettings, strategy=1) == (
            ("strategy", "must be a string, got 1 (an integer)"),
        )

    def test_groups_list_refused(self) -> None:
        """Groups must be a tuple, not a list."""
        assert fault(AssignmentSettings, groups=["a"]) == (
            ("groups", "must be a tuple of group ids, got ['a'] (a list)"),
        )

    def test_every_bad_group(self) -> None:
        """Every bad group is reported with its index."""
        assert fault(AssignmentSettings, groups=("a", "", "a", 3)) == (
            ("groups[1]", "must be a non-empty string, got '' (a string)"),
            ("groups[2]", "repeats the group 'a' of groups[0]"),
            ("groups[3]", "must be a non-empty string, got 3 (an integer)"),
        )

    def test_webhook_timeout_zero(self) -> None:
        """A zero webhook timeout is refused."""
        assert fault(AssignmentSettings, webhook_timeout=timedelta(0)) == (
            ("webhook_timeout", "must be longer than zero, got 0"),
        )


class TestServiceSettings:
    """[service]: mode, accept timeout and break on timeout."""

    def test_manual(self) -> None:
        """Manual mode with its options is accepted."""
        service = ServiceSettings(
            mode="manual",  # type: ignore[arg-type]
            accept_timeout=timedelta(seconds=45),
            break_on_timeout=True,
        )
        assert service.mode is ServiceMode.MANUAL
        assert service.break_on_timeout is True

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("false", "must be true or false, got 'false' (a string)"),
            (0, "must be true or false, got 0 (an integer)"),
            (None, "must be true or false, got None (null)"),
        ],
    )
    def test_strict_bool(self, value: object, message: str) -> None:
        """Only True and False are booleans."""
        assert fault(ServiceSettings, break_on_timeout=value) == (("break_on_timeout", message),)

    def test_bad_mode(self) -> None:
        """An unknown mode is refused with a hint."""
        assert fault(ServiceSettings, mode="Manual") == (
            (
                "mode",
                "must be one of 'automatic', 'manual', got 'Manual' (did you mean 'manual'?)",
            ),
        )

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (timedelta(0), "must be longer than zero, got 0"),
            (timedelta(seconds=-1), "must not be negative, got datetime.timedelta(days=-1"),
            (
                timedelta(seconds=1.5),
                "must be a whole number of seconds, got datetime.timedelta(seconds=1, micro",
            ),
            (60, "must be a timedelta, got 60 (an integer)"),
            ("60s", "must be a timedelta, got '60s' (a string)"),
        ],
    )
    def test_bad_timeout(self, value: object, message: str) -> None:
        """Zero, negative, fractional and non-timedelta timeouts are refused."""
        ((path, got),) = fault(ServiceSettings, accept_timeout=value)
        assert path == "accept_timeout"
        assert got.startswith(message)


class TestQueueSettings:
    """[queue]: capacity, prompt, updates, length and wait limits."""

    def test_limits(self) -> None:
        """Optional limits and 'never' (None) are accepted."""
        queue = QueueSettings(
            max_concurrent=1,
            update_interval=None,
            max_length=1,
            max_wait=timedelta(minutes=20),
            prompt="#${QueuePosition}, $WaitNo ahead",
        )
        assert queue.update_interval is None
        assert queue.max_length == 1

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("max_concurrent", 0, "must be >= 1, got 0"),
            ("max_concurrent", -3, "must be >= 1, got -3"),
            ("max_concurrent", 3.9, "must be an integer, got 3.9 (a number)"),
            ("max_concurrent", "3", "must be an integer, got '3' (a string)"),
            ("max_concurrent", True, "must be an integer, got True (a boolean)"),
            ("max_length", 0, "must be >= 1, got 0"),
            ("max_length", 2.0, "must be an integer, got 2.0 (a number)"),
            ("max_wait", timedelta(0), "must be longer than zero, got 0"),
            ("update_interval", timedelta(seconds=-5), "must not be negative"),
            ("prompt", "$Position", "unknown variable $Position (did you mean $QueuePosition?)"),
        ],
    )
    def test_bad(self, key: str, value: object, message: str) -> None:
        """Each bad value is refused naming its field."""
        ((path, got),) = fault(QueueSettings, **{key: value})
        assert path == key
        assert got.startswith(message)

    def test_zero_update_interval(self) -> None:
        """update_interval may be zero: an update on every change of position."""
        assert QueueSettings(update_interval=timedelta(0)).update_interval == timedelta(0)


class TestClosureSettings:
    """[closure]: user timeout, messages and retention."""

    def test_zero_retention(self) -> None:
        """retention may be zero."""
        assert ClosureSettings(retention=timedelta(0)).retention == timedelta(0)

    def test_zero_user_timeout(self) -> None:
        """user_timeout may be off (None) but not zero."""
        assert ClosureSettings(user_timeout=None).user_timeout is None
        assert fault(ClosureSettings, user_timeout=timedelta(0)) == (
            ("user_timeout", "must be longer than zero, got 0"),
        )

    def test_messages_offer_no_variables(self) -> None:
        """The closure messages offer no variables."""
        assert fault(ClosureSettings, end_message="Bye $AgentName") == (
            ("end_message", "unknown variable $AgentName; this prompt offers no variables"),
        )


class TestRatingSettings:
    """[ratings]: invitations, card text, validity and scale."""

    @pytest.mark.parametrize("scale", [2, 10])
    def test_scale_bounds(self, scale: int) -> None:
        """The scale may be 2 to 10."""
        assert RatingSettings(scale=scale).scale == scale

    @pytest.mark.parametrize(
        ("scale", "message"),
        [(1, "must be >= 2, got 1"), (11, "must be <= 10, got 11"), (5.0, "must be an integer")],
    )
    def test_bad_scale(self, scale: object, message: str) -> None:
        """A scale outside 2..10 or not an integer is refused."""
        ((path, got),) = fault(RatingSettings, scale=scale)
        assert (path, got[: len(message)]) == ("scale", message)

    def test_variables(self) -> None:
        """invitation offers $AgentName and submitted offers $Score, not the other way."""
        RatingSettings(invitation="Rate $AgentName", submitted="Thanks for $Score!")
        assert fault(RatingSettings, submitted="$AgentName") == (
            ("submitted", "unknown variable $AgentName; this prompt offers $Score"),
        )

    def test_zero_validity(self) -> None:
        """A zero validity is refused."""
        assert fault(RatingSettings, validity=timedelta(0)) == (
            ("validity", "must be longer than zero, got 0"),
        )


class TestTimeRange:
    """TimeRange: a half-open local range in minutes."""

    @pytest.mark.parametrize(
        ("text", "start", "end"),
        [
            ("09:00-18:00", 540, 1080),
            ("22:00-06:00", 1320, 360),
            ("00:00-24:00", 0, 1440),
            ("18:00-00:00", 1080, 1440),
        ],
    )
    def test_parse(self, text: str, start: int, end: int) -> None:
        """'HH:MM-HH:MM' reads as minutes; an end of 00:00 is the next midnight."""
        assert TimeRange.parse(text) == TimeRange(start, end)

    @pytest.mark.parametrize(
        ("start", "end", "text"),
        [(540, 1080, "09:00-18:00"), (1320, 360, "22:00-06:00"), (0, 1440, "00:00-24:00")],
    )
    def test_str(self, start: int, end: int, text: str) -> None:
        """A range writes back as 'HH:MM-HH:MM'."""
        assert str(TimeRange(start, end)) == text

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("09:00-09:00", "start and end are equal: '09:00-09:00'"),
            ("9-5", "expected 'HH:MM-HH:MM', got '9-5'"),
            ("25:00-26:00", "bad time '25:00' in '25:00-26:00'"),
            (540, "must be a string 'HH:MM-HH:MM', got 540 (an integer)"),
        ],
    )
    def test_parse_bad(self, text: object, message: str) -> None:
        """Malformed ranges raise ValueError saying why."""
        with pytest.raises(ValueError, match=re.escape(message)):
            TimeRange.parse(text)

    @pytest.mark.parametrize(
        ("start", "end", "error"),
        [
            (60, 60, ("end", "must differ from start, got 60 for both")),
            (-1, 60, ("start", "must be in 0..1439, got -1")),
            (1440, 60, ("start", "must be in 0..1439, got 1440")),
            (0, 0, ("end", "must be in 1..1440, got 0")),
            (0, 1441, ("end", "must be in 1..1440, got 1441")),
            (True, 60, ("start", "must be an integer number of minutes, got True (a boolean)")),
            (0, 1.5, ("end", "must be an integer number of minutes, got 1.5 (a number)")),
        ],
    )
    def test_bad(self, start: Any, end: Any, error: tuple[str, str]) -> None:
        """Out-of-range, equal or non-integer minutes raise SettingsError."""
        with pytest.raises(SettingsError) as info:
            TimeRange(start, end)
        assert info.value.errors == (error,)

    def test_order(self) -> None:
        """Ranges order by start, then end."""
        assert sorted([TimeRange(600, 700), TimeRange(60, 900)]) == [
            TimeRange(60, 900),
            TimeRange(600, 700),
        ]


class TestWeeklyHours:
    """WeeklyHours: each weekday's ranges."""

    def test_office(self) -> None:
        """office() is Monday to Friday 09:00-18:00, weekend closed."""
        week = WeeklyHours.office()
        assert week.by_weekday() == (OFFICE,) * 5 + ((), ())

    def test_empty(self) -> None:
        """WeeklyHours() is closed every day."""
        assert WeeklyHours().by_weekday() == ((),) * 7

    def test_list_refused(self) -> None:
        """A day's ranges must be a tuple of TimeRange."""
        assert fault(WeeklyHours, mon=["09:00-18:00"]) == (
            ("mon", "must be a tuple of TimeRange, got ['09:00-18:00'] (a list)"),
        )


class TestDateOverride:
    """DateOverride: hours for a date or for the dates an rrule names."""

    def test_date(self) -> None:
        """A date override with hours is accepted."""
        override = DateOverride(date=date(2026, 12, 24), hours=(TimeRange(540, 780),))
        assert override.rrule is None

    def test_neither(self) -> None:
        """An override must give a date or an rrule."""
        assert fault(DateOverride) == (("", "must give one of 'date' and 'rrule', got neither"),)

    def test_both(self) -> None:
        """An override must not give both."""
        assert fault(DateOverride, date=date(2026, 1, 1), rrule="FREQ=DAILY") == (
            ("", "must give one of 'date' and 'rrule', got both"),
        )

    @pytest.mark.parametrize(
        "value", [datetime(2026, 1, 1), "2026-01-01", 20260101], ids=["datetime", "str", "int"]
    )
    def test_bad_date(self, value: object) -> None:
        """date must be a datetime.date, not a datetime or text."""
        ((path, message),) = fault(DateOverride, date=value)
        assert path == "date"
        assert message.startswith("must be a datetime.date, got ")

    @pytest.mark.parametrize(
        "rule",
        [
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
            "freq=yearly;bymonth=12;bymonthday=25",
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=-1",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "FREQ=DAILY;COUNT=3",
            "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
            "FREQ=YEARLY;BYYEARDAY=-366",
            "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
            "DTSTART:20260101\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
            "DTSTART;TZID=Europe/Berlin:20260101T000000\nRRULE:FREQ=DAILY",
            "RRULE:FREQ=DAILY\nEXDATE:20260105T000000",
            "RDATE:20261225",
        ],
    )
    def test_good_rrule(self, rule: str) -> None:
        """Rules naming dates are accepted."""
        assert DateOverride(rrule=rule).rrule == rule

    @pytest.mark.parametrize(
        ("rule", "detail"),
        [
            (
                "FREQ=FOO",
                "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY (it names dates), got 'FOO'",
            ),
            ("FREQ=MINUTELY", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
            ("FREQ=HOURLY", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
            ("BYMONTH=12", "FREQ is missing (e.g. 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25')"),
            ("FREQ=YEARLY;BYMONTH=13", "BYMONTH must be in 1..12, got 13"),
            ("FREQ=YEARLY;BYMONTH=-1", "BYMONTH must be in 1..12, got -1"),
            ("FREQ=YEARLY;BYMONTH=1,0", "BYMONTH must be in 1..12, got 0"),
            ("FREQ=YEARLY;BYMONTHDAY=32", "BYMONTHDAY must be in 1..31 or -31..-1, got 32"),
            ("FREQ=YEARLY;BYMONTHDAY=0", "BYMONTHDAY must be in 1..31 or -31..-1, got 0"),
            ("FREQ=YEARLY;BYYEARDAY=400", "BYYEARDAY must be in 1..366 or -366..-1, got 400"),
            ("FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO must be in 1..53 or -53..-1, got 54"),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be at least 1, got 0"),
            ("FREQ=DAILY;COUNT=0", "COUNT must be at least 1, got 0"),
            ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not allowed (an override names whole dates"),
            ("FREQ=DAILY;BYMINUTE=9", "BYMINUTE is not allowed"),
            ("FREQ=DAILY;BYSECOND=9", "BYSECOND is not allowed"),
            ("every christmas", "expected 'KEY=VALUE' parts separated by ';'"),
            ("FREQ=YEARLY;", "expected 'KEY=VALUE' parts separated by ';'"),
            ("FREQ=YEARLY;BYMONTH=x", "invalid 'BYMONTH': X"),
            ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY': XX"),
            ("FREQ=YEARLY;FOO=1", "unknown parameter 'FOO'"),
            ("DTSTART:20260101\nRRULE:FREQ=YEARLY;BYMONTH=0", "BYMONTH must be in 1..12, got 0"),
            ("RRULE:FREQ=YEARLY\nRRULE:FREQ=DAILY;INTERVAL=0", "INTERVAL must be at least 1"),
            ("EXRULE:FREQ=HOURLY", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
            ("FREQ=", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY (it names dates), got ''"),
            ("DTSTART:20260101", "no RRULE line"),
            ("FREQ=YEARLY;UNTIL=garbage", "invalid 'UNTIL': GARBAGE"),
        ],
    )
    def test_bad_rrule(self, rule: str, detail: str) -> None:
        """A bad rrule is refused, quoting the rule and saying what is wrong."""
        ((path, message),) = fault(DateOverride, rrule=rule)
        assert path == "rrule"
        assert message.startswith(f"invalid RRULE {rule!r}: {detail}")

    @pytest.mark.parametrize(
        ("rule", "message"), [("", "expected an RRULE"), (5, "must be a string")]
    )
    def test_empty_rrule(self, rule: object, message: str) -> None:
        """An empty or non-string rrule is refused."""
        ((path, got),) = fault(DateOverride, rrule=rule)
        assert (path, got[: len(message)]) == ("rrule", message)


class TestWorkingHoursSettings:
    """[working_hours]: zone, weekly ranges and date overrides."""

    @pytest.mark.parametrize(
        ("zone", "hint"),
        [
            ("europe/berlin", "Europe/Berlin"),
            ("Europe/Berln", "Europe/Berlin"),
            ("Berlin", "Europe/Berlin"),
            ("sao paulo", "America/Sao_Paulo"),
            ("utc", "UTC"),
            ("Europe/Berlin ", "Europe/Berlin"),
        ],
    )
    def test_zone_hint(self, zone: str, hint: str) -> None:
        """A mis-cased, misspelt or bare zone is refused with the right name."""
        assert fault(WorkingHoursSettings, timezone=zone) == (
            (
                "timezone",
                f"must be an IANA time zone name, got {zone!r} (did you mean {hint!r}?)",
            ),
        )

    def test_zone_without_hint(self) -> None:
        """A zone far from every name is refused without a hint."""
        assert fault(WorkingHoursSettings, timezone="Nowhere/Qqqq") == (
            ("timezone", "must be an IANA time zone name, got 'Nowhere/Qqqq'"),
        )

    def test_zone_not_a_string(self) -> None:
        """A zone that is not a string is refused."""
        assert fault(WorkingHoursSettings, timezone=None) == (
            ("timezone", "must be a string, got None (null)"),
        )

    def test_weekly_type(self) -> None:
        """weekly must be a WeeklyHours (SettingsError, not TypeError)."""
        assert fault(WorkingHoursSettings, weekly={"mon": []}) == (
            ("weekly", "must be a WeeklyHours, got {'mon': []} (a table)"),
        )

    def test_dates_type(self) -> None:
        """dates must be a tuple of DateOverride."""
        ((path, message),) = fault(WorkingHoursSettings, dates=[DateOverride(rrule="FREQ=DAILY")])
        assert path == "dates"
        assert message.startswith("must be a tuple of DateOverride, got [")

    def test_repeated_dates(self) -> None:
        """Every override naming a date an earlier one names is refused."""
        day = date(2026, 12, 24)
        dates = (
            DateOverride(date=day),
            DateOverride(rrule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24"),
            DateOverride(date=day, hours=OFFICE),
            DateOverride(date=date(2026, 12, 31)),
            DateOverride(date=day),
        )
        assert fault(WorkingHoursSettings, dates=dates) == (
            ("dates[2].date", "repeats 2026-12-24, which dates[0] overrides"),
            ("dates[4].date", "repeats 2026-12-24, which dates[0] overrides"),
        )

    def test_same_rrule_twice(self) -> None:
        """Two rrules naming the same dates are allowed: the first one applies."""
        rule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
        hours = WorkingHoursSettings(
            weekly=WeeklyHours(fri=OFFICE),
            dates=(DateOverride(rrule=rule), DateOverride(rrule=rule, hours=OFFICE)),
        )
        assert not hours.is_open(datetime(2026, 12, 25, 12, tzinfo=UTC))

    def test_schedule(self) -> None:
        """Weekly ranges, an overnight range, a date override and an rrule combine."""
        hours = WorkingHoursSettings(
            timezone="Asia/Seoul",
            weekly=WeeklyHours(fri=(TimeRange(540, 1080), TimeRange(1320, 120))),
            dates=(
                DateOverride(date=date(2026, 12, 18), hours=(TimeRange(600, 660),)),
                DateOverride(rrule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"),
            ),
        )
        seoul = hours.schedule.next_open(datetime(2026, 12, 24, tzinfo=UTC))
        assert seoul is not None
        assert seoul.isoformat() == "2027-01-01T09:00:00+09:00"
        assert hours.is_open(datetime(2026, 12, 11, 16, tzinfo=UTC))  # Sat 01:00 in Seoul
        assert not hours.is_open(datetime(2026, 12, 18, 0, 30, tzinfo=UTC))  # 09:30 on the 18th
        assert hours.is_open(datetime(2026, 12, 18, 1, 30, tzinfo=UTC))  # 10:30 on the 18th
        opening = hours.next_open(datetime(2026, 12, 18, 2, tzinfo=UTC))
        closing = hours.next_close(datetime(2026, 12, 18, 1, 30, tzinfo=UTC))
        assert opening is not None
        assert closing is not None
        assert opening.isoformat() == "2027-01-01T09:00:00+09:00"
        assert closing.isoformat() == "2026-12-18T11:00:00+09:00"

    def test_schedule_not_compared(self) -> None:
        """Equality and hashing ignore the evaluated schedule."""
        assert WorkingHoursSettings() == WorkingHoursSettings()
        assert hash(WorkingHoursSettings()) == hash(WorkingHoursSettings())
        assert "schedule" not in repr(WorkingHoursSettings())


class TestDeskSettings:
    """DeskSettings: the whole document."""

    @pytest.mark.parametrize("name", list(SECTIONS))
    def test_section_type(self, name: str) -> None:
        """A section must be its settings class (SettingsError naming it)."""
        expected = SECTIONS[name].__name__
        assert fault(DeskSettings, **{name: {}}) == (
            (name, f"must be a {expected}, got {{}} (a table)"),
        )

    def test_sections_given(self) -> None:
        """Sections built in Python are kept."""
        queue = QueueSettings(max_concurrent=2)
        assert DeskSettings(queue=queue).queue is queue
