"""One prompt's text for a host that keeps its own state (:func:`render_prompt`).

The engine renders through its :class:`~deskcore._prompts.Prompter`, which keeps what it
rendered; this is the same lookup and rendering, once. It sits in a module of its own,
which the optional compiled build leaves interpreted, so that it keeps its docstring.
"""

from __future__ import annotations

from typing import Any

from ._languages import REASONS, TEXTS, reason_of, text_of
from ._settings import DeskSettings
from ._show import show
from ._templates import compile_template, render_compiled

__all__ = ["render_prompt"]


def render_prompt(
    settings: DeskSettings, kind: str, *, language: str | None = None, **values: Any
) -> str:
    """The text a desk with ``settings`` sends for the prompt ``kind`` (a prompt kind such
    as ``"connected"``, or ``"rating_card"``) to a conversation in ``language``, with
    ``values`` inserted once (P3, P4). For ``connect_failed``, a ``Reason`` that is a
    failure reason's code shows its text (P5). An empty result means the prompt is off.

    >>> from deskcore import DeskSettings
    >>> render_prompt(DeskSettings(), "connected", AgentName="Mina")
    'You are now chatting with Mina.'
    """
    if kind not in TEXTS:
        raise ValueError(f"unknown prompt kind {show(kind)}; the kinds are {', '.join(TEXTS)}")
    reason = values.get("Reason")
    if kind == "connect_failed" and reason in REASONS:
        values = {**values, "Reason": reason_of(settings, str(reason), language)}
    return render_compiled(compile_template(text_of(settings, kind, language)), values)
