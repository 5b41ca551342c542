"""Tests of prompt templates: check_template and render (rule P3)."""

from __future__ import annotations

import pytest

from deskcore._templates import check_template, render

AGENT = frozenset({"AgentName", "AgentId"})
NONE: frozenset[str] = frozenset()


class TestCheckTemplate:
    """check_template: malformed templates and variables a prompt does not offer."""

    @pytest.mark.parametrize(
        ("text", "allowed"),
        [
            ("", NONE),
            ("Hello!", NONE),
            ("Costs $$5", NONE),
            ("$$", NONE),
            ("You are chatting with $AgentName.", AGENT),
            ("You are chatting with ${AgentName}.", AGENT),
            ("${AgentName}s and $AgentId", AGENT),
            ("$AgentName: $$10", AGENT),
        ],
    )
    def test_valid(self, text: str, allowed: frozenset[str]) -> None:
        """Plain text, $$, and offered variables in either form are accepted."""
        assert check_template(text, allowed) is None

    @pytest.mark.parametrize(
        ("text", "position"),
        [
            ("cost $5", 5),
            ("trailing $", 9),
            ("$ sign", 0),
            ("${AgentName", 0),
            ("${}", 0),
            ("${1x}", 0),
            ("ok $$ then $-", 11),
        ],
    )
    def test_malformed(self, text: str, position: int) -> None:
        """A '$' starting no variable and no '$$' is malformed, and its position is named."""
        assert check_template(text, AGENT) == (
            f"malformed template: the '$' at position {position} is not followed by a name, "
            f"'{{name}}' or '$' (write $$ for a dollar sign), got {text!r}"
        )

    def test_unknown_variable(self) -> None:
        """A variable the prompt does not offer is named, with what the prompt offers."""
        assert check_template("Hi $Customer", AGENT) == (
            "unknown variable $Customer; this prompt offers $AgentId, $AgentName"
        )

    def test_unknown_braced_variable(self) -> None:
        """A braced unknown variable is named the same way."""
        message = check_template("Hi ${Customer}", AGENT)
        assert message is not None
        assert message.startswith("unknown variable $Customer;")

    def test_miscased_variable_hint(self) -> None:
        """A mis-cased variable gets a 'did you mean' hint with the right spelling."""
        assert check_template("Hi $agentname", AGENT) == (
            "unknown variable $agentname (did you mean $AgentName?); "
            "this prompt offers $AgentId, $AgentName"
        )

    def test_misspelt_variable_hint(self) -> None:
        """A misspelt variable gets a 'did you mean' hint."""
        message = check_template("$QueuePositon", frozenset({"QueuePosition", "WaitNo"}))
        assert message == (
            "unknown variable $QueuePositon (did you mean $QueuePosition?); "
            "this prompt offers $QueuePosition, $WaitNo"
        )

    def test_several_unknown_variables(self) -> None:
        """Every unknown variable is named once, in order, in one message."""
        assert check_template("$A $B $A", AGENT) == (
            "unknown variables $A, $B; this prompt offers $AgentId, $AgentName"
        )

    def test_prompt_without_variables(self) -> None:
        """A prompt that offers nothing says so."""
        assert check_template("Hello $Name", NONE) == (
            "unknown variable $Name; this prompt offers no variables"
        )

    def test_malformed_before_unknown(self) -> None:
        """A malformed template is reported as malformed, not as an unknown variable."""
        message = check_template("$Foo costs $5", NONE)
        assert message is not None
        assert message.startswith("malformed template")


class TestRender:
    """render: values inserted once, never expanded again."""

    def test_plain_text(self) -> None:
        """Text without '$' comes back unchanged."""
        assert render("Hello!", {"X": 1}) == "Hello!"

    def test_both_forms_and_dollar(self) -> None:
        """$Name and ${Name} are replaced and $$ becomes one dollar sign."""
        assert render("$A/${A}s cost $$5", {"A": "x"}) == "x/xs cost $5"

    def test_values_not_expanded(self) -> None:
        """A value that looks like a template is inserted literally."""
        assert render("Hi $AgentName", {"AgentName": "$AgentId {0.__class__}"}) == (
            "Hi $AgentId {0.__class__}"
        )

    def test_missing_value_left(self) -> None:
        """A variable without a value is left as written."""
        assert render("Open at $NextOpen") == "Open at $NextOpen"

    def test_values_as_strings(self) -> None:
        """Values are inserted with str()."""
        assert render("#$QueuePosition", {"QueuePosition": 2}) == "#2"
