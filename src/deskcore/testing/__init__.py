"""A kit for testing desk policies: a driver with a fake clock, action assertions,
invariants, hypothesis strategies and a pytest plugin.

- :class:`DeskDriver`: a desk, a clock that moves only when told, and event builders
  with defaults (``driver.online("a1")``, ``driver.request("c1")``,
  ``driver.advance("90s")``); each returns the :class:`Step` of actions.
- :func:`assert_actions`: the matching and field-level differences of
  ``deskcore check``, for actions in a test.
- :func:`check_invariants`: what holds of every desk after every event.
- :mod:`deskcore.testing.strategies` (needs ``hypothesis``, the ``testing`` extra):
  ``settings()`` and ``event_streams(settings)``.
- :mod:`deskcore.testing.plugin`: the pytest plugin (fixtures ``desk_settings``,
  ``desk`` and ``desk_driver``; scenario files collected as tests), registered when
  deskcore is installed.
"""

from __future__ import annotations

from ._driver import START, DeskDriver, Moment
from ._invariants import InvariantError, check_invariants
from ._steps import Step, assert_actions

__all__ = [
    "START",
    "DeskDriver",
    "InvariantError",
    "Moment",
    "Step",
    "assert_actions",
    "check_invariants",
]
