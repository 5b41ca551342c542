"""JSON Schema (draft 2020-12) of the settings document, the events, the actions and
scenario files, generated from the definitions the loader and the codec read them with.

Every settings field carries the schema of its document form (the field kit derives it
from the same limits as its check); every event and action field has one beside its JSON
reader (:data:`~deskcore._codec.EVENT_FIELDS`, :data:`~deskcore._codec.ACTION_FIELDS`).
This module only assembles them, so a schema cannot drift from what the desk accepts.

What a schema cannot say is still refused by the loader and the codec: dates that do not
exist, rrules that do not parse, a reminder not shorter than the user timeout, two
overrides of one date, two language tags alike but for case, durations over 10 years
written as strings, and an event's ``since`` later than its ``at``. And JSON Schema
counts a number without a fraction as an integer: ``4.0`` validates where the decoder,
reading JSON, wants ``4``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from ._actions import ACTION_TYPES, Action
from ._codec import EVENT_FIELDS, INSTANT, action_wire
from ._events import EVENT_TYPES, Event
from ._settings import DeskSettings
from ._tags import TAG_PATTERN

__all__ = ["DIALECT", "SCHEMA_KINDS", "SchemaKind", "json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

SchemaKind: TypeAlias = Literal["settings", "event", "action", "scenario"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("settings", "event", "action", "scenario")
"""The kinds :func:`json_schema` describes."""

_TITLES = {
    "settings": "deskcore settings document",
    "event": "deskcore event",
    "action": "deskcore action",
    "scenario": "deskcore scenario file",
}


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a settings document, an event, an action or a
    scenario file, as a fresh dict (change it freely).

    A document that :func:`~deskcore.load_settings` (or an object that
    :func:`~deskcore.event_from_json` or :func:`~deskcore.action_from_json`) accepts
    validates; most of what they refuse does not (see the module's notes for what a
    schema cannot check). In a scenario, events are checked only for being objects with a
    ``type``, since a scenario may hold an erroneous event on purpose, and expected
    actions are partial: each key they give is checked, none is required but ``type``.

    >>> json_schema("event")["$defs"]["tick"]["required"]
    ['type', 'at']
    """
    if kind == "settings":
        body = _section(DeskSettings)
    elif kind == "event":
        body = _events()
    elif kind == "action":
        body = _actions(partial=False)
    elif kind == "scenario":
        body = _scenario()
    else:
        listed = ", ".join(repr(name) for name in SCHEMA_KINDS)
        raise ValueError(f"kind must be one of {listed}, got {kind!r}")
    return {"$schema": DIALECT, "title": _TITLES[kind], **body}


# -- settings --------------------------------------------------------------------------------


def _section(cls: type) -> dict[str, Any]:
    """The schema of a settings section: a table of its fields, nothing else."""
    properties: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        properties[field.name] = _setting(cls, field)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    rules: Mapping[str, Any] | None = getattr(cls, "schema_rules", None)
    if rules:
        schema.update(rules)
    return schema


def _setting(cls: type, field: attrs.Attribute[Any]) -> dict[str, Any]:
    metadata = field.metadata
    if "section" in metadata:
        return _section(metadata["section"])
    if "items" in metadata:
        return {"type": "array", "items": _section(metadata["items"])}
    if "entries" in metadata:
        return {
            "type": "object",
            "propertyNames": {"pattern": f"^(?:{TAG_PATTERN})$"},
            "additionalProperties": _section(metadata["entries"]),
        }
    schema: dict[str, Any] | None = metadata.get("schema")
    if schema is None:
        raise AssertionError(f"{cls.__name__}.{field.name} has no schema")
    copied: dict[str, Any] = _copy(schema)
    return copied


def _copy(schema: Any) -> Any:
    """A deep copy of a schema fragment, so callers may change what they get."""
    if isinstance(schema, Mapping):
        return {key: _copy(value) for key, value in schema.items()}
    if isinstance(schema, list | tuple):
        return [_copy(item) for item in schema]
    return schema


# -- events and actions ----------------------------------------------------------------------


def _event(cls: type[Event]) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"const": cls.type}}
    required = ["type"]
    for field in attrs.fields(cls):
        properties[field.name] = _copy(EVENT_FIELDS[field.name].schema)
        if field.default is attrs.NOTHING:
            required.append(field.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if cls.one_of:
        schema["oneOf"] = [{"required": [name]} for name in cls.one_of]
    return schema


def _events() -> dict[str, Any]:
    defs = {name: _event(cls) for name, cls in EVENT_TYPES.items()}
    return _union(defs)


def _action(cls: type[Action], *, partial: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"const": cls.type}}
    required = [] if partial else ["type"]
    for field in attrs.fields(cls):
        properties[field.name] = _copy(action_wire(cls, field.name).schema)
        if field.default is attrs.NOTHING and not partial:
            required.append(field.name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _actions(*, partial: bool) -> dict[str, Any]:
    defs = {name: _action(cls, partial=partial) for name, cls in ACTION_TYPES.items()}
    return _union(defs, partial=partial)


def _union(defs: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """One of the objects of ``defs``, told apart by ``type``; ``partial``: any of them,
    ``type`` too may be left out (an expected action in a scenario)."""
    refs = [{"$ref": f"#/$defs/{name}"} for name in defs]
    return {
        "type": "object",
        "required": [] if partial else ["type"],
        "properties": {"type": {"enum": list(defs)}},
        ("anyOf" if partial else "oneOf"): refs,
        "$defs": defs,
    }


# -- scenario files --------------------------------------------------------------------------


def _scenario() -> dict[str, Any]:
    actions = _actions(partial=True)
    block = {
        "type": "object",
        "properties": {
            "event": {"type": "integer", "minimum": 0},
            "actions": {"type": "array", "items": {"$ref": "#/$defs/action"}},
            "exact": {"type": "boolean"},
            "ordered": {"type": "boolean"},
            "error": {"type": "boolean"},
        },
        "required": ["event"],
        "additionalProperties": False,
    }
    properties = {
        "name": {"type": "string"},
        "settings": {"anyOf": [{"$ref": "#/$defs/settings"}, {"type": "string", "minLength": 1}]},
        "start": _copy(INSTANT.schema),
        # Events are JSON values the desk's decoder judges one by one: a scenario may
        # hold a malformed one on purpose (an expected error).
        "events": {"type": "array"},
        "expect": {"type": "array", "items": block},
    }
    action_defs = actions.pop("$defs")
    return {
        "type": "object",
        "properties": properties,
        "required": ["events"],
        "additionalProperties": False,
        "$defs": {"settings": _section(DeskSettings), "action": actions, **action_defs},
    }
