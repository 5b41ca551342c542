"""A small websocket chat server on deskcore's runner and its SQLite journal.

Users and agents connect over websockets (``/ws/user``, ``/ws/agent``); the pages
``/user`` and ``/agent`` are a person's way in. The desk decides who gets whom and what
users are told; the server carries the chat's own text between the two sides and keeps
ratings in the journal's database, once per conversation.

Run it with ``python -m examples.chat_server --journal sqlite:///chat.db --port 8081``
and open ``http://127.0.0.1:8081/user`` and ``/agent`` in two browser windows. Kill it at
any moment and start it again: nothing acknowledged is lost, offers come back with new
expiries (the runner sends ``resumed``), and no rating is recorded twice.

Messages a client sends (JSON): a user ``{"op": "ask", "group": ...}``, ``{"op": "say",
"text": ...}``, ``{"op": "end"}``, ``{"op": "rate", "score": 5}``; an agent ``{"op":
"status", "status": "break"}``, ``{"op": "accept"|"decline"|"end"|"invite",
"conversation": ...}``, ``{"op": "say", "conversation": ..., "text": ...}``, ``{"op":
"transfer", "conversation": ..., "to_agent"|"to_group": ...}``. What it receives: ``{"kind":
...}`` objects (``prompt``, ``offer``, ``withdrawn``, ``connected``, ``released``,
``message``, ``closed``, ``rating_card``, ``status``, ``rejected``, ``error``; on
connecting again, a user whose conversation is under way gets ``state`` with its state,
agent and queue position, and an agent ``serving`` with the conversations it serves). A
message that is not a JSON object with a known ``op`` gets an ``error`` and changes
nothing; an agent's text reaches the user only in a conversation that agent serves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from deskcore import (
    AnyAction,
    Assign,
    Close,
    EventError,
    Offer,
    RatingCard,
    RecordRating,
    Rejected,
    Release,
    SendPrompt,
    SetAgentStatus,
    WithdrawOffer,
    format_instant,
    load_settings,
)
from deskcore.aio import Clock, Runner, utc_now
from deskcore.journal import DurableDesk, JournalSettings, path_of

__all__ = ["CHAT", "Chat", "main", "make_app"]

HERE = Path(__file__).resolve().parent
log = logging.getLogger("examples.chat_server")


class Chat:
    """The server's state beside the desk: open sockets and the ratings table."""

    def __init__(self, desk: DurableDesk, url: str) -> None:
        self.desk = desk
        self.users: dict[str, web.WebSocketResponse] = {}  # conversation -> user's socket
        self.agents: dict[str, web.WebSocketResponse] = {}
        self.serving: dict[str, str] = {}  # conversation -> agent
        self.runner: Runner | None = None
        self.ratings = sqlite3.connect(path_of(url), isolation_level=None)
        self.ratings.execute(
            "CREATE TABLE IF NOT EXISTS ratings (conversation TEXT PRIMARY KEY, agent TEXT, "
            "score INTEGER, comment TEXT)"
        )
        self.recorded = 0
        for _seq, actions in desk.actions_since(0):  # a rating the last run did not store
            for action in actions:
                if isinstance(action, RecordRating):
                    self.record(action)
        for view in desk.conversations():
            if view.state == "served" and view.agent is not None:
                self.serving[view.id] = view.agent

    def record(self, rating: RecordRating) -> None:
        """Store a rating once, whatever redelivers it."""
        cursor = self.ratings.execute(
            "INSERT OR IGNORE INTO ratings VALUES (?, ?, ?, ?)",
            (rating.conversation, rating.agent, rating.score, rating.comment),
        )
        self.recorded += cursor.rowcount

    async def send(self, socket: web.WebSocketResponse | None, **message: Any) -> None:
        if socket is not None and not socket.closed:
            with contextlib.suppress(ConnectionError):  # gone: it reconnects
                await socket.send_json(message)

    async def dispatch(self, actions: Sequence[AnyAction]) -> None:
        """Carry out the desk's actions: each to the side it concerns."""
        for action in actions:
            match action:
                case SendPrompt(conversation, prompt, text):
                    await self.send(
                        self.users.get(conversation), kind="prompt", prompt=prompt.value, text=text
                    )
                case Offer(conversation, agent, expires_at):
                    await self.send(
                        self.agents.get(agent), kind="offer", conversation=conversation,
                        expires_at=format_instant(expires_at),
                    )  # fmt: skip
                case WithdrawOffer(conversation, agent, reason):
                    await self.send(
                        self.agents.get(agent),
                        kind="withdrawn",
                        conversation=conversation,
                        reason=reason.value,
                    )
                case Assign(conversation, agent):
                    self.serving[conversation] = agent
                    await self.send(
                        self.agents.get(agent), kind="connected", conversation=conversation
                    )
                    await self.send(self.users.get(conversation), kind="connected", agent=agent)
                case Release(conversation, agent, reason):
                    self.serving.pop(conversation, None)
                    await self.send(
                        self.agents.get(agent),
                        kind="released",
                        conversation=conversation,
                        reason=reason.value,
                    )
                case SetAgentStatus(agent, status, reason):
                    await self.send(
                        self.agents.get(agent),
                        kind="status",
                        status=status.value,
                        reason=reason.value,
                    )
                case Close(conversation, reason):
                    holder = self.serving.pop(conversation, None)
                    for socket in (self.users.get(conversation), self.agents.get(holder or "")):
                        await self.send(
                            socket, kind="closed", conversation=conversation, reason=reason.value
                        )
                case RatingCard(conversation, text, expires_at):
                    await self.send(self.users.get(conversation), kind="rating_card", text=text)
                case RecordRating():
                    self.record(action)
                case _:
                    pass  # request_assignment, enqueue, routing_failed, rejected: not used here

    async def submit(self, socket: web.WebSocketResponse, event: dict[str, Any]) -> bool:
        """Hand the client's event to the desk; whether the desk took it (an error or a
        refusal is sent back to the client instead)."""
        assert self.runner is not None
        try:
            actions = await self.runner.submit(event)
        except EventError as exc:
            await self.send(socket, kind="error", **exc.to_json())
            return False
        taken = True
        for action in actions:
            if isinstance(action, Rejected):
                taken = False
                await self.send(
                    socket, kind="rejected", reason=action.reason.value, event=event["type"]
                )
        return taken

    async def read(self, socket: web.WebSocketResponse, text: str, ops: tuple[str, ...]) -> Any:
        """A client's message as a JSON object with a known ``op``, else ``None`` (the
        client is told what is wrong, and nothing changes)."""
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            await self.send(socket, kind="error", message="expected a JSON object with an op")
            return None
        if data.get("op") not in ops:
            await self.send(
                socket,
                kind="error",
                message=f"unknown op {data.get('op')!r} (known: {', '.join(ops)})",
            )
            return None
        if data["op"] == "say" and not isinstance(data.get("text", ""), str):
            await self.send(socket, kind="error", message="say: text must be a string")
            return None
        return data


CHAT = web.AppKey("chat", Chat)


async def user_socket(request: web.Request) -> web.WebSocketResponse:
    """``/ws/user?conversation=c1&user=u1``: one user in one conversation."""
    chat = request.app[CHAT]
    conversation = request.query.get("conversation", "")
    user = request.query.get("user", conversation)
    socket = web.WebSocketResponse(heartbeat=20)
    await socket.prepare(request)
    chat.users[conversation] = socket
    try:
        await _user_session(chat, socket, conversation, user)
    finally:
        if chat.users.get(conversation) is socket:
            del chat.users[conversation]
    return socket


async def _user_session(
    chat: Chat, socket: web.WebSocketResponse, conversation: str, user: str
) -> None:
    await chat.submit(socket, {"type": "user_entered", "conversation": conversation, "user": user})
    view = chat.desk.conversation_view(conversation)  # back after a reconnect or a restart
    if view is not None and view.state != "new":
        await chat.send(
            socket, kind="state", state=view.state.value, agent=view.agent, position=view.position
        )
    async for message in socket:
        if message.type != WSMsgType.TEXT:
            await chat.send(socket, kind="error", message="expected a text frame")
            continue
        data = await chat.read(socket, message.data, ("ask", "say", "end", "rate"))
        if data is None:
            continue
        op = data["op"]
        if op == "ask":
            event = {"type": "agent_requested", "conversation": conversation, "user": user}
            if data.get("group"):
                event["group"] = data["group"]
            await chat.submit(socket, event)
        elif op == "say":
            if await chat.submit(socket, {"type": "user_message", "conversation": conversation}):
                agent = chat.serving.get(conversation)
                await chat.send(
                    chat.agents.get(agent or ""),
                    kind="message",
                    conversation=conversation,
                    text=data.get("text", ""),
                )
        elif op == "end":
            await chat.submit(
                socket, {"type": "conversation_ended", "conversation": conversation, "by": "user"}
            )
        elif op == "rate":
            await chat.submit(
                socket,
                {
                    "type": "rating_submitted",
                    "conversation": conversation,
                    "score": data.get("score"),
                },
            )


async def agent_socket(request: web.Request) -> web.WebSocketResponse:
    """``/ws/agent?agent=a1&name=Mina``: an agent; connecting brings it online."""
    chat = request.app[CHAT]
    agent = request.query.get("agent", "")
    socket = web.WebSocketResponse(heartbeat=20)
    await socket.prepare(request)
    chat.agents[agent] = socket
    try:
        await _agent_session(chat, socket, agent, request.query)
    finally:
        if chat.agents.get(agent) is socket:
            del chat.agents[agent]
            await chat.submit(socket, {"type": "agent_status", "agent": agent, "status": "offline"})
    return socket


async def _agent_session(chat: Chat, socket: web.WebSocketResponse, agent: str, query: Any) -> None:
    online: dict[str, Any] = {"type": "agent_status", "agent": agent, "status": "online"}
    if query.get("name"):
        online["name"] = query["name"]
    if query.get("groups"):
        online["groups"] = query["groups"].split(",")
    await chat.submit(socket, online)
    view = chat.desk.agent_view(agent)  # offers made while it was away (or before a restart)
    for conversation in view.offers if view is not None else ():
        offered = chat.desk.conversation_view(conversation)
        if offered is not None and offered.offer_expires_at is not None:
            expires = format_instant(offered.offer_expires_at)
            await chat.send(socket, kind="offer", conversation=conversation, expires_at=expires)
    serving = sorted(conv for conv, holder in chat.serving.items() if holder == agent)
    if serving:  # back after a reconnect or a restart
        await chat.send(socket, kind="serving", conversations=serving)
    ops = ("status", "accept", "decline", "invite", "say", "end", "transfer")
    async for message in socket:
        if message.type != WSMsgType.TEXT:
            await chat.send(socket, kind="error", message="expected a text frame")
            continue
        data = await chat.read(socket, message.data, ops)
        if data is None:
            continue
        op, conversation = data["op"], data.get("conversation")
        if op == "status":
            await chat.submit(
                socket, {"type": "agent_status", "agent": agent, "status": data.get("status")}
            )
        elif op in ("accept", "decline", "invite"):
            kind = {
                "accept": "agent_accepted",
                "decline": "agent_declined",
                "invite": "rating_invited",
            }[op]
            await chat.submit(socket, {"type": kind, "conversation": conversation, "agent": agent})
        elif op == "say":  # only into a conversation this agent serves
            said = await chat.submit(
                socket, {"type": "agent_message", "conversation": conversation}
            )
            if said and chat.serving.get(conversation or "") == agent:
                await chat.send(
                    chat.users.get(conversation or ""), kind="message", text=data.get("text", "")
                )
            elif said:
                await chat.send(
                    socket, kind="rejected", reason="not_serving_agent", event="agent_message"
                )
        elif op == "end":
            await chat.submit(
                socket,
                {
                    "type": "conversation_ended",
                    "conversation": conversation,
                    "by": "agent",
                    "agent": agent,
                },
            )
        elif op == "transfer":
            event = {"type": "transfer", "conversation": conversation, "agent": agent}
            event.update({k: data[k] for k in ("to_agent", "to_group") if data.get(k)})
            await chat.submit(socket, event)


async def page(request: web.Request) -> web.FileResponse:
    """The static pages: ``/user`` and ``/agent``."""
    return web.FileResponse(HERE / f"{request.match_info['page']}.html")


async def ratings(request: web.Request) -> web.Response:
    """``/ratings``: what was recorded, one row per conversation."""
    chat = request.app[CHAT]
    rows = chat.ratings.execute(
        "SELECT conversation, agent, score FROM ratings ORDER BY 1"
    ).fetchall()
    return web.json_response([{"conversation": c, "agent": a, "score": s} for c, a, s in rows])


async def state(request: web.Request) -> web.Response:
    """``/state``: the journal's last entry and every conversation's state."""
    chat = request.app[CHAT]
    views = {view.id: view.state.value for view in chat.desk.conversations()}
    return web.json_response({"seq": chat.desk.seq, "conversations": views})


def make_app(url: str, settings_path: Path, *, clock: Clock = utc_now) -> web.Application:
    """The chat server over the journal at ``url`` with the settings file."""
    app = web.Application()
    settings = load_settings(settings_path)
    desk = DurableDesk.open(url, settings, journal=JournalSettings(snapshot_every=200))
    chat = Chat(desk, url)
    app[CHAT] = chat

    async def lifecycle(app: web.Application) -> Any:
        chat.runner = Runner(desk, chat.dispatch, clock=clock)
        await chat.runner.start()
        yield
        await chat.runner.stop()
        desk.close()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/ws/user", user_socket)
    app.router.add_get("/ws/agent", agent_socket)
    app.router.add_get("/ratings", ratings)
    app.router.add_get("/state", state)
    app.router.add_get("/{page:user|agent}", page)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted."""
    parser = argparse.ArgumentParser(description="A websocket chat server on deskcore.")
    parser.add_argument("--journal", default="sqlite:///chat.db", help="the journal's URL")
    parser.add_argument("--settings", default=str(HERE / "desk.toml"), help="settings file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    web.run_app(
        make_app(args.journal, Path(args.settings)),
        host=args.host,
        port=args.port,
        print=lambda _: None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
