"""The asyncio runner, with a fake clock: deadlines on time, resumed after downtime,
a clock that steps back, group commit, errors and dispatch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deskcore import (
    AgentRequested,
    AgentStatusChanged,
    AnyAction,
    AnyEvent,
    Desk,
    EventError,
    Offer,
    WithdrawOffer,
    load_settings,
)
from deskcore.aio import Runner
from deskcore.journal import DurableDesk
from journals import JournalUrl

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
MANUAL = load_settings({"service": {"mode": "manual", "accept_timeout": "30s"}})


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Collector:
    def __init__(self) -> None:
        self.actions: list[AnyAction] = []

    async def __call__(self, actions: Sequence[AnyAction]) -> None:
        self.actions.extend(actions)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=10))


async def settle(runner: Runner, clock: FakeClock, to: datetime) -> None:
    """Move the fake clock and let the runner see it."""
    clock.now = to
    runner.wake()
    for _ in range(20):
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)


def test_deadlines_fire_on_time() -> None:
    async def main() -> None:
        clock, out = FakeClock(), Collector()
        async with Runner(Desk(MANUAL), out, clock=clock) as runner:
            await runner.submit(AgentStatusChanged(at=START, agent="a1", status="online"))
            actions = await runner.submit({"type": "agent_requested", "conversation": "c1"})
            offer = next(a for a in actions if isinstance(a, Offer))
            assert offer.expires_at == START + timedelta(seconds=30)
            await settle(runner, clock, START + timedelta(seconds=29))
            assert not any(isinstance(a, WithdrawOffer) for a in out.actions)
            await settle(runner, clock, START + timedelta(seconds=31))
            withdrawn = [a for a in out.actions if isinstance(a, WithdrawOffer)]
            assert [a.at for a in withdrawn] == [
                START + timedelta(seconds=30)
            ]  # as of its due instant

    run(main)


def test_the_clock_never_goes_back() -> None:
    async def main() -> None:
        clock = FakeClock()
        async with Runner(Desk(), clock=clock) as runner:
            await runner.submit({"type": "agent_status", "agent": "a1", "status": "online"})
            clock.now = START - timedelta(hours=1)  # NTP stepped the clock back
            actions = await runner.submit({"type": "agent_requested", "conversation": "c1"})
            assert all(a.at == START for a in actions)
            stamped = await runner.submit(
                AgentRequested(at=START + timedelta(days=9), conversation="c2")
            )  # a given instant is replaced: the runner owns time
            assert all(a.at == START for a in stamped)

    run(main)


def test_errors_reach_the_submitter_and_change_nothing() -> None:
    async def main() -> None:
        async with Runner(Desk(), clock=FakeClock()) as runner:
            with pytest.raises(EventError, match="unknown conversation"):
                await runner.submit({"type": "agent_accepted", "conversation": "c", "agent": "x"})
            with pytest.raises(EventError, match="type"):
                await runner.submit({"type": "tock"})
            assert runner.desk.now is None

    run(main)


def test_a_failing_dispatcher_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(actions: Sequence[AnyAction]) -> None:
        raise RuntimeError("the chat server is down")

    async def main() -> None:
        async with Runner(Desk(), broken, clock=FakeClock()) as runner:
            await runner.submit({"type": "agent_status", "agent": "a1", "status": "online"})
            actions = await runner.submit({"type": "agent_requested", "conversation": "c1"})
            assert [a.type for a in actions][1] == "assign"

    run(main)
    assert "dispatching 3 actions failed" in caplog.text


def test_resumed_after_downtime(tmp_path: Path) -> None:
    """A durable desk reopened later gets ``resumed``: the offer moves by the downtime."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"

    async def first() -> None:
        with DurableDesk.open(url, MANUAL) as desk:
            async with Runner(desk, clock=FakeClock()) as runner:
                await runner.submit({"type": "agent_status", "agent": "a1", "status": "online"})
                await runner.submit({"type": "agent_requested", "conversation": "c1"})

    async def second() -> None:
        clock, out = FakeClock(), Collector()
        clock.now = START + timedelta(minutes=10)
        with DurableDesk.open(url) as desk:
            async with Runner(desk, out, clock=clock):
                offers = [a for a in out.actions if isinstance(a, Offer)]
                assert offers[0].expires_at == START + timedelta(minutes=10, seconds=30)
            assert desk.now == START + timedelta(minutes=10)

    run(first)
    run(second)


def test_group_commit(tmp_path: Path) -> None:
    """Events that queue up while the runner works share one commit."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"

    async def main() -> None:
        with DurableDesk.open(url, load_settings({})) as desk:
            before = desk.commits
            async with Runner(desk, clock=FakeClock()) as runner:
                await runner.submit({"type": "agent_status", "agent": "a1", "status": "online"})
                answers = await asyncio.gather(
                    *(
                        runner.submit({"type": "agent_requested", "conversation": f"c{n}"})
                        for n in range(100)
                    )
                )
            assert len(answers) == 100
            assert desk.seq == 1 + 1 + 100
            assert desk.commits - before <= 3 < 101
            assert runner.batches <= 3

    run(main)


def test_lifecycle_mistakes() -> None:
    async def main() -> None:
        runner = Runner(Desk())
        with pytest.raises(RuntimeError, match="not started"):
            await runner.submit({"type": "tick"})
        await runner.start()
        with pytest.raises(RuntimeError, match="already started"):
            await runner.start()
        await runner.stop()
        await runner.stop()  # twice is fine

    run(main)
    with pytest.raises(ValueError, match="max_batch"):
        Runner(Desk(), max_batch=0)


class Failing(Desk):
    """A desk whose journal (say) fails at its second event."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def handle(self, event: AnyEvent) -> list[AnyAction]:
        self.calls += 1
        if self.calls == 2:
            raise OSError("disk full")
        return super().handle(event)


def test_a_failed_desk_answers_everyone_waiting() -> None:
    """Submitters whose events were still queued when the desk failed get its error too,
    instead of waiting for ever; stop() raises it."""

    async def main() -> None:
        runner = Runner(Failing(), clock=FakeClock(), max_batch=1)
        await runner.start()
        answers = await asyncio.gather(
            *(
                runner.submit({"type": "agent_requested", "conversation": f"c{n}"})
                for n in range(4)
            ),
            return_exceptions=True,
        )
        assert isinstance(answers[0], list)
        assert all(isinstance(answer, OSError) for answer in answers[1:])
        with pytest.raises(OSError, match="disk full"):
            await runner.stop()

    run(main)


def test_stop_handles_what_is_queued() -> None:
    """Events submitted before stop() are all handled and answered."""

    async def main() -> None:
        desk = Desk()
        runner = Runner(desk, clock=FakeClock(), max_batch=2)
        await runner.start()
        waiting = [
            asyncio.ensure_future(
                runner.submit({"type": "agent_requested", "conversation": f"c{n}"})
            )
            for n in range(5)
        ]
        await asyncio.sleep(0)  # the submitters have queued their events
        await runner.stop()
        assert all(task.done() and not task.exception() for task in waiting)
        assert sum(1 for _ in desk.conversations()) == 5

    run(main)


def test_naive_clock_is_refused() -> None:
    async def main() -> None:
        runner = Runner(Desk(), clock=lambda: datetime(2026, 3, 2))
        await runner.start()
        with pytest.raises(ValueError, match="aware"):
            await runner.submit({"type": "tick"})
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="stopped on an error"):
            await runner.submit({"type": "tick"})
        with pytest.raises(ValueError, match="aware"):  # the runner stopped on it
            await runner.stop()

    run(main)


def test_a_shared_desk_fires_the_deadlines_others_set(journal_url: JournalUrl) -> None:
    """Another process makes an offer and goes away; this runner learns of it by polling
    and withdraws it on time. It sends no ``resumed``: the other had the desk open."""
    url = journal_url("desk")

    async def main() -> None:
        clock, out = FakeClock(), Collector()
        other = DurableDesk.open(url, MANUAL, origin="other")
        other.handle(AgentStatusChanged(at=START, agent="a1", status="online"))
        mine = DurableDesk.open(url, origin="mine")
        assert mine.alone is (url.startswith("sqlite"))  # PostgreSQL knows of the other
        other.handle(AgentRequested(at=START + timedelta(seconds=1), conversation="c1"))
        other.close()
        clock.now = START + timedelta(seconds=2)
        async with Runner(mine, out, clock=clock, poll=0.01, resume=False) as runner:
            await asyncio.sleep(0.05)  # a poll: the offer is known now
            assert mine.conversation_view("c1") is not None
            await settle(runner, clock, START + timedelta(seconds=40))
            withdrawn = [a for a in out.actions if isinstance(a, WithdrawOffer)]
            assert [a.at for a in withdrawn] == [START + timedelta(seconds=31)]
        mine.close()

    run(main)


def test_a_shared_desk_is_resumed_only_by_the_first_process(journal_url: JournalUrl) -> None:
    url = journal_url("desk")

    async def main() -> None:
        clock = FakeClock()
        with DurableDesk.open(url, MANUAL) as first:
            first.handle(AgentStatusChanged(at=START, agent="a1", status="online"))
        clock.now = START + timedelta(minutes=5)
        alone = DurableDesk.open(url)
        async with Runner(alone, clock=clock):
            pass
        assert alone.desk.now == clock.now  # resumed: the desk was down
        seq = alone.seq
        if url.startswith("postgresql"):  # a second process while the first runs
            clock.now = START + timedelta(minutes=6)
            second = DurableDesk.open(url)
            assert not second.alone
            async with Runner(second, clock=clock):
                pass
            assert second.seq == seq  # no resumed: the desk was never down
            second.close()
        alone.close()

    run(main)
