"""Tests of settings documents: load_settings and dump_settings (docs/settings.md)."""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskcore import (
    AssignmentSettings,
    ClosureSettings,
    DateOverride,
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
    dump_settings,
    load_settings,
)

Errors = list[tuple[str, str]]
DURATION_FORMS = (
    "use whole seconds like 90, units like '90s', '10m', '1h30m', or ISO 8601 like 'PT10M'"
)


def errors_of(source: Any) -> Errors:
    """The (path, message) faults load_settings reports for ``source``."""
    with pytest.raises(SettingsError) as info:
        load_settings(source)
    return list(info.value.errors)


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text``."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    """A TOML value for a plain JSON-like value; None (which TOML lacks) is refused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{key} = {toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def to_toml(tree: Mapping[str, object]) -> str:
    """A TOML document for a dumped settings tree (sections as inline tables)."""
    return "\n".join(f"{key} = {toml_value(value)}" for key, value in tree.items())


def assert_plain(tree: object, where: str = "") -> None:
    """Assert that ``tree`` holds only TOML-writable values: no None, str keys."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            assert isinstance(key, str), where
            assert_plain(value, f"{where}.{key}")
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            assert_plain(value, f"{where}[{index}]")
    else:
        assert isinstance(tree, bool | int | str), f"{where}: {tree!r}"


EXAMPLE_TOML = """
[prompts]
welcome = "Hi! Ask me anything, or type 'agent' for a person."
connecting = "Connecting you to an agent..."
connected = "You are now chatting with $AgentName."
connect_failed = "Sorry, no agent is available right now."

[assignment]
strategy = "user_choice"
groups = ["sales", "support"]

[service]
mode = "manual"
accept_timeout = "45s"
break_on_timeout = true

[queue]
max_concurrent = 3
prompt = "You are number $QueuePosition in line ($WaitNo ahead of you)."
update_interval = "30s"
max_wait = "20m"

[closure]
user_timeout = "10m"
timeout_message = "We closed this chat since we did not hear back. Write again any time!"
end_message = "This conversation has ended. Thank you!"

[working_hours]
enabled = true
timezone = "Asia/Seoul"
after_hours_reply = "We are closed. We open again at $NextOpen."

[working_hours.weekly]
mon = ["09:00-12:00", "13:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00", "22:00-02:00"]

[[working_hours.dates]]
date = "2026-12-24"
hours = ["09:00-13:00"]

[[working_hours.dates]]
rrule = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"
hours = []

[ratings]
agent_invite = true
send_on_end = true
invitation = "How did $AgentName do? Rate us from 1 to 5."
submitted = "Thanks for rating us $Score!"
validity = "12h"
"""


def nine_to_six() -> tuple[TimeRange, ...]:
    """The one range 09:00-18:00."""
    return (TimeRange(540, 1080),)


EXAMPLE = DeskSettings(
    prompts=PromptSettings(
        welcome="Hi! Ask me anything, or type 'agent' for a person.",
        connecting="Connecting you to an agent...",
        connected="You are now chatting with $AgentName.",
        connect_failed="Sorry, no agent is available right now.",
    ),
    assignment=AssignmentSettings(strategy=Strategy.USER_CHOICE, groups=("sales", "support")),
    service=ServiceSettings(
        mode=ServiceMode.MANUAL, accept_timeout=timedelta(seconds=45), break_on_timeout=True
    ),
    queue=QueueSettings(
        max_concurrent=3,
        prompt="You are number $QueuePosition in line ($WaitNo ahead of you).",
        update_interval=timedelta(seconds=30),
        max_wait=timedelta(minutes=20),
    ),
    closure=ClosureSettings(
        user_timeout=timedelta(minutes=10),
        timeout_message="We closed this chat since we did not hear back. Write again any time!",
        end_message="This conversation has ended. Thank you!",
    ),
    working_hours=WorkingHoursSettings(
        enabled=True,
        timezone="Asia/Seoul",
        after_hours_reply="We are closed. We open again at $NextOpen.",
        weekly=WeeklyHours(
            mon=(TimeRange(540, 720), TimeRange(780, 1080)),
            tue=nine_to_six(),
            wed=nine_to_six(),
            thu=nine_to_six(),
            fri=(TimeRange(540, 1080), TimeRange(1320, 120)),
        ),
        dates=(
            DateOverride(date=date(2026, 12, 24), hours=(TimeRange(540, 780),)),
            DateOverride(rrule="FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", hours=()),
        ),
    ),
    ratings=RatingSettings(
        agent_invite=True,
        send_on_end=True,
        invitation="How did $AgentName do? Rate us from 1 to 5.",
        submitted="Thanks for rating us $Score!",
        validity=timedelta(hours=12),
    ),
)


class TestSources:
    """load_settings reads TOML or JSON text, files and mappings."""

    def test_toml_text(self) -> None:
        """The example of docs/settings.md loads as the expected settings."""
        assert load_settings(EXAMPLE_TOML) == EXAMPLE

    def test_json_text(self) -> None:
        """JSON text (starting with '{', after blanks) holds the same tree."""
        text = "\n  " + json.dumps(dump_settings(EXAMPLE))
        assert load_settings(text) == EXAMPLE

    def test_mapping(self) -> None:
        """A mapping is the document's tree."""
        assert load_settings({"queue": {"max_concurrent": 3}}).queue.max_concurrent == 3

    def test_empty(self) -> None:
        """An empty document is the default desk."""
        assert load_settings("") == DeskSettings()
        assert load_settings({}) == DeskSettings()
        assert load_settings("{}") == DeskSettings()

    def test_toml_path(self, tmp_path: Path) -> None:
        """A pathlib.Path to a .toml file is read as TOML."""
        path = tmp_path / "desk.toml"
        path.write_text(EXAMPLE_TOML, encoding="utf-8")
        assert load_settings(path) == EXAMPLE

    def test_json_path(self, tmp_path: Path) -> None:
        """A .json file (any case) is read as JSON."""
        path = tmp_path / "desk.JSON"
        path.write_text(json.dumps(dump_settings(EXAMPLE)), encoding="utf-8")
        assert load_settings(path) == EXAMPLE

    def test_str_paths(self, tmp_path: Path) -> None:
        """A one-line str ending in .toml or .json is a path."""
        toml_path = tmp_path / "desk.toml"
        toml_path.write_text("[queue]\nmax_concurrent = 2\n", encoding="utf-8")
        json_path = tmp_path / "desk.json"
        json_path.write_text('{"queue": {"max_concurrent": 4}}', encoding="utf-8")
        assert load_settings(str(toml_path)).queue.max_concurrent == 2
        assert load_settings(str(json_path)).queue.max_concurrent == 4

    def test_other_suffix_is_toml(self, tmp_path: Path) -> None:
        """A file whose name does not end in .json is read as TOML."""
        path = tmp_path / "desk.conf"
        path.write_text("[queue]\nmax_concurrent = 2\n", encoding="utf-8")
        assert load_settings(path).queue.max_concurrent == 2

    def test_byte_order_mark(self, tmp_path: Path) -> None:
        """A UTF-8 byte order mark at the start of a file is ignored."""
        path = tmp_path / "desk.json"
        path.write_bytes(b'\xef\xbb\xbf{"queue": {"max_concurrent": 2}}')
        assert load_settings(path).queue.max_concurrent == 2

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read raises OSError."""
        with pytest.raises(FileNotFoundError):
            load_settings(tmp_path / "nope.toml")

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 text is a settings fault."""
        path = tmp_path / "desk.toml"
        path.write_bytes(b"\xff\xfe[queue]")
        [(where, message)] = errors_of(path)
        assert where == ""
        assert message.startswith("not UTF-8 text: 'utf-8' codec can't decode byte 0xff")

    def test_bad_toml(self) -> None:
        """TOML syntax errors are one fault with the parser's position."""
        assert errors_of("[queue]\nmax_concurrent = \n") == [
            ("", "not valid TOML: Invalid value (at line 2, column 18)")
        ]

    def test_duplicate_toml_key(self) -> None:
        """A TOML key given twice is a syntax error."""
        assert errors_of("[queue]\nmax_concurrent = 3\nmax_concurrent = 4") == [
            ("", "not valid TOML: Cannot overwrite a value (at end of document)")
        ]

    def test_bad_json(self) -> None:
        """JSON syntax errors are one fault with the parser's position."""
        assert errors_of('{"queue": }') == [
            ("", "not valid JSON: Expecting value: line 1 column 11 (char 10)")
        ]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[1, 2]", "must be a table, got a list"),
            ("5", "must be a table, got 5 (an integer)"),
            ("null", "must be a table, got None (null)"),
        ],
    )
    def test_json_document_not_an_object(self, tmp_path: Path, text: str, message: str) -> None:
        """A JSON document that is not an object is one fault at '(document)'."""
        path = tmp_path / "desk.json"
        path.write_text(text, encoding="utf-8")
        assert errors_of(path) == [("(document)", message)]


class TestSections:
    """Sections and keys: unknown keys and tables of the wrong kind."""

    @pytest.mark.parametrize(
        ("document", "expected"),
        [
            ({"queu": {}}, [("queu", "unknown key (did you mean 'queue'?)")]),
            ({"Queue": {}}, [("Queue", "unknown key (did you mean 'queue'?)")]),
            ({"extra": 1}, [("extra", "unknown key")]),
            (
                {"queue": {"max_concurent": 3}},
                [("queue.max_concurent", "unknown key (did you mean 'max_concurrent'?)")],
            ),
            (
                {"working_hours": {"weekly": {"monday": []}}},
                [("working_hours.weekly.monday", "unknown key (did you mean 'mon'?)")],
            ),
            (
                {"working_hours": {"dates": [{"dat": "2026-01-01"}]}},
                [("working_hours.dates[0].dat", "unknown key (did you mean 'date'?)")],
            ),
            ({"queue": None}, [("queue", "must be a table, got None (null)")]),
            ({"queue": "x"}, [("queue", "must be a table, got 'x' (a string)")]),
            (
                {"working_hours": {"weekly": ["09:00-18:00"]}},
                [("working_hours.weekly", "must be a table, got a list")],
            ),
            (
                {"working_hours": {"dates": {"date": "2026-01-01"}}},
                [("working_hours.dates", "must be a list of tables, got a table")],
            ),
            (
                {"working_hours": {"dates": "2026-01-01"}},
                [("working_hours.dates", "must be a list of tables, got '2026-01-01' (a string)")],
            ),
            (
                {"working_hours": {"dates": ["2026-01-01"]}},
                [("working_hours.dates[0]", "must be a table, got '2026-01-01' (a string)")],
            ),
        ],
    )
    def test_faults(self, document: dict[str, Any], expected: Errors) -> None:
        """Unknown keys get a hint when a close name exists; non-tables are named."""
        assert errors_of(document) == expected

    def test_odd_keys_quoted(self) -> None:
        """Unknown keys that are not bare words are quoted in the path."""
        assert errors_of({"queue": {"": 1, "max.concurrent": 2}}) == [
            ('queue.""', "unknown key"),
            ('queue."max.concurrent"', "unknown key (did you mean 'max_concurrent'?)"),
        ]

    def test_tuples_in_a_mapping(self) -> None:
        """A mapping built in Python may hold tuples where a document holds lists."""
        document = {
            "assignment": {"strategy": "user_choice", "groups": ("a",)},
            "working_hours": {"dates": ({"date": "2026-01-01", "hours": ("09:00-10:00",)},)},
        }
        loaded = load_settings(document)
        assert loaded.assignment.groups == ("a",)
        assert loaded.working_hours.dates[0].hours == (TimeRange(540, 600),)


class TestStrictTypes:
    """Booleans are booleans only and integers integers only."""

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("break_on_timeout", "false", "must be true or false, got 'false' (a string)"),
            ("break_on_timeout", 0, "must be true or false, got 0 (an integer)"),
            ("break_on_timeout", None, "must be true or false, got None (null)"),
        ],
    )
    def test_bool(self, key: str, value: object, message: str) -> None:
        """'false', 0 and null are not booleans."""
        assert errors_of({"service": {key: value}}) == [(f"service.{key}", message)]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (3.9, "must be an integer, got 3.9 (a number)"),
            (3.0, "must be an integer, got 3.0 (a number)"),
            ("3", "must be an integer, got '3' (a string)"),
            (True, "must be an integer, got True (a boolean)"),
            (None, "must be an integer, got None (null)"),
            ([3], "must be an integer, got [3] (a list)"),
            (0, "must be >= 1, got 0"),
        ],
    )
    def test_int(self, value: object, message: str) -> None:
        """3.9, 3.0, '3', true and null are not integers."""
        assert errors_of({"queue": {"max_concurrent": value}}) == [
            ("queue.max_concurrent", message)
        ]

    def test_json_strict(self) -> None:
        """JSON values keep their types: 3.0 and "3" are not integers."""
        text = '{"queue": {"max_concurrent": 3.0, "max_length": "3"}, "ratings": {"scale": 5}}'
        assert errors_of(text) == [
            ("queue.max_concurrent", "must be an integer, got 3.0 (a number)"),
            ("queue.max_length", "must be an integer, got '3' (a string)"),
        ]

    def test_toml_strict(self) -> None:
        """TOML values keep their types: "false" is not a boolean, 3.9 not an integer."""
        text = '[service]\nbreak_on_timeout = "false"\n[ratings]\nscale = 3.9\n'
        assert errors_of(text) == [
            ("service.break_on_timeout", "must be true or false, got 'false' (a string)"),
            ("ratings.scale", "must be an integer, got 3.9 (a number)"),
        ]

    @pytest.mark.parametrize(
        ("key", "value", "message"),
        [
            ("strategy", "automatc", "(did you mean 'automatic'?)"),
            ("strategy", "USER_CHOICE", "(did you mean 'user_choice'?)"),
            ("webhook_fallback", "failed", "(did you mean 'fail'?)"),
        ],
    )
    def test_choices(self, key: str, value: str, message: str) -> None:
        """A misspelt choice lists the choices and the closest one."""
        [(path, got)] = errors_of({"assignment": {key: value}})
        assert path == f"assignment.{key}"
        assert got.startswith("must be one of ")
        assert got.endswith(f"got {value!r} {message}")

    def test_choice_not_a_string(self) -> None:
        """A choice that is not a string says so."""
        assert errors_of({"service": {"mode": True}}) == [
            ("service.mode", "must be a string, got True (a boolean)")
        ]


DURATION_KEYS = [
    ("assignment", "webhook_timeout"),
    ("service", "accept_timeout"),
    ("queue", "update_interval"),
    ("queue", "max_wait"),
    ("closure", "user_timeout"),
    ("closure", "retention"),
    ("ratings", "validity"),
]


class TestDurations:
    """Durations in documents: forms, zero rules, 'never' and null."""

    @pytest.mark.parametrize(("section", "key"), DURATION_KEYS)
    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            (90, 90),
            ("90s", 90),
            ("10m", 600),
            ("2h", 7200),
            ("1d", 86400),
            ("1h30m", 5400),
            ("PT10M", 600),
            ("P1DT2H", 93600),
        ],
    )
    def test_forms(self, section: str, key: str, value: object, seconds: int) -> None:
        """Every duration key reads every form."""
        loaded = load_settings({section: {key: value}})
        assert getattr(getattr(loaded, section), key) == timedelta(seconds=seconds)

    @pytest.mark.parametrize(("section", "key"), DURATION_KEYS)
    @pytest.mark.parametrize("zero", [0, "0s", "PT0S", "0h0m"])
    def test_zero(self, section: str, key: str, zero: object) -> None:
        """Zero is allowed only for retention and update_interval."""
        if key in {"retention", "update_interval"}:
            loaded = load_settings({section: {key: zero}})
            assert getattr(getattr(loaded, section), key) == timedelta(0)
        else:
            assert errors_of({section: {key: zero}}) == [
                (f"{section}.{key}", "must be longer than zero, got 0")
            ]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (-30, "must not be negative, got -30"),
            ("-30s", "must not be negative, got '-30s'"),
            (1.5, "got 1.5 (a number)"),
            ("1.5h", f"cannot read '1.5h' as a duration ({DURATION_FORMS})"),
            ("30", f"cannot read '30' as a duration ({DURATION_FORMS})"),
            ("20 minutes", f"cannot read '20 minutes' as a duration ({DURATION_FORMS})"),
            (True, "got True (a boolean)"),
            ("99999999999999d", "is too long to be a duration, got '99999999999999d'"),
        ],
    )
    def test_bad(self, value: object, message: str) -> None:
        """Negative, fractional, unparsable and huge durations are one fault each."""
        [(path, got)] = errors_of({"queue": {"max_wait": value}})
        assert path == "queue.max_wait"
        assert got.endswith(message)

    @pytest.mark.parametrize("never", ["never", None])
    def test_update_never(self, never: object) -> None:
        """update_interval 'never' or JSON null means no updates (None)."""
        assert load_settings({"queue": {"update_interval": never}}).queue.update_interval is None
        text = json.dumps({"queue": {"update_interval": never}})
        assert load_settings(text).queue.update_interval is None

    def test_update_never_toml(self) -> None:
        """TOML writes never as the string 'never'."""
        loaded = load_settings('[queue]\nupdate_interval = "never"\n')
        assert loaded.queue.update_interval is None

    def test_never_elsewhere(self) -> None:
        """'never' is not a duration for other keys, and 'Never' not even there."""
        assert errors_of({"queue": {"max_wait": "never", "update_interval": "Never"}}) == [
            ("queue.max_wait", f"cannot read 'never' as a duration ({DURATION_FORMS})"),
            ("queue.update_interval", f"cannot read 'Never' as a duration ({DURATION_FORMS})"),
        ]

    @pytest.mark.parametrize(
        ("section", "key"),
        [("queue", "max_wait"), ("queue", "max_length"), ("closure", "user_timeout")],
    )
    def test_null_is_off(self, section: str, key: str) -> None:
        """JSON null switches an optional limit off, as absence does."""
        loaded = load_settings(json.dumps({section: {key: None}}))
        assert getattr(getattr(loaded, section), key) is None


class TestTemplates:
    """Prompt texts in documents: variables, $$ and malformed templates."""

    def test_valid(self) -> None:
        """$$, ${Name} and $Name load as written; an empty text switches a prompt off."""
        loaded = load_settings(
            {
                "prompts": {"welcome": "", "connected": "${AgentName} ($AgentId) costs $$0"},
                "queue": {"prompt": "#$QueuePosition, $WaitNo ahead"},
                "working_hours": {"after_hours_reply": "Back at ${NextOpen}."},
                "ratings": {"invitation": "Rate $AgentName", "submitted": "Got $Score"},
                "closure": {"end_message": "Bye", "timeout_message": "$$"},
            }
        )
        assert loaded.prompts.welcome == ""
        assert loaded.prompts.connected == "${AgentName} ($AgentId) costs $$0"

    @pytest.mark.parametrize(
        ("section", "key", "text", "message"),
        [
            (
                "prompts",
                "connected",
                "Hi $Customer",
                "unknown variable $Customer; this prompt offers $AgentId, $AgentName",
            ),
            (
                "prompts",
                "welcome",
                "Hi ${AgentName}",
                "unknown variable $AgentName; this prompt offers no variables",
            ),
            (
                "prompts",
                "connect_failed",
                "Sorry: $reason",
                "unknown variable $reason (did you mean $Reason?); this prompt offers $Reason",
            ),
            (
                "queue",
                "prompt",
                "You are $Position",
                "unknown variable $Position (did you mean $QueuePosition?); "
                "this prompt offers $QueuePosition, $WaitNo",
            ),
            (
                "ratings",
                "submitted",
                "Thanks $AgentName",
                "unknown variable $AgentName; this prompt offers $Score",
            ),
            (
                "prompts",
                "welcome",
                "That costs $5",
                "malformed template: the '$' at position 11 is not followed by a name, "
                "'{name}' or '$' (write $$ for a dollar sign), got 'That costs $5'",
            ),
            (
                "working_hours",
                "after_hours_reply",
                "Open at ${NextOpen",
                "malformed template: the '$' at position 8 is not followed by a name, "
                "'{name}' or '$' (write $$ for a dollar sign), got 'Open at ${NextOpen'",
            ),
            ("prompts", "welcome", 5, "must be a string, got 5 (an integer)"),
            (
                "prompts",
                "welcome",
                None,
                'must be a string, got None (null); write "" to switch it off',
            ),
        ],
    )
    def test_bad(self, section: str, key: str, text: object, message: str) -> None:
        """A bad template is one fault naming the prompt and the variable."""
        assert errors_of({section: {key: text}}) == [(f"{section}.{key}", message)]


class TestAssignment:
    """[assignment] in documents: user_choice and its groups."""

    def test_user_choice_without_groups(self) -> None:
        """user_choice without groups is a fault at assignment.groups."""
        assert errors_of('[assignment]\nstrategy = "user_choice"\n') == [
            ("assignment.groups", "must list at least one group when strategy is 'user_choice'")
        ]
        assert errors_of({"assignment": {"strategy": "user_choice", "groups": []}}) == [
            ("assignment.groups", "must list at least one group when strategy is 'user_choice'")
        ]

    def test_bad_groups_no_cascade(self) -> None:
        """Bad groups are reported each with its index, with no cross-field fault."""
        document = {"assignment": {"strategy": "user_choice", "groups": ["a", "", "a", 7]}}
        assert errors_of(document) == [
            ("assignment.groups[1]", "must be a non-empty string, got '' (a string)"),
            ("assignment.groups[2]", "repeats the group 'a' of groups[0]"),
            ("assignment.groups[3]", "must be a non-empty string, got 7 (an integer)"),
        ]

    def test_groups_not_a_list(self) -> None:
        """Groups given as one string are one fault."""
        assert errors_of({"assignment": {"groups": "sales"}}) == [
            ("assignment.groups", "must be a list of group ids, got 'sales' (a string)")
        ]

    def test_bad_strategy_no_cascade(self) -> None:
        """A misspelt strategy is one fault, with no groups fault after it."""
        assert errors_of({"assignment": {"strategy": "user_choise"}}) == [
            (
                "assignment.strategy",
                "must be one of 'automatic', 'user_choice', 'webhook', got 'user_choise' "
                "(did you mean 'user_choice'?)",
            )
        ]

    def test_groups_without_user_choice(self) -> None:
        """Groups under another strategy are kept and not an error."""
        assert load_settings({"assignment": {"groups": ["a"]}}).assignment.groups == ("a",)

    def test_webhook(self) -> None:
        """The webhook options load as members and durations."""
        loaded = load_settings(
            {
                "assignment": {
                    "strategy": "webhook",
                    "webhook_timeout": "PT5S",
                    "webhook_fallback": "fail",
                }
            }
        )
        assert loaded.assignment.strategy is Strategy.WEBHOOK
        assert loaded.assignment.webhook_fallback is WebhookFallback.FAIL
        assert loaded.assignment.webhook_timeout == timedelta(seconds=5)


class TestWorkingHours:
    """[working_hours] in documents: zone, weekly table and date overrides."""

    def test_weekly_table_closes_left_out_days(self) -> None:
        """When weekly is given, a day it leaves out or gives as [] is closed."""
        loaded = load_settings('[working_hours.weekly]\nmon = ["09:00-12:00"]\ntue = []\n')
        assert loaded.working_hours.weekly == WeeklyHours(mon=(TimeRange(540, 720),))

    def test_ranges(self) -> None:
        """Overnight, whole-day and 24:00 ranges load."""
        loaded = load_settings(
            {
                "working_hours": {
                    "weekly": {
                        "fri": ["22:00-02:00"],
                        "sat": ["00:00-24:00"],
                        "sun": ["18:00-00:00"],
                    }
                }
            }
        )
        week = loaded.working_hours.weekly
        assert (week.fri, week.sat, week.sun) == (
            (TimeRange(1320, 120),),
            (TimeRange(0, 1440),),
            (TimeRange(1080, 1440),),
        )

    def test_every_bad_range(self) -> None:
        """Every bad range is reported with its day and index."""
        document = {
            "working_hours": {
                "weekly": {
                    "mon": ["09:00-12:00", "13:00-13:00", "9-5", "25:00-26:00", 9],
                    "tue": "09:00-18:00",
                }
            }
        }
        assert errors_of(document) == [
            ("working_hours.weekly.mon[1]", "start and end are equal: '13:00-13:00'"),
            ("working_hours.weekly.mon[2]", "expected 'HH:MM-HH:MM', got '9-5'"),
            ("working_hours.weekly.mon[3]", "bad time '25:00' in '25:00-26:00'"),
            ("working_hours.weekly.mon[4]", "must be a string 'HH:MM-HH:MM', got 9 (an integer)"),
            (
                "working_hours.weekly.tue",
                "must be a list of 'HH:MM-HH:MM' ranges, got '09:00-18:00' (a string)",
            ),
        ]

    @pytest.mark.parametrize(
        ("zone", "hint"),
        [
            ("europe/berlin", "Europe/Berlin"),
            ("Asia/Seol", "Asia/Seoul"),
            ("Sao_Paulo", "America/Sao_Paulo"),
        ],
    )
    def test_zone(self, zone: str, hint: str) -> None:
        """Zones match exactly; a mis-cased or misspelt zone gets a hint."""
        assert errors_of({"working_hours": {"timezone": zone}}) == [
            (
                "working_hours.timezone",
                f"must be an IANA time zone name, got {zone!r} (did you mean {hint!r}?)",
            )
        ]

    def test_toml_native_date(self) -> None:
        """A TOML date (date = 2026-12-24) and a string date load alike."""
        native = load_settings("[[working_hours.dates]]\ndate = 2026-12-24\nhours = []\n")
        text = load_settings('[[working_hours.dates]]\ndate = "2026-12-24"\nhours = []\n')
        assert native == text
        assert native.working_hours.dates == (DateOverride(date=date(2026, 12, 24)),)

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("2026-12-24T10:00:00", "got a date and time datetime.datetime(2026, 12, 24, 10, 0)"),
            ("10:00:00", "must be a date 'YYYY-MM-DD', got datetime.time(10, 0) (time)"),
            ('"2026-W52-4"', "must be a date 'YYYY-MM-DD', got '2026-W52-4'"),
            ('"20261224"', "must be a date 'YYYY-MM-DD', got '20261224'"),
            ('"2026-12-4"', "must be a date 'YYYY-MM-DD', got '2026-12-4'"),
            (
                '"2026-02-30"',
                "must be a real date 'YYYY-MM-DD', got '2026-02-30' "
                "(day is out of range for month)",
            ),
            ("20261224", "must be a date 'YYYY-MM-DD', got 20261224 (an integer)"),
        ],
    )
    def test_bad_date(self, value: str, message: str) -> None:
        """Dates are 'YYYY-MM-DD' strings or TOML dates, nothing else."""
        text = f"[[working_hours.dates]]\ndate = {value}\nhours = []\n"
        [(path, got)] = errors_of(text)
        assert path == "working_hours.dates[0].date"
        assert got.endswith(message)

    def test_bad_rrule_path(self) -> None:
        """A bad rrule is named with its override's index."""
        document = {
            "working_hours": {
                "dates": [
                    {"date": "2026-12-24", "hours": []},
                    {"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "hours": []},
                    {"rrule": "FREQ=YEARLY;BYMONTH=13", "hours": []},
                ]
            }
        }
        assert errors_of(document) == [
            (
                "working_hours.dates[2].rrule",
                "invalid RRULE 'FREQ=YEARLY;BYMONTH=13': BYMONTH must be in 1..12, got 13",
            )
        ]

    def test_override_needs_one(self) -> None:
        """An override with neither or both of date and rrule is a fault at its index."""
        document = {
            "working_hours": {
                "dates": [
                    {"hours": []},
                    {"date": "2026-01-01", "rrule": "FREQ=DAILY"},
                    {"date": "2026-01-02", "hours": ["09:00-10:00"]},
                ]
            }
        }
        assert errors_of(document) == [
            ("working_hours.dates[0]", "must give one of 'date' and 'rrule', got neither"),
            ("working_hours.dates[1]", "must give one of 'date' and 'rrule', got both"),
        ]

    def test_repeated_date(self) -> None:
        """Two overrides naming the same date: the later one is the fault."""
        text = (
            "[[working_hours.dates]]\ndate = 2026-12-24\nhours = []\n"
            '[[working_hours.dates]]\ndate = "2026-12-25"\n'
            '[[working_hours.dates]]\ndate = "2026-12-24"\nhours = ["09:00-12:00"]\n'
        )
        assert errors_of(text) == [
            ("working_hours.dates[2].date", "repeats 2026-12-24, which dates[0] overrides")
        ]

    def test_repeated_date_among_other_faults(self) -> None:
        """A repeated date is reported in document order even when other overrides fail."""
        document = {
            "working_hours": {
                "dates": [
                    {"date": "2026-12-24"},
                    {"rrule": "FREQ=FOO"},
                    {"date": "2026-12-24"},
                    {"date": "2026-12-24", "hours": ["x"]},
                    {"date": "2026-12-24"},
                ]
            }
        }
        assert errors_of(document) == [
            (
                "working_hours.dates[1].rrule",
                "invalid RRULE 'FREQ=FOO': FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY "
                "(it names dates), got 'FOO'",
            ),
            ("working_hours.dates[2].date", "repeats 2026-12-24, which dates[0] overrides"),
            ("working_hours.dates[3].hours[0]", "expected 'HH:MM-HH:MM', got 'x'"),
            ("working_hours.dates[4].date", "repeats 2026-12-24, which dates[0] overrides"),
        ]


BROKEN = """
[prompts]
welcome = "Hi $Name"
connected = "You are chatting with $AgentNme."
conected = "x"

[assignment]
strategy = "user_choice"
groups = ["sales", "sales", ""]

[service]
mode = "manul"
accept_timeout = "0s"
break_on_timeout = "false"

[queue]
max_concurrent = 3.9
max_concurent = 3
prompt = "You are number $QueuePosition, that costs $5"
update_interval = -30
max_length = "10"
max_wait = "20 minutes"

[closure]
user_timeout = 0
retention = 0
end_message = "Bye ${AgentName}"

[working_hours]
enabled = "yes"
timezone = "europe/berlin"
after_hours_reply = "Closed until $NextOpen."

[working_hours.weekly]
mon = ["09:00-12:00", "13:00-13:00"]
tue = ["9-5"]
wensday = ["09:00-18:00"]

[[working_hours.dates]]
date = 2026-12-24
hours = ["09:00-13:00"]

[[working_hours.dates]]
rrule = "FREQ=YEARLY;BYMONTH=13"
hours = []

[[working_hours.dates]]
date = "2026-12-24"
hours = []

[ratings]
scale = 11
validity = "PT0S"
agent_invite = 1
"""

BROKEN_ERRORS = [
    ("prompts.welcome", "unknown variable $Name; this prompt offers no variables"),
    (
        "prompts.connected",
        "unknown variable $AgentNme (did you mean $AgentName?); "
        "this prompt offers $AgentId, $AgentName",
    ),
    ("prompts.conected", "unknown key (did you mean 'connected'?)"),
    ("assignment.groups[1]", "repeats the group 'sales' of groups[0]"),
    ("assignment.groups[2]", "must be a non-empty string, got '' (a string)"),
    ("service.mode", "must be one of 'automatic', 'manual', got 'manul' (did you mean 'manual'?)"),
    ("service.accept_timeout", "must be longer than zero, got 0"),
    ("service.break_on_timeout", "must be true or false, got 'false' (a string)"),
    ("queue.max_concurrent", "must be an integer, got 3.9 (a number)"),
    ("queue.max_concurent", "unknown key (did you mean 'max_concurrent'?)"),
    (
        "queue.prompt",
        "malformed template: the '$' at position 42 is not followed by a name, '{name}' or '$' "
        "(write $$ for a dollar sign), got 'You are number $QueuePosition, that costs $5'",
    ),
    ("queue.update_interval", "must not be negative, got -30"),
    ("queue.max_length", "must be an integer, got '10' (a string)"),
    ("queue.max_wait", f"cannot read '20 minutes' as a duration ({DURATION_FORMS})"),
    ("closure.user_timeout", "must be longer than zero, got 0"),
    ("closure.end_message", "unknown variable $AgentName; this prompt offers no variables"),
    ("working_hours.enabled", "must be true or false, got 'yes' (a string)"),
    (
        "working_hours.timezone",
        "must be an IANA time zone name, got 'europe/berlin' (did you mean 'Europe/Berlin'?)",
    ),
    ("working_hours.weekly.mon[1]", "start and end are equal: '13:00-13:00'"),
    ("working_hours.weekly.tue[0]", "expected 'HH:MM-HH:MM', got '9-5'"),
    ("working_hours.weekly.wensday", "unknown key (did you mean 'wed'?)"),
    (
        "working_hours.dates[1].rrule",
        "invalid RRULE 'FREQ=YEARLY;BYMONTH=13': BYMONTH must be in 1..12, got 13",
    ),
    ("working_hours.dates[2].date", "repeats 2026-12-24, which dates[0] overrides"),
    ("ratings.scale", "must be <= 10, got 11"),
    ("ratings.validity", "must be longer than zero, got 0"),
    ("ratings.agent_invite", "must be true or false, got 1 (an integer)"),
]


class TestAllFaultsTogether:
    """Every fault of a document is reported, in document order, and nothing else."""

    def test_broken_toml(self) -> None:
        """A document with many faults lists each one once, with its path."""
        assert errors_of(BROKEN) == BROKEN_ERRORS

    def test_broken_json(self, tmp_path: Path) -> None:
        """The same faults come from the JSON form of the document, read from a file."""
        import tomllib

        tree = tomllib.loads(BROKEN)
        tree["working_hours"]["dates"][0]["date"] = "2026-12-24"
        path = tmp_path / "broken.json"
        path.write_text(json.dumps(tree), encoding="utf-8")
        assert errors_of(path) == BROKEN_ERRORS

    def test_message_lists_all(self) -> None:
        """The exception's text lists every fault as 'path: message'."""
        with pytest.raises(SettingsError) as info:
            load_settings(BROKEN)
        lines = str(info.value).splitlines()
        assert lines[0] == f"{len(BROKEN_ERRORS)} errors in settings:"
        assert lines[1:] == [f"  {path}: {message}" for path, message in BROKEN_ERRORS]

    def test_is_value_error(self) -> None:
        """Callers may catch the fault as a ValueError."""
        with pytest.raises(ValueError, match=r"queue\.max_concurrent: must be >= 1, got 0"):
            load_settings({"queue": {"max_concurrent": 0}})


# -- dumping and round trips ------------------------------------------------------------------

ZONES = sorted(zoneinfo.available_timezones())
SAFE_TEXT = st.text(st.characters(exclude_characters="$", exclude_categories=["Cs"]), max_size=12)


def templates(*variables: str) -> st.SearchStrategy[str]:
    """Valid templates offering ``variables``: text, $$, $Name followed by a space, ${Name}."""
    pieces = [SAFE_TEXT, st.just("$$")]
    if variables:
        names = st.sampled_from(variables)
        pieces += [names.map(lambda name: f"${name} "), names.map(lambda name: f"${{{name}}}")]
    return st.lists(st.one_of(*pieces), max_size=5).map("".join)


SPANS = st.integers(min_value=1, max_value=10**8).map(lambda seconds: timedelta(seconds=seconds))
OPTIONAL_SPANS = st.none() | SPANS
RANGES = st.lists(
    st.tuples(st.integers(0, 1439), st.integers(1, 1440))
    .filter(lambda pair: pair[0] != pair[1])
    .map(lambda pair: TimeRange(*pair)),
    max_size=3,
).map(tuple)
RRULES = st.one_of(
    st.builds(
        "FREQ={};BYMONTH={};BYMONTHDAY={}".format,
        st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]),
        st.integers(1, 12),
        st.integers(-31, 31).filter(bool),
    ),
    st.sampled_from(
        [
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
            "DTSTART:20260101\nRRULE:FREQ=YEARLY;BYYEARDAY=100",
        ]
    ),
)


@st.composite
def desk_settings(draw: st.DrawFn) -> DeskSettings:
    """Any valid DeskSettings, every field drawn from its valid values."""
    strategy = draw(st.sampled_from(Strategy))
    groups = draw(st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=3))
    if strategy is Strategy.USER_CHOICE and not groups:
        groups = ["support"]
    day_dates = draw(st.lists(st.dates(), unique=True, max_size=3))
    overrides = [DateOverride(date=day, hours=draw(RANGES)) for day in day_dates]
    overrides += [
        DateOverride(rrule=rule, hours=draw(RANGES)) for rule in draw(st.lists(RRULES, max_size=2))
    ]
    return DeskSettings(
        prompts=PromptSettings(
            welcome=draw(templates()),
            connecting=draw(templates()),
            connected=draw(templates("AgentName", "AgentId")),
            connect_failed=draw(templates("Reason")),
        ),
        assignment=AssignmentSettings(
            strategy=strategy,
            groups=tuple(groups),
            webhook_timeout=draw(SPANS),
            webhook_fallback=draw(st.sampled_from(WebhookFallback)),
        ),
        service=ServiceSettings(
            mode=draw(st.sampled_from(ServiceMode)),
            accept_timeout=draw(SPANS),
            break_on_timeout=draw(st.booleans()),
        ),
        queue=QueueSettings(
            max_concurrent=draw(st.integers(1, 10**6)),
            prompt=draw(templates("QueuePosition", "WaitNo")),
            update_interval=draw(st.none() | st.just(timedelta(0)) | SPANS),
            max_length=draw(st.none() | st.integers(1, 10**6)),
            max_wait=draw(OPTIONAL_SPANS),
        ),
        closure=ClosureSettings(
            user_timeout=draw(OPTIONAL_SPANS),
            timeout_message=draw(templates()),
            end_message=draw(templates()),
            retention=draw(st.just(timedelta(0)) | SPANS),
        ),
        working_hours=WorkingHoursSettings(
            enabled=draw(st.booleans()),
            timezone=draw(st.sampled_from(ZONES)),
            after_hours_reply=draw(templates("NextOpen")),
            weekly=WeeklyHours(**{day: draw(RANGES) for day in WeeklyHours.DAYS}),
            dates=tuple(draw(st.permutations(overrides))),
        ),
        ratings=RatingSettings(
            agent_invite=draw(st.booleans()),
            send_on_end=draw(st.booleans()),
            invitation=draw(templates("AgentName")),
            submitted=draw(templates("Score")),
            validity=draw(SPANS),
            scale=draw(st.integers(2, 10)),
        ),
    )


class TestDumpSettings:
    """dump_settings: a plain mapping that loads back equal."""

    def test_defaults(self) -> None:
        """The default desk dumps every key, off fields left out, durations as units."""
        tree = dump_settings(DeskSettings())
        assert tree["assignment"] == {
            "strategy": "automatic",
            "groups": [],
            "webhook_timeout": "2s",
            "webhook_fallback": "automatic",
        }
        assert tree["service"] == {
            "mode": "automatic",
            "accept_timeout": "1m",
            "break_on_timeout": False,
        }
        assert tree["queue"] == {
            "max_concurrent": 5,
            "prompt": DeskSettings().queue.prompt,
            "update_interval": "0s",
        }
        assert "user_timeout" not in tree["closure"]
        assert tree["closure"]["retention"] == "1h"
        assert tree["working_hours"]["weekly"]["mon"] == ["09:00-18:00"]
        assert tree["working_hours"]["weekly"]["sun"] == []
        assert tree["working_hours"]["dates"] == []
        assert tree["ratings"]["validity"] == "1d"
        assert list(tree) == [
            "prompts",
            "assignment",
            "service",
            "queue",
            "closure",
            "working_hours",
            "ratings",
            "languages",
        ]
        assert tree["languages"] == {}

    def test_example(self) -> None:
        """The docs/settings.md example dumps overrides, 'never' and limits as documented."""
        settings = EXAMPLE.__class__(
            queue=QueueSettings(update_interval=None, max_length=4),
            working_hours=EXAMPLE.working_hours,
        )
        tree = dump_settings(settings)
        assert tree["queue"]["update_interval"] == "never"
        assert tree["queue"]["max_length"] == 4
        assert tree["working_hours"]["dates"] == [
            {"date": "2026-12-24", "hours": ["09:00-13:00"]},
            {"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "hours": []},
        ]
        assert tree["working_hours"]["weekly"]["fri"] == ["09:00-18:00", "22:00-02:00"]
        assert load_settings(tree) == settings

    def test_example_round_trip(self) -> None:
        """The example loads back equal from its dump, as a mapping, JSON and TOML."""
        tree = dump_settings(EXAMPLE)
        assert_plain(tree)
        assert load_settings(tree) == EXAMPLE
        assert load_settings(json.dumps(tree)) == EXAMPLE
        assert load_settings(to_toml(tree)) == EXAMPLE

    def test_toml_helper_refuses_none(self) -> None:
        """The test's TOML writer refuses None, so round trips through it prove no None."""
        with pytest.raises(TypeError):
            toml_value({"a": None})

    @settings(max_examples=60)
    @given(desk_settings())
    def test_round_trip(self, settings: DeskSettings) -> None:
        """load_settings(dump_settings(s)) == s, also through JSON and TOML text."""
        tree = dump_settings(settings)
        assert_plain(tree)
        assert load_settings(tree) == settings
        assert load_settings(json.dumps(tree)) == settings
        assert load_settings(to_toml(tree)) == settings


DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"
EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "examples" / "desk.toml"
# Documents that together produce every example message of docs/settings.md.
DOCUMENTED_FAULTS: list[Any] = [
    {"queue": {"max_concurent": 3}},
    {"queue": None},
    {"working_hours": {"dates": {"date": "2026-12-24"}}},
    {"service": {"break_on_timeout": "false"}},
    {"queue": {"max_concurrent": 3.9}},
    {"queue": {"max_concurrent": "3"}},
    {"queue": {"max_concurrent": 0}},
    {"ratings": {"scale": 11}},
    {"assignment": {"strategy": "automatc"}},
    {"queue": {"max_wait": "-5m"}},
    {"queue": {"max_wait": "1.5h"}},
    {"queue": {"max_wait": 1.5}},
    {"service": {"accept_timeout": 0}},
    {"working_hours": {"timezone": "europe/berlin"}},
    {"working_hours": {"timezone": "Berlin"}},
    {"working_hours": {"weekly": {"mon": ["09:00-12:00", "13:00-13:00"]}}},
    {"working_hours": {"weekly": {"tue": ["9-5"]}}},
    {"working_hours": {"weekly": {"wed": ["25:00-26:00"]}}},
    {"working_hours": {"weekly": {"thu": ["24:00-06:00"]}}},
    {
        "working_hours": {
            "dates": [
                {"date": "2026-12-24"},
                {"date": "2026-12-25"},
                {"rrule": "FREQ=YEARLY;BYMONTH=13"},
            ]
        }
    },
    {"working_hours": {"dates": [{"rrule": "FREQ=HOURLY"}]}},
    {"working_hours": {"dates": [{"rrule": "BYMONTH=12"}]}},
    {"working_hours": {"dates": [{"rrule": "every christmas"}]}},
    {"working_hours": {"dates": [{"date": "2026-02-30"}]}},
    {"working_hours": {"dates": [{"hours": []}]}},
    {"working_hours": {"dates": [{"date": "2026-12-24"}, {"date": "2026-12-24"}]}},
    {"prompts": {"welcome": "That costs $5"}},
    {"prompts": {"connected": "Hi, I am $agentname"}},
    {"prompts": {"welcome": None}},
    {"assignment": {"strategy": "user_choice"}},
    {"assignment": {"strategy": "user_choice", "groups": ["sales", "sales", ""]}},
    "[queue\n",
    '{"queue": }',
    [1],
    '{"a": ' * 100_000,
    {"closure": {"user_timeout": "5m", "reminder": "5m"}},
    {"closure": {"reminder": "1m"}},
    {"prompts": {"reasons": {"queue_ful": "x"}}},
    {"languages": {"ko_KR": {}, "ko": {"prompts": {"welcom": "x"}}, "KO": {}}},
    {"service": {"accept_timeout": "999999999d"}},
]


def blocks(language: str) -> list[str]:
    """The fenced code blocks of docs/settings.md in ``language``."""
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


class TestDocs:
    """docs/settings.md and examples/desk.toml say what the code does."""

    def test_python_blocks_run(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Every Python block runs and prints what its comments show."""
        for block in blocks("python"):
            exec(compile(block, str(DOCS), "exec"), {})
            shown = [line[2:] for line in block.splitlines() if line.startswith("# ")]
            assert capsys.readouterr().out.splitlines() == shown

    def test_error_examples_are_real(self) -> None:
        """Every example message in the errors table is one deskcore writes."""
        written = set()
        for document in DOCUMENTED_FAULTS:
            written |= {f"{p}: {m}" if p else m for p, m in errors_of(document)}
        table = DOCS.read_text(encoding="utf-8").split("## Errors", 1)[1].split("\n## ", 1)[0]
        examples = re.findall(r"^\|[^|]*\| `(.*)` \|$", table, re.MULTILINE)
        assert len(examples) == len(set(examples))
        assert set(examples) == written

    def test_example_file(self) -> None:
        """examples/desk.toml loads, and the TOML block of the docs is the same desk."""
        from_file = load_settings(EXAMPLE_FILE)
        documented = blocks("toml")[-1]  # the complete example closes the page
        assert load_settings(documented) == from_file
        assert from_file.assignment.strategy is Strategy.USER_CHOICE
        assert from_file.service.mode is ServiceMode.MANUAL
        assert from_file.working_hours.timezone == "Europe/Berlin"
        assert len(from_file.working_hours.weekly.mon) == 2  # a lunch break

    def test_example_file_hours(self) -> None:
        """The example's lunch break, Christmas Eve and Christmas rule apply in Berlin."""
        hours = load_settings(EXAMPLE_FILE).working_hours
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
        assert hours.is_open(datetime(2026, 12, 22, 12, 0, tzinfo=berlin))
        assert not hours.is_open(datetime(2026, 12, 22, 13, 0, tzinfo=berlin))
        assert hours.is_open(datetime(2026, 12, 24, 11, 59, tzinfo=berlin))
        assert not hours.is_open(datetime(2026, 12, 24, 12, 0, tzinfo=berlin))
        assert hours.is_open(datetime(2026, 12, 19, 11, 0, tzinfo=berlin))  # a Saturday
        assert not hours.is_open(datetime(2026, 12, 26, 11, 0, tzinfo=berlin))  # Boxing Day
        assert not hours.is_open(datetime(2029, 12, 25, 10, 0, tzinfo=berlin))
        assert hours.is_open(datetime(2029, 12, 27, 10, 0, tzinfo=berlin))

    def test_json_block_loads(self) -> None:
        """The JSON block of the docs is a valid desk."""
        [documented] = blocks("json")
        loaded = load_settings(documented)
        assert loaded.queue.update_interval is None
        assert loaded.working_hours.weekly.tue == ()
