"""Rule tests: ratings (V1, V2, V3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

import pytest

from deskcore import (
    EventError,
    RatingSubmitted,
    event_from_json,
)
from helpers import (
    HOUR,
    TIMEOUT,
    agent_says,
    ask,
    at,
    card,
    closed,
    end,
    enter,
    invite,
    make_desk,
    make_settings,
    rate,
    recorded,
    rejected,
    same,
    same_in_order,
    say,
    served_desk,
    status,
    tick,
    transfer,
)


class TestRuleV1:
    """V1: the serving agent invites the user to rate."""

    def test_invite_sends_a_card(self) -> None:
        """V1: the card has the invitation text and expires after ``validity``."""
        desk = served_desk()
        same(desk.handle(invite(10, "c1", "a1")), card(10, "c1", "R Mina", 10 + HOUR))

    def test_card_is_sent_with_empty_text(self) -> None:
        """V1, P2: a card is sent even when its text is empty."""
        desk = served_desk(invitation="")
        same(desk.handle(invite(10, "c1", "a1")), card(10, "c1", "", 10 + HOUR))

    def test_invites_disabled_comes_first(self) -> None:
        """V1: with invites off even another agent's invite is ``invites_disabled``."""
        desk = served_desk(agent_invite=False)
        same(
            desk.handle(invite(10, "c1", "a2")),
            rejected(10, "rating_invited", "invites_disabled", "c1", "a2"),
        )

    def test_not_serving_agent_comes_before_already_rated(self) -> None:
        """V1: another agent's invite after a rating is ``not_serving_agent``."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 4))
        same(
            desk.handle(invite(30, "c1", "a2")),
            rejected(30, "rating_invited", "not_serving_agent", "c1", "a2"),
        )

    def test_already_rated_comes_before_already_invited(self) -> None:
        """V1: an invite while the rated card is still open is ``already_rated``."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 4))
        same(
            desk.handle(invite(30, "c1", "a1")),
            rejected(30, "rating_invited", "already_rated", "c1", "a1"),
        )

    def test_already_invited_while_a_card_is_open(self) -> None:
        """V1: a second invite while the card is open is ``already_invited``."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(invite(20, "c1", "a1")),
            rejected(20, "rating_invited", "already_invited", "c1", "a1"),
        )

    def test_new_card_after_the_last_one_expired(self) -> None:
        """V1: once the card expired unrated, the agent may invite again."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(invite(10 + HOUR, "c1", "a1")),
            card(10 + HOUR, "c1", "R Mina", 10 + 2 * HOUR),
        )

    @pytest.mark.parametrize("state", ["new", "waiting"])
    def test_invite_on_an_unserved_conversation(self, state: str) -> None:
        """V1: nobody serves a new or waiting conversation: invites are ``not_serving_agent``."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(5, "c0"))
        desk.handle(enter(10, "c1") if state == "new" else ask(10, "c1"))
        same(
            desk.handle(invite(20, "c1", "a1")),
            rejected(20, "rating_invited", "not_serving_agent", "c1", "a1"),
        )


class TestRuleV2:
    """V2: a card when a served conversation closes (``send_on_end``)."""

    def test_card_on_end(self) -> None:
        """V2: ending a served conversation sends the card after closing."""
        desk = served_desk(send_on_end=True)
        same(
            desk.handle(end(10, "c1")),
            say(10, "c1", "end", "E"),
            closed(10, "c1", "ended_by_user"),
            card(10, "c1", "R Mina", 10 + HOUR),
        )

    def test_card_on_user_timeout(self) -> None:
        """V2: a timeout close sends the card at the timeout's instant."""
        desk = make_desk(
            make_settings(closure=TIMEOUT, ratings={"send_on_end": True}),
            status(0, "a1"),
            ask(5, "c1"),
            agent_says(10, "c1"),
        )
        same(
            desk.handle(tick(100)),
            say(70, "c1", "timeout_closure", "TO"),
            closed(70, "c1", "user_timeout"),
            card(70, "c1", "R a1", 70 + HOUR),
        )

    def test_no_card_while_one_is_open(self) -> None:
        """V2: no second card when the agent's card is still open."""
        desk = served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(end(20, "c1")), say(20, "c1", "end", "E"), closed(20, "c1", "ended_by_user")
        )

    def test_no_card_after_a_rating(self) -> None:
        """V2: no card once a rating was recorded, even after the card expired."""
        desk = served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 5))
        same(
            desk.handle(end(2 * HOUR, "c1")),
            say(2 * HOUR, "c1", "end", "E"),
            closed(2 * HOUR, "c1", "ended_by_user"),
        )

    def test_card_again_after_an_unrated_card_expired(self) -> None:
        """V2: an expired, unrated card does not stop the closing card."""
        desk = served_desk(send_on_end=True)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(end(2 * HOUR, "c1")),
            say(2 * HOUR, "c1", "end", "E"),
            closed(2 * HOUR, "c1", "ended_by_user"),
            card(2 * HOUR, "c1", "R Mina", 3 * HOUR),
        )

    def test_no_card_for_an_unserved_conversation(self) -> None:
        """V2: a waiting conversation closing gets no card."""
        desk = make_desk(
            make_settings(ratings={"send_on_end": True}),
            status(0, "a1"),
            ask(5, "c0"),
            ask(6, "c1"),
        )
        same(desk.handle(end(10, "c1")), closed(10, "c1", "ended_by_user"))


class TestRuleV3:
    """V3: submitting a rating."""

    def test_rating_is_recorded_for_the_agent(self) -> None:
        """V3: a valid score is recorded for the serving agent and thanked."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same_in_order(
            desk.handle(rate(20, "c1", 5)),
            recorded(20, "c1", "a1", 5),
            say(20, "c1", "rating_submitted", "S 5"),
        )

    def test_rating_after_close_goes_to_the_agent_who_served(self) -> None:
        """V3: a card sent on close credits the agent who served, after the close."""
        desk = served_desk(send_on_end=True)
        desk.handle(end(10, "c1", "agent", "a1"))
        same(
            desk.handle(rate(20, "c1", 1)),
            recorded(20, "c1", "a1", 1),
            say(20, "c1", "rating_submitted", "S 1"),
        )

    def test_not_invited_comes_first(self) -> None:
        """V3: without any card even an invalid score is ``not_invited``."""
        desk = served_desk()
        same(desk.handle(rate(20, "c1", 99)), rejected(20, "rating_submitted", "not_invited", "c1"))

    def test_already_rated_comes_before_expired_and_invalid(self) -> None:
        """V3: a second rating, late and invalid, is ``already_rated``."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        desk.handle(rate(20, "c1", 3))
        same(
            desk.handle(rate(2 * HOUR, "c1", 99)),
            rejected(2 * HOUR, "rating_submitted", "already_rated", "c1"),
        )

    def test_expired_comes_before_invalid(self) -> None:
        """V3: a late invalid score is ``expired``; a rating at ``expires_at`` is late."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(10 + HOUR, "c1", 99)),
            rejected(10 + HOUR, "rating_submitted", "expired", "c1"),
        )

    @pytest.mark.parametrize("score", [0, -1, 6])
    def test_invalid_score(self, score: int) -> None:
        """V3: an integer outside ``1 … scale`` is ``invalid_score`` and the card stays open."""
        desk = served_desk()
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(20, "c1", score)),
            rejected(20, "rating_submitted", "invalid_score", "c1"),
        )
        same(
            desk.handle(rate(30, "c1", 2)),
            recorded(30, "c1", "a1", 2),
            say(30, "c1", "rating_submitted", "S 2"),
        )

    def test_scale_sets_the_top_score(self) -> None:
        """V3: with ``scale`` 10 a score of 10 is valid."""
        desk = served_desk(scale=10)
        desk.handle(invite(10, "c1", "a1"))
        same(
            desk.handle(rate(20, "c1", 10)),
            recorded(20, "c1", "a1", 10),
            say(20, "c1", "rating_submitted", "S 10"),
        )

    def test_score_that_is_not_an_integer_is_an_error(self) -> None:
        """V3, E1: a non-integer score is an error naming ``score``."""
        with pytest.raises(EventError) as info:
            RatingSubmitted(at=at(0), conversation="c1", score=3.5)  # type: ignore[arg-type]
        assert info.value.field == "score"
        with pytest.raises(EventError) as info:
            event_from_json(
                {
                    "type": "rating_submitted",
                    "at": "2026-03-02T09:00:00Z",
                    "conversation": "c1",
                    "score": "3",
                }
            )
        assert info.value.field == "score"


class TestRuleV2OnTimeout:
    """V2: ``send_on_timeout`` decides whether a user-timeout close sends a card."""

    def test_no_card_after_a_timeout(self) -> None:
        """V2: with send_on_timeout false, the user timeout closes without a card."""
        desk = make_desk(
            make_settings(closure=TIMEOUT, ratings={"send_on_end": True, "send_on_timeout": False}),
            status(0, "a1"),
            ask(1, "c1"),
            agent_says(2, "c1"),
        )
        same(
            desk.handle(tick(62)),
            say(62, "c1", "timeout_closure", "TO"),
            closed(62, "c1", "user_timeout"),
        )

    def test_still_a_card_on_an_ending(self) -> None:
        """V2: with send_on_timeout false, an ending still sends the card."""
        desk = make_desk(
            make_settings(ratings={"send_on_end": True, "send_on_timeout": False}),
            status(0, "a1"),
            ask(1, "c1"),
        )
        same(
            desk.handle(end(5, "c1")),
            say(5, "c1", "end", "E"),
            closed(5, "c1", "ended_by_user"),
            card(5, "c1", "R a1", 5 + HOUR),
        )


class TestRuleV3Comment:
    """V3: the rating's comment goes with the record."""

    def test_comment_recorded(self) -> None:
        """V3: record_rating carries the comment the event gave."""
        desk = served_desk()
        desk.handle(invite(6, "c1", "a1"))
        same(
            desk.handle(rate(7, "c1", 5, comment="quick and kind")),
            recorded(7, "c1", "a1", 5, comment="quick and kind"),
            say(7, "c1", "rating_submitted", "S 5"),
        )

    def test_credited_to_the_agent_at_the_card(self) -> None:
        """V3, X3: after a transfer the card sent before it credits the earlier agent."""
        desk = served_desk()
        desk.handle(invite(6, "c1", "a1"))
        desk.handle(transfer(7, "c1", "a1", to_agent="a2"))
        same(
            desk.handle(rate(8, "c1", 4)),
            recorded(8, "c1", "a1", 4),
            say(8, "c1", "rating_submitted", "S 4"),
        )
