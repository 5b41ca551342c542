"""The desk's public surface beyond handle(): policies, explanations, state, settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskcore import (
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentState,
    AgentStatusChanged,
    AgentView,
    Assign,
    ConversationEnded,
    ConversationState,
    ConversationView,
    Desk,
    DeskSettings,
    Enqueue,
    EventError,
    FilterReason,
    Offer,
    PromptKind,
    Scope,
    SendPrompt,
    SnapshotError,
    Tick,
    assign,
    load_settings,
    next_prompt,
    rank_key,
    should_close,
)
from deskcore._cli import main
from deskcore._engine import Engine
from deskcore._prompts import Prompter

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """The instant ``seconds`` after 09:00 UTC on 2026-03-02."""
    return T0 + timedelta(seconds=seconds)


def desk_with(document: dict[str, Any], *, explain: bool = False) -> Desk:
    """A desk from a settings document."""
    return Desk(load_settings(document), explain=explain)


class TestAssignPolicy:
    """The pure assign() function (R4, R5, S3, S4)."""

    def view(self, agent: str, **kw: Any) -> AgentView:
        """An online agent view with capacity 2 unless told otherwise."""
        values: dict[str, Any] = {"status": AgentState.ONLINE, "capacity": 2}
        values.update(kw)
        return AgentView(id=agent, **values)

    def test_idle_longest_first(self) -> None:
        """R5.1: among idle agents the one idle longest wins."""
        decision = assign([self.view("b", idle_since=at(0)), self.view("a", idle_since=at(5))])
        assert decision.agent == "b"
        assert decision.outcome == "chosen"

    def test_idle_before_busy(self) -> None:
        """R5.1-2: an idle agent beats a busy one with a lower id."""
        decision = assign(
            [self.view("a", load=1, last_given=at(0)), self.view("b", idle_since=at(9))]
        )
        assert decision.agent == "b"

    def test_lowest_share_then_oldest_given(self) -> None:
        """R5.2: lowest load share first, then the one given a conversation longest ago."""
        agents = [
            self.view("a", load=1, capacity=2, last_given=at(1)),
            self.view("b", load=1, capacity=4, last_given=at(5)),
            self.view("c", load=2, capacity=8, last_given=at(3)),
        ]
        assert assign(agents).agent == "c"  # 1/4 == 2/8 < 1/2; c was given one longer ago
        agents[2] = self.view("c", load=2, capacity=8, last_given=at(9))
        assert assign(agents).agent == "b"

    def test_ties_by_id(self) -> None:
        """R5.3: equal keys go to the smallest id."""
        assert (
            assign([self.view("z", idle_since=at(0)), self.view("m", idle_since=at(0))]).agent
            == "m"
        )

    def test_filters_explain_themselves(self) -> None:
        """Every agent not considered is listed with its reason."""
        agents = [
            self.view("away", status=AgentState.BREAK),
            self.view("full", load=2),
            self.view("other", groups=frozenset({"sales"})),
            self.view("no", groups=frozenset({"vip"})),
            self.view("missed", groups=frozenset({"vip"})),
            self.view("ok", groups=frozenset({"vip"}), idle_since=at(3)),
        ]
        decision = assign(
            agents,
            scope=Scope(group="vip"),
            declined={"no"},
            missed={"missed"},
        )
        reasons = dict(decision.filtered)
        assert decision.agent == "ok"
        assert reasons["other"] is FilterReason.NOT_IN_SCOPE
        assert reasons["away"] is FilterReason.NOT_IN_SCOPE
        assert reasons["no"] is FilterReason.DECLINED
        assert reasons["missed"] is FilterReason.MISSED_OFFER
        assert "chosen: ok" in decision.describe()

    def test_missed_agent_when_nobody_else(self) -> None:
        """S3: the agent that let the offer time out is chosen when nobody else has room."""
        decision = assign([self.view("a"), self.view("b", load=2)], missed={"a"})
        assert decision.agent == "a"
        assert decision.candidates[0].missed_offer

    def test_outcomes(self) -> None:
        """R4 when nobody staffs the scope, R6 (wait) when nobody has room."""
        assert assign([]).outcome == "no_agents_online"
        assert assign([self.view("a", status=AgentState.OFFLINE)]).outcome == "no_agents_online"
        waiting = assign([self.view("a", status=AgentState.BREAK)])
        assert waiting.outcome == "wait"
        assert waiting.agent is None
        assert "waits" in waiting.describe()
        assert "R4" in assign([]).describe()

    def test_scope_of_listed_agents(self) -> None:
        """A webhook agent list scopes to those ids."""
        scope = Scope(agents=frozenset({"b"}))
        assert assign([self.view("a"), self.view("b")], scope=scope).agent == "b"
        assert str(scope) == "agents b"
        assert str(Scope(group="g")) == "group 'g'"
        assert str(Scope()) == "all agents"
        with pytest.raises(ValueError, match="not both"):
            Scope(group="g", agents=frozenset({"a"}))

    @given(
        loads=st.lists(
            st.tuples(st.integers(0, 4), st.integers(1, 4), st.integers(0, 50)),
            min_size=1,
            max_size=8,
        )
    )
    def test_rank_key_matches_a_plain_reading_of_r5(
        self, loads: list[tuple[int, int, int]]
    ) -> None:
        """The chosen agent is the minimum of R5 written out by hand."""
        views = [
            AgentView(
                id=f"a{index}",
                status=AgentState.ONLINE,
                capacity=capacity,
                load=min(load, capacity),
                idle_since=at(moment),
                last_given=at(moment),
            )
            for index, (load, capacity, moment) in enumerate(loads)
        ]
        with_room = [v for v in views if v.load < v.capacity]
        decision = assign(views)
        if not with_room:
            assert decision.agent is None
            return
        idle = [v for v in with_room if v.load == 0]
        if idle:
            best = min(idle, key=lambda v: (v.idle_since, v.id))
        else:
            from fractions import Fraction

            best = min(with_room, key=lambda v: (Fraction(v.load, v.capacity), v.last_given, v.id))
        assert decision.agent == best.id
        assert rank_key(best.id, best.load, best.capacity, 0, 0)[0] == (0 if idle else 1)


class TestEngineAgreesWithPolicy:
    """The engine's indexed choice is the pure assign() choice."""

    def test_explain_mode_records_decisions(self) -> None:
        """With explain=True each routing decision is kept and matches the assignment."""
        desk = desk_with({"queue": {"max_concurrent": 2}}, explain=True)
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online"))
        desk.handle(AgentStatusChanged(at=at(1), agent="a2", status="online"))
        actions = desk.handle(AgentRequested(at=at(2), conversation="c1"))
        [(conv, decision)] = desk.decisions
        assert conv == "c1"
        assert decision.agent == "a1"
        assert Assign(at=at(2), conversation="c1", agent="a1") in actions
        explanation = desk.explain("c1")
        assert explanation is not None
        assert explanation.scope == Scope()
        assert explanation.agent == "a1"
        assert explanation.chosen == decision

    def test_views_feed_the_policy(self) -> None:
        """agent_view() and assign() give the engine's next choice."""
        desk = desk_with({"queue": {"max_concurrent": 2}})
        for index, agent in enumerate(["a1", "a2", "a3"]):
            desk.handle(AgentStatusChanged(at=at(index), agent=agent, status="online"))
        desk.handle(AgentRequested(at=at(5), conversation="c1"))
        desk.handle(AgentRequested(at=at(6), conversation="c2"))
        predicted = assign(desk.agents()).agent
        actions = desk.handle(AgentRequested(at=at(7), conversation="c3"))
        assert Assign(at=at(7), conversation="c3", agent=predicted or "") in actions


class TestPromptAndClosurePolicies:
    """next_prompt() and should_close() (Q3, C1)."""

    def test_queue_prompt_timing(self) -> None:
        """Q3: first prompt at once; updates when the position changed and the interval passed."""
        settings = load_settings({"queue": {"update_interval": "30s", "prompt": "#$QueuePosition"}})
        first = ConversationView(id="c", state=ConversationState.WAITING, position=3)
        prompt = next_prompt(first, settings, at(0))
        assert prompt is not None
        assert (prompt.kind, prompt.text, prompt.at) == (PromptKind.QUEUE, "#3", at(0))
        told = ConversationView(
            id="c",
            state=ConversationState.WAITING,
            position=2,
            last_queue_position=3,
            last_queue_prompt=at(0),
        )
        later = next_prompt(told, settings, at(10))
        assert later is not None
        assert later.at == at(30)
        due = next_prompt(told, settings, at(31))
        assert due is not None
        assert due.at == at(31)
        same = ConversationView(
            id="c",
            state=ConversationState.WAITING,
            position=3,
            last_queue_position=3,
            last_queue_prompt=at(0),
        )
        assert next_prompt(same, settings, at(99)) is None
        assert (
            next_prompt(ConversationView(id="c", state=ConversationState.SERVED), settings, at(0))
            is None
        )

    def test_empty_prompt_is_none(self) -> None:
        """P2: an empty queue prompt is never due."""
        settings = load_settings({"queue": {"prompt": ""}})
        view = ConversationView(id="c", state=ConversationState.WAITING, position=1)
        assert next_prompt(view, settings, at(0)) is None

    def test_should_close(self) -> None:
        """C1: a served conversation closes user_timeout after the unanswered agent message."""
        settings = load_settings({"closure": {"user_timeout": "5m"}})
        view = ConversationView(id="c", state=ConversationState.SERVED, awaiting_reply_since=at(0))
        before = should_close(view, settings, at(299))
        assert (before.close, before.at) == (False, at(300))
        after = should_close(view, settings, at(300))
        assert after.close
        assert after.reason == "user_timeout"
        assert not should_close(
            ConversationView(id="c", state=ConversationState.NEW), settings, at(0)
        ).close
        off = should_close(view, DeskSettings(), at(10**6))
        assert (off.close, off.at) == (False, None)

    def test_engine_view_agrees(self) -> None:
        """The engine's conversation_view() gives should_close() the deadline it uses."""
        desk = desk_with({"closure": {"user_timeout": "5m"}})
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online"))
        desk.handle(AgentRequested(at=at(1), conversation="c1"))
        desk.handle(AgentMessage(at=at(2), conversation="c1"))
        view = desk.conversation_view("c1")
        assert view is not None
        decision = should_close(view, desk.settings, at(3))
        assert decision.at == at(302)
        assert desk.next_deadline() == at(302)


class TestSnapshot:
    """snapshot() and restore() (D1)."""

    def build(self) -> Desk:
        """A manual desk with an offer out, a queue and a pending user timeout."""
        desk = desk_with(
            {
                "service": {"mode": "manual", "accept_timeout": "30s"},
                "queue": {"max_concurrent": 1, "update_interval": "10s", "max_wait": "5m"},
                "closure": {"user_timeout": "2m"},
            }
        )
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online", groups=("g",)))
        desk.handle(AgentStatusChanged(at=at(0), agent="a2", status="online", capacity=1))
        for index in range(4):
            desk.handle(AgentRequested(at=at(1 + index), conversation=f"c{index}"))
        desk.handle(AgentAccepted(at=at(6), conversation="c0", agent="a1"))
        desk.handle(AgentMessage(at=at(7), conversation="c0"))
        return desk

    def test_restored_desk_acts_the_same(self) -> None:
        """A desk restored from a JSON copy gives the same actions for the same events."""
        desk = self.build()
        copy = Desk.restore(desk.settings, json.loads(json.dumps(desk.snapshot())))
        assert copy.snapshot() == desk.snapshot()
        assert copy.next_deadline() == desk.next_deadline()
        for event in [Tick(at=at(40)), Tick(at=at(200)), Tick(at=at(400))]:
            assert copy.handle(event) == desk.handle(event)

    def test_malformed_snapshot(self) -> None:
        """A broken snapshot raises SnapshotError."""
        with pytest.raises(SnapshotError):
            Desk.restore(DeskSettings(), {"format": 1})
        with pytest.raises(SnapshotError, match="format"):
            Desk.restore(DeskSettings(), {"format": 99})


class TestUpdateSettings:
    """update_settings() applies from the next event."""

    def test_bigger_capacity_drains_at_the_next_event(self) -> None:
        """A larger max_concurrent lets agents take waiting users at the next event (A5)."""
        desk = desk_with({"queue": {"max_concurrent": 1}})
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online"))
        desk.handle(AgentRequested(at=at(1), conversation="c1"))
        queued = desk.handle(AgentRequested(at=at(2), conversation="c2"))
        assert any(isinstance(a, Enqueue) for a in queued)
        desk.update_settings(load_settings({"queue": {"max_concurrent": 2}}))
        actions = desk.handle(Tick(at=at(3)))
        assert Assign(at=at(3), conversation="c2", agent="a1") in actions

    def test_room_every_agent_gains_goes_by_r5(self) -> None:
        """When new settings give every agent room at once, a waiting user goes to the
        agent R5 puts first, even when the event of that step is another agent's status
        event that changes nothing about it (it used to take the user first)."""
        desk = desk_with({"queue": {"max_concurrent": 1}})
        for agent in ("a1", "a2", "a3"):
            desk.handle(AgentStatusChanged(at=at(0), agent=agent, status="online"))
        for conv in ("c1", "c2", "c3", "c4"):
            desk.handle(AgentRequested(at=at(0), conversation=conv))
        desk.update_settings(load_settings({"queue": {"max_concurrent": 2}}))
        actions = desk.handle(AgentStatusChanged(at=at(0), agent="a2", status="online"))
        assert [a for a in actions if isinstance(a, Assign)] == [
            Assign(at=at(0), conversation="c4", agent="a1")  # all tie: smallest id (R5)
        ]

    def test_wrong_type(self) -> None:
        """update_settings() takes DeskSettings only."""
        with pytest.raises(TypeError):
            Desk().update_settings({"queue": {}})  # type: ignore[arg-type]


class TestHandleErrors:
    """Errors from handle() (E1)."""

    def test_not_an_event(self) -> None:
        """Something that is not an Event is refused."""
        with pytest.raises(EventError, match="expected one of the event classes"):
            Desk().handle("tick")  # type: ignore[arg-type]

    def test_states_and_positions(self) -> None:
        """conversation_state and queue_position answer for known and unknown conversations."""
        desk = desk_with({"queue": {"max_concurrent": 1}})
        assert desk.conversation_state("nope") is None
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online"))
        desk.handle(AgentRequested(at=at(1), conversation="c1"))
        desk.handle(AgentRequested(at=at(2), conversation="c2"))
        assert desk.conversation_state("c1") is ConversationState.SERVED
        assert desk.queue_position("c2") == 1
        assert desk.queue_position("c1") is None


class TestReplayCommand:
    """deskcore replay and deskcore check."""

    def scenario(self, tmp_path: Path, events: list[dict[str, Any]], expect: Any = ()) -> Path:
        """Write a small scenario file."""
        path = tmp_path / "s.json"
        path.write_text(
            json.dumps({"name": "n", "settings": {}, "events": events, "expect": list(expect)})
        )
        return path

    def test_write_expect_records_a_golden_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--write-expect records every event's actions (and errors) as expect blocks,
        keeping the file's own keys; the result passes check, and fails it once the
        desk behaves otherwise."""
        source = self.scenario(
            tmp_path,
            [
                {
                    "at": "2026-03-02T09:00:00Z",
                    "type": "agent_status",
                    "agent": "a1",
                    "status": "online",
                },
                {"at": "2026-03-02T09:00:01Z", "type": "agent_requested", "conversation": "c1"},
                {"at": "2026-03-02T09:00:00Z", "type": "tick"},
            ],
        )
        golden = tmp_path / "golden.json"
        assert main(["replay", str(source), "--write-expect", str(golden)]) == 0
        data = json.loads(golden.read_text(encoding="utf-8"))
        assert data["name"] == "n"
        assert [block.get("error", False) for block in data["expect"]] == [False, False, True]
        assert [len(block.get("actions", [])) for block in data["expect"]] == [0, 3, 0]
        assert main(["check", str(golden)]) == 0
        data["settings"] = {"prompts": {"connecting": "Wait..."}}
        golden.write_text(json.dumps(data), encoding="utf-8")
        assert main(["check", str(golden)]) == 1
        out = capsys.readouterr().out
        assert "send_prompt.text: expected 'Connecting you to an agent...', got 'Wait...'" in out
        log, desk = tmp_path / "log.jsonl", tmp_path / "desk.toml"
        log.write_text("")
        desk.write_text("")
        assert main(["replay", str(log), "--settings", str(desk), "--write-expect", "x"]) == 2
        assert "needs a scenario file" in capsys.readouterr().err

    def test_replay_prints_json_lines(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each action is one JSON line with its event index; an error gives exit 1."""
        path = self.scenario(
            tmp_path,
            [
                {
                    "at": "2026-03-02T09:00:00Z",
                    "type": "user_entered",
                    "conversation": "c",
                    "user": "u",
                },
                {"at": "2026-03-02T09:00:00", "type": "tick"},
            ],
        )
        assert main(["replay", str(path)]) == 1
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert lines[0]["event"] == 0
        assert lines[0]["prompt"] == "welcome"
        assert lines[1]["type"] == "error"
        assert lines[1]["event"] == 1

    def test_replay_event_log_with_settings(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A JSON-lines log replays with --settings; a line that is not JSON is an error line."""
        log = tmp_path / "events.jsonl"
        log.write_text(
            json.dumps(
                {
                    "at": "2026-03-02T09:00:00Z",
                    "type": "user_entered",
                    "conversation": "c",
                    "user": "u",
                }
            )
            + "\nnot json\n"
        )
        settings = tmp_path / "desk.toml"
        settings.write_text('[prompts]\nwelcome = "Hi"\n')
        assert main(["replay", str(log), "--settings", str(settings), "--format", "text"]) == 1
        out = capsys.readouterr().out
        assert "'Hi'" in out
        assert "line 2 is not JSON" in out

    def test_replay_unreadable(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A missing file or invalid settings exit 2 with the errors on stderr."""
        assert main(["replay", str(tmp_path / "missing.json")]) == 2
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"settings": {"queue": {"max_concurrent": 0}}, "events": []}))
        assert main(["replay", str(bad)]) == 2
        assert "queue.max_concurrent" in capsys.readouterr().err

    def test_check_reports_shortfalls(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """deskcore check names each missing and unexpected action; exit 1."""
        event = {
            "at": "2026-03-02T09:00:00Z",
            "type": "user_entered",
            "conversation": "c",
            "user": "u",
        }
        path = self.scenario(
            tmp_path,
            [event, {"at": "2026-03-02T09:00:00Z", "type": "tick"}],
            [
                {"event": 0, "actions": [{"type": "send_prompt", "text": "nope"}]},
                {"event": 1, "error": True},
            ],
        )
        assert main(["check", str(path)]) == 1
        out = capsys.readouterr().out
        assert "send_prompt.text: expected 'nope', got 'Hello! How can we help you today?'" in out
        assert "expected an error" in out

    def test_check_passes_and_errors(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A holding scenario prints ok; an unexpected error is reported; no files exits 2."""
        path = self.scenario(
            tmp_path,
            [
                {"at": "2026-03-02T09:00:00", "type": "tick"},
                {"at": "2026-03-02T09:00:00Z", "type": "tick"},
            ],
            [{"event": 0, "error": True}, {"event": 1, "actions": []}],
        )
        assert main(["check", str(path)]) == 0
        path.write_text(
            json.dumps(
                {
                    "settings": {},
                    "events": [{"at": "2026-03-02T09:00:00", "type": "tick"}],
                    "expect": [{"event": 0, "actions": []}],
                }
            )
        )
        assert main(["check", str(path)]) == 1
        assert "unexpected error" in capsys.readouterr().out
        assert main(["check", str(tmp_path / "empty")]) == 2
        (tmp_path / "broken.json").write_text("{")
        assert main(["check", str(tmp_path / "broken.json")]) == 2

    def test_offer_instants_in_output(self) -> None:
        """Offer actions carry expires_at as an instant."""
        desk = desk_with({"service": {"mode": "manual", "accept_timeout": "45s"}})
        desk.handle(AgentStatusChanged(at=at(0), agent="a1", status="online"))
        actions = desk.handle(AgentRequested(at=at(1), conversation="c1"))
        offer = next(a for a in actions if isinstance(a, Offer))
        assert offer.expires_at == at(46)
        assert any(isinstance(a, SendPrompt) for a in actions)


class TestRoomIndex:
    """The heaps of agents with room drop stale entries and stay bounded (R5)."""

    def test_heaps_stay_bounded_under_churn(self) -> None:
        """Entries that went stale in heaps nobody reads (groups under automatic) are
        compacted away: no heap grows past twice the agents plus the slack."""
        engine = Engine(load_settings({"queue": {"max_concurrent": 3}}))
        desk = Desk.over(engine)
        agents = [f"a{n}" for n in range(5)]
        for agent in agents:
            desk.handle(
                AgentStatusChanged(at=at(0), agent=agent, status="online", groups=("g1", "g2"))
            )
        moment = 1.0
        open_convs: list[str] = []
        for number in range(400):
            conv = f"c{number}"
            actions = desk.handle(AgentRequested(at=at(moment), conversation=conv))
            agent = next(a.agent for a in actions if isinstance(a, Assign))
            open_convs.append(conv)
            moment += 1
            if len(open_convs) > 6:  # loads go up and down: every change is a new key
                ended = open_convs.pop(number % 5)
                desk.handle(ConversationEnded(at=at(moment), conversation=ended, by="user"))
                moment += 1
            if number % 7 == 0:  # a break and a return make the agent's key stale
                desk.handle(AgentStatusChanged(at=at(moment), agent=agent, status="break"))
                desk.handle(AgentStatusChanged(at=at(moment), agent=agent, status="online"))
        limit = 2 * len(agents) + 64
        sizes = engine.rooms.heap_sizes()
        assert len(sizes) == 3  # both groups and everyone
        assert all(size <= limit for size in sizes.values())

    def test_passed_over_agents_are_put_back(self) -> None:
        """S4: choosing past a declining agent leaves the heap whole for the next choice."""
        desk = desk_with({"service": {"mode": "manual"}, "queue": {"max_concurrent": 2}})
        for agent in ("a1", "a2", "a3"):
            desk.handle(AgentStatusChanged(at=at(0), agent=agent, status="online"))
        first = desk.handle(AgentRequested(at=at(1), conversation="c1"))
        offered = next(a.agent for a in first if isinstance(a, Offer))
        again = desk.handle(AgentDeclined(at=at(2), conversation="c1", agent=offered))
        second = next(a.agent for a in again if isinstance(a, Offer))
        assert second != offered
        views = {view.id: view for view in desk.agents()}
        with_room = sorted(v.id for v in views.values() if v.load < v.capacity)
        assert with_room == ["a1", "a2", "a3"]
        # R5 goes on in order: a3 (idle since 0), then the declining a1 (idle since 2).
        third = desk.handle(AgentRequested(at=at(3), conversation="c2"))
        assert next(a.agent for a in third if isinstance(a, Offer)) == "a3"
        fourth = desk.handle(AgentRequested(at=at(4), conversation="c3"))
        assert next(a.agent for a in fourth if isinstance(a, Offer)) == offered == "a1"


class TestRenderedPrompts:
    """Rendered prompts are reused, up to a bound; past it they are rendered each time."""

    def test_bound_keeps_rendering_right(self) -> None:
        """P3: the 5,000th distinct queue position renders like the first."""
        prompter = Prompter([], DeskSettings())
        text = DeskSettings().queue.prompt
        for position in range(1, 5001):
            values = {"QueuePosition": position, "WaitNo": position - 1}
            rendered = prompter.render((PromptKind.QUEUE, text, position), text, values)
            assert f"number {position} " in rendered
        assert prompter.kept() == prompter.limit == 4096
