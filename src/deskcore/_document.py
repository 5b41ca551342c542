"""Reading and writing settings documents (TOML, JSON or a mapping).

The loader walks the document once, field by field, with each field's ``parse`` and
``check`` (see :mod:`deskcore._settings`), collecting every fault with its path; it never
stops at the first. ``dump_settings`` writes the plain mapping that loads back equal.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs

from ._durations import format_duration
from ._errors import SettingsError
from ._fields import join_path, kind_of, suggest
from ._settings import DeskSettings
from ._show import cut, show
from ._working_hours import TimeRange

__all__ = ["dump_settings", "load_settings", "read_document", "structure_document"]

T = TypeVar("T")
Errors = list[tuple[str, str]]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _report(errors: Errors, path: str, exc: ValueError) -> None:
    """Add the faults of ``exc`` at ``path``; a ``SettingsError`` names its parts'
    paths (``[2]`` of a list, ``date`` of an override) below ``path``."""
    if isinstance(exc, SettingsError):
        errors.extend((join_path(path, inner), message) for inner, message in exc.errors)
    else:
        errors.append((path, str(exc)))


def _key(key: object) -> str:
    """A key as written in a path: bare when it can be, else quoted (``"a.b"``); a key
    of over 60 characters is cut."""
    text = str(key)
    if len(text) > 60:
        text = text[:57] + "..."
    return text if _BARE_KEY.fullmatch(text) else json.dumps(text)


def _got(value: object) -> str:
    kind = kind_of(value)
    return kind if isinstance(value, list | tuple | Mapping) else f"{show(value)} ({kind})"


def _structure(cls: type[T], data: object, path: str, errors: Errors) -> T | None:
    """Build ``cls`` from a table, adding every fault to ``errors``; None if any."""
    if not isinstance(data, Mapping):
        errors.append((path or "(document)", f"must be a table, got {_got(data)}"))
        return None
    fields = {field.name: field for field in attrs.fields(cls) if field.init}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    before = len(errors)
    for key, raw in data.items():
        where = join_path(path, _key(key))
        field = fields.get(key)
        if field is None:
            errors.append((where, f"unknown key{suggest(str(key), list(fields))}"))
            continue
        shorthand = field.metadata.get("shorthand")
        if shorthand is not None and not isinstance(raw, Mapping):
            try:  # a section written as one value (a workload's `time = "5m"`)
                values[key] = shorthand(raw)
            except SettingsError as exc:
                errors.extend((where, message) for _inner, message in exc.errors)
            except ValueError as exc:
                errors.append((where, str(exc)))
        elif "section" in field.metadata:
            values[key] = _structure(field.metadata["section"], raw, where, errors)
        elif "items" in field.metadata:
            values[key] = _structure_items(field, raw, where, errors)
        elif "entries" in field.metadata:
            values[key] = _structure_entries(field, raw, where, errors)
        else:
            try:
                value = field.metadata["parse"](raw)
                field.metadata["check"](value)
            except ValueError as exc:
                _report(errors, where, exc)
                continue
            values[key] = value
    if len(errors) > before:
        return None
    try:
        return cls(**values)
    except SettingsError as exc:  # faults that involve more than one field
        _report(errors, path, exc)
        return None


def _structure_items(field: attrs.Attribute[Any], raw: object, path: str, errors: Errors) -> Any:
    """Build a list of tables; faults between items (a repeated date) are reported with
    the later item, in document order, even when other items have faults."""
    if not isinstance(raw, list | tuple):
        errors.append((path, f"must be a list of tables, got {_got(raw)}"))
        return None
    items: list[Any] = []
    own: list[Errors] = []
    for index, item in enumerate(raw):
        own.append([])
        items.append(_structure(field.metadata["items"], item, f"{path}[{index}]", own[-1]))
    for index, key, message in field.metadata["item_faults"](items):
        own[index].append((join_path(f"{path}[{index}]", key), message))
    for faults in own:
        errors.extend(faults)
    return tuple(items)


def _structure_entries(field: attrs.Attribute[Any], raw: object, path: str, errors: Errors) -> Any:
    """Build a table of sections by key (``languages.ko``); faults of the keys (a
    malformed tag, two tags alike) are reported with the key."""
    if not isinstance(raw, Mapping):
        errors.append((path, f"must be a table, got {_got(raw)}"))
        return None
    faults: dict[Any, list[str]] = {}
    for key, message in field.metadata["entry_faults"](raw):
        faults.setdefault(key, []).append(message)
    entries = {}
    for key, value in raw.items():
        where = join_path(path, _key(key))
        errors.extend((where, message) for message in faults.get(key, ()))
        entries[key] = _structure(field.metadata["entries"], value, where, errors)
    return MappingProxyType(entries)


def _read_text(text: str, *, json_form: bool) -> object:
    kind = "JSON" if json_form else "TOML"
    try:
        if json_form:
            return json.loads(text)
        return tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError([("", f"not valid JSON: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([("", f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise SettingsError([("", f"not readable {kind}: nested too deeply")]) from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise SettingsError([("", f"not readable {kind}: {cut(str(exc))}")]) from None


def read_document(source: object) -> object:
    """The tree of a document given as a mapping, a file path or TOML/JSON text.

    A ``pathlib.Path`` or a one-line ``str`` ending in ``.toml`` or ``.json`` is a file (JSON
    when its name ends in ``.json``); other text is JSON when it starts with ``{``. Any
    other value is taken as the tree itself (and found wanting: a document is a table).
    Raises ``SettingsError`` for text that does not parse and ``OSError`` for a file that
    cannot be read.
    """
    if isinstance(source, os.PathLike):
        return _read_file(Path(source))
    if not isinstance(source, str):
        return source
    if "\n" not in source and source.lower().endswith((".toml", ".json")):
        return _read_file(Path(source))
    return _read_text(source, json_form=source.lstrip().startswith("{"))


def _read_file(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SettingsError([("", f"not UTF-8 text: {exc}")]) from None
    return _read_text(text, json_form=path.suffix.lower() == ".json")


def structure_document(cls: type[T], document: object) -> T:
    """Build ``cls`` (an attrs class of settings fields) from a document's tree.

    Every fault is collected with its path and raised together as one ``SettingsError``.
    """
    errors: Errors = []
    built = _structure(cls, document, "", errors)
    if errors or built is None:
        raise SettingsError(errors)
    return built


def load_settings(source: Mapping[str, Any] | str | os.PathLike[str]) -> DeskSettings:
    """Load and validate a settings document.

    ``source`` is a mapping (the document's tree), a path (``pathlib.Path``, or a one-line
    ``str`` ending in ``.toml`` or ``.json``), or the document's text (JSON when it starts
    with ``{``, TOML otherwise). A file is JSON when its name ends in ``.json``, TOML
    otherwise.

    Raises :class:`~deskcore.SettingsError` listing every fault of the document with its
    path (for any value given, even one that is no document at all), and ``OSError``
    when a file cannot be read. Documents nested deeper than Python's recursion limit
    allows, and integers of over 4,300 digits, are faults of the document.

    >>> load_settings('[queue]\\nmax_concurrent = 3').queue.max_concurrent
    3
    """
    return structure_document(DeskSettings, read_document(source))


def _dump_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    converter.register_unstructure_hook(timedelta, format_duration)
    converter.register_unstructure_hook(TimeRange, str)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(
        tuple, lambda items: [converter.unstructure(i) for i in items]
    )
    return converter


_CONVERTER = _dump_converter()


def _drop_none(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {key: _drop_none(value) for key, value in tree.items() if value is not None}
    if isinstance(tree, list):
        return [_drop_none(item) for item in tree]
    return tree


def dump_settings(settings: DeskSettings) -> dict[str, Any]:
    """The settings as a plain mapping of JSON/TOML values that loads back equal.

    Every key is written, defaults included; a field that is off is left out (TOML has no
    null), except ``queue.update_interval``, written ``"never"``.

    >>> dump_settings(DeskSettings())["queue"]["max_concurrent"]
    5
    """
    tree: dict[str, Any] = _CONVERTER.unstructure(settings)
    if settings.queue.update_interval is None:
        tree["queue"]["update_interval"] = "never"
    result: dict[str, Any] = _drop_none(tree)
    return result
