"""The settings as the engine reads them: taken once per settings, durations in µs.

The engine's hot paths read a duration or a flag at nearly every step; reading it from
the frozen settings tree means three attribute lookups and a ``timedelta`` division each
time. :class:`Config` holds them ready. It is built when a desk starts and again at each
``update_settings``, and every part of the engine reads the same one.
"""

from __future__ import annotations

from datetime import timedelta

from ._settings import DeskSettings, ServiceMode, Strategy, WebhookFallback
from ._time import LATEST, span_us

__all__ = ["Config"]


def _us(span: timedelta | None) -> int | None:
    return None if span is None else span_us(span)


class Config:
    """The values of one :class:`~deskcore.DeskSettings` that the engine reads."""

    __slots__ = (
        "accept_us",
        "break_on_timeout",
        "default_capacity",
        "hours_enabled",
        "interval_us",
        "latest_us",
        "manual",
        "max_length",
        "max_wait_us",
        "reassign_us",
        "reminder_us",
        "retention_us",
        "send_on_end",
        "send_on_timeout",
        "settings",
        "strategy",
        "user_choice",
        "user_timeout_us",
        "validity_us",
        "webhook",
        "webhook_fails",
        "webhook_us",
    )

    def __init__(self, settings: DeskSettings) -> None:
        self.settings = settings
        service, queue, closure = settings.service, settings.queue, settings.closure
        self.strategy = settings.assignment.strategy
        self.user_choice = self.strategy is Strategy.USER_CHOICE
        self.webhook = self.strategy is Strategy.WEBHOOK
        self.hours_enabled = settings.working_hours.enabled
        self.send_on_end = settings.ratings.send_on_end
        self.send_on_timeout = settings.ratings.send_on_timeout
        self.webhook_us = span_us(settings.assignment.webhook_timeout)
        self.webhook_fails = settings.assignment.webhook_fallback is WebhookFallback.FAIL
        self.manual = service.mode is ServiceMode.MANUAL
        self.accept_us = span_us(service.accept_timeout)
        self.break_on_timeout = service.break_on_timeout
        self.default_capacity = queue.max_concurrent
        self.max_length = queue.max_length
        self.max_wait_us = _us(queue.max_wait)
        self.interval_us = _us(queue.update_interval)  # None: "never" (Q3)
        self.user_timeout_us = _us(closure.user_timeout)
        self.reminder_us = _us(closure.reminder)
        self.reassign_us = _us(service.reassign_after)
        self.retention_us = span_us(closure.retention)
        self.validity_us = span_us(settings.ratings.validity)
        # The furthest after an event that a deadline it sets can fall: a card's expiry
        # plus the retention after it is the longest chain (D3).
        spans = (
            self.accept_us,
            self.webhook_us,
            self.max_wait_us,
            self.interval_us,
            self.user_timeout_us,
            self.reassign_us,
            self.validity_us + self.retention_us,
        )
        # The latest instant an event may have: its deadlines must fit in a datetime.
        self.latest_us = LATEST - max(span for span in spans if span is not None)
