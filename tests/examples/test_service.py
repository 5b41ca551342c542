"""The example service (examples/service/app.py), served on 127.0.0.1 and driven over HTTP.

Each test runs the real aiohttp app on an ephemeral port inside its own ``asyncio.run``,
with a clock the test controls.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from aiohttp import ClientSession, web
from examples.service.app import SERVICE, ActionLog, main, make_app

from deskcore import (
    Action,
    Close,
    CloseReason,
    DeskSettings,
    WithdrawOffer,
    action_to_json,
    load_settings,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Json = dict[str, Any]


def stamp(moment: datetime) -> str:
    """An instant as the service writes it."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


class FakeClock:
    """A clock the test sets; a running one also moves on with real time."""

    def __init__(self, start: datetime = START, *, running: bool = False) -> None:
        self._start = start
        self._offset = timedelta()
        self._running = running
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        now = self._start + self._offset
        if self._running:
            now += timedelta(seconds=time.monotonic() - self._origin)
        return now

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def set(self, moment: datetime) -> None:
        self._offset += moment - self()


class Client:
    """JSON requests to the service under test."""

    def __init__(self, session: ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def post(self, body: object) -> tuple[int, Json]:
        async with self.session.post(f"{self.base}/events", json=body) as response:
            return response.status, await response.json()

    async def post_text(self, text: str) -> tuple[int, Json]:
        async with self.session.post(f"{self.base}/events", data=text) as response:
            return response.status, await response.json()

    async def get(self, path: str) -> tuple[int, Json]:
        async with self.session.get(f"{self.base}{path}") as response:
            return response.status, await response.json()

    async def status(self, path: str) -> int:
        async with self.session.get(f"{self.base}{path}") as response:
            return response.status

    async def events(self, body: object) -> list[Json]:
        """The actions of events that must be accepted."""
        status, answer = await self.post(body)
        assert status == 200, answer
        actions: list[Json] = answer["actions"]
        return actions

    async def state(self, conversation: str) -> str | None:
        status, answer = await self.get(f"/conversations/{conversation}")
        return answer["state"] if status == 200 else None

    async def logged_until(self, kind: str, timeout: float = 3.0) -> list[Json]:
        """The action log, polled until it holds an action of type ``kind``."""
        deadline = time.monotonic() + timeout
        while True:
            status, answer = await self.get("/actions?since=0")
            assert status == 200
            actions: list[Json] = answer["actions"]
            if any(action["type"] == kind for action in actions):
                return actions
            assert time.monotonic() < deadline, f"no {kind} in {actions}"
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[Client]:
    """The app served on an ephemeral port of 127.0.0.1, and a client for it."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        async with ClientSession() as session:
            yield Client(session, f"http://{host}:{port}")
    finally:
        await runner.cleanup()


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run one test's scenario in a fresh event loop."""
    asyncio.run(scenario())


def online(agent: str, **fields: object) -> Json:
    return {"type": "agent_status", "agent": agent, "status": "online", **fields}


def request(conversation: str, **fields: object) -> Json:
    return {"type": "agent_requested", "conversation": conversation, **fields}


class TestEvents:
    """``POST /events`` and the views."""

    def test_agent_online_then_user_is_assigned(self) -> None:
        """An agent comes online; a user enters and asks for an agent, and gets it."""

        async def scenario() -> None:
            async with serving(make_app(DeskSettings(), clock=FakeClock())) as client:
                assert await client.events(online("a1", name="Mina")) == []
                [welcome] = await client.events(
                    {"type": "user_entered", "conversation": "c1", "user": "u1"}
                )
                assert welcome["prompt"] == "welcome"
                actions = await client.events(request("c1", user="u1"))
                assert [a["type"] for a in actions] == ["send_prompt", "assign", "send_prompt"]
                assert actions[1] == {
                    "type": "assign",
                    "at": stamp(START),
                    "conversation": "c1",
                    "agent": "a1",
                }
                assert actions[2]["text"] == "You are now chatting with Mina."
                assert await client.get("/conversations/c1") == (
                    200,
                    {
                        "id": "c1",
                        "state": "served",
                        "agent": "a1",
                        "scope": {},
                        "user": "u1",
                        "priority": 0,
                        "requested_at": stamp(START),
                        "declined": [],
                        "missed": [],
                    },
                )
                status, agents = await client.get("/agents")
                assert status == 200
                assert agents["agents"] == [
                    {
                        "id": "a1",
                        "status": "online",
                        "capacity": 5,
                        "load": 1,
                        "groups": [],
                        "idle_since": stamp(START),
                        "last_given": stamp(START),
                        "name": "Mina",
                        "serves": ["c1"],
                        "offers": [],
                    }
                ]
                assert await client.get("/agents/a1") == (200, agents["agents"][0])
                assert (await client.get("/agents/a2"))[0] == 404
                assert (await client.get("/conversations/c2"))[0] == 404
                assert await client.get("/health") == (
                    200,
                    {"status": "ok", "now": stamp(START), "next_deadline": None},
                )

        run(scenario)

    def test_a_list_of_events(self) -> None:
        """A list is handled in order and answers every action of its events."""

        async def scenario() -> None:
            async with serving(make_app(DeskSettings(), clock=FakeClock())) as client:
                actions = await client.events([online("a1"), request("c1"), request("c2")])
                assigned = [
                    (a["conversation"], a["agent"]) for a in actions if a["type"] == "assign"
                ]
                assert assigned == [("c1", "a1"), ("c2", "a1")]
                assert await client.events([]) == []

        run(scenario)

    def test_malformed_events_are_400_and_change_nothing(self) -> None:
        """An EventError answers 400 naming the event type and the field; the desk stays."""

        async def scenario() -> None:
            clock = FakeClock()
            async with serving(make_app(DeskSettings(), clock=clock)) as client:
                await client.events(online("a1"))
                clock.advance(timedelta(minutes=1))
                assert await client.post(request("c9", priority="high")) == (
                    400,
                    {
                        "error": "must be an integer, got 'high'",
                        "event_type": "agent_requested",
                        "field": "priority",
                    },
                )
                status, answer = await client.post({"type": "user_message", "conversation": "x"})
                assert (status, answer["event_type"], answer["field"]) == (
                    400,
                    "user_message",
                    "conversation",
                )
                status, answer = await client.post({"type": "agent_requsted"})
                assert (status, answer["event_type"], answer["field"]) == (400, None, "type")
                assert "agent_requested" in answer["error"]  # did you mean
                status, answer = await client.post(["not an object"])
                assert (status, answer["field"], answer["index"]) == (400, None, 0)
                status, answer = await client.post_text("{not json")
                assert status == 400 and answer["error"].startswith("the body is not JSON")
                # A list is all or nothing: a9 came online in it, and is gone again.
                status, answer = await client.post(
                    [online("a9"), request("c9"), {"type": "user_message", "conversation": "x"}]
                )
                assert (status, answer["index"], answer["field"]) == (400, 2, "conversation")
                assert await client.state("c9") is None
                _, agents = await client.get("/agents")
                assert [agent["id"] for agent in agents["agents"]] == ["a1"]
                _, health = await client.get("/health")
                assert health["now"] == stamp(START)  # no event was handled after the first
                # The desk still works, and takes up at the clock.
                actions = await client.events(request("c9"))
                assert actions[1]["at"] == stamp(START + timedelta(minutes=1))

        run(scenario)

    def test_stamps_never_go_back(self) -> None:
        """A given ``at`` is used as is; a stamped one is never earlier than the desk."""

        async def scenario() -> None:
            clock = FakeClock()
            async with serving(make_app(DeskSettings(), clock=clock)) as client:
                later = START + timedelta(hours=1)
                await client.events(online("a1", at=stamp(later)))
                actions = await client.events(request("c1"))  # the clock is behind the desk
                assert actions[1]["at"] == stamp(later)
                status, answer = await client.post(request("c2", at=stamp(START)))
                assert (status, answer["field"]) == (400, "at")
                # In a list, an event without `at` follows the given ones before it.
                actions = await client.events(
                    [request("c3", at=stamp(later + timedelta(minutes=5))), request("c4")]
                )
                assert {a["at"] for a in actions} == {stamp(later + timedelta(minutes=5))}

        run(scenario)


class TestTicker:
    """Deadlines fire through the background ticker."""

    def test_user_timeout_fires_when_the_clock_gets_there(self) -> None:
        """A served user who never answers is closed at ``closure.user_timeout``."""

        async def scenario() -> None:
            clock = FakeClock()
            settings = load_settings({"closure": {"user_timeout": "10m"}})
            app = make_app(settings, clock=clock)
            async with serving(app) as client:
                await client.events([online("a1"), request("c1")])
                await client.events({"type": "agent_message", "conversation": "c1"})
                _, health = await client.get("/health")
                assert health["next_deadline"] == stamp(START + timedelta(minutes=10))
                clock.advance(timedelta(minutes=9))
                app[SERVICE].wake()
                await asyncio.sleep(0.05)
                assert await client.get("/actions") == (
                    200,
                    {"actions": [], "next": 0, "missed": 0},
                )
                clock.advance(timedelta(minutes=1, seconds=3))
                app[SERVICE].wake()  # as a host would when its clock jumps
                actions = await client.logged_until("close")
                assert [a["type"] for a in actions] == ["send_prompt", "close"]
                assert actions[1] == {
                    "type": "close",
                    "at": stamp(START + timedelta(minutes=10)),  # the deadline's instant
                    "conversation": "c1",
                    "reason": "user_timeout",
                }
                assert await client.state("c1") == "closed"
                _, health = await client.get("/health")
                assert health["now"] == stamp(START + timedelta(minutes=10, seconds=3))
                assert health["next_deadline"] is None
                assert await client.get("/actions?since=2") == (
                    200,
                    {"actions": [], "next": 2, "missed": 0},
                )
                assert (await client.get("/actions?since=-1"))[0] == 400

        run(scenario)

    def test_offer_times_out_on_the_tickers_own_timer(self) -> None:
        """Manual mode: an offer nobody accepts is withdrawn at its ``expires_at``, by
        the ticker's sleep alone, and its actions reach a custom sink."""

        async def scenario() -> None:
            clock = FakeClock(running=True)
            sink: list[Action] = []
            settings = load_settings({"service": {"mode": "manual", "accept_timeout": "30s"}})
            app = make_app(settings, clock=clock, sink=sink.extend)
            async with serving(app) as client:
                actions = await client.events([online("a1"), request("c1")])
                [offer] = [a for a in actions if a["type"] == "offer"]
                _, health = await client.get("/health")
                assert health["next_deadline"] == offer["expires_at"]
                expires = datetime.fromisoformat(offer["expires_at"])
                clock.set(expires - timedelta(seconds=0.2))
                app[SERVICE].wake()  # it now sleeps 0.2 s of its own
                for _ in range(300):
                    if sink:
                        break
                    await asyncio.sleep(0.01)
                withdrawn = [a for a in sink if isinstance(a, WithdrawOffer)]
                assert [(w.conversation, w.agent, w.reason.value) for w in withdrawn] == [
                    ("c1", "a1", "timeout")
                ]
                assert withdrawn[0].at == expires
                assert await client.status("/actions") == 404  # no log with a custom sink

        run(scenario)


class TestConcurrency:
    """Many requests at once: one lock, so no double assignment and no overload."""

    CAPACITY: ClassVar[dict[str, int]] = {"a1": 2, "a2": 2, "a3": 1}

    def test_200_concurrent_requests(self) -> None:
        """200 users ask at once for 5 places: 5 assigned once each, 195 queued in order."""

        async def scenario() -> None:
            settings = load_settings({"queue": {"max_concurrent": 2}})
            async with serving(make_app(settings, clock=FakeClock())) as client:
                await client.events(online("a1"))
                await client.events(online("a2"))
                await client.events(online("a3", capacity=1))
                ids = [f"c{n:03}" for n in range(200)]
                answers = await asyncio.gather(*(client.events(request(c)) for c in ids))
                served = self.check(ids, answers)
                assert len(served) == 5
                await self.check_desk(client, ids, served)

                # Agents end their chats while 50 more users ask: each free place goes to
                # one user, and nobody is assigned twice.
                more = [f"d{n:03}" for n in range(50)]
                ends = [
                    {"type": "conversation_ended", "conversation": c, "by": "agent", "agent": a}
                    for c, a in served.items()
                ]
                answers = await asyncio.gather(
                    *(client.events(body) for body in [*ends, *map(request, more)])
                )
                assigned = self.assigned(answers)
                assert len(assigned) == 5 and not set(assigned) & set(served)
                assert set(assigned) <= set(ids)  # waiting users first (A5)
                for c in served:
                    assert await client.state(c) == "closed"
                await self.check_desk(client, [c for c in ids if c not in served] + more, assigned)

        run(scenario)

    def assigned(self, answers: Sequence[list[Json]]) -> dict[str, str]:
        """Conversation -> agent over every answer; no conversation is assigned twice, and
        no agent gets more than its capacity."""
        assigns = [a for actions in answers for a in actions if a["type"] == "assign"]
        per_conversation = Counter(a["conversation"] for a in assigns)
        assert max(per_conversation.values(), default=0) <= 1
        per_agent = Counter(a["agent"] for a in assigns)
        assert all(per_agent[agent] <= cap for agent, cap in self.CAPACITY.items())
        return {a["conversation"]: a["agent"] for a in assigns}

    def check(self, ids: list[str], answers: Sequence[list[Json]]) -> dict[str, str]:
        """Each user's own answer assigns it or queues it, never both."""
        for conversation, actions in zip(ids, answers, strict=True):
            own = [a["type"] for a in actions if a.get("conversation") == conversation]
            outcome = [kind for kind in own if kind in {"assign", "enqueue"}]
            assert len(outcome) == 1, (conversation, actions)
        return self.assigned(answers)

    async def check_desk(self, client: Client, ids: list[str], served: dict[str, str]) -> None:
        """The desk agrees: loads within capacity, and the rest waiting at 1, 2, 3, ..."""
        _, agents = await client.get("/agents")
        loads = {agent["id"]: agent["load"] for agent in agents["agents"]}
        assert loads == dict(Counter(served.values())) == self.CAPACITY
        views = await asyncio.gather(*(client.get(f"/conversations/{c}") for c in ids))
        waiting = [view for _, view in views if view["state"] == "waiting"]
        assert {view["id"] for _, view in views if view["state"] == "served"} == set(served)
        assert len(waiting) + len(served) == len(ids)
        assert sorted(view["position"] for view in waiting) == list(range(1, len(waiting) + 1))


class TestPieces:
    """The action log and the command line."""

    def test_action_log_keeps_the_last(self) -> None:
        """A full log drops its oldest actions and says how many were missed."""
        log = ActionLog(limit=2)
        log(
            [
                Close(at=START, conversation=f"c{n}", reason=CloseReason.USER_TIMEOUT)
                for n in range(3)
            ]
        )
        kept, end, missed = log.since(0)
        assert ([action_to_json(a)["conversation"] for a in kept], end, missed) == (
            ["c1", "c2"],
            3,
            1,
        )
        assert log.since(3) == ([], 3, 0)

    def test_main_refuses_bad_settings(self, tmp_path: Path) -> None:
        """Settings that do not load stop the command with status 2."""
        bad = tmp_path / "desk.toml"
        bad.write_text("[queue]\nmax_concurrent = 0\n", encoding="utf-8")
        assert main(["--settings", str(bad)]) == 2
        assert main(["--settings", str(tmp_path / "missing.toml")]) == 2
