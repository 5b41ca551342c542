"""The actions of one step, with readable accessors, and ``assert_actions``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .._actions import Action, AnyAction, Assign, SendPrompt
from .._codec import action_to_json
from .._matching import compare

__all__ = ["Step", "assert_actions"]

A = TypeVar("A", bound=Action)


class Step(list[AnyAction]):
    """The actions the desk returned for one event, in order, with accessors.

    It is a plain ``list`` of actions (compare it, index it, iterate it), plus:

    >>> from datetime import UTC, datetime
    >>> step = Step([Assign(at=datetime(2026, 3, 2, tzinfo=UTC), conversation="c1", agent="a1")])
    >>> step.types, step.assigned
    (['assign'], {'c1': 'a1'})
    """

    def of(self, kind: type[A]) -> list[A]:
        """The actions of one class, in order: ``step.of(Offer)``."""
        return [action for action in self if isinstance(action, kind)]

    def one(self, kind: type[A]) -> A:
        """The one action of a class; ``AssertionError`` listing the step otherwise."""
        found = self.of(kind)
        if len(found) != 1:
            raise AssertionError(
                f"expected one {kind.type} action, got {len(found)} in:\n{self.describe()}"
            )
        return found[0]

    @property
    def types(self) -> list[str]:
        """The wire type of each action, in order."""
        return [action.type for action in self]

    @property
    def assigned(self) -> dict[str, str]:
        """Conversation to agent, for each ``assign`` of the step."""
        return {action.conversation: action.agent for action in self.of(Assign)}

    def texts(self, conversation: str | None = None) -> list[str]:
        """The texts sent to users (to one conversation's, if given), in order."""
        return [
            action.text
            for action in self.of(SendPrompt)
            if conversation is None or action.conversation == conversation
        ]

    def to_json(self) -> list[dict[str, Any]]:
        """The actions' JSON objects."""
        return [action_to_json(action) for action in self]

    def describe(self) -> str:
        """One JSON line an action (``(no actions)`` when empty)."""
        if not self:
            return "  (no actions)"
        return "\n".join(f"  {_line(action_to_json(action))}" for action in self)

    def __repr__(self) -> str:
        return f"Step({list.__repr__(self)})"


def _line(data: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in data.items())


def _plain(item: Action | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, Action):
        return action_to_json(item)
    if isinstance(item, Mapping):
        return dict(item)
    raise TypeError(f"expected an action or a JSON object, got {item!r}")


def assert_actions(
    actions: Iterable[Action | Mapping[str, Any]],
    expected: Iterable[Action | Mapping[str, Any]],
    *,
    exact: bool = True,
    ordered: bool = False,
) -> None:
    """Check actions as a scenario's ``expect`` block does; raise ``AssertionError``
    with field-level differences when they fall short.

    ``expected`` holds action objects or partial JSON objects (``{"type": "offer",
    "agent": "a1"}``): each must match a distinct action on every key it gives (instants
    as instants, enums as their values); with ``exact`` no other action may be there,
    with ``ordered`` the matches come in the order given.
    """
    actual = [_plain(item) for item in actions]
    problems = compare([_plain(item) for item in expected], actual, exact=exact, ordered=ordered)
    if problems:
        listing = "\n".join(f"  {_line(item)}" for item in actual) or "  (no actions)"
        raise AssertionError("\n".join(problems) + "\nthe actions were:\n" + listing)
