"""Events built in Python are checked on construction (E1)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import deskcore
from deskcore import (
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    ConversationEnded,
    EventError,
    RatingSubmitted,
    Resumed,
    Tick,
)
from deskcore._events import with_at
from deskcore.testing.strategies import event_streams

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


class TestEventValidation:
    """Each field's check names the event and the field."""

    @pytest.mark.parametrize(
        ("build", "field"),
        [
            (lambda: AgentRequested(at=AT, conversation=""), "conversation"),
            (lambda: AgentRequested(at=AT, conversation=7), "conversation"),  # type: ignore[arg-type]
            (lambda: AgentStatusChanged(at=AT, agent="a", status="asleep"), "status"),  # type: ignore[arg-type]
            (lambda: AgentStatusChanged(at=AT, agent="a", status=3), "status"),  # type: ignore[arg-type]
            (lambda: AgentStatusChanged(at=AT, agent="a", status="online", groups=["g"]), "groups"),  # type: ignore[arg-type]
            (lambda: AgentStatusChanged(at=AT, agent="a", status="online", groups=("",)), "groups"),
            (
                lambda: AgentStatusChanged(at=AT, agent="a", status="online", capacity=-1),
                "capacity",
            ),
            (
                lambda: AgentStatusChanged(at=AT, agent="a", status="online", capacity=True),
                "capacity",
            ),
            (lambda: AgentStatusChanged(at=AT, agent="a", status="online", name=5), "name"),  # type: ignore[arg-type]
            (lambda: ConversationEnded(at=AT, conversation="c", by="robot"), "by"),  # type: ignore[arg-type]
            (lambda: RatingSubmitted(at=AT, conversation="c", score=4.0), "score"),  # type: ignore[arg-type]
            (lambda: RatingSubmitted(at=AT, conversation="c", score=4, comment=1), "comment"),  # type: ignore[arg-type]
        ],
    )
    def test_bad_fields(self, build: Any, field: str) -> None:
        """A bad value raises EventError naming the event type and the field."""
        with pytest.raises(EventError) as caught:
            build()
        assert caught.value.field == field
        assert str(caught.value).startswith(f"{caught.value.event_type}.{field}: ")

    def test_enum_values_as_strings(self) -> None:
        """A status given as its string becomes the enum member."""
        event = AgentStatusChanged(at=AT, agent="a", status="break")
        assert event.status is AgentState.BREAK


class TestModuleEntryPoint:
    """``python -m deskcore`` runs the command line."""

    def test_help(self) -> None:
        """--help prints the commands and exits 0 (in a fresh interpreter: under pytest,
        deskcore's own plugin has its modules loaded by the assertion rewriter)."""
        done = subprocess.run(
            [sys.executable, "-m", "deskcore", "--help"], capture_output=True, text=True
        )
        assert done.returncode == 0
        assert "validate" in done.stdout


@pytest.mark.parametrize(
    "cls",
    [*deskcore.EVENT_TYPES.values(), *deskcore.ACTION_TYPES.values()],
    ids=lambda cls: cls.type,
)
def test_match_args_are_the_fields_then_at(cls: type) -> None:
    """Positional patterns bind an event's or action's own fields in order, then ``at``."""
    names = [field.name for field in attrs.fields(cls) if field.name != "at"]
    assert getattr(cls, "__match_args__") == (*names, "at")  # noqa: B009


class TestWithAt:
    """``with_at``: the host's (or the runner's) stamp on an event, without rebuilding it."""

    @given(
        stream=event_streams(),
        shift=st.integers(-(10**9), 10**9),
        zone=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
    def test_same_as_evolve(self, stream: list[Any], shift: int, zone: tzinfo) -> None:
        for event in stream:
            if isinstance(event, Resumed):
                continue  # its own check of since against at: the next test
            at = (event.at + timedelta(microseconds=shift)).astimezone(zone)
            copy = with_at(event, at)
            assert copy == attrs.evolve(event, at=at) and copy.at is at
            assert type(copy) is type(event) and repr(copy) == repr(attrs.evolve(event, at=at))

    def test_resumed_keeps_its_check(self) -> None:
        start = datetime(2026, 3, 2, 9, tzinfo=UTC)
        event = Resumed(at=start, since=start - timedelta(minutes=5))
        assert with_at(event, start + timedelta(minutes=1)).at == start + timedelta(minutes=1)
        with pytest.raises(EventError):
            with_at(event, start - timedelta(minutes=10))  # before since

    def test_a_naive_stamp_is_refused(self) -> None:
        """As the constructor refuses it: naming the event and the field."""
        event = Tick(at=datetime(2026, 3, 2, 9, tzinfo=UTC))
        with pytest.raises(EventError) as caught:
            with_at(event, datetime(2026, 3, 2, 9))
        with pytest.raises(EventError) as made:
            Tick(at=datetime(2026, 3, 2, 9))
        assert (caught.value.event_type, caught.value.field) == ("tick", "at")
        assert str(caught.value) == str(made.value)
