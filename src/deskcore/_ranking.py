"""R5's ordering key of an agent with room, for the engine and for
:func:`~deskcore.rank_key` (which hosts call; it hands on to this one), so the two
cannot disagree. It sits in a module of its own so the compiled build can compile it
with the engine, which ranks an agent at every change of its load.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rank"]


def rank(
    agent_id: str, load: int, capacity: int, idle_since: Any, last_given: Any
) -> tuple[Any, ...]:
    """The key that :func:`~deskcore.rank_key` describes."""
    if load == 0:
        return (0, idle_since is not None, idle_since or 0, agent_id)
    # Equal fractions give equal doubles (IEEE division is correctly rounded), and distinct
    # fractions of capacities below 2**26 stay distinct, so the float order is exact.
    return (1, load / capacity, last_given is not None, last_given or 0, agent_id)
