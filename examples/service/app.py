"""A desk behind a small JSON service on aiohttp: the example host of docs/host.md.

Endpoints::

    POST /events              one event object, or a list of them  -> {"actions": [...]}
    GET  /actions?since=N     actions of deadlines, fired by the ticker, from number N on
    GET  /agents              every agent the desk knows
    GET  /agents/{id}         one agent, or 404
    GET  /conversations/{id}  a conversation's view, or 404
    GET  /queues              who waits where, next first
    GET  /health              the desk's instant and its next deadline

The service owns the clock: an event without ``at`` is stamped with ``max(clock(),
desk.now)``, so a clock stepping back never makes an event an error; an ``at`` that is
given is used as is. One :class:`asyncio.Lock` serialises every use of the desk. A
background task sleeps until ``desk.next_deadline()`` (woken early when an event moves
it) and then feeds ``Tick(at=now)``; the actions of those ticks go to the sink.

Run it with ``python -m examples.service --settings examples/desk.toml --port 8080``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from aiohttp import web

from deskcore import (
    Action,
    Desk,
    DeskSettings,
    EventError,
    SettingsError,
    Tick,
    action_to_json,
    event_from_json,
    format_instant,
    load_settings,
)

__all__ = ["SERVICE", "ActionLog", "Clock", "Refused", "Service", "Sink", "main", "make_app"]

Clock = Callable[[], datetime]
"""Gives the current instant, aware (``datetime.now(UTC)`` in production)."""

Sink = Callable[[Sequence[Action]], None]
"""Takes the actions of each tick, in the desk's order. It is called with the desk's lock
held, so it must be quick and must not raise: hand the actions to a queue, don't send."""

log = logging.getLogger("examples.service")


def utc_now() -> datetime:
    """The machine's clock, in UTC."""
    return datetime.now(UTC)


def instant(moment: datetime | None) -> str | None:
    """An instant as the protocol writes it (UTC, ``Z``), or ``None``."""
    return None if moment is None else format_instant(moment)


class ActionLog:
    """The default sink: the last ``limit`` actions of ticks, numbered from 0 in order."""

    def __init__(self, limit: int = 10_000) -> None:
        self._items: deque[Action] = deque(maxlen=limit)
        self._end = 0  # the number the next action will get

    def __call__(self, actions: Sequence[Action]) -> None:
        self._items.extend(actions)
        self._end += len(actions)

    def since(self, number: int) -> tuple[list[Action], int, int]:
        """The actions numbered ``number`` and after that are still kept, the number of the
        next action, and how many of those asked for were dropped already."""
        first = self._end - len(self._items)
        start = max(number, first)
        kept = list(islice(self._items, start - first, None))
        return kept, self._end, max(0, first - number)


class Refused(Exception):
    """An event of a request was an error (``error``); ``index`` is its place in the list."""

    def __init__(self, error: EventError, index: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.index = index


class Service:
    """One desk and everything that touches it: the clock, the lock, the ticker, the sink."""

    def __init__(
        self,
        desk: Desk,
        *,
        clock: Clock = utc_now,
        sink: Sink | None = None,
        max_sleep: float = 60.0,
    ) -> None:
        self.desk = desk
        self.clock = clock
        self.sink: Sink = sink if sink is not None else ActionLog()
        # The ticker re-reads the clock at least this often, so that a wall clock that
        # jumps forward (or a suspended machine) delays a deadline by at most this much.
        self.max_sleep = max_sleep
        self.lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def stamp(self) -> datetime:
        """The instant for an event that comes without one: the clock, but never earlier
        than the desk's last event. Call it with the lock held."""
        now, last = self.clock(), self.desk.now
        return now if last is None else max(now, last)

    def wake(self) -> None:
        """Make the ticker re-read the deadline and the clock now (call it when the clock
        jumps; events that move the deadline call it themselves)."""
        self._wake.set()

    async def submit(self, items: Sequence[object]) -> list[Action]:
        """Read, stamp and handle the JSON objects ``items`` as events, in order; return
        their actions.

        All or nothing: on an :class:`~deskcore.EventError` the desk is left as it was
        (several events are undone from a snapshot) and :class:`Refused` is raised.
        """
        async with self.lock:
            desk = self.desk
            before = desk.next_deadline()
            floor = self.stamp()  # an event without `at` is never earlier than those before
            events = []
            for index, item in enumerate(items):
                if isinstance(item, dict) and "at" not in item:
                    item = {**item, "at": floor.isoformat()}
                try:
                    event = event_from_json(item)
                except EventError as exc:
                    raise Refused(exc, index) from None
                floor = max(floor, event.at)
                events.append(event)
            saved = desk.snapshot() if len(events) > 1 else None
            actions: list[Action] = []
            for index, event in enumerate(events):
                try:
                    actions += desk.handle(event)
                except EventError as exc:
                    if saved is not None:
                        self.desk = Desk.restore(desk.settings, saved)
                    raise Refused(exc, index) from None
            if desk.next_deadline() != before:
                self.wake()
            return actions

    async def tick(self) -> float:
        """Feed ``Tick`` if a deadline is due; return how long to sleep, in seconds."""
        async with self.lock:
            now = self.stamp()
            deadline = self.desk.next_deadline()
            if deadline is not None and deadline <= now:
                actions = self.desk.handle(Tick(at=now))
                if actions:
                    self.sink(actions)
                return 0.0
        if deadline is None:
            return self.max_sleep
        return min((deadline - now).total_seconds(), self.max_sleep)

    async def run_ticker(self) -> None:
        """Tick the desk at each of its deadlines, until cancelled."""
        while True:
            self._wake.clear()  # before reading the deadline: a later change wakes us
            try:
                delay = await self.tick()
            except Exception:  # a bug of the host (its clock, its sink): stay up, say so
                log.exception("the ticker failed; trying again in %s s", self.max_sleep)
                delay = self.max_sleep
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()


SERVICE = web.AppKey("service", Service)


def _error(message: str) -> dict[str, Any]:
    return {"error": message, "event_type": None, "field": None}


async def post_events(request: web.Request) -> web.Response:
    """``POST /events``: one event object or a list of them; ``{"actions": [...]}``."""
    try:
        body = await request.json()
    except ValueError as exc:
        return web.json_response(_error(f"the body is not JSON: {exc}"), status=400)
    batch = isinstance(body, list)
    try:
        actions = await request.app[SERVICE].submit(body if batch else [body])
    except Refused as refused:
        answer: dict[str, Any] = refused.error.to_json()
        if batch:
            answer["index"] = refused.index
        return web.json_response(answer, status=400)
    return web.json_response({"actions": [action_to_json(action) for action in actions]})


async def get_agents(request: web.Request) -> web.Response:
    """``GET /agents``: every agent, in id order."""
    service = request.app[SERVICE]
    async with service.lock:
        agents = [view.to_json() for view in service.desk.agents()]
    return web.json_response({"agents": agents})


async def get_agent(request: web.Request) -> web.Response:
    """``GET /agents/{id}``: one agent, or 404."""
    service, agent = request.app[SERVICE], request.match_info["id"]
    async with service.lock:
        view = service.desk.agent_view(agent)
    if view is None:
        return web.json_response({"error": f"unknown agent {agent!r}"}, status=404)
    return web.json_response(view.to_json())


async def get_conversation(request: web.Request) -> web.Response:
    """``GET /conversations/{id}``: its view (state, agent, position, wait ...), or 404."""
    service, conversation = request.app[SERVICE], request.match_info["id"]
    async with service.lock:
        view = service.desk.conversation_view(conversation)
    if view is None:
        return web.json_response({"error": f"unknown conversation {conversation!r}"}, status=404)
    return web.json_response(view.to_json())


async def get_queues(request: web.Request) -> web.Response:
    """``GET /queues``: every queue with somebody in it, next first."""
    service = request.app[SERVICE]
    async with service.lock:
        queues = [queue.to_json() for queue in service.desk.queues()]
    return web.json_response({"queues": queues})


async def get_actions(request: web.Request) -> web.Response:
    """``GET /actions?since=N``: the actions of ticks numbered N and later."""
    sink = request.app[SERVICE].sink
    assert isinstance(sink, ActionLog)  # the route exists only then
    since = request.query.get("since", "0")
    if not (since.isascii() and since.isdigit()):
        message = f"since must be a non-negative integer, got {since!r}"
        return web.json_response({"error": message}, status=400)
    actions, end, missed = sink.since(int(since))
    return web.json_response(
        {"actions": [action_to_json(action) for action in actions], "next": end, "missed": missed}
    )


async def get_health(request: web.Request) -> web.Response:
    """``GET /health``: ok, with the desk's instant and its next deadline."""
    service = request.app[SERVICE]
    async with service.lock:
        now, deadline = service.desk.now, service.desk.next_deadline()
    return web.json_response(
        {"status": "ok", "now": instant(now), "next_deadline": instant(deadline)}
    )


async def _ticker(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[SERVICE].run_ticker(), name="desk ticker")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def make_app(
    settings: DeskSettings,
    *,
    clock: Clock = utc_now,
    sink: Sink | None = None,
    max_sleep: float = 60.0,
) -> web.Application:
    """The service of a new desk with ``settings``; its ticker runs while the app does.

    ``clock`` gives the current aware instant; ``sink`` takes the actions of ticks (by
    default an :class:`ActionLog`, which ``GET /actions`` reads).
    """
    app = web.Application()
    app[SERVICE] = service = Service(Desk(settings), clock=clock, sink=sink, max_sleep=max_sleep)
    app.cleanup_ctx.append(_ticker)
    app.router.add_post("/events", post_events)
    app.router.add_get("/agents", get_agents)
    app.router.add_get("/agents/{id}", get_agent)
    app.router.add_get("/conversations/{id}", get_conversation)
    app.router.add_get("/queues", get_queues)
    app.router.add_get("/health", get_health)
    if isinstance(service.sink, ActionLog):
        app.router.add_get("/actions", get_actions)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m examples.service", description="Serve a deskcore desk over HTTP."
    )
    parser.add_argument("--settings", type=Path, help="the desk's settings (TOML or JSON file)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on")
    args = parser.parse_args(argv)
    try:
        settings = DeskSettings() if args.settings is None else load_settings(args.settings)
    except (SettingsError, OSError) as exc:
        print(f"{args.settings}: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    web.run_app(make_app(settings), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
