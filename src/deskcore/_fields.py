"""The field kit of the desk's documents: settings and workloads alike.

A document section is a frozen ``attrs`` class whose fields each carry two functions in
their metadata: ``parse`` turns the document's form (``"10m"``, ``["09:00-18:00"]``) into
the Python value, and ``check`` validates a Python value, raising ``ValueError`` with a
message that says what was expected and what was given. A field may also carry
``schema``, the JSON Schema of its document form, which the kinds of field below derive
from the same limits their checks use. :func:`setting` makes such a
field; the constructor runs ``check`` (so values built in Python are validated too) and
the document loader (:mod:`deskcore._document`) runs ``parse`` then ``check`` field by
field, so both report the same faults with the same messages, each with its path.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import attrs

from ._durations import LONGEST, duration_schema, format_duration, parse_duration
from ._errors import SettingsError
from ._show import show
from ._templates import check_template, template_pattern

__all__ = [
    "MOST",
    "PRIORITY",
    "Check",
    "Faults",
    "Parse",
    "choice",
    "duration_check",
    "duration_field",
    "enum_field",
    "expect_bool",
    "expect_str",
    "flag_field",
    "instance_check",
    "int_check",
    "int_field",
    "join_path",
    "kind_of",
    "nullable",
    "optional_check",
    "optional_parse",
    "raise_faults",
    "section_field",
    "setting",
    "suggest",
    "template_check",
    "template_schema",
    "text_field",
    "wrap_check",
]

MOST = 1_000_000_000
"""The largest count a document or an event may give (a capacity, a queue length)."""

PRIORITY = 2**63 - 1
"""The largest priority a request may give (Q1); the smallest is ``-PRIORITY - 1``: the
range of a signed 64-bit integer, which any store can hold."""

Parse = Callable[[Any], Any]
Check = Callable[[Any], None]
Faults = list[tuple[str, str]]


def kind_of(value: object) -> str:
    """What a document value is, in the document's words (``"a string"``, ``"a table"``)."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return names.get(type(value), type(value).__name__)


def join_path(path: str, key: str) -> str:
    """Join a document path and a key or an ``[index]``: ``queue`` + ``max_wait``.

    >>> join_path("working_hours.weekly", "mon"), join_path("groups", "[1]")
    ('working_hours.weekly.mon', 'groups[1]')
    """
    if not path:
        return key
    if not key:
        return path
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def raise_faults(faults: Faults) -> None:
    """Raise the faults of a value's parts (``("[2]", message)`` pairs) together."""
    if faults:
        raise SettingsError(faults)


def suggest(name: str, choices: Sequence[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for a close name in ``choices``, or ``""``."""
    folded = {choice.lower(): choice for choice in choices}
    if name.lower() in folded:
        return f" (did you mean {show(folded[name.lower()])}?)"
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {show(close[0])}?)" if close else ""


def _same(value: Any) -> Any:
    return value


def expect_bool(value: object) -> None:
    """Refuse anything but ``True`` and ``False`` (``"false"`` is not a boolean)."""
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {show(value)} ({kind_of(value)})")


def expect_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {show(value)} ({kind_of(value)})")
    return value


def int_check(low: int, high: int | None = None) -> Check:
    def check(value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be an integer, got {show(value)} ({kind_of(value)})")
        if value < low:
            raise ValueError(f"must be >= {low}, got {value}")
        if high is not None and value > high:
            raise ValueError(f"must be <= {high}, got {value}")

    return check


def optional_check(check: Check) -> Check:
    """``check``, letting ``None`` (an "off" value) through."""

    def optional(value: object) -> None:
        if value is not None:
            check(value)

    return optional


def optional_parse(parse: Parse) -> Parse:
    """``parse``, reading JSON null as ``None``."""
    return lambda value: None if value is None else parse(value)


def choice(enum_type: type[enum.StrEnum]) -> tuple[Parse, Check, Parse]:
    """The ``parse``, ``check`` and attrs converter of a field holding ``enum_type``."""
    names = [member.value for member in enum_type]

    def parse(value: object) -> object:
        if isinstance(value, str) and value in names:
            return enum_type(value)
        if isinstance(value, str):
            listed = ", ".join(repr(name) for name in names)
            raise ValueError(f"must be one of {listed}, got {show(value)}{suggest(value, names)}")
        raise ValueError(f"must be a string, got {show(value)} ({kind_of(value)})")

    def check(value: object) -> None:
        if not isinstance(value, enum_type):
            parse(value)  # not a member, nor (see convert) a member's name: raises

    def convert(value: object) -> object:
        # "manual" given in Python means ServiceMode.MANUAL: the desk compares with `is`.
        return enum_type(value) if isinstance(value, str) and value in names else value

    return parse, check, convert


def wrap_check(check: Check) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator running ``check``; faults become a ``SettingsError`` with paths."""

    def validator(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        try:
            check(value)
        except SettingsError as exc:
            inner = [(join_path(attribute.name, path), message) for path, message in exc.errors]
            raise SettingsError(inner) from None
        except ValueError as exc:
            raise SettingsError([(attribute.name, str(exc))]) from None

    return validator


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema``, or JSON null (a field that is off)."""
    return {"anyOf": [schema, {"type": "null"}]}


def setting(
    default: Any = attrs.NOTHING,
    *,
    check: Check,
    parse: Parse = _same,
    schema: dict[str, Any] | None = None,
    **kw: Any,
) -> Any:
    """An ``attrs`` field whose value is validated by ``check`` and read by ``parse``;
    ``schema`` is the JSON Schema of its document form."""
    return attrs.field(
        default=default,
        validator=wrap_check(check),
        metadata={"check": check, "parse": parse, "schema": schema},
        **kw,
    )


def instance_check(cls: type) -> Check:
    """A check that the value is a ``cls``."""

    def check(value: object) -> None:
        if not isinstance(value, cls):
            raise ValueError(f"must be a {cls.__name__}, got {show(value)} ({kind_of(value)})")

    return check


def section_field(cls: type) -> Any:
    """A field holding a whole section, read from a table of the document."""
    return attrs.field(
        factory=cls, validator=wrap_check(instance_check(cls)), metadata={"section": cls}
    )


def enum_field(enum_type: type[enum.StrEnum], default: enum.StrEnum) -> Any:
    """A field holding a member of ``enum_type``; its value given as a string is converted."""
    parse, check, convert = choice(enum_type)
    schema = {"enum": [member.value for member in enum_type]}
    return setting(default, check=check, parse=parse, converter=convert, schema=schema)


# -- the kinds of field the settings use ----------------------------------------------------


def duration_check(*, zero: bool) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, timedelta):
            raise ValueError(f"must be a timedelta, got {show(value)} ({kind_of(value)})")
        if value < timedelta(0):
            raise ValueError(f"must not be negative, got {show(value)}")
        if value % timedelta(seconds=1):
            raise ValueError(f"must be a whole number of seconds, got {show(value)}")
        if not zero and not value:
            raise ValueError("must be longer than zero, got 0")
        if value > LONGEST:
            raise ValueError(
                f"must be at most {format_duration(LONGEST)} (10 years), "
                f"got {format_duration(value)}"
            )

    return check


def template_check(*variables: str) -> Check:
    allowed = frozenset(variables)

    def check(value: object) -> None:
        if value is None:
            raise ValueError('must be a string, got None (null); write "" to switch it off')
        fault = check_template(expect_str(value), allowed)
        if fault:
            raise ValueError(fault)

    return check


def duration_field(default: timedelta | None, *, zero: bool = False, optional: bool = False) -> Any:
    check = duration_check(zero=zero)
    schema = duration_schema(zero=zero, longest=LONGEST)
    if optional:
        return setting(
            default,
            check=optional_check(check),
            parse=optional_parse(parse_duration),
            schema=nullable(schema),
        )
    return setting(default, check=check, parse=parse_duration, schema=schema)


def int_field(default: int | None, low: int, high: int, *, optional: bool = False) -> Any:
    """A field holding an integer in ``low … high`` (``None`` too when ``optional``)."""
    check = int_check(low, high)
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if optional:
        return setting(default, check=optional_check(check), schema=nullable(schema))
    return setting(default, check=check, schema=schema)


def template_schema(*variables: str) -> dict[str, Any]:
    """The JSON Schema of a prompt text offering ``variables``."""
    return {"type": "string", "pattern": template_pattern(frozenset(variables))}


def text_field(default: str, *variables: str) -> Any:
    return setting(default, check=template_check(*variables), schema=template_schema(*variables))


def flag_field(default: bool) -> Any:
    return setting(default, check=expect_bool, schema={"type": "boolean"})
