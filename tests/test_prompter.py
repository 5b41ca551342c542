"""The prompter's count-only path (the simulator's): texts go out as written, and a
prompt that rendering could leave empty is still rendered, so P2 holds."""

from __future__ import annotations

from typing import Any

from deskcore import PromptKind, SendPrompt, load_settings
from deskcore._prompts import Prompter
from deskcore._records import ConvRecord


def said(render_texts: bool, connected: str, name: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    settings = load_settings({"prompts": {"connected": connected}})
    prompter = Prompter(out, settings, render_texts=render_texts)
    prompter.say(ConvRecord("c1"), 5, PromptKind.CONNECTED, AgentName=name)
    return out


def test_count_only_sends_the_text_as_written() -> None:
    assert said(False, "Hi, this is $AgentName", "Mina") == [
        (SendPrompt, 5, "c1", PromptKind.CONNECTED, "Hi, this is $AgentName")
    ]
    assert said(True, "Hi, this is $AgentName", "Mina") == [
        (SendPrompt, 5, "c1", PromptKind.CONNECTED, "Hi, this is Mina")
    ]


def test_count_only_keeps_p2_for_texts_that_may_render_empty() -> None:
    """A text of variables only renders empty for empty values: not sent (P2), either way."""
    for render_texts in (True, False):
        assert said(render_texts, "$AgentName", "") == []
        assert said(render_texts, "$AgentName", "Mina")[0][4] == "Mina"
        assert said(render_texts, "", "Mina") == []
