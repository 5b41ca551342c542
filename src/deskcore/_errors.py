"""The exceptions deskcore raises.

Every exception derives from :class:`DeskcoreError`, and each also derives from the
builtin it refines (``ValueError``), so ``except ValueError`` keeps working. Business
outcomes (nobody online, queue full, after hours, a late rating) are never exceptions:
they are returned actions.
"""

from __future__ import annotations

__all__ = ["ActionError", "DeskcoreError", "EventError", "NaiveTimeError", "SettingsError"]


class DeskcoreError(Exception):
    """Base class of every error deskcore raises."""


class SettingsError(DeskcoreError, ValueError):
    """A settings document (or a settings value) is invalid.

    ``errors`` lists every fault as ``(path, message)`` pairs, in document order, e.g.
    ``("queue.max_concurrent", "must be >= 1, got 0")``.
    """

    def __init__(self, errors: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> None:
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        lines = [f"{path}: {message}" if path else message for path, message in self.errors]
        count = len(self.errors)
        head = f"{count} error in settings" if count == 1 else f"{count} errors in settings"
        super().__init__(head + ":\n" + "\n".join(f"  {line}" for line in lines))


class EventError(DeskcoreError, ValueError):
    """An event the host should never send (rule E1); the desk is left unchanged.

    ``event_type`` names the event (``None`` when even its type is unreadable) and
    ``field`` the offending field (``None`` when the fault is the event as a whole).
    """

    def __init__(
        self,
        message: str,
        *,
        event_type: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.event_type = event_type
        self.field = field
        where = event_type or "event"
        if field:
            where += f".{field}"
        super().__init__(f"{where}: {message}")

    def to_json(self) -> dict[str, str | None]:
        """``{"error": message, "event_type": ..., "field": ...}``, what a service
        wrapping the desk may answer with (``None`` where unknown)."""
        return {"error": self.message, "event_type": self.event_type, "field": self.field}


class ActionError(DeskcoreError, ValueError):
    """The JSON form of an action (read back from a log) is malformed.

    ``action_type`` names the action (``None`` when even its type is unreadable) and
    ``field`` the offending field (``None`` when the fault is the action as a whole).
    """

    def __init__(
        self, message: str, *, action_type: str | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.action_type = action_type
        self.field = field
        where = action_type or "action"
        if field:
            where += f".{field}"
        super().__init__(f"{where}: {message}")


class NaiveTimeError(DeskcoreError, ValueError):
    """A datetime without a time zone was given where an aware instant is required (T1)."""
