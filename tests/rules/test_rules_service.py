"""Rule tests: service mode (S1, S2, S3, S4), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from deskcore import (
    Rejected,
)
from helpers import (
    MANUAL,
    MANUAL_BREAK,
    accept,
    ask,
    closed,
    connected,
    decline,
    end,
    failed,
    make_desk,
    make_settings,
    offered,
    on_break,
    queued,
    rejected,
    same,
    same_in_order,
    say,
    snapshot_without_clock,
    status,
    tick,
    withdrawn,
)


class TestRuleS1:
    """S1: in automatic mode the agent is assigned at once."""

    def test_assign_then_connected(self) -> None:
        """S1: ``assign`` then the ``connected`` prompt with the agent's name."""
        desk = make_desk(make_settings(), status(0, "a1", name="Mina"))
        same_in_order(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1", "Mina"),
        )

    def test_connected_uses_the_id_when_nameless(self) -> None:
        """S1: an agent without a name is shown by its id."""
        desk = make_desk(
            make_settings(prompts={"connected": "$AgentName/$AgentId"}),
            status(0, "a1", name="Mina"),
            status(1, "a1", name=None),
        )
        out = desk.handle(ask(10, "c1"))
        same(
            out,
            say(10, "c1", "connecting", "C"),
            connected(10, "c1", "a1")[0],
            say(10, "c1", "connected", "a1/a1"),
        )


class TestRuleS2:
    """S2: in manual mode the agent gets an offer to accept."""

    def test_offer_then_accept(self) -> None:
        """S2: the offer expires after accept_timeout; an accept before that assigns."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"))
        same_in_order(
            desk.handle(ask(10, "c1")),
            say(10, "c1", "connecting", "C"),
            offered(10, "c1", "a1", 40),
        )
        same_in_order(desk.handle(accept(39, "c1", "a1")), connected(39, "c1", "a1"))
        assert desk.next_deadline() is None

    def test_accept_at_expiry_is_rejected(self) -> None:
        """S2, T2: an accept at ``expires_at`` comes after the timeout and is rejected."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        same_in_order(
            desk.handle(accept(40, "c1", "a1")),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a2", 70),
            rejected(40, "agent_accepted", "no_open_offer", "c1", "a1"),
        )

    def test_accept_by_another_agent_is_rejected(self) -> None:
        """S2, E2: an accept by an agent that holds no offer is rejected and changes nothing."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        before = snapshot_without_clock(desk)
        same(
            desk.handle(accept(20, "c1", "a2")),
            rejected(20, "agent_accepted", "no_open_offer", "c1", "a2"),
        )
        assert snapshot_without_clock(desk) == before

    def test_accept_of_a_waiting_conversation_is_rejected(self) -> None:
        """S2: an accept for a conversation that is waiting is rejected ``no_open_offer``."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"), ask(11, "c2")
        )
        same(
            desk.handle(accept(20, "c2", "a1")),
            rejected(20, "agent_accepted", "no_open_offer", "c2", "a1"),
        )


class TestRuleS3:
    """S3: an offer that times out."""

    def test_break_on_timeout_withdraws_the_other_offers(self) -> None:
        """S3, A4: the agent goes on break, its other offers go, all re-routed in request order."""
        settings = make_settings(service=MANUAL_BREAK)
        desk = make_desk(
            settings,
            status(0, "a1", capacity=2),
            ask(10, "c1"),
            ask(20, "c2"),
            status(25, "a2", capacity=2),
        )
        out = desk.handle(tick(45))
        same_in_order(out[:2], withdrawn(40, "c1", "a1", "timeout"), on_break(40, "a1"))
        same_in_order(
            out[2:],
            withdrawn(40, "c2", "a1", "agent_unavailable"),
            offered(40, "c1", "a2", 70),
            offered(40, "c2", "a2", 70),
        )

    def test_break_on_timeout_with_nobody_else_requeues(self) -> None:
        """S3, Q2: with the only agent on break the conversation waits at its place."""
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same_in_order(
            desk.handle(tick(40))[:2],
            withdrawn(40, "c1", "a1", "timeout"),
            on_break(40, "a1"),
        )
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(tick(40)),
            withdrawn(40, "c1", "a1", "timeout"),
            on_break(40, "a1"),
            queued(40, "c1", 1),
        )

    def test_missed_agent_is_passed_over_when_another_has_room(self) -> None:
        """S3: an agent that let the offer time out loses it to a busier agent with room."""
        settings = make_settings(service=MANUAL)
        desk = make_desk(
            settings,
            status(0, "a2", capacity=2),
            status(1, "a1"),
            ask(5, "c0"),
            accept(6, "c0", "a2"),
            ask(10, "c1"),
        )
        same_in_order(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a2", 70),
        )

    def test_missed_agent_is_chosen_again_when_nobody_else_has_room(self) -> None:
        """S3: with nobody else having room the same agent gets the offer again."""
        settings = make_settings(service=MANUAL)
        desk = make_desk(
            settings,
            status(0, "a2"),
            status(1, "a1"),
            ask(5, "c0"),
            accept(6, "c0", "a2"),
            ask(10, "c1"),
        )
        same_in_order(
            desk.handle(tick(45)),
            withdrawn(40, "c1", "a1", "timeout"),
            offered(40, "c1", "a1", 70),
        )


class TestRuleS4:
    """S4: a declined offer is never made to that agent again."""

    def test_decline_requeues_without_break(self) -> None:
        """S4: the offer is withdrawn ``declined`` and the user waits; no break is set."""
        desk = make_desk(make_settings(service=MANUAL_BREAK), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(decline(20, "c1", "a1")),
            withdrawn(20, "c1", "a1", "declined"),
            queued(20, "c1", 1),
        )

    def test_declining_agent_is_never_offered_it_again(self) -> None:
        """S4: a later user goes to the agent ahead of the declined one; another agent takes it."""
        desk = make_desk(make_settings(service=MANUAL), status(0, "a1"), ask(10, "c1"))
        same(
            desk.handle(decline(20, "c1", "a1")),
            withdrawn(20, "c1", "a1", "declined"),
            queued(20, "c1", 1),
        )
        same(
            desk.handle(ask(30, "c2")),
            say(30, "c2", "connecting", "C"),
            offered(30, "c2", "a1", 60),
        )
        desk.handle(accept(31, "c2", "a1"))
        same(
            desk.handle(end(40, "c2")), say(40, "c2", "end", "E"), closed(40, "c2", "ended_by_user")
        )
        same(desk.handle(status(50, "a2")), offered(50, "c1", "a2", 80))

    def test_declined_user_waits_within_max_wait(self) -> None:
        """S4, Q4: a user only the declining agent could serve fails at max_wait."""
        settings = make_settings(service=MANUAL, queue={"max_wait": "120s"})
        desk = make_desk(settings, status(0, "a1"), ask(10, "c1"), decline(20, "c1", "a1"))
        same(desk.handle(tick(200)), failed(130, "c1", "queue_timeout"))

    def test_decline_by_an_agent_without_the_offer_is_rejected(self) -> None:
        """S4, E2: a decline for an offer the agent does not hold is rejected."""
        desk = make_desk(
            make_settings(service=MANUAL), status(0, "a1"), status(1, "a2"), ask(10, "c1")
        )
        out = desk.handle(decline(20, "c1", "a2"))
        assert len(out) == 1
        assert isinstance(out[0], Rejected)
        assert out[0].event_type == "agent_declined"
