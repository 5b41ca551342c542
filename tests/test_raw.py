"""The raw forms of events and actions that the engine takes and returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from deskcore import ACTION_TYPES, EVENT_TYPES, UNSET, AgentState, AgentStatusChanged, Tick
from deskcore import _raw as raw
from deskcore._raw import BUILD, EVENT_CLASSES, FIELDS, LAYOUT, NAMES, STATUS, TICK
from deskcore._time import from_us, to_us

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class TestLayout:
    """Each action class's raw tuple holds its fields in declared order after ``at``."""

    @pytest.mark.parametrize("name", sorted(ACTION_TYPES))
    def test_build_follows_the_layout(self, name: str) -> None:
        """A raw tuple of distinct values builds the action with each value in its field."""
        cls = ACTION_TYPES[name]
        fields = LAYOUT[cls]
        assert fields == tuple(field.name for field in attrs.fields(cls)[1:])
        values = [
            to_us(AT) + n if name.endswith("_at") else f"v{n}" for n, name in enumerate(fields)
        ]
        action = BUILD[cls]((cls, to_us(AT), *values), to_us(AT), AT)
        assert type(action) is cls and action.at == AT
        for field, value in zip(fields, values, strict=True):
            expected = from_us(value) if isinstance(value, int) else value
            assert getattr(action, field) == expected, field

    @pytest.mark.parametrize("name", sorted(ACTION_TYPES))
    def test_build_equals_the_constructor(self, name: str) -> None:
        """The built action equals, hashes and prints like the constructor's, whether it
        takes effect at the event's instant or at another (a deadline's)."""
        cls = ACTION_TYPES[name]
        fields = LAYOUT[cls]
        values = [
            to_us(AT) + n if name.endswith("_at") else f"v{n}" for n, name in enumerate(fields)
        ]
        for at in (AT, AT - timedelta(seconds=3)):
            action = BUILD[cls]((cls, to_us(at), *values), to_us(AT), AT)
            given: dict[str, Any] = {
                field: from_us(value) if isinstance(value, int) else value
                for field, value in zip(fields, values, strict=True)
            }
            made = cls(at=at, **given)
            assert action == made and hash(action) == hash(made) and repr(action) == repr(made)
            assert attrs.evolve(action) == made

    def test_every_action_class_has_a_layout(self) -> None:
        """LAYOUT and BUILD cover exactly the action classes of the protocol."""
        assert set(LAYOUT) == set(BUILD) == set(ACTION_TYPES.values())


class TestEvents:
    """Each event class has its code, and its raw fields."""

    def test_codes_name_every_event(self) -> None:
        """NAMES[code] is the wire name of the code's class, for every event class."""
        assert set(EVENT_CLASSES) == set(EVENT_TYPES.values())
        assert [cls.type for cls in EVENT_CLASSES] == list(NAMES)

    def test_each_code_is_its_class(self) -> None:
        """The engine's codes index the classes in the order of EVENT_TYPES."""
        codes = {
            raw.TICK: "tick",
            raw.STATUS: "agent_status",
            raw.ENTERED: "user_entered",
            raw.REQUESTED: "agent_requested",
            raw.ANSWERED: "assignment_answered",
            raw.FAILED: "assignment_failed",
            raw.ACCEPTED: "agent_accepted",
            raw.DECLINED: "agent_declined",
            raw.AGENT_MESSAGE: "agent_message",
            raw.USER_MESSAGE: "user_message",
            raw.ENDED: "conversation_ended",
            raw.INVITED: "rating_invited",
            raw.SUBMITTED: "rating_submitted",
            raw.TRANSFER: "transfer",
            raw.RESUMED: "resumed",
        }
        assert {code: EVENT_CLASSES[code].type for code in codes} == codes
        assert max(codes) == raw.RESUMED and raw.TRANSFER == raw.RESUMED - 1  # checked last

    def test_status_carries_plain_fields(self) -> None:
        """agent_status is (status, groups, capacity, name), UNSET where not given."""
        event = AgentStatusChanged(at=AT, agent="a1", status="online", capacity=2)
        raw = FIELDS[AgentStatusChanged](event)
        assert raw == (STATUS, None, "a1", (AgentState.ONLINE, UNSET, 2, UNSET))
        assert FIELDS[Tick](Tick(at=AT)) == (TICK, None, None, None)

    def test_every_event_class_has_fields(self) -> None:
        """FIELDS covers exactly the event classes of the protocol."""
        assert set(FIELDS) == set(EVENT_TYPES.values())
