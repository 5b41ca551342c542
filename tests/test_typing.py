"""A host's program, type-checked with ``mypy --strict`` as a host would check it.

The desk's types must let a type checker prove a ``match`` over actions exhaustive, bind
fields positionally, and refuse a misspelt status, reason or party. Each sample is a small
program; mypy must accept the good ones and refuse each bad one for the stated reason.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

GOOD = """
from datetime import UTC, datetime
from typing import assert_never

import deskcore as dc


def carry_out(action: dc.AnyAction) -> str:
    match action:
        case dc.SendPrompt(conversation, prompt, text):
            return f"{conversation} {prompt.value}: {text}"
        case dc.Assign(conversation, agent):
            return f"assign {conversation} to {agent}"
        case dc.Offer(conversation, agent, expires_at):
            return f"offer {conversation} to {agent} until {expires_at.isoformat()}"
        case dc.WithdrawOffer(conversation, agent, reason):
            return f"{conversation} leaves {agent}: {reason.value}"
        case dc.Release(conversation, agent, reason):
            return f"{conversation} leaves {agent}: {reason.value}"
        case dc.SetAgentStatus(agent, status, reason):
            return f"{agent} is now {status.value} ({reason.value})"
        case dc.RequestAssignment() | dc.Enqueue() | dc.RoutingFailed() | dc.Close():
            return action.type
        case dc.RatingCard() | dc.RecordRating() | dc.Rejected():
            return action.type
        case _:
            assert_never(action)


def describe(event: dc.AnyEvent) -> str:
    match event:
        case dc.AgentStatusChanged(agent, status):
            return f"{agent}: {status.value}"
        case dc.Tick() | dc.Resumed():
            return "time"
        case (
            dc.UserEntered() | dc.AgentRequested() | dc.AssignmentAnswered()
            | dc.AssignmentFailed() | dc.AgentAccepted() | dc.AgentDeclined()
            | dc.AgentMessage() | dc.UserMessage() | dc.ConversationEnded()
            | dc.RatingInvited() | dc.RatingSubmitted() | dc.Transfer()
        ):
            return event.conversation
        case _:
            assert_never(event)


AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
desk = dc.Desk()
out: list[dc.AnyAction] = desk.handle(dc.AgentStatusChanged(at=AT, agent="a1", status="online"))
out += desk.handle(dc.ConversationEnded(at=AT, conversation="c1", by="user"))
lines = [carry_out(action) for action in out]
reason: dc.EventType = out[0].event_type if isinstance(out[0], dc.Rejected) else "tick"
status: dc.AgentState = dc.AgentState("break")
"""

# Each bad program, and a fragment of the error mypy must give for it.
BAD = {
    "misspelt status": (
        'dc.AgentStatusChanged(at=AT, agent="a1", status="onlien")',
        'Argument "status" to "AgentStatusChanged" has incompatible type',
    ),
    "misspelt party": (
        'dc.ConversationEnded(at=AT, conversation="c1", by="usr")',
        'Argument "by" to "ConversationEnded" has incompatible type',
    ),
    "status reason as a plain string": (
        'dc.SetAgentStatus(at=AT, agent="a1", status=dc.AgentState.BREAK, reason="tired")',
        'Argument "reason" to "SetAgentStatus" has incompatible type',
    ),
    "unknown event type in a rejection": (
        'dc.Rejected(at=AT, event_type="agent_accept", reason=dc.RejectReason.EXPIRED)',
        'Argument "event_type" to "Rejected" has incompatible type',
    ),
    "a match that forgets an action": (
        """
        def carry_out(action: dc.AnyAction) -> None:
            match action:
                case dc.Assign(conversation, agent):
                    pass
                case _:
                    assert_never(action)
        """,
        'Argument 1 to "assert_never" has incompatible type',
    ),
    "a positional pattern with too many fields": (
        """
        def carry_out(action: dc.AnyAction) -> None:
            match action:
                case dc.Assign(conversation, agent, at, more):
                    pass
        """,
        "Too many positional patterns for class pattern",
    ),
}

HEADER = """
from datetime import UTC, datetime
from typing import assert_never

import deskcore as dc

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
"""


def _mypy(tmp_path: Path, source: str) -> tuple[str, int]:
    program = tmp_path / "host.py"
    program.write_text(textwrap.dedent(source))
    stdout, stderr, status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--python-version",
            "3.11",
            str(program),
        ]
    )
    return stdout + stderr, status


def test_a_host_program_type_checks(tmp_path: Path) -> None:
    """Exhaustive matches over ``AnyAction`` and ``AnyEvent``, positional patterns and
    string statuses pass ``mypy --strict``."""
    output, status = _mypy(tmp_path, GOOD)
    assert status == 0, output


def test_mistakes_are_type_errors(tmp_path: Path) -> None:
    """Each bad program is refused by ``mypy --strict`` with the expected error."""
    sources = [HEADER]
    for index, (code, _) in enumerate(BAD.values()):
        sources.append(
            f"\n\ndef sample_{index}() -> None:\n"
            + textwrap.indent(textwrap.dedent(code).strip(), "    ")
        )
    output, status = _mypy(tmp_path, "\n".join(sources))
    assert status == 1, output
    for name, (_, message) in BAD.items():
        assert message in output, f"{name}: {message!r} not in\n{output}"
