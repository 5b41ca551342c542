"""Rendering the desk's prompts in the conversation's language (P2–P5), each text split
once and each result reused.

Operator-written texts are templates (``$Name``); a desk renders the same few texts with
the same few values again and again (a queue prompt per position, a connected prompt per
agent). A :class:`Prompter` looks each text up once per language (P4: the language's
fallback chain, then the base text), splits it once, and keeps up to ``limit`` rendered
results, so a repeated prompt costs a few dictionary lookups.

:func:`~deskcore.render_prompt` (in :mod:`deskcore._render`) is the same for hosts that
keep their own state.
"""

from __future__ import annotations

from typing import Any

from ._actions import PromptKind, SendPrompt
from ._languages import REASONS, TEXTS, reason_of, text_of
from ._records import ConvRecord
from ._settings import DeskSettings
from ._templates import Compiled, compile_template, render_compiled

__all__ = ["PromptCount", "Prompter"]

LIMIT = 4096  # rendered prompts kept for reuse, at most
LANGUAGES = 1024  # languages whose texts are kept looked up, at most
Table = dict[str, str]


def _table(settings: DeskSettings, language: str | None) -> Table:
    """Every text and reason text for ``language``: ``kind`` and ``"reason:<code>"``."""
    table = {kind: text_of(settings, kind, language) for kind in TEXTS}
    for reason in REASONS:
        table[f"reason:{reason}"] = reason_of(settings, reason, language)
    return table


class PromptCount:
    """Where a count-only prompter counts the prompts it would send: ``counts`` by kind,
    leaving out the conversations in ``uncounted`` (the simulator's warm-up). Its owner
    may change both as the run goes on."""

    __slots__ = ("counts", "uncounted")

    def __init__(self, counts: dict[PromptKind, int], uncounted: set[str]) -> None:
        self.counts = counts
        self.uncounted = uncounted


class Prompter:
    """Renders prompt texts with their values, reusing what it rendered before, and
    sends them as ``send_prompt`` actions into ``out``; or, given a :class:`PromptCount`,
    only counts them there."""

    __slots__ = (
        "_base",
        "_compiled",
        "_rendered",
        "_solid",
        "_tables",
        "count",
        "limit",
        "on",
        "out",
        "settings",
    )

    def __init__(
        self,
        out: list[tuple[Any, ...]],
        settings: DeskSettings,
        limit: int = LIMIT,
        *,
        count: PromptCount | None = None,
    ) -> None:
        self.out = out  # the engine's actions of the step
        self.limit = limit
        # The simulator's count-only path: a prompt that would be sent is counted, not
        # sent, and rendered only when rendering could leave it empty (P2 holds).
        self.count = count
        self._solid: dict[str, bool] = {}  # text -> it has literal text of its own
        self._compiled: dict[str, Compiled] = {}  # text -> its parts
        self._rendered: dict[tuple[Any, ...], str] = {}  # (kind, text, *values) -> result
        self._tables: dict[str, Table] = {}
        self.configure(settings)

    def configure(self, settings: DeskSettings) -> None:
        """Read the texts of ``settings`` from now on."""
        self.settings = settings
        self._base = _table(settings, None)
        self._tables.clear()
        self._rendered.clear()
        self._solid.clear()
        # The kinds some conversation may be sent: a caller may skip preparing the values
        # of any other kind.
        tags = [None, *settings.languages]
        self.on = frozenset(kind for kind in TEXTS if any(text_of(settings, kind, t) for t in tags))

    def texts(self, language: str | None) -> Table:
        """The texts for a conversation in ``language`` (P4)."""
        if language is None:
            return self._base
        table = self._tables.get(language)
        if table is None:
            if len(self._tables) >= LANGUAGES:
                self._tables.clear()
            table = self._tables[language] = _table(self.settings, language)
        return table

    def say(self, conv: ConvRecord, now: int, kind: PromptKind, **values: Any) -> None:
        """Send ``conv`` the prompt of ``kind`` with ``values``, unless it is off (P2)."""
        text = (self._base if conv.language is None else self.texts(conv.language))[kind]
        if not text:
            return
        count = self.count
        if count is not None:
            if not self.counted(conv, kind) and self.render(
                (kind, text, *values.values()), text, values
            ):
                counts = count.counts
                counts[kind] = counts.get(kind, 0) + 1
            return
        # One call site (kind) passes the same names in the same order.
        rendered = self.render((kind, text, *values.values()), text, values)
        if rendered:
            self.out.append((SendPrompt, now, conv.id, kind, rendered))

    def counted(self, conv: ConvRecord, kind: PromptKind) -> bool:
        """On the count-only path: settle the prompt of ``kind`` for ``conv`` where its
        values cannot matter (its text is off, the conversation is not counted, or the
        text has literal text of its own, so it is never empty: counted); whether it did.
        Otherwise only the rendered text tells whether it is sent (P2)."""
        count = self.count
        assert count is not None
        text = (self._base if conv.language is None else self.texts(conv.language))[kind]
        if not text or conv.id in count.uncounted:
            return True
        solid = self._solid.get(text)
        if solid is None:
            solid = self._solid[text] = any(part[0] for part in self._parts(text))
        if solid:
            counts = count.counts
            counts[kind] = counts.get(kind, 0) + 1
        return solid

    def reason(self, conv: ConvRecord, reason: str) -> str:
        """What ``$Reason`` shows for ``reason`` in the conversation's language (P5)."""
        return self.texts(conv.language).get(f"reason:{reason}", reason)

    def render(self, key: tuple[Any, ...], text: str, values: dict[str, Any]) -> str:
        """``text`` with ``values`` inserted once (P3), kept under ``key`` for reuse while
        fewer than ``limit`` are kept. ``key`` names the text and the values (one call
        site passes the same names in the same order)."""
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = render_compiled(self._parts(text), values)
            if len(self._rendered) < self.limit:
                self._rendered[key] = rendered
        return rendered

    def _parts(self, text: str) -> Compiled:
        """``text`` split into its parts, once."""
        parts = self._compiled.get(text)
        if parts is None:
            parts = self._compiled[text] = compile_template(text)
        return parts

    def kept(self) -> int:
        """How many rendered prompts are kept."""
        return len(self._rendered)
