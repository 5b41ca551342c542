"""Functions written for one frozen slotted class that make an instance slot by slot.

``Desk.handle`` builds every action it returns and the runner restamps every event it
takes; attrs' keyword constructor (and ``attrs.evolve``) runs each field's validator and
costs about twice as much as setting the slots through their descriptors. The builders
here are for values already known to be valid: the engine's raw actions, an event
copied with another aware instant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["slot_builder"]


def slot_builder(
    cls: type, parameters: str, values: Mapping[str, str], scope: Mapping[str, Any]
) -> Callable[..., Any]:
    """A function of ``parameters`` (``"r, now, at"``) that returns a new ``cls`` whose
    slot ``name`` holds the expression ``values[name]`` (written in those parameters and
    the names of ``scope``), for each of its fields in order."""
    setters = {f"set_{name}": getattr(cls, name).__set__ for name in values}
    body = [f"    set_{name}(made, {value})" for name, value in values.items()]
    source = "\n".join(
        [f"def build({parameters}):", "    made = new(cls)", *body, "    return made"]
    )
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, **scope, **setters}
    exec(source, namespace)  # the source is written above from the class's own field names
    build: Callable[..., Any] = namespace["build"]
    return build
