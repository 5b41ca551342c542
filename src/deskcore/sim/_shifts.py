"""Agents' time: a team's status changes over a run, and whether a workload fits a desk."""

from __future__ import annotations

from typing import Any

from .._errors import SettingsError
from .._events import AgentState
from .._hours import Schedule
from .._settings import DeskSettings, Strategy
from .._time import from_us, to_us
from .._working_hours import WeeklyHours
from ._workload import Team, Workload

__all__ = ["check_fit", "shift_changes"]


def shift_changes(team: Team, zone: str, start: int, stop: int) -> list[tuple[int, AgentState]]:
    """A team's status changes in ``[start, stop)``: (instant, status), first at ``start``."""
    if team.hours is None:
        return [(start, AgentState.ONLINE)]
    begin, finish = from_us(start), from_us(stop)

    def periods(ranges: tuple[Any, ...]) -> list[tuple[int, int]]:
        week = [
            [(r.start, r.end) for r in ranges] if day in team.days else []
            for day in WeeklyHours.DAYS
        ]
        schedule = Schedule(zone=zone, weekly=week)
        return [(to_us(low), to_us(high)) for low, high in schedule.intervals(begin, finish)]

    points: list[tuple[int, AgentState]] = [(start, AgentState.OFFLINE)]
    pauses = periods(team.breaks) if team.breaks else []
    for low, high in periods(team.hours):
        low = max(low, start)
        points.append((low, AgentState.ONLINE))
        for pause_low, pause_high in pauses:
            pause_low, pause_high = max(pause_low, low), min(pause_high, high)
            if pause_low < pause_high:
                points += [(pause_low, AgentState.BREAK), (pause_high, AgentState.ONLINE)]
        points.append((high, AgentState.OFFLINE))
    points.sort(key=lambda point: point[0])  # stable: the later-listed wins at one instant
    return sorted(dict(points).items())


def check_fit(settings: DeskSettings, workload: Workload) -> None:
    """Faults that involve the desk's settings and the workload together."""
    errors: list[tuple[str, str]] = []
    groups = [group for group, _weight in workload.users.groups]
    strategy = settings.assignment.strategy
    if strategy is Strategy.USER_CHOICE:
        if not groups:
            errors.append(("users.groups", "must name the groups users pick (user_choice)"))
        allowed = settings.assignment.groups
        for group in groups:
            if group not in allowed:
                errors.append(
                    (f"users.groups.{group}", f"is not one of assignment.groups {list(allowed)}")
                )
    scores = workload.ratings.scores
    if scores is not None and len(scores) != settings.ratings.scale:
        errors.append(
            (
                "ratings.scores",
                f"must give {settings.ratings.scale} weights (ratings.scale), got {len(scores)}",
            )
        )
    if errors:
        raise SettingsError(errors)
