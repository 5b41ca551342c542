"""Hardening: instants at the edges of time, settings updates in their step, short messages.

Each defect an adversarial run found has its minimal reproduction here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from deskcore import (
    AgentRequested,
    AnyEvent,
    Desk,
    DeskSettings,
    SettingsError,
    SnapshotError,
    Tick,
    action_to_json,
    dump_settings,
    load_settings,
)
from deskcore._engine import Engine
from deskcore._records import TIMERS
from deskcore._show import show, show_list
from deskcore._snapshot import CONV_DEFAULTS, CONV_KEYS, load_state
from helpers import (
    accept,
    answer,
    ask,
    assigned,
    at,
    end,
    make_desk,
    make_settings,
    refused,
    same,
    status,
    tick,
)

LAST = datetime.max.replace(tzinfo=UTC)


class TestInstantsAtTheEdges:
    """Every instant a desk computes can be represented, or the event is an error (E1)."""

    def test_offer_near_year_9999_is_an_error(self) -> None:
        """A request whose offer would expire after year 9999 is refused, nothing changed."""
        desk = make_desk(
            make_settings(service={"mode": "manual"}), status(LAST - timedelta(days=1), "a1")
        )
        error = refused(desk, AgentRequested(at=LAST - timedelta(seconds=30), conversation="c1"))
        assert error.field == "at"
        assert "9999-" in str(error)
        assert desk.next_deadline() is None

    def test_far_but_representable_is_handled(self) -> None:
        """An event as late as the settings allow is handled, and its actions encode."""
        settings = DeskSettings()
        latest = LAST - timedelta(hours=25)  # validity 24h + retention 1h: the longest chain
        desk = make_desk(settings, status(latest, "a1"))
        actions = desk.handle(AgentRequested(at=latest, conversation="c1"))
        assert [action_to_json(a)["type"] for a in actions][:2] == ["send_prompt", "assign"]
        assert desk.next_deadline() is None

    def test_year_one_with_an_offset_is_an_error(self) -> None:
        """0001-01-01T00:00:00+05:00 lies before year 1 in UTC: refused, not handled."""
        early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
        error = refused(Desk(), Tick(at=early))
        assert error.field == "at"

    @pytest.mark.parametrize(
        ("section", "key"),
        [
            ("service", "accept_timeout"),
            ("queue", "max_wait"),
            ("ratings", "validity"),
            ("assignment", "webhook_timeout"),
            ("closure", "user_timeout"),
            ("closure", "retention"),
            ("queue", "update_interval"),
        ],
    )
    def test_durations_have_an_upper_bound(self, section: str, key: str) -> None:
        """A duration over ten years is a settings error naming its path."""
        with pytest.raises(SettingsError) as caught:
            load_settings({section: {key: "999999999d"}})
        assert caught.value.errors == (
            (f"{section}.{key}", "must be at most 3650d (10 years), got 999999999d"),
        )
        load_settings({section: {key: "3650d"}})  # the bound itself is fine

    def test_a_duration_too_long_for_timedelta(self) -> None:
        """A duration no timedelta holds is a settings error too, with a short message."""
        with pytest.raises(SettingsError) as caught:
            load_settings({"service": {"accept_timeout": 10**5000}})
        ((path, message),) = caught.value.errors
        assert path == "service.accept_timeout"
        assert len(message) < 200


class TestSettingsUpdates:
    """update_settings() takes effect in the next event's step, after its due deadlines."""

    def test_due_deadlines_fire_first(self) -> None:
        """T2: a max_wait due before the update's next event fires; the update does not
        first assign the conversation (the defect: queue_timeout never fired)."""
        desk = make_desk(
            make_settings(queue={"max_concurrent": 1, "max_wait": "60s"}),
            status(0, "a1"),
            ask(1, "c1"),
            ask(2, "c2"),
        )
        desk.update_settings(make_settings(queue={"max_concurrent": 2, "max_wait": "60s"}))
        actions = desk.handle(tick(120))
        kinds = [(a.type, getattr(a, "conversation", None)) for a in actions]
        assert kinds[0] == ("routing_failed", "c2")
        assert ("assign", "c2") not in kinds
        assert [a.at for a in actions] == sorted(a.at for a in actions)

    def test_update_applies_at_the_event(self) -> None:
        """With nothing due, the grown capacity takes the waiting user at the event (A5)."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"), ask(2, "c2"))
        desk.update_settings(make_settings(queue={"max_concurrent": 2}))
        assert desk.settings.queue.max_concurrent == 2
        assigns = [a for a in desk.handle(tick(3)) if a.type == "assign"]
        same(assigns, assigned(3, "c2", "a1"))

    def test_events_are_checked_under_the_new_settings(self) -> None:
        """A request for a group the new settings add is valid at once (E1 by the new)."""
        groups = {"strategy": "user_choice", "groups": ["a"]}
        desk = make_desk(make_settings(assignment=groups), status(0, "a1", groups=["a", "b"]))
        desk.update_settings(make_settings(assignment={**groups, "groups": ["a", "b"]}))
        actions = desk.handle(ask(1, "c1", group="b"))
        assert any(a.type == "assign" for a in actions)

    def test_snapshot_between_update_and_event(self) -> None:
        """D1: a snapshot taken with an update pending restores to the same behaviour."""
        old = make_settings(queue={"max_concurrent": 1, "max_wait": "60s"})
        new = make_settings(
            queue={"max_concurrent": 2, "max_wait": "60s"}, prompts={"connect_failed": "N $Reason"}
        )
        desk = make_desk(old, status(0, "a1"), ask(1, "c1"), ask(2, "c2"))
        desk.update_settings(new)
        twin = Desk.restore(new, desk.snapshot())
        assert desk.handle(tick(120)) == twin.handle(tick(120))


class TestShortMessages:
    """Values in messages are cut short, and any value can be shown."""

    def test_long_string(self) -> None:
        """A 100 kB string is shown in at most 120 characters."""
        assert len(show("x" * 100_000)) <= 120

    def test_deep_list(self) -> None:
        """A list nested 100,000 deep is shown without recursion."""
        deep: list[object] = []
        for _ in range(100_000):
            deep = [deep]
        assert show(deep).startswith("[[[")

    def test_huge_integer(self) -> None:
        """An integer too long for repr is described."""
        assert "digits" in show(10**5000)

    def test_broken_repr(self) -> None:
        """An object whose repr raises is shown by its type."""

        class Broken:
            def __repr__(self) -> str:
                raise RuntimeError

        assert show(Broken()).startswith("<Broken")

    def test_long_lists_are_summarised(self) -> None:
        """10,000 groups are named by the first few and a count."""
        assert show_list(str(n) for n in range(10_000)).endswith("and 9995 more")

    def test_request_for_an_unknown_group_among_many(self) -> None:
        """E1 on a group outside 10,000 groups names a few of them, not all."""
        groups = [f"g{n}" for n in range(10_000)]
        desk = Desk(load_settings({"assignment": {"strategy": "user_choice", "groups": groups}}))
        error = refused(desk, AgentRequested(at=at(0), conversation="c1", group="nope"))
        assert len(str(error)) < 300


class TestSnapshotChecks:
    """Desk.restore checks the whole snapshot and names what is wrong (the defects found)."""

    @staticmethod
    def sample() -> tuple[DeskSettings, dict[str, object]]:
        """A manual desk with a served, an offered and a waiting conversation."""
        settings = make_settings(service={"mode": "manual"}, queue={"max_concurrent": 2})
        desk = make_desk(
            settings,
            status(0, "a1", groups=["sales"]),
            ask(1, "c1"),
            ask(2, "c2"),
            ask(3, "c3"),
            accept(4, "c1", "a1"),
        )
        return settings, desk.snapshot()

    def find(self, data: dict[str, object], kind: str, record: str) -> dict[str, object]:
        """The record of ``kind`` (agents, conversations) with id ``record``."""
        records = data[kind]
        assert isinstance(records, list)
        return next(item for item in records if item["id"] == record)

    @pytest.mark.parametrize(
        ("change", "where"),
        [
            (lambda d, f: d.update(seq=-5), "seq"),
            (lambda d, f: d.update(now="2026"), "now"),
            (lambda d, f: f(d, "agents", "a1").update(groups="sales"), "agents[0].groups"),
            (lambda d, f: f(d, "agents", "a1").update(load=99), "agents[0] ('a1').load"),
            (
                lambda d, f: f(d, "conversations", "c1").update(agent="ghost"),
                "conversations[0] ('c1').agent",
            ),
            (
                lambda d, f: f(d, "agents", "a1").update(offers=["c2", "nope"]),
                "agents[0] ('a1').offers",
            ),
            (
                lambda d, f: f(d, "conversations", "c2").update(timers=[None] * 6),
                "conversations[1].timers[0]",
            ),
            (lambda d, f: d.update(format=99), "format"),
            (lambda d, f: d.update(extra=1), "extra"),
            (
                lambda d, f: f(d, "agents", "a1").update(groups=["sales", "sales"]),
                "agents[0].groups",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(scope=["a", "b", "a"]),
                "conversations[2].scope",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(scope=["x"]),
                "conversations[2].scope",
            ),
            (
                lambda d, f: f(d, "conversations", "c2").update(timers=[[1], *[None] * 5]),
                "conversations[1].timers[0]",
            ),
            (
                lambda d, f: f(d, "conversations", "c2").update(
                    timers=[[1772442000000000, 16]] + [None] * 5
                ),
                "conversations[1].timers[0] (offer)[0]",
            ),
            (
                lambda d, f: f(d, "conversations", "c2").update(
                    timers=[[1772442062000000, 17]] + [None] * 5
                ),
                "conversations[1].timers[0] (offer)[1]",
            ),
            (
                lambda d, f: f(d, "agents", "a1").update(reassign=[1772442062000000, 22]),
                "agents[0].reassign",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(
                    timers=[[1772442062000000, 16]] + [None] * 5
                ),
                "conversations[2].timers[0]",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(agent="a1"),
                "conversations[2].agent",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(queue_at=None),
                "conversations[2].queue_pos",
            ),
            (
                lambda d, f: f(d, "conversations", "c1").update(queue_pos=1),
                "conversations[0].queue_pos",
            ),
            (
                lambda d, f: f(d, "conversations", "c1").update(closed=1772442001000000),
                "conversations[0].closed",
            ),
            (
                lambda d, f: f(d, "conversations", "c1").update(card_agent="a1"),
                "conversations[0].card_agent",
            ),
            (
                lambda d, f: f(d, "conversations", "c1").update(rated=True),
                "conversations[0].rated",
            ),
            (
                lambda d, f: f(d, "conversations", "c3").update(id="c1"),
                "conversations[2].id",
            ),
            (lambda d, f: d["agents"].append(dict(f(d, "agents", "a1"))), "agents[1].id"),
        ],
    )
    def test_corruption_is_named(self, change: Any, where: str) -> None:
        """Each corruption is a SnapshotError whose place names the record and field."""
        settings, data = self.sample()
        change(data, self.find)
        with pytest.raises(SnapshotError) as caught:
            Desk.restore(settings, data)
        assert caught.value.where.startswith(where), caught.value

    @pytest.mark.parametrize(
        ("change", "where"),
        [
            (
                lambda c, a: a.update(reassign=[c["closed"] + 10**6, 14]),
                "agents[0].reassign",
            ),
            (
                lambda c, a: a.update(status="offline", reassign=[c["closed"] + 10**6, 14]),
                "agents[0] ('a1').reassign",
            ),
            (lambda c, a: c.update(forget=c["closed"] - 1), "conversations[0].forget"),
            (lambda c, a: c.update(forget=None), "conversations[0].closed"),
            (lambda c, a: c.update(timers=[[c["closed"] + 10**6, 8], *[None] * 5]), "conv"),
        ],
    )
    def test_closed_records(self, change: Any, where: str) -> None:
        """Faults of a closed conversation and of an agent serving nobody are named."""
        settings = make_settings()
        desk = make_desk(settings, status(0, "a1"), ask(1, "c1"), end(2, "c1"))
        data = desk.snapshot()
        data["seq"] = 1
        change(self.find(data, "conversations", "c1"), self.find(data, "agents", "a1"))
        with pytest.raises(SnapshotError) as caught:
            Desk.restore(settings, data)
        assert caught.value.where.startswith(where), caught.value

    def test_no_deadline_before_the_first(self) -> None:
        """With seq 0 no deadline was ever set, so none may be pending."""
        settings = make_settings()
        data = make_desk(settings, status(0, "a1", state="offline")).snapshot()
        assert data["seq"] == 0
        self.find(data, "agents", "a1")["reassign"] = [data["now"], 6]
        with pytest.raises(SnapshotError, match="no deadline was ever set"):
            Desk.restore(settings, data)

    def test_offers_of_an_agent_away(self) -> None:
        """An agent on a break holds no offers (A4)."""
        settings, data = self.sample()
        self.find(data, "agents", "a1").update(status="break")
        with pytest.raises(SnapshotError, match=r"holds no offers \(A4\)"):
            Desk.restore(settings, data)

    @staticmethod
    def twins(
        first: DeskSettings, second: DeskSettings, events: list[AnyEvent], later: list[AnyEvent]
    ) -> list[str]:
        """A desk under ``first`` given ``events``, then updated to ``second`` (taking
        effect at ``later[0]``), and the desk restored from its snapshot then: the same
        actions for every event of ``later``, and the same state at the end (D1). The
        types of the actions of ``later[1:]``."""
        desk = make_desk(first, *events)
        desk.update_settings(second)
        desk.handle(later[0])
        twin = Desk.restore(second, desk.snapshot())
        kinds = []
        for event in later[1:]:
            actions = desk.handle(event)
            assert twin.handle(event) == actions, event
            kinds += [action.type for action in actions]
        assert twin.snapshot() == desk.snapshot()
        return kinds

    def test_an_offer_left_open_by_a_switch_to_automatic(self) -> None:
        """An offer open when the desk switched to automatic service restores, and can
        still be accepted; another one still times out."""
        manual = make_settings(service={"mode": "manual", "accept_timeout": "30s"})
        start: list[AnyEvent] = [status(0, "a1"), status(0, "a2"), ask(1, "c1"), ask(1, "c2")]
        kinds = self.twins(
            manual, make_settings(), start, [tick(2), accept(3, "c1", "a1"), tick(40)]
        )
        assert kinds[0] == "assign" and "withdraw_offer" in kinds

    def test_a_webhook_answer_awaited_under_another_strategy(self) -> None:
        """A webhook answer awaited when the strategy changed restores; the answer still
        arrives, and another request's wait still times out."""
        webhook = make_settings(assignment={"strategy": "webhook", "webhook_timeout": "5s"})
        start: list[AnyEvent] = [status(0, "a1"), ask(1, "c1"), ask(1, "c2")]
        later: list[AnyEvent] = [tick(2), answer(3, "c1", agents=["a1"]), tick(10)]
        kinds = self.twins(webhook, make_settings(queue={"max_concurrent": 2}), start, later)
        assert kinds.count("assign") == 2  # c1 as answered, c2 by the fallback

    def test_a_user_waiting_for_a_group_the_settings_dropped(self) -> None:
        """A user waiting for a group that user_choice no longer lists restores, and is
        served when the group's agent has room."""
        groups = {"strategy": "user_choice", "groups": ["sales", "support"]}
        start: list[AnyEvent] = [
            status(0, "a1", groups=["sales"]),
            ask(1, "c1", "sales"),
            ask(2, "c2", "sales"),
        ]
        dropped = make_settings(assignment={**groups, "groups": ["support"]})
        kinds = self.twins(
            make_settings(assignment=groups), dropped, start, [tick(3), end(4, "c1")]
        )
        assert "assign" in kinds  # c2, by a1 once c1 has ended

    def test_not_an_object(self) -> None:
        """A snapshot that is not an object at all."""
        with pytest.raises(SnapshotError):
            Desk.restore(DeskSettings(), [1, 2])  # type: ignore[arg-type]


class TestMachineIndependence:
    """Nothing a desk accepts depends on the machine it runs on."""

    def test_localtime_is_not_a_zone(self) -> None:
        """The machine's own 'localtime' is refused as a zone name."""
        with pytest.raises(SettingsError, match="IANA time zone name"):
            load_settings({"working_hours": {"timezone": "localtime"}})


class TestBeyondTheSeedSettings:
    """The new keys: their errors named by path, all reported together."""

    def test_all_faults_together(self) -> None:
        """A reminder too long, a malformed tag, tags alike but for case, an unknown text
        key and an unknown reason: each named by its path, in one error."""
        document = {
            "prompts": {"reasons": {"queue_ful": "full"}},
            "closure": {"user_timeout": "5m", "reminder": "5m"},
            "languages": {
                "ko": {"prompts": {"welcom": "hi"}},
                "KO": {},
                "ko_KR": {},
            },
        }
        with pytest.raises(SettingsError) as caught:
            load_settings(document)
        assert [path for path, _ in caught.value.errors] == [
            "prompts.reasons.queue_ful",
            "closure.reminder",
            "languages.ko.prompts.welcom",
            "languages.KO",
            "languages.ko_KR",
        ]

    def test_reminder_needs_a_user_timeout(self) -> None:
        """C4: a reminder without a user timeout has nothing to remind of."""
        with pytest.raises(SettingsError, match=r"needs closure\.user_timeout"):
            load_settings({"closure": {"reminder": "1m"}})

    def test_texts_checked_like_the_base(self) -> None:
        """P4: a language's text offers the variables of its base text, no others."""
        with pytest.raises(SettingsError, match=r"languages\.ko\.queue\.prompt"):
            load_settings({"languages": {"ko": {"queue": {"prompt": "$AgentName"}}}})

    def test_reason_texts_have_no_variables(self) -> None:
        """P5: a reason text is a template without variables."""
        with pytest.raises(SettingsError, match=r"prompts\.reasons\.queue_full"):
            load_settings({"prompts": {"reasons": {"queue_full": "$Position"}}})

    def test_round_trip(self) -> None:
        """dump_settings writes the new keys so that they load back equal."""
        settings = load_settings(
            {
                "prompts": {"transferring": "T", "reasons": {"queue_full": "full"}},
                "service": {"reassign_after": 0},
                "closure": {"user_timeout": "10m", "reminder": "2m"},
                "ratings": {"send_on_timeout": False},
                "languages": {"zh-Hant": {"closure": {"reminder_message": "$Minutes"}}},
            }
        )
        assert load_settings(dump_settings(settings)) == settings


def format_two(data: dict[str, Any]) -> dict[str, Any]:
    """A format-3 snapshot as format 2 wrote it: every conversation field written."""
    old: dict[str, Any] = json.loads(json.dumps(data))
    old["format"] = 2
    old["conversations"] = [
        {**CONV_DEFAULTS, "timers": [None] * len(TIMERS), **conv} for conv in old["conversations"]
    ]
    return old


class TestOlderFormats:
    """Snapshots of formats 1 and 2 still restore; format 3 leaves defaults out."""

    def test_format_two_restores(self) -> None:
        """Format 2 wrote every field: the same state, which writes back as format 3."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"), ask(2, "c2"), end(3, "c1"))
        data = desk.snapshot()
        old = format_two(data)
        assert old != data and old["conversations"][0].keys() == CONV_KEYS
        restored = Desk.restore(make_settings(), old)
        assert restored.snapshot() == data
        assert restored.handle(tick(4)) == desk.handle(tick(4))

    def test_format_two_must_be_complete(self) -> None:
        """A format-2 record lacking a field is refused, naming it."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"))
        old = format_two(desk.snapshot())
        del old["conversations"][0]["queue_at"]
        with pytest.raises(SnapshotError, match=r"conversations\[0\]\.queue_at: is missing"):
            Desk.restore(make_settings(), old)

    def test_defaults_are_left_out(self) -> None:
        """Format 3 writes a field only when it holds more than its default, and a
        record of just its id and state reads as one with every default written."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"), end(2, "c1"))
        record = desk.snapshot()["conversations"][0]
        assert all(record[key] != CONV_DEFAULTS.get(key, object()) for key in record)
        assert set(record) < CONV_KEYS
        bare = {"id": "c9", "state": "new"}
        full = {**CONV_DEFAULTS, "timers": [None] * len(TIMERS), **bare}
        engine_a, engine_b = Engine(make_settings()), Engine(make_settings())
        base = {"format": 3, "now": 1, "order": 0, "seq": 0, "rebalance": False, "agents": []}
        load_state(engine_a, {**base, "conversations": [bare]})
        load_state(engine_b, {**base, "format": 2, "conversations": [full]})
        assert Desk.over(engine_a).snapshot() == Desk.over(engine_b).snapshot()

    def test_restores_with_defaults(self) -> None:
        """Format 1 lacked languages, priorities, reminders and reassignment: they take
        their defaults, and the desk goes on as the old one would."""
        desk = make_desk(make_settings(), status(0, "a1"), ask(1, "c1"), ask(2, "c2"))
        data = desk.snapshot()
        old = format_two(data)
        old["format"] = 1
        for agent in old["agents"]:
            del agent["reassign"]
        for conv in old["conversations"]:
            for key in ("user", "language", "priority", "preferred"):
                del conv[key]
            conv["timers"] = conv["timers"][:5]
        restored = Desk.restore(make_settings(), old)
        assert restored.snapshot() == data
        assert restored.handle(tick(3)) == desk.handle(tick(3))

    def test_other_formats_are_named(self) -> None:
        """A format this version does not read is refused, naming both."""
        desk = make_desk(make_settings(), status(0, "a1"))
        data = {**desk.snapshot(), "format": 4}
        with pytest.raises(SnapshotError, match="snapshot format 4 is not 1, 2 or 3"):
            Desk.restore(make_settings(), data)
