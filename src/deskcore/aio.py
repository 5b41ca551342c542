"""An asyncio runner: one task owns a desk, many tasks submit events to it.

:class:`Runner` is the loop every asyncio host would write around a :class:`~deskcore.Desk`
or a :class:`~deskcore.journal.DurableDesk`:

- it owns time: every event is stamped from the clock (injectable), never earlier than the
  desk's last instant, so a clock that steps back never makes an event an error;
- it sleeps until :meth:`~deskcore.Desk.next_deadline` and then fires it (a ``tick``);
- on start, a desk that has a past (recovered from a journal, or restored) first gets
  ``resumed`` from its last instant to now (T4), so offers and timeouts are not lost to
  the downtime; a desk that other processes share gets it only when no other process had
  it open (else the desk was never down);
- on a desk that other processes share, it looks for their entries every ``poll``
  seconds, so it wakes for the deadlines they set too (any process may fire a deadline:
  losing one process loses none);
- events that queue up while it works are handled together, and a durable desk commits
  them in one transaction (group commit) before any of their actions is dispatched or
  any submitter is answered;
- every action goes to the async ``dispatch`` callable, in the desk's order.

This module and the command line are the only parts of deskcore that read the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

from ._actions import AnyAction
from ._codec import event_from_json
from ._errors import EventError
from ._events import AnyEvent, Resumed, Tick, with_at
from ._time import format_instant

__all__ = ["Clock", "Dispatch", "Runnable", "Runner", "utc_now"]

log = logging.getLogger("deskcore.aio")

Clock = Callable[[], datetime]
"""Gives the current aware instant."""

Dispatch = Callable[[Sequence[AnyAction]], Awaitable[None]]
"""Carries out actions (sends prompts, shows offers ...); awaited in order."""


class Runnable(Protocol):
    """What a runner drives: a :class:`~deskcore.Desk` or a
    :class:`~deskcore.journal.DurableDesk`."""

    @property
    def now(self) -> datetime | None: ...  # pragma: no cover

    def handle(self, event: AnyEvent) -> list[AnyAction]: ...  # pragma: no cover

    def next_deadline(self) -> datetime | None: ...  # pragma: no cover


_Item = tuple[AnyEvent | Mapping[str, Any], "asyncio.Future[list[AnyAction]]"]


def utc_now() -> datetime:
    """The machine's clock, in UTC (the runner's default clock)."""
    return datetime.now(UTC)


async def _ignore(actions: Sequence[AnyAction]) -> None:
    return None


class Runner:
    """Drive ``desk`` from one task; :meth:`submit` from any number of tasks.

    ``dispatch`` gets the actions of each event and of each deadline, in order (an
    exception it raises is logged and the runner goes on: a durable desk's
    ``actions_since`` gives them again). ``max_batch`` bounds how many queued events one
    commit takes; ``max_sleep`` how long the runner sleeps without reading the clock
    again (seconds); ``poll`` how often it applies what other processes appended to a
    shared desk (seconds; only for a desk with ``refresh``, such as a
    :class:`~deskcore.journal.DurableDesk`). Use it as
    ``async with Runner(desk, dispatch) as runner:``, or call :meth:`start` and
    :meth:`stop`.
    """

    def __init__(
        self,
        desk: Runnable,
        dispatch: Dispatch | None = None,
        *,
        clock: Clock = utc_now,
        resume: bool = True,
        max_batch: int = 256,
        max_sleep: float = 60.0,
        poll: float = 1.0,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        if not poll > 0:
            raise ValueError(f"poll must be > 0 seconds, got {poll}")
        self.poll = poll
        self._refresh: Callable[[], int] | None = getattr(desk, "refresh", None)
        self.desk = desk
        self.dispatch = dispatch or _ignore
        self.clock = clock
        self.resume = resume
        self.max_batch = max_batch
        self.max_sleep = max_sleep
        self._items: deque[_Item] = deque()  # submitted, not yet taken by the task
        self._waiter: asyncio.Future[bool] | None = None  # the task's sleep, when it sleeps
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._last: datetime | None = desk.now
        self.batches = 0
        """How many batches the runner has handled (each one commit on a durable desk)."""

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the runner's task; first, after downtime, send ``resumed`` (T4)."""
        if self._task is not None:
            raise RuntimeError("the runner is already started")
        since = self.desk.now
        if self.resume and since is not None and getattr(self.desk, "alone", True):
            now = self._stamp()
            if now > since:
                try:
                    await self._deliver(self.desk.handle(Resumed(at=now, since=since)))
                except EventError:  # another process moved the desk on meanwhile
                    log.info("not resumed: the shared desk moved on since %s", since)
        self._task = asyncio.create_task(self._run(), name="deskcore runner")

    async def stop(self) -> None:
        """Handle what is queued, then stop the task."""
        task, self._task = self._task, None
        if task is None:
            return
        if not task.done():  # a task that failed has nothing more to handle
            self._stopping = True  # the task ends once nothing is left to take
            self.wake()
            try:
                await asyncio.wait({task})
            finally:
                self._stopping = False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def __aenter__(self) -> Runner:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- submitting -------------------------------------------------------------------------

    async def submit(self, event: AnyEvent | Mapping[str, Any]) -> list[AnyAction]:
        """Hand an event to the desk; its actions once they are committed and dispatched.

        ``event`` is an event object, or its JSON object with or without ``at``: either
        way the runner stamps the instant (an ``at`` given is replaced: the runner owns
        time). An event that is an error raises :class:`~deskcore.EventError` here and
        changes nothing.
        """
        if self._task is None:
            raise RuntimeError("the runner is not started")
        if self._task.done():  # it stopped on a failure of the desk: stop() raises it
            raise RuntimeError("the runner has stopped on an error")
        future: asyncio.Future[list[AnyAction]] = asyncio.get_running_loop().create_future()
        self._items.append((event, future))  # unbounded: never full
        self.wake()
        return await future

    def wake(self) -> None:
        """Read the clock again now (after a jump of the clock, or a fake clock's move)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    # -- the task ---------------------------------------------------------------------------

    def _stamp(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError(f"the clock must give aware datetimes, got {now!r}")
        last = self._last if self._last is not None else self.desk.now
        if last is not None and now < last:
            now = last  # never back in time
        self._last = now
        return now

    def _sleep_for(self) -> float:
        longest = self.max_sleep if self._refresh is None else min(self.max_sleep, self.poll)
        due = self.desk.next_deadline()
        if due is None:
            return longest
        left = (due - self.clock()).total_seconds()
        return min(max(left, 0.0), longest)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        items = self._items
        try:
            while True:
                if not items:
                    if self._stopping:
                        return
                    woken = await self._sleep(loop)
                    if self._stopping and not items:
                        return
                    if not woken and not items and self._refresh is not None:
                        self._refresh()  # what other processes appended, and set
                if items and len(items) < self.max_batch:
                    await asyncio.sleep(0)  # let submitters that are ready join this batch
                batch = [items.popleft() for _ in range(min(len(items), self.max_batch))]
                await self._step(batch)  # fires what is due, even with nothing submitted
        except Exception as exc:  # the desk failed: nobody waits for an answer forever
            while items:
                _item, future = items.popleft()
                if not future.done():
                    future.set_exception(exc)
            raise

    async def _sleep(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Sleep until an event is submitted, :meth:`wake` is called, or the next deadline
        comes (at most ``max_sleep``, or ``poll`` on a shared desk); whether it was woken
        before its time."""
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiter = waiter
        timer = loop.call_later(self._sleep_for(), _time_up, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def _step(self, items: list[_Item]) -> None:
        """Fire what is due, handle ``items`` at one instant, commit once, then dispatch
        and answer."""
        fired: list[AnyAction] = []
        answers: list[tuple[asyncio.Future[list[AnyAction]], list[AnyAction] | BaseException]] = []
        batch = getattr(self.desk, "batch", None)
        try:
            now = self._stamp()
            with batch() if batch is not None else contextlib.nullcontext():
                due = self.desk.next_deadline()
                if due is not None and due <= now:
                    fired = self.desk.handle(Tick(at=now))
                for item, future in items:
                    try:
                        event = _stamped(item, now)
                        answers.append((future, self.desk.handle(event)))
                    except EventError as exc:
                        answers.append((future, exc))
        except Exception as exc:  # the desk or its journal failed: nobody is answered "done"
            for _item, future in items:
                if not future.done():
                    future.set_exception(exc)
            log.exception("the desk failed; the runner stops")
            raise
        self.batches += 1
        if fired:
            await self._deliver(fired)
        for future, answer in answers:
            if isinstance(answer, BaseException):
                if not future.done():
                    future.set_exception(answer)
                continue
            await self._deliver(answer)
            if not future.done():
                future.set_result(answer)

    async def _deliver(self, actions: list[AnyAction]) -> None:
        if not actions:
            return
        try:
            await self.dispatch(actions)
        except Exception:  # the host's dispatcher failed: the desk goes on
            log.exception("dispatching %d actions failed", len(actions))


def _time_up(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


def _stamped(item: AnyEvent | Mapping[str, Any], now: datetime) -> AnyEvent:
    if isinstance(item, Mapping):
        return event_from_json({**item, "at": format_instant(now)})
    return with_at(item, now)
