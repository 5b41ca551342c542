"""Q3: whether a waiting user is told their queue position now, else when to look again.

One function on integer instants (µs), used by the engine for every user behind a move
and by :func:`~deskcore.next_prompt` (which converts its datetimes), so the two cannot
disagree. It sits in a module of its own so the compiled build can compile it with the
engine.
"""

from __future__ import annotations

__all__ = ["prompt_due"]


def prompt_due(
    position: int,
    last_position: int | None,
    last_sent: int | None,
    interval: int | None,
    now: int,
) -> tuple[bool, int | None]:
    """``(send_now, due)`` for a user now at ``position``, last told ``last_position`` at
    ``last_sent``, with ``queue.update_interval`` of ``interval`` µs (``None`` for
    ``"never"``): ``due`` is the instant an update becomes allowed when one is wanted but
    the interval has not passed yet, else ``None``."""
    if last_position is None or last_sent is None:
        return True, None
    if position == last_position or interval is None:
        return False, None
    due = last_sent + interval
    if not interval or due <= now:
        return True, None
    return False, due
