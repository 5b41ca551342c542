"""The JSON form of events and actions (docs/protocol.md)."""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskcore import (
    EVENT_TYPES,
    UNSET,
    AgentRequested,
    AgentStatusChanged,
    Assign,
    AssignmentAnswered,
    Close,
    CloseReason,
    ConversationEnded,
    EventError,
    NaiveTimeError,
    Offer,
    Rejected,
    RejectReason,
    Tick,
    action_from_json,
    action_to_json,
    event_from_json,
    event_to_json,
)
from deskcore._actions import ACTION_TYPES
from deskcore._codec import (
    actions_to_json,
    format_instant,
    generic_action_json,
    generic_event_json,
    parse_instant,
)
from deskcore._jsonable import compact_json

AT = "2026-03-02T09:00:00Z"


class TestEventFromJson:
    """Reading events strictly."""

    def test_reads_every_type(self) -> None:
        """Each event type reads from its minimal JSON object."""
        samples: dict[str, dict[str, Any]] = {
            "agent_status": {"agent": "a1", "status": "online"},
            "user_entered": {"conversation": "c1", "user": "u1"},
            "agent_requested": {"conversation": "c1"},
            "assignment_answered": {"conversation": "c1", "group": "g"},
            "assignment_failed": {"conversation": "c1"},
            "agent_accepted": {"conversation": "c1", "agent": "a1"},
            "agent_declined": {"conversation": "c1", "agent": "a1"},
            "agent_message": {"conversation": "c1"},
            "user_message": {"conversation": "c1"},
            "conversation_ended": {"conversation": "c1", "by": "user"},
            "rating_invited": {"conversation": "c1", "agent": "a1"},
            "rating_submitted": {"conversation": "c1", "score": 4},
            "transfer": {"conversation": "c1", "agent": "a1", "to_group": "g"},
            "resumed": {"since": "2026-03-02T08:00:00Z"},
            "tick": {},
        }
        assert set(samples) == set(EVENT_TYPES)
        for kind, fields in samples.items():
            event = event_from_json({"at": AT, "type": kind, **fields})
            assert event.type == kind
            assert event.at == datetime(2026, 3, 2, 9, tzinfo=UTC)

    def test_offsets_are_kept_as_instants(self) -> None:
        """An instant with an offset is the same instant as its UTC form."""
        event = event_from_json({"at": "2026-03-02T18:00:00+09:00", "type": "tick"})
        assert event.at == datetime(2026, 3, 2, 9, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"at": "2026-03-02T09:00:00", "type": "tick"}, "at"),
            ({"at": "yesterday", "type": "tick"}, "at"),
            ({"at": 5, "type": "tick"}, "at"),
            ({"at": AT, "type": "teleport"}, "type"),
            ({"at": AT}, "type"),
            ({"at": AT, "type": "agent_status", "agent": "a1", "status": "sleeping"}, "status"),
            ({"at": AT, "type": "agent_status", "agent": "", "status": "online"}, "agent"),
            (
                {
                    "at": AT,
                    "type": "agent_status",
                    "agent": "a",
                    "status": "online",
                    "capacity": 1.5,
                },
                "capacity",
            ),
            (
                {
                    "at": AT,
                    "type": "agent_status",
                    "agent": "a",
                    "status": "online",
                    "capacity": -1,
                },
                "capacity",
            ),
            (
                {"at": AT, "type": "agent_status", "agent": "a", "status": "online", "groups": "g"},
                "groups",
            ),
            (
                {"at": AT, "type": "agent_status", "agent": "a", "status": "online", "name": 3},
                "name",
            ),
            ({"at": AT, "type": "rating_submitted", "conversation": "c", "score": 4.5}, "score"),
            ({"at": AT, "type": "rating_submitted", "conversation": "c", "score": "4"}, "score"),
            ({"at": AT, "type": "rating_submitted", "conversation": "c", "score": True}, "score"),
            ({"at": AT, "type": "user_message"}, "conversation"),
            ({"at": AT, "type": "user_message", "conversation": "c", "extra": 1}, "extra"),
            ({"at": AT, "type": "conversation_ended", "conversation": "c", "by": "bot"}, "by"),
        ],
    )
    def test_faults_name_the_field(self, data: dict[str, Any], field: str) -> None:
        """A malformed event raises EventError naming the offending field."""
        with pytest.raises(EventError) as caught:
            event_from_json(data)
        assert caught.value.field == field
        assert field in str(caught.value)

    def test_not_an_object(self) -> None:
        """A JSON value that is not an object is an error."""
        with pytest.raises(EventError, match="JSON object"):
            event_from_json(["tick"])

    def test_unknown_type_suggests(self) -> None:
        """A misspelt type gets a did-you-mean hint."""
        with pytest.raises(EventError, match="did you mean 'user_message'"):
            event_from_json({"at": AT, "type": "user_mesage", "conversation": "c"})

    def test_answer_needs_exactly_one_scope(self) -> None:
        """assignment_answered with both or neither of group and agents is an error."""
        with pytest.raises(EventError, match="exactly one"):
            event_from_json({"at": AT, "type": "assignment_answered", "conversation": "c"})
        with pytest.raises(EventError, match="exactly one"):
            AssignmentAnswered(
                at=datetime(2026, 1, 1, tzinfo=UTC), conversation="c", group="g", agents=("a",)
            )

    def test_capacity_null_means_default(self) -> None:
        """capacity null is kept as None (back to the default), absent as UNSET."""
        base = {"at": AT, "type": "agent_status", "agent": "a", "status": "online"}
        with_null = event_from_json({**base, "capacity": None})
        assert isinstance(with_null, AgentStatusChanged)
        assert with_null.capacity is None
        absent = event_from_json(base)
        assert isinstance(absent, AgentStatusChanged)
        assert absent.capacity is UNSET
        assert repr(UNSET) == "UNSET"


class TestEventConstruction:
    """Events built in Python are checked too."""

    def test_naive_time_is_an_error(self) -> None:
        """A naive `at` raises EventError naming `at` (T1)."""
        with pytest.raises(EventError) as caught:
            AgentRequested(at=datetime(2026, 3, 2, 9), conversation="c1")
        assert caught.value.field == "at"

    def test_strings_for_enums(self) -> None:
        """Status and party may be given as their string values."""
        event = ConversationEnded(
            at=datetime(2026, 3, 2, tzinfo=UTC),
            conversation="c",
            by="agent",
        )
        assert event.by == "agent"

    def test_not_a_datetime(self) -> None:
        """An `at` that is not a datetime is an error."""
        with pytest.raises(EventError, match="aware datetime"):
            Tick(at="2026-03-02")  # type: ignore[arg-type]

    def test_require_aware_names_the_argument(self) -> None:
        """NaiveTimeError is also a ValueError."""
        from deskcore._time import require_aware

        with pytest.raises(NaiveTimeError, match="now"):
            require_aware(datetime(2026, 1, 1), "now")
        assert issubclass(NaiveTimeError, ValueError)


aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
ids = st.text(min_size=1, max_size=8)


class TestRoundTrips:
    """JSON in and out give back the same values."""

    @given(
        at=aware,
        agent=ids,
        groups=st.one_of(st.just(UNSET), st.lists(ids, max_size=3).map(tuple)),
        capacity=st.one_of(st.just(UNSET), st.none(), st.integers(0, 50)),
        name=st.one_of(st.just(UNSET), st.none(), st.text(max_size=5)),
    )
    def test_agent_status(
        self, at: datetime, agent: str, groups: Any, capacity: Any, name: Any
    ) -> None:
        """agent_status survives event_to_json then event_from_json."""
        event = AgentStatusChanged(
            at=at,
            agent=agent,
            status="break",
            groups=groups,
            capacity=capacity,
            name=name,
        )
        assert event_from_json(event_to_json(event)) == event

    @given(at=aware, conversation=ids, agent=ids)
    def test_actions(self, at: datetime, conversation: str, agent: str) -> None:
        """Actions survive action_to_json then action_from_json."""
        actions = [
            Assign(at=at, conversation=conversation, agent=agent),
            Offer(at=at, conversation=conversation, agent=agent, expires_at=at + timedelta(1)),
            Rejected(at=at, event_type="tick", reason=RejectReason.EXPIRED),
        ]
        for action in actions:
            assert action_from_json(action_to_json(action)) == action

    def test_instants_are_written_in_utc(self) -> None:
        """format_instant writes UTC with a Z; parse_instant reads it back."""
        moment = datetime(2026, 3, 2, 18, 0, tzinfo=timezone(timedelta(hours=9)))
        assert format_instant(moment) == "2026-03-02T09:00:00Z"
        assert parse_instant("2026-03-02T09:00:00Z") == moment

    @given(
        st.datetimes(
            min_value=datetime(1, 1, 2),
            max_value=datetime(9999, 12, 30),
            timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5, minutes=-30))]),
        )
    )
    def test_instants_in_utc_and_elsewhere_read_the_same(self, moment: datetime) -> None:
        """An instant in UTC (the fast path) and the same instant at another offset are
        written alike, to the microsecond."""
        text = format_instant(moment)
        assert text.endswith("Z")
        assert "+" not in text
        assert parse_instant(text) == moment
        assert format_instant(moment.astimezone(timezone(timedelta(hours=9)))) == text

    def test_rejected_leaves_out_missing_ids(self) -> None:
        """A rejection without an agent has no agent key."""
        action = Rejected(
            at=datetime(2026, 1, 1, tzinfo=UTC),
            event_type="agent_message",
            reason=RejectReason.NOT_SERVED,
            conversation="c1",
        )
        assert action_to_json(action) == {
            "type": "rejected",
            "at": "2026-01-01T00:00:00Z",
            "event_type": "agent_message",
            "reason": "not_served",
            "conversation": "c1",
        }


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


class TestCompactJson:
    """The journal's compact JSON writer (built once, not at every call)."""

    @given(_JSON_VALUES)
    def test_writes_what_json_dumps_writes(self, value: Any) -> None:
        """For every JSON value the text is exactly ``json.dumps``'s compact text."""
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert compact_json(value) == expected

    def test_refuses_what_json_refuses(self) -> None:
        """A value JSON cannot hold is a TypeError, and a value that holds itself a
        ValueError, as with ``json.dumps``."""
        with pytest.raises(TypeError, match="not JSON serializable"):
            compact_json({"at": datetime(2026, 3, 2, tzinfo=UTC)})
        cycle: list[Any] = []
        cycle.append(cycle)
        with pytest.raises(ValueError, match="Circular reference"):
            compact_json({"a": cycle})
        assert compact_json([[1], {"b": None}]) == '[[1],{"b":null}]'  # and goes on


_AWARE = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=9))]),
)


def _values(hint: Any) -> st.SearchStrategy[Any]:
    """Values of a field's declared type (ids and instants as events need them)."""
    if isinstance(hint, types.UnionType):
        return st.one_of(*(_values(member) for member in typing.get_args(hint)))
    if hint is str:
        return st.text(min_size=1, max_size=5)
    if hint is datetime:
        return _AWARE
    if typing.get_origin(hint) is tuple:
        return st.lists(st.text(min_size=1, max_size=3), max_size=3).map(tuple)
    return st.from_type(hint)


def _strays(hint: Any) -> st.SearchStrategy[Any]:
    """Values a field may be given beside its declared type: a member's plain string for
    an enum, ``None``, another field's kind of value, a subclass of ``int``."""
    kinds = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    strays: list[Any] = [None, "x", 3, True, CloseReason.USER_TIMEOUT, RejectReason.EXPIRED]
    for kind in kinds:
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            strays += [member.value for member in kind]
    return st.sampled_from(strays)


def _instances(cls: type, *, strays: bool = False) -> st.SearchStrategy[Any]:
    """Instances of an event or action class, every field drawn from its declared type
    (and, with ``strays``, sometimes a value of another type); values the class's own
    checks refuse are drawn again."""
    hints = typing.get_type_hints(cls)
    fields = {
        field.name: _values(hints[field.name]) | _strays(hints[field.name])
        if strays
        else _values(hints[field.name])
        for field in attrs.fields(cls)
    }

    def build(values: dict[str, Any]) -> Any:
        try:
            return cls(**values)
        except (TypeError, ValueError):
            return None

    return st.fixed_dictionaries(fields).map(build).filter(lambda made: made is not None)


class TestClassWriters:
    """Each event and action class has a writer made for it; it writes what the loop
    over any class's fields writes."""

    @given(st.data(), st.sampled_from(sorted(EVENT_TYPES.values(), key=lambda c: c.type)))
    def test_event_writers(self, data: st.DataObject, cls: type) -> None:
        """Every event class, every value its fields may hold."""
        event = data.draw(_instances(cls, strays=True))
        written = event_to_json(event)
        assert written == generic_event_json(event)
        assert list(written) == list(generic_event_json(event))  # the same key order

    @given(
        st.data(),
        st.lists(st.sampled_from(sorted(ACTION_TYPES.values(), key=lambda c: c.type)), max_size=4),
    )
    def test_action_writers(self, data: st.DataObject, classes: list[type]) -> None:
        """Every action class, alone and in steps that share instants."""
        actions = [data.draw(_instances(cls, strays=True)) for cls in classes]
        written = actions_to_json(actions)
        instants: dict[datetime, str] = {}
        expected = [generic_action_json(action, instants) for action in actions]
        assert written == expected
        assert [list(item) for item in written] == [list(item) for item in expected]

    def test_an_enum_field_may_hold_its_plain_string(self) -> None:
        """An action built by hand with a reason's string (as tests often write them) is
        written as with the member."""
        at = datetime(2026, 3, 2, 9, tzinfo=UTC)
        by_string = Close(at=at, conversation="c1", reason="user_timeout")  # type: ignore[arg-type]
        by_member = Close(at=at, conversation="c1", reason=CloseReason.USER_TIMEOUT)
        assert action_to_json(by_string) == action_to_json(by_member)
        assert action_to_json(by_string)["reason"] == "user_timeout"
