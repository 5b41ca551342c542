"""Rule tests: routing failures (F1), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from deskcore import (
    Desk,
)
from helpers import (
    ask,
    connected,
    make_desk,
    make_settings,
    routing_failed,
    same,
    say,
    status,
    user_says,
)


class TestRuleF1:
    """F1: every failure emits routing_failed and, except after hours, connect_failed."""

    def test_reason_is_inserted_into_the_prompt(self) -> None:
        """F1: ``$Reason`` is the failure's reason."""
        desk = Desk(make_settings(prompts={"connect_failed": "Sorry ($Reason)."}))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            routing_failed(10, "c1", "no_agents_online"),
            say(10, "c1", "connect_failed", "Sorry (no_agents_online)."),
        )

    def test_conversation_stays_open_and_unrouted(self) -> None:
        """F1: after a failure the user can still talk and ask again."""
        desk = make_desk(make_settings(), ask(10, "c1"))
        assert desk.conversation_state("c1") == "new"
        assert desk.handle(user_says(11, "c1")) == []
        desk.handle(status(12, "a1"))
        same(
            desk.handle(ask(20, "c1")), say(20, "c1", "connecting", "C"), connected(20, "c1", "a1")
        )
