"""Rule tests: prompts (P1, P2, P3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from typing import Any

import pytest

from deskcore import Desk, render_prompt
from helpers import (
    HOUR,
    TIMEOUT,
    agent_says,
    ask,
    assigned,
    card,
    closed,
    connected,
    end,
    enqueued,
    enter,
    invite,
    make_desk,
    make_settings,
    rate,
    recorded,
    rejected,
    routing_failed,
    same,
    say,
    served_desk,
    status,
    tick,
)


class TestRuleP1:
    """P1: the welcome prompt."""

    def test_welcome_once(self) -> None:
        """P1: the first ``user_entered`` gets the welcome, a second one nothing."""
        desk = Desk(make_settings())
        same(desk.handle(enter(0, "c1")), say(0, "c1", "welcome", "W"))
        assert desk.handle(enter(1, "c1")) == []

    def test_no_welcome_when_first_named_by_a_request(self) -> None:
        """P1: a conversation started by ``agent_requested`` never gets the welcome."""
        desk = make_desk(make_settings(), status(0, "a1"))
        same(desk.handle(ask(5, "c1")), say(5, "c1", "connecting", "C"), connected(5, "c1", "a1"))
        assert desk.handle(enter(6, "c1")) == []


class TestRuleP2:
    """P2: a prompt whose text is empty is not sent."""

    def test_empty_connecting_and_connected(self) -> None:
        """P2: with empty connecting and connected texts only ``assign`` remains."""
        desk = make_desk(
            make_settings(prompts={"connecting": "", "connected": ""}), status(0, "a1")
        )
        same(desk.handle(ask(5, "c1")), connected(5, "c1", "a1")[0])

    def test_empty_welcome(self) -> None:
        """P2: an empty welcome is not sent."""
        desk = Desk(make_settings(prompts={"welcome": ""}))
        assert desk.handle(enter(0, "c1")) == []

    def test_empty_queue_prompt_keeps_the_enqueue(self) -> None:
        """P2: with an empty queue prompt the user is still enqueued."""
        desk = make_desk(make_settings(queue={"prompt": ""}), status(0, "a1"), ask(5, "c0"))
        same(desk.handle(ask(10, "c1")), say(10, "c1", "connecting", "C"), enqueued(10, "c1", 1))

    def test_empty_connect_failed_keeps_the_failure(self) -> None:
        """P2: with an empty connect_failed prompt routing_failed is still emitted."""
        desk = Desk(make_settings(prompts={"connect_failed": ""}))
        same(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            routing_failed(10, "c1", "no_agents_online"),
        )

    def test_empty_end_and_timeout_messages(self) -> None:
        """P2: with empty end and timeout messages the conversations still close."""
        desk = make_desk(
            make_settings(closure={"end_message": "", "timeout_message": "", **TIMEOUT}),
            status(0, "a1", capacity=2),
            ask(5, "c1"),
            ask(6, "c2"),
            agent_says(10, "c2"),
        )
        same(desk.handle(end(20, "c1")), closed(20, "c1", "ended_by_user"))
        same(desk.handle(tick(100)), closed(70, "c2", "user_timeout"))

    def test_empty_after_hours_reply(self) -> None:
        """P2: with an empty after-hours reply routing still fails ``outside_hours``."""
        hours = {"enabled": True, "after_hours_reply": "", "weekly": {"mon": []}}
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(desk.handle(ask(0, "c1")), routing_failed(0, "c1", "outside_hours"))

    def test_empty_submitted_prompt(self) -> None:
        """P2: with an empty submitted prompt the rating is still recorded."""
        desk = served_desk(submitted="")
        desk.handle(invite(10, "c1", "a1"))
        same(desk.handle(rate(20, "c1", 4)), recorded(20, "c1", "a1", 4))


class TestRuleP3:
    """P3: variable values are inserted once, never expanded again."""

    @pytest.mark.parametrize("name", ["$AgentId", "$$x", "${AgentName}", "5$"])
    def test_value_with_a_dollar_is_inserted_as_is(self, name: str) -> None:
        """P3: an agent name containing ``$`` appears verbatim in the prompt and card."""
        desk = make_desk(
            make_settings(prompts={"connected": "Hi $AgentName ($AgentId)"}),
            status(0, "a1", name=name),
        )
        same(
            desk.handle(ask(5, "c1")),
            say(5, "c1", "connecting", "C"),
            connected(5, "c1", "a1")[0],
            say(5, "c1", "connected", f"Hi {name} (a1)"),
        )
        same(desk.handle(invite(6, "c1", "a1")), card(6, "c1", f"R {name}", 6 + HOUR))

    def test_agent_id_with_a_dollar_is_inserted_as_is(self) -> None:
        """P3: a nameless agent whose id holds ``$`` is shown by that id verbatim."""
        desk = make_desk(make_settings(), status(0, "$AgentName"))
        same(
            desk.handle(ask(5, "c1")),
            say(5, "c1", "connecting", "C"),
            connected(5, "c1", "$AgentName"),
        )

    def test_double_dollar_in_a_template_is_one_dollar(self) -> None:
        """P3: ``$$`` in operator text is a literal dollar sign."""
        desk = Desk(make_settings(prompts={"welcome": "Pay $$5"}))
        same(desk.handle(enter(0, "c1")), say(0, "c1", "welcome", "Pay $5"))


LANGUAGES: dict[str, Any] = {
    "zh": {"prompts": {"welcome": "zh W"}},
    "zh-Hant": {"prompts": {"connecting": "zh-Hant C"}},
    "zh-Hant-TW": {"queue": {"prompt": "TW $QueuePosition"}},
    "ko": {"prompts": {"welcome": "", "connected": "ko $AgentName"}},
}


def polyglot(**sections: dict[str, Any]) -> Desk:
    """a1 online and busy with c0, so that requests wait; texts in four languages."""
    return make_desk(make_settings(**sections, languages=LANGUAGES), status(0, "a1"), ask(0, "c0"))


class TestRuleP4:
    """P4: every text in the conversation's language, along its fallback chain."""

    def test_three_subtags(self) -> None:
        """P4: zh-Hant-TW takes the queue prompt of its own, connecting of zh-Hant,
        welcome of zh, and the base connected text."""
        desk = polyglot()
        same(desk.handle(enter(1, "c1", language="zh-Hant-TW")), say(1, "c1", "welcome", "zh W"))
        same(
            desk.handle(ask(2, "c1")),
            say(2, "c1", "connecting", "zh-Hant C"),
            enqueued(2, "c1", 1),
            say(2, "c1", "queue", "TW 1"),
        )
        same(desk.handle(end(3, "c0"))[2:], connected(3, "c1", "a1"))

    def test_case_does_not_matter(self) -> None:
        """P4: tags compare without regard to case."""
        desk = polyglot()
        same(desk.handle(enter(1, "c1", language="ZH-hant")), say(1, "c1", "welcome", "zh W"))

    def test_empty_text_switches_off(self) -> None:
        """P4, P2: an empty text under a language is that language's text: nothing sent."""
        desk = make_desk(make_settings(languages=LANGUAGES), status(0, "a1"))
        same(desk.handle(enter(1, "c1", language="ko")), [])
        same(
            desk.handle(ask(2, "c1")),
            say(2, "c1", "connecting", "C"),
            assigned(2, "c1", "a1"),
            say(2, "c1", "connected", "ko a1"),
        )

    def test_the_last_language_given(self) -> None:
        """P4: a request's language replaces the one the user entered with."""
        desk = polyglot()
        desk.handle(enter(1, "c1", language="ko"))
        out = desk.handle(ask(2, "c1", language="zh-Hant"))
        assert say(2, "c1", "connecting", "zh-Hant C") in out

    def test_a_refused_event_keeps_the_language(self) -> None:
        """P4: a rejected request (E2) does not change the language."""
        desk = polyglot()
        desk.handle(ask(1, "c1", language="zh-Hant"))
        same(
            desk.handle(ask(2, "c1", language="ko")),
            rejected(2, "agent_requested", "already_routed", "c1"),
        )
        same(desk.handle(end(3, "c0"))[2:], connected(3, "c1", "a1"))  # base: zh has none

    def test_without_a_language(self) -> None:
        """P4: no language, the base texts; an unknown language, the base texts too."""
        desk = polyglot()
        same(desk.handle(enter(1, "c1")), say(1, "c1", "welcome", "W"))
        same(desk.handle(enter(1, "c2", language="fr")), say(1, "c2", "welcome", "W"))

    def test_rating_card_in_the_language(self) -> None:
        """P4: the rating card's text comes from the language too."""
        languages = {"ko": {"ratings": {"invitation": "ko R $AgentName"}}}
        desk = make_desk(
            make_settings(languages=languages), status(0, "a1"), ask(1, "c1", language="ko")
        )
        same(desk.handle(invite(2, "c1", "a1")), card(2, "c1", "ko R a1", 2 + HOUR))


class TestRuleP5:
    """P5: ``$Reason`` shows the reason's text, in the conversation's language."""

    def test_reason_text(self) -> None:
        """P5: a reason the table gives shows its text; one it leaves out shows its code."""
        desk = make_desk(
            make_settings(prompts={"reasons": {"no_agents_online": "nobody is here, $$0"}})
        )
        same(
            desk.handle(ask(1, "c1")),
            say(1, "c1", "connecting", "C"),
            routing_failed(1, "c1", "no_agents_online"),
            say(1, "c1", "connect_failed", "F nobody is here, $0"),
        )

    def test_in_the_language(self) -> None:
        """P5: a language's reason text wins over the base one."""
        languages = {"ko": {"prompts": {"reasons": {"no_agents_online": "ko nobody"}}}}
        desk = make_desk(
            make_settings(prompts={"reasons": {"no_agents_online": "nobody"}}, languages=languages)
        )
        out = desk.handle(ask(1, "c1", language="ko-KR"))
        assert say(1, "c1", "connect_failed", "F ko nobody") in out

    def test_code_when_not_given(self) -> None:
        """P5: with no text for the reason, its code (the base settings' case)."""
        out = make_desk(make_settings()).handle(ask(1, "c1"))
        assert say(1, "c1", "connect_failed", "F no_agents_online") in out

    def test_render_prompt_agrees(self) -> None:
        """P4, P5: render_prompt gives the desk's texts for hosts that keep their state."""
        settings_ = make_settings(prompts={"reasons": {"queue_full": "full"}}, languages=LANGUAGES)
        assert render_prompt(settings_, "welcome", language="zh-Hant-TW") == "zh W"
        assert render_prompt(settings_, "connect_failed", Reason="queue_full") == "F full"
        assert render_prompt(settings_, "connected", language="ko", AgentName="Mina") == "ko Mina"
        with pytest.raises(ValueError, match="unknown prompt kind"):
            render_prompt(settings_, "hello")
