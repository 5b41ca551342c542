"""Prompt templates: ``$Name`` or ``${Name}`` variables, ``$$`` for a dollar sign.

Operator-written text is never given to ``str.format``; ``string.Template`` inserts each
value once and never expands it again (rule P3).
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Template

__all__ = ["check_template", "render"]


def check_template(text: str, allowed: frozenset[str]) -> str | None:
    """Return why ``text`` is not a valid template offering ``allowed``, or ``None``."""
    template = Template(text)
    if not template.is_valid():
        return f"malformed template {text!r} (write $$ for a dollar sign)"
    unknown = [name for name in template.get_identifiers() if name not in allowed]
    if unknown:
        offered = ", ".join(f"${name}" for name in sorted(allowed)) or "no variables"
        return f"unknown variable ${unknown[0]} (this prompt offers {offered})"
    return None


def render(text: str, values: Mapping[str, object] | None = None) -> str:
    """Render a template that :func:`check_template` accepted (rule P3).

    >>> render("You are number $QueuePosition, $$5 fee", {"QueuePosition": 2})
    'You are number 2, $5 fee'
    """
    if "$" not in text:
        return text
    return Template(text).safe_substitute({k: str(v) for k, v in (values or {}).items()})
