"""Rule tests: transfers (X1, X2, X3), one class per rule, each asserting the exact actions
the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``
("X" is the transferring prompt).
"""

from __future__ import annotations

from typing import Any

import pytest

from deskcore import Assign, Desk, EventError
from helpers import (
    MANUAL,
    accept,
    agent_says,
    ask,
    connected,
    decline,
    end,
    failed,
    handed_over,
    make_desk,
    make_settings,
    offered,
    queued,
    refused,
    rejected,
    same,
    status,
    tick,
    transfer,
    withdrawn,
)


def served(**sections: dict[str, Any]) -> Desk:
    """a1 serves c1 (from second 1); a2 is online and free; both are in group "g"."""
    return make_desk(
        make_settings(**sections),
        status(0, "a1", groups=["g"]),
        ask(1, "c1"),
        status(2, "a2", groups=["g"]),
    )


class TestRuleX1:
    """X1: what a transfer may be, and what it is refused for."""

    def test_not_served(self) -> None:
        """X1: a waiting conversation is not served."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c0"), ask(2, "c1"))
        same(
            desk.handle(transfer(3, "c1", "a1", to_group="g")),
            rejected(3, "transfer", "not_served", "c1", "a1"),
        )

    def test_not_serving_agent(self) -> None:
        """X1: only the serving agent transfers."""
        desk = served()
        same(
            desk.handle(transfer(3, "c1", "a2", to_group="g")),
            rejected(3, "transfer", "not_serving_agent", "c1", "a2"),
        )

    def test_same_agent(self) -> None:
        """X1: to the serving agent itself."""
        desk = served()
        same(
            desk.handle(transfer(3, "c1", "a1", to_agent="a1")),
            rejected(3, "transfer", "same_agent", "c1", "a1"),
        )

    def test_order_of_reasons(self) -> None:
        """X1: not_served comes before not_serving_agent and same_agent."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c0"), ask(2, "c1"))
        same(
            desk.handle(transfer(3, "c1", "a1", to_agent="a1")),
            rejected(3, "transfer", "not_served", "c1", "a1"),
        )

    def test_closed_first(self) -> None:
        """X1, C3: a closed conversation is conversation_closed before anything else."""
        desk = served()
        desk.handle(end(3, "c1"))
        same(
            desk.handle(transfer(4, "c1", "a2", to_agent="a2")),
            rejected(4, "transfer", "conversation_closed", "c1", "a2"),
        )

    def test_unknown_target_is_an_error(self) -> None:
        """X1, E1: an unknown to_agent is an error naming the field."""
        error = refused(served(), transfer(3, "c1", "a1", to_agent="zz"))
        assert error.field == "to_agent"

    def test_group_outside_the_choices_is_an_error(self) -> None:
        """X1, E1: under user_choice, a to_group outside assignment.groups."""
        groups = {"strategy": "user_choice", "groups": ["g"]}
        desk = make_desk(
            make_settings(assignment=groups), status(0, "a1", groups=["g"]), ask(1, "c1", "g")
        )
        error = refused(desk, transfer(3, "c1", "a1", to_group="h"))
        assert error.field == "to_group"

    def test_both_targets_is_an_error(self) -> None:
        """X1, E1: both targets, or neither, is malformed."""
        with pytest.raises(EventError) as caught:
            transfer(3, "c1", "a1", to_agent="a2", to_group="g")
        assert caught.value.event_type == "transfer"
        with pytest.raises(EventError):
            transfer(3, "c1", "a1")


class TestRuleX2:
    """X2: a target nobody staffs refuses the transfer, and nothing changes."""

    def test_target_offline(self) -> None:
        """X2: to_agent that is offline; the conversation stays with its agent."""
        desk = served()
        desk.handle(status(3, "a2", "offline"))
        same(
            desk.handle(transfer(4, "c1", "a1", to_agent="a2")),
            rejected(4, "transfer", "no_agents_online", "c1", "a1"),
        )
        assert [a.type for a in desk.handle(end(5, "c1", "agent", "a1"))] == [
            "send_prompt",
            "close",
        ]

    def test_group_of_only_the_serving_agent(self) -> None:
        """X2: a group whose only staff is the serving agent itself."""
        desk = make_desk(make_settings(), status(0, "a1", groups=["solo"]), ask(1, "c1"))
        same(
            desk.handle(transfer(2, "c1", "a1", to_group="solo")),
            rejected(2, "transfer", "no_agents_online", "c1", "a1"),
        )

    def test_barred_agents_are_left_out(self) -> None:
        """X2: an agent that declined the conversation (S4) does not count as staff."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1", groups=["g"]),
            status(0, "a2", groups=["g"]),
            ask(1, "c1"),  # offered to a1 (idle as long as a2, first by id)
            decline(2, "c1", "a1"),  # S4: then offered to a2
            accept(3, "c1", "a2"),
        )
        same(
            desk.handle(transfer(4, "c1", "a2", to_group="g")),
            rejected(4, "transfer", "no_agents_online", "c1", "a2"),
        )


class TestRuleX3:
    """X3: the hand-over."""

    def test_to_a_free_agent(self) -> None:
        """X3: release, the transferring prompt, then the target serves at once."""
        same(
            served().handle(transfer(3, "c1", "a1", to_agent="a2")),
            handed_over(3, "c1", "a1"),
            connected(3, "c1", "a2"),
        )

    def test_to_a_busy_agent_waits(self) -> None:
        """X3, Q1: the target alone has no room: the user waits in its queue, and the
        released agent takes the next waiting user (A5)."""
        desk = make_desk(
            make_settings(),
            status(0, "a1"),
            status(0, "a2"),
            ask(1, "c1"),
            ask(2, "c2"),
            ask(3, "c3"),
        )
        same(
            desk.handle(transfer(4, "c1", "a1", to_agent="a2")),
            handed_over(4, "c1", "a1"),
            connected(4, "c3", "a1"),
            queued(4, "c1", 1),
        )
        same(desk.handle(end(5, "c2", "agent", "a2"))[2:], connected(5, "c1", "a2"))

    def test_no_connecting_prompt_and_user_timeout_stops(self) -> None:
        """X3, C1: the user timeout stops; no connecting prompt is sent again."""
        desk = served(closure={"user_timeout": "60s"})
        desk.handle(agent_says(3, "c1"))
        same(
            desk.handle(transfer(4, "c1", "a1", to_agent="a2")),
            handed_over(4, "c1", "a1"),
            connected(4, "c1", "a2"),
        )
        assert desk.handle(tick(63)) == []  # a1's user timeout no longer runs

    def test_releasing_agent_is_barred(self) -> None:
        """X3, S4: after a transfer to the group, the releasing agent is never given it."""
        desk = served()
        desk.handle(status(3, "a2", "break"))  # a2 staffs g but has no room to serve
        same(
            desk.handle(transfer(4, "c1", "a1", to_group="g")),
            handed_over(4, "c1", "a1"),
            queued(4, "c1", 1),
        )
        assert desk.handle(tick(5)) == []  # a1 has room but declined it: c1 waits for a2
        same(desk.handle(status(6, "a2", "online")), connected(6, "c1", "a2"))

    def test_max_wait_counts_from_the_handover(self) -> None:
        """X3, Q4: a transfer to a full group waits, and max_wait fails it from then."""
        desk = make_desk(
            make_settings(queue={"max_wait": "60s"}),
            status(0, "a1"),
            status(0, "a2", groups=["g"]),
            ask(1, "c0"),
            ask(1, "c1"),
        )
        # c0 went to a1 (idle longest, by id), c1 to a2. a1 transfers c0 to g (a2, full).
        same(
            desk.handle(transfer(30, "c0", "a1", to_group="g")),
            handed_over(30, "c0", "a1"),
            queued(30, "c0", 1),
        )
        assert desk.handle(tick(89)) == []  # 60 s after the request at 1 has passed: no matter
        same(desk.handle(tick(90)), failed(90, "c0", "queue_timeout"))

    def test_never_queue_full(self) -> None:
        """X3, Q4: max_length never refuses a hand-over."""
        desk = make_desk(
            make_settings(queue={"max_concurrent": 1, "max_length": 1}),
            status(0, "a1"),
            status(0, "a2", groups=["g"]),
            status(0, "a3", groups=["g"]),
            ask(1, "c1"),  # to a1
            ask(2, "c2"),  # to a2
            ask(3, "c3"),  # to a3
            transfer(4, "c1", "a1", to_group="g"),  # g is full: c1 waits, first in g's queue
            ask(5, "c4"),  # to a1, free again
        )
        same(
            desk.handle(transfer(6, "c4", "a1", to_group="g")),
            handed_over(6, "c4", "a1"),
            queued(6, "c4", 2),
        )

    def test_transfer_whose_target_offer_times_out(self) -> None:
        """X3, S3: in manual mode the target gets an offer; when it times out and the
        target is the only agent of the scope, it is offered again (no one else has room)."""
        desk = make_desk(
            make_settings(service=MANUAL),
            status(0, "a1"),
            status(0, "a2"),
            ask(1, "c1"),
            accept(2, "c1", "a1"),
        )
        same(
            desk.handle(transfer(3, "c1", "a1", to_agent="a2")),
            handed_over(3, "c1", "a1"),
            offered(3, "c1", "a2", 33),
        )
        same(
            desk.handle(tick(33)),
            withdrawn(33, "c1", "a2", "timeout"),
            offered(33, "c1", "a2", 63),
        )

    def test_keeps_the_preferred_agent(self) -> None:
        """X3: the request's preferred agent stays preferred in the new scope, unless it is
        the releasing agent (barred, S4)."""
        desk = make_desk(
            make_settings(queue={"max_concurrent": 2}),
            status(0, "a1", groups=["g"]),
            status(0, "a2", groups=["g"]),
            status(0, "a3", groups=["g"]),
            ask(1, "c1", preferred="a3"),
            ask(2, "c2", preferred="a2"),
        )
        out = desk.handle(transfer(3, "c1", "a3", to_group="g"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a1"]  # idle longest
        out = desk.handle(transfer(4, "c2", "a2", to_group="g"))
        assert [a.agent for a in out if isinstance(a, Assign)] == ["a3"]  # idle longest now
