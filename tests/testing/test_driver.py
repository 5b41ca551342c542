"""The kit's driver, steps and assertions, used as a policy test would use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deskcore import (
    AgentRequested,
    AgentState,
    AnyAction,
    AnyEvent,
    Assign,
    ConversationState,
    Desk,
    Offer,
    Party,
    SetAgentStatus,
    WithdrawOffer,
    WithdrawReason,
)
from deskcore.testing import START, DeskDriver, Step, assert_actions

S = ConversationState
MANUAL = {"service": {"mode": "manual", "accept_timeout": "60s", "break_on_timeout": True}}


class TestTime:
    def test_advance_fires_what_is_due(self) -> None:
        driver = DeskDriver(MANUAL)
        driver.online("a1")
        offer = driver.request("c1").one(Offer)
        assert offer.expires_at == START + timedelta(seconds=60)
        assert driver.advance(seconds=59) == []
        step = driver.advance("1s")
        assert step.types[:2] == ["withdraw_offer", "set_agent_status"]
        assert step.one(SetAgentStatus).status is AgentState.BREAK
        assert driver.now == START + timedelta(seconds=60)

    def test_at_and_instants(self) -> None:
        driver = DeskDriver()
        assert driver.at(30).now == START + timedelta(seconds=30)
        assert driver.instant("+1m") == START + timedelta(seconds=90)
        moment = datetime(2026, 3, 2, 12, tzinfo=UTC)
        assert driver.at(moment).now == moment
        with pytest.raises(ValueError, match="does not go back"):
            driver.at(0)
        with pytest.raises(ValueError, match="starts with"):
            driver.instant("90s")
        with pytest.raises(ValueError, match="aware"):
            DeskDriver(start=datetime(2026, 3, 2))

    def test_next_deadline(self) -> None:
        driver = DeskDriver({"closure": {"user_timeout": "5m"}})
        assert driver.next_deadline() is None
        driver.online("a1")
        driver.request("c1")
        driver.agent_says("c1")
        step = driver.next_deadline()
        assert step is not None
        assert step.types == ["send_prompt", "close"]
        assert driver.now == START + timedelta(minutes=5)

    def test_down_resumes(self) -> None:
        driver = DeskDriver(MANUAL)
        driver.online("a1")
        driver.request("c1")
        step = driver.down("10m")
        assert step.one(Offer).expires_at == START + timedelta(minutes=11)
        assert driver.state("c1") is S.OFFERED


class TestBuilders:
    def test_a_whole_conversation(self) -> None:
        """Defaults fill in the user, the agent holding the offer and the serving agent."""
        driver = DeskDriver(MANUAL | {"ratings": {"send_on_end": False}})
        driver.online("a1", name="Mina")
        driver.enter("c1", language="ko")
        assert driver.view("c1").user == "u-c1"
        driver.request("c1")
        assert driver.accept("c1").assigned == {"c1": "a1"}
        assert driver.agent_says("c1") == []
        assert driver.user_says("c1") == []
        assert driver.end("c1").types == ["send_prompt", "close"]
        assert driver.invite("c1").types == ["rating_card"]
        assert driver.rate("c1", 5, "great").types == ["record_rating", "send_prompt"]
        assert driver.agent("a1").load == 0
        assert [step.types for step in driver.steps][:2] == [[], ["send_prompt"]]
        assert len(driver.events) == len(driver.steps)
        assert "record_rating" in driver.actions.types

    def test_decline_transfer_and_statuses(self) -> None:
        driver = DeskDriver(MANUAL)
        driver.online("a1", "a2", groups=["sales"])
        driver.request("c1")
        step = driver.decline("c1")
        assert step.one(WithdrawOffer).reason is WithdrawReason.DECLINED
        assert step.one(Offer).agent == "a2"
        driver.accept("c1")
        assert driver.transfer("c1", to_group="sales").types == ["rejected"]  # X2: a1 declined
        driver.online("a3", groups=["sales"])
        step = driver.transfer("c1", to_group="sales")
        assert step.types[:2] == ["release", "send_prompt"]
        driver.on_break("a1")
        driver.offline("a2")
        assert driver.agent("a2").status is AgentState.OFFLINE

    def test_webhook_answers(self) -> None:
        driver = DeskDriver({"assignment": {"strategy": "webhook"}})
        driver.online("a1", groups=["vip"])
        driver.request("c1", user="u1")
        assert driver.answer("c1", agents=["a1"]).assigned == {"c1": "a1"}
        driver.request("c2")
        assert driver.answer_failed("c2").assigned == {"c2": "a1"}  # fallback: automatic

    def test_asking_about_nobody(self) -> None:
        driver = DeskDriver()
        with pytest.raises(AssertionError, match="does not know"):
            driver.view("c9")
        with pytest.raises(AssertionError, match="does not know agent"):
            driver.agent("a9")
        driver.enter("c1")
        with pytest.raises(AssertionError, match="no agent holds"):
            driver.accept("c1")
        with pytest.raises(AssertionError, match="nobody serves"):
            driver.invite("c1")


class TestStep:
    def test_accessors(self) -> None:
        driver = DeskDriver()
        step = driver.online("a1")
        step = driver.request("c1")
        assert isinstance(step, Step)
        assert step.types == ["send_prompt", "assign", "send_prompt"]
        assert step.texts("c1")[0].startswith("Connecting")
        assert step.texts("c2") == []
        assert step.of(Assign)[0].agent == "a1"
        assert step.to_json()[1]["type"] == "assign"
        with pytest.raises(AssertionError, match="expected one offer action, got 0"):
            step.one(Offer)
        assert "type='assign'" in step.describe()
        assert Step().describe() == "  (no actions)"
        assert repr(Step()) == "Step([])"

    def test_enum_fields_read_as_values(self) -> None:
        """Reprs show enum fields as their values, and they equal their strings."""
        driver = DeskDriver(MANUAL)
        driver.online("a1")
        driver.request("c1")
        withdrawn = driver.advance(60).one(WithdrawOffer)
        assert withdrawn.reason == "timeout"
        assert "reason='timeout'" in repr(withdrawn)


class TestAssertActions:
    def setup_method(self) -> None:
        self.driver = DeskDriver(MANUAL)
        self.driver.online("a1")
        self.step = self.driver.request("c1")

    def test_partial_objects_match(self) -> None:
        assert_actions(self.step, [{"type": "offer", "agent": "a1"}], exact=False)
        assert_actions(
            self.step,
            [{"type": "send_prompt", "prompt": "connecting"}, {"type": "offer"}],
            ordered=True,
        )
        assert_actions(self.step, list(self.step))

    def test_differences_are_field_by_field(self) -> None:
        with pytest.raises(AssertionError) as failure:
            assert_actions(self.step, [{"type": "offer", "agent": "a2"}], exact=False)
        assert "offer.agent: expected 'a2', got 'a1'" in str(failure.value)
        assert "the actions were:" in str(failure.value)

    def test_exact_and_order(self) -> None:
        with pytest.raises(AssertionError, match="unexpected"):
            assert_actions(self.step, [{"type": "offer"}])
        with pytest.raises(AssertionError, match="out of order"):
            assert_actions(
                self.step,
                [{"type": "offer"}, {"type": "send_prompt"}],
                ordered=True,
            )
        with pytest.raises(AssertionError, match="missing"):
            assert_actions([], [{"type": "offer"}])
        with pytest.raises(TypeError, match="an action or a JSON object"):
            assert_actions(self.step, [42])  # type: ignore[list-item]


class TestMistakesOfATest:
    """What a test gets wrong is said plainly, and a desk that breaks A1 is caught."""

    def test_names_given_as_one_string(self) -> None:
        driver = DeskDriver({"assignment": {"strategy": "user_choice", "groups": ["sales"]}})
        with pytest.raises(TypeError, match=r"groups is a list of names.*\['sales'\]"):
            driver.online("a1", groups="sales")
        webhook = DeskDriver({"assignment": {"strategy": "webhook"}})
        webhook.online("a1")
        webhook.request("c1")
        with pytest.raises(TypeError, match="agents is a list of names"):
            webhook.answer("c1", agents="a1")

    def test_instants_and_durations(self) -> None:
        driver = DeskDriver()
        with pytest.raises(ValueError, match="timezone-aware"):
            driver.at(datetime(2026, 3, 2, 10))
        driver.advance("+45s")  # as at() writes a relative instant
        assert driver.now == START + timedelta(seconds=45)

    def test_an_agent_ends_the_conversation_it_serves(self) -> None:
        driver = DeskDriver()
        driver.online("a1")
        driver.request("c1")
        step = driver.end("c1", by=Party.AGENT)
        assert driver.events[-1].agent == "a1"  # type: ignore[union-attr]
        assert "close" in step.types

    def test_a_conversation_given_to_an_agent_on_break(self) -> None:
        """A desk that gives a conversation to an agent on break fails the step (A1)."""

        class Rogue:
            def __init__(self, desk: Desk) -> None:
                self.desk = desk

            def __getattr__(self, name: str) -> Any:
                return getattr(self.desk, name)

            def handle(self, event: AnyEvent) -> list[AnyAction]:
                actions = self.desk.handle(event)
                if isinstance(event, AgentRequested):
                    actions.append(Assign(at=event.at, conversation=event.conversation, agent="a2"))
                return actions

        driver = DeskDriver()
        driver.online("a1", "a2")
        driver.on_break("a2")
        driver.desk = Rogue(driver.desk)  # type: ignore[assignment]
        with pytest.raises(AssertionError, match=r"a2 \(break after the step\) was given 'c1'"):
            driver.request("c1")
