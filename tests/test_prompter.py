"""The prompter's count-only path (the simulator's): a prompt that would be sent is
counted by kind instead, leaving out the conversations the count is told to; a prompt
that rendering could leave empty is still rendered, so P2 holds."""

from __future__ import annotations

from typing import Any

from deskcore import PromptKind, SendPrompt, load_settings
from deskcore._prompts import PromptCount, Prompter
from deskcore._records import ConvRecord


def said(
    count: PromptCount | None, connected: str, name: str, conv: str = "c1"
) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    settings = load_settings({"prompts": {"connected": connected}})
    prompter = Prompter(out, settings, count=count)
    prompter.say(ConvRecord(conv), 5, PromptKind.CONNECTED, AgentName=name)
    return out


def test_count_only_counts_instead_of_sending() -> None:
    count = PromptCount({}, set())
    assert said(count, "Hi, this is $AgentName", "Mina") == []
    assert said(count, "Hi, this is $AgentName", "Mina") == []
    assert count.counts == {PromptKind.CONNECTED: 2}
    assert said(None, "Hi, this is $AgentName", "Mina") == [
        (SendPrompt, 5, "c1", PromptKind.CONNECTED, "Hi, this is Mina")
    ]


def test_count_only_leaves_out_the_uncounted() -> None:
    count = PromptCount({PromptKind.CONNECTED: 1}, {"early"})
    said(count, "Hi", "Mina", conv="early")
    said(count, "Hi", "Mina", conv="later")
    assert count.counts == {PromptKind.CONNECTED: 2}


def test_count_only_keeps_p2_for_texts_that_may_render_empty() -> None:
    """A text of variables only renders empty for empty values: not sent (P2), and so
    not counted either."""
    count = PromptCount({}, set())
    assert said(count, "$AgentName", "") == said(None, "$AgentName", "") == []
    assert said(count, "", "Mina") == said(None, "", "Mina") == []
    assert count.counts == {}
    said(count, "$AgentName", "Mina")
    assert count.counts == {PromptKind.CONNECTED: 1}
    assert said(None, "$AgentName", "Mina")[0][4] == "Mina"
