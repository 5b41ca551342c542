"""Rule tests: working hours (W1, W2, W3), one class per rule, each asserting the
exact actions the desk returns.

Instants are seconds after ``helpers.T0``; prompt texts are those of ``helpers.BASE``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import (
    ask,
    connected,
    make_desk,
    make_settings,
    routing_failed,
    same,
    say,
    status,
)


class TestRuleW1:
    """W1: a date's ranges; ranges past midnight; overrides."""

    def test_range_past_midnight_survives_an_override_of_the_next_date(self) -> None:
        """W1: Monday 22:00-02:00 is open at Tuesday 01:00 though Tuesday is overridden closed."""
        hours = {
            "enabled": True,
            "weekly": {"mon": ["22:00-02:00"]},
            "dates": [{"date": "2026-03-03", "hours": []}],
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1", capacity=5))
        tuesday_1am = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
        same(
            desk.handle(ask(tuesday_1am, "c1")),
            say(tuesday_1am, "c1", "connecting", "C"),
            connected(tuesday_1am, "c1", "a1"),
        )
        tuesday_2am = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
        same(
            desk.handle(ask(tuesday_2am, "c2")),
            say(tuesday_2am, "c2", "after_hours", "AH 2026-03-09 22:00"),
            routing_failed(tuesday_2am, "c2", "outside_hours"),
        )

    def test_rrule_override_replaces_the_weekday(self) -> None:
        """W1: a matching rrule's ranges replace the weekday's."""
        hours = {
            "enabled": True,
            "dates": [{"rrule": "FREQ=WEEKLY;BYDAY=MO", "hours": ["10:00-11:00"]}],
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(
            desk.handle(ask(0, "c1")),  # Monday 09:00: default hours would be open
            say(0, "c1", "after_hours", "AH 2026-03-02 10:00"),
            routing_failed(0, "c1", "outside_hours"),
        )


class TestRuleW2:
    """W2: local times in a DST gap mean the first instant after it."""

    def test_range_starting_in_the_gap_opens_after_it(self) -> None:
        """W2: 02:30 on spring-forward night in New York opens at 03:00 EDT (07:00 UTC)."""
        hours = {
            "enabled": True,
            "timezone": "America/New_York",
            "weekly": {"sun": ["02:30-04:00"]},
        }
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1", capacity=5))
        before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
        same(
            desk.handle(ask(before, "c1")),
            say(before, "c1", "after_hours", "AH 2026-03-08 03:00"),
            routing_failed(before, "c1", "outside_hours"),
        )
        after = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
        same(
            desk.handle(ask(after, "c2")),
            say(after, "c2", "connecting", "C"),
            connected(after, "c2", "a1"),
        )


class TestRuleW3:
    """W3: ``$NextOpen`` in local time."""

    def test_next_open_is_local_time(self) -> None:
        """W3: the next opening is shown in the desk's zone as ``YYYY-MM-DD HH:MM``."""
        hours = {"enabled": True, "timezone": "Asia/Seoul", "weekly": {"tue": ["09:30-10:00"]}}
        desk = make_desk(make_settings(working_hours=hours), status(0, "a1"))
        same(
            desk.handle(ask(0, "c1")),
            say(0, "c1", "after_hours", "AH 2026-03-03 09:30"),
            routing_failed(0, "c1", "outside_hours"),
        )
