"""Prompt templates: ``$Name`` or ``${Name}`` variables, ``$$`` for a dollar sign.

Operator-written text is never given to ``str.format``; ``string.Template`` inserts each
value once and never expands it again (rule P3).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from string import Template

from ._show import show

__all__ = ["check_template", "compile_template", "render", "render_compiled", "template_pattern"]


def _malformed_at(template: Template) -> int | None:
    """The index of the first ``$`` that starts no variable and no ``$$``, if any."""
    for match in template.pattern.finditer(template.template):
        if match.group("invalid") is not None:
            return match.start()
    return None


def _hint(name: str, allowed: frozenset[str]) -> str:
    """A ``" (did you mean $X?)"`` hint for a variable close to one in ``allowed``."""
    folded = {variable.lower(): variable for variable in allowed}
    close = folded.get(name.lower())
    if close is None:
        matches = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
        close = matches[0] if matches else None
    return f" (did you mean ${close}?)" if close else ""


def check_template(text: str, allowed: frozenset[str]) -> str | None:
    """Return why ``text`` is not a valid template offering ``allowed``, or ``None``.

    A template is malformed when a ``$`` is followed by neither a name, ``{name}`` nor
    another ``$``; it is also refused when it names a variable outside ``allowed``.

    >>> check_template("Hi $Name", frozenset({"AgentName"}))
    'unknown variable $Name (did you mean $AgentName?); this prompt offers $AgentName'
    >>> check_template("Costs $$5", frozenset()) is None
    True
    """
    template = Template(text)
    position = _malformed_at(template)
    if position is not None:
        return (
            f"malformed template: the '$' at position {position} is not followed by a name, "
            f"'{{name}}' or '$' (write $$ for a dollar sign), got {show(text)}"
        )
    unknown = [name for name in template.get_identifiers() if name not in allowed]
    if not unknown:
        return None
    offered = ", ".join(f"${name}" for name in sorted(allowed)) or "no variables"
    named = ", ".join(f"${name}{_hint(name, allowed)}" for name in unknown)
    plural = "s" if len(unknown) > 1 else ""
    return f"unknown variable{plural} {named}; this prompt offers {offered}"


def template_pattern(allowed: frozenset[str]) -> str:
    """A regular expression (JSON Schema's dialect and Python's alike) matching exactly
    the texts :func:`check_template` accepts with ``allowed``: other characters, ``$$``,
    and ``$Name`` or ``${Name}`` for a name in ``allowed``.

    >>> print(template_pattern(frozenset({"Score"})))
    ^(?:[^$]|\\$\\$|\\$(?:Score)(?![_A-Za-z0-9])|\\$\\{(?:Score)\\})*$
    """
    parts = ["[^$]", r"\$\$"]
    if allowed:
        names = "|".join(sorted(allowed))
        # A name runs as far as identifier characters go: "$Scores" names "Scores".
        parts += [rf"\$(?:{names})(?![_A-Za-z0-9])", rf"\$\{{(?:{names})\}}"]
    return "^(?:" + "|".join(parts) + ")*$"


def render(text: str, values: Mapping[str, object] | None = None) -> str:
    """Render a template that :func:`check_template` accepted (rule P3).

    >>> render("You are number $QueuePosition, $$5 fee", {"QueuePosition": 2})
    'You are number 2, $5 fee'
    """
    if "$" not in text:
        return text
    return Template(text).safe_substitute({k: str(v) for k, v in (values or {}).items()})


Compiled = tuple[tuple[str, str | None, str], ...]


def compile_template(text: str) -> Compiled:
    """Split a template into ``(literal, variable, as written)`` parts.

    ``variable`` is ``None`` for a part that is only literal text; ``$$`` becomes ``$``,
    and a ``$`` that starts no variable stays as it is (as ``safe_substitute`` does).

    >>> compile_template("Hi $AgentName, $$1")
    (('Hi ', 'AgentName', '$AgentName'), (', $1', None, ''))
    """
    template = Template(text)
    parts: list[tuple[str, str | None, str]] = []
    literal = ""
    end = 0
    for match in template.pattern.finditer(text):
        literal += text[end : match.start()]
        end = match.end()
        name = match.group("named") or match.group("braced")
        if name is None:
            literal += "$" if match.group("escaped") is not None else match.group()
            continue
        parts.append((literal, name, match.group()))
        literal = ""
    literal += text[end:]
    if literal or not parts:
        parts.append((literal, None, ""))
    return tuple(parts)


def render_compiled(parts: Compiled, values: Mapping[str, object]) -> str:
    """Render a compiled template; a variable without a value is left as written (P3).

    >>> render_compiled(compile_template("No. $QueuePosition"), {"QueuePosition": 3})
    'No. 3'
    """
    out = []
    for literal, name, written in parts:
        out.append(literal)
        if name is not None:
            value = values.get(name)
            out.append(written if value is None else str(value))
    return "".join(out)
