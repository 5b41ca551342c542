"""Working hours with many or far-reaching override rules: how long a query takes.

    .venv/bin/python benchmarks/bench_hours.py

Each case builds the settings, then times its queries on a fresh schedule (nothing
cached), best of three. Prints figures; never fails on speed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from deskcore import WorkingHoursSettings, load_settings

START = datetime(2026, 1, 1, tzinfo=UTC)


def hours(dates: list[dict[str, Any]]) -> WorkingHoursSettings:
    """Working hours with these overrides (enabled, UTC, the default week)."""
    return load_settings({"working_hours": {"enabled": True, "dates": dates}}).working_hours


def yearly(count: int, ranges: list[str]) -> list[dict[str, Any]]:
    """``count`` yearly date rules spread over the year."""
    return [
        {"rrule": f"FREQ=YEARLY;BYMONTH={1 + n % 12};BYMONTHDAY={1 + n % 28}", "hours": ranges}
        for n in range(count)
    ]


CASES: list[
    tuple[str, Callable[[], list[dict[str, Any]]], Callable[[WorkingHoursSettings], Any]]
] = [
    (
        "300 yearly rules, 10 requests over a year",
        lambda: yearly(300, []),
        lambda h: [h.next_open(START + timedelta(days=37 * k)) for k in range(10)],
    ),
    (
        "10,000 yearly rules, next_open",
        lambda: yearly(10_000, ["10:00-11:00"]),
        lambda h: h.next_open(START),
    ),
    (
        "FREQ=DAILY rule, next_open at year 9000",
        lambda: [{"rrule": "FREQ=DAILY;BYDAY=SA", "hours": []}],
        lambda h: h.next_open(datetime(9000, 1, 1, tzinfo=UTC)),
    ),
    (
        "BYSETPOS rule (dateutil), is_open at year 9000",
        lambda: [{"rrule": "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "hours": []}],
        lambda h: h.is_open(datetime(9000, 6, 30, 12, tzinfo=UTC)),
    ),
    (
        "unsatisfiable rule, first is_open",
        lambda: [{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "hours": []}],
        lambda h: h.is_open(START),
    ),
    (
        "unsatisfiable rule, the validate warning",
        lambda: [{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "hours": []}],
        lambda h: h.warnings(),
    ),
    (
        "unsatisfiable BYSETPOS rule (dateutil), first is_open",
        lambda: [{"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1", "hours": []}],
        lambda h: h.is_open(START),
    ),
    (
        "unsatisfiable BYSETPOS rule (dateutil), the warning",
        lambda: [{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYSETPOS=1", "hours": []}],
        lambda h: h.warnings(),
    ),
]


def main() -> None:
    """Time each case."""
    for name, dates, query in CASES:
        document = dates()
        best = float("inf")
        for _ in range(3):
            fresh = hours(document)
            began = time.perf_counter()
            query(fresh)
            best = min(best, time.perf_counter() - began)
        print(f"  {name:<56} {best * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
