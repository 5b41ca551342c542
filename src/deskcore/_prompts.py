"""Rendering the desk's prompts (P2, P3), each text split once and each result reused.

Operator-written texts are templates (``$Name``); a desk renders the same few texts with
the same few values again and again (a queue prompt per position, a connected prompt per
agent). A :class:`Prompter` splits each text once and keeps up to ``limit`` rendered
results, so a repeated prompt costs one dictionary lookup.
"""

from __future__ import annotations

from typing import Any

from ._actions import PromptKind, SendPrompt
from ._templates import Compiled, compile_template, render_compiled

__all__ = ["Prompter"]

LIMIT = 4096  # rendered prompts kept for reuse, at most


class Prompter:
    """Renders prompt texts with their values, reusing what it rendered before, and
    sends them as ``send_prompt`` actions into ``out``."""

    __slots__ = ("_compiled", "_rendered", "limit", "out")

    def __init__(self, out: list[tuple[Any, ...]], limit: int = LIMIT) -> None:
        self.out = out  # the engine's actions of the step
        self.limit = limit
        self._compiled: dict[str, Compiled] = {}  # text -> its parts
        self._rendered: dict[tuple[Any, ...], str] = {}  # (kind, text, *values) -> result

    def say(self, conv_id: str, now: int, kind: PromptKind, text: str, **values: Any) -> None:
        """Send ``conv_id`` the prompt ``text`` with ``values``, unless it renders empty (P2)."""
        if not text:
            return
        # One call site (kind) passes the same names in the same order.
        rendered = self.render((kind, text, *values.values()), text, values)
        if rendered:
            self.out.append((SendPrompt, now, conv_id, kind, rendered))

    def render(self, key: tuple[Any, ...], text: str, values: dict[str, Any]) -> str:
        """``text`` with ``values`` inserted once (P3), kept under ``key`` for reuse while
        fewer than ``limit`` are kept. ``key`` names the text and the values (one call
        site passes the same names in the same order)."""
        rendered = self._rendered.get(key)
        if rendered is None:
            parts = self._compiled.get(text)
            if parts is None:
                parts = self._compiled[text] = compile_template(text)
            rendered = render_compiled(parts, values)
            if len(self._rendered) < self.limit:
                self._rendered[key] = rendered
        return rendered

    def kept(self) -> int:
        """How many rendered prompts are kept."""
        return len(self._rendered)
