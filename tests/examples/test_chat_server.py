"""The example chat server, end to end: real websocket clients, a SIGKILL and a restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from chat import free_port, start

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

Json = dict[str, Any]


class Client:
    """One websocket client and what it received."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session, self.url = session, url
        self.seen: list[Json] = []
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> Client:
        self.socket = await self.session.ws_connect(self.url)
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.socket is not None
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.seen.append(json.loads(message.data))

    async def send(self, **data: Any) -> None:
        assert self.socket is not None
        await self.socket.send_json(data)

    async def wait(self, kind: str, **match: Any) -> Json:
        for _ in range(400):
            for item in self.seen:
                if item.get("kind") == kind and all(item.get(k) == v for k, v in match.items()):
                    return item
            await asyncio.sleep(0.01)
        raise AssertionError(f"{self.url}: no {kind} {match} in {self.seen}")

    def has(self, kind: str, conversation: str) -> bool:
        """Whether it received a ``kind`` message about ``conversation``."""
        return any(
            s.get("kind") == kind and s.get("conversation") == conversation for s in self.seen
        )

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            await self._reader


async def get(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        return await response.json()


def test_a_day_with_a_crash_in_the_middle(tmp_path: Path) -> None:
    journal = f"sqlite:///{tmp_path / 'chat.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ws = f"ws://127.0.0.1:{port}"

    async def before_the_crash() -> dict[str, str]:
        async with aiohttp.ClientSession() as session:
            ana = await Client(session, f"{ws}/ws/agent?agent=ana&name=Ana").connect()
            ben = await Client(session, f"{ws}/ws/agent?agent=ben&name=Ben").connect()
            await asyncio.sleep(0.1)
            users = [
                await Client(session, f"{ws}/ws/user?conversation=c{n}").connect() for n in range(6)
            ]
            for user in users:
                await user.send(op="ask")
            for n in range(4):  # two each: both agents full, two users wait
                conversation = f"c{n}"
                for _ in range(100):
                    holder = next((a for a in (ana, ben) if a.has("offer", conversation)), None)
                    if holder is not None:
                        await holder.send(op="accept", conversation=conversation)
                        break
                    await asyncio.sleep(0.02)
                await users[n].wait("connected")
            await users[0].send(op="say", text="hello")
            agent0 = ana if ana.has("connected", "c0") else ben
            assert (await agent0.wait("message", conversation="c0"))["text"] == "hello"
            await agent0.send(op="say", conversation="c0", text="hi there")
            assert (await users[0].wait("message"))["text"] == "hi there"
            await users[0].send(op="end")
            await users[0].wait("rating_card")
            await users[0].send(op="rate", score=5)
            for _ in range(100):
                if await get(session, f"{base}/ratings"):
                    break
                await asyncio.sleep(0.02)
            state: dict[str, str] = (await get(session, f"{base}/state"))["conversations"]
            server.send_signal(signal.SIGKILL)  # while everybody is connected
            server.wait()
            assert state["c0"] == "closed"
            assert sorted(state.values()).count("served") == 3
            return state

    async def after_the_restart(seen: dict[str, str]) -> None:
        async with aiohttp.ClientSession() as session:
            state = (await get(session, f"{base}/state"))["conversations"]
            for conversation, before in seen.items():  # nothing acknowledged was lost
                assert state[conversation] == before, conversation
            ratings = await get(session, f"{base}/ratings")
            assert ratings == [{"conversation": "c0", "agent": ratings[0]["agent"], "score": 5}]
            user = await Client(session, f"{ws}/ws/user?conversation=c0").connect()
            await user.send(op="rate", score=1)  # once per conversation
            await user.wait("rejected", event="rating_submitted", reason="already_rated")
            assert len(await get(session, f"{base}/ratings")) == 1
            ana = await Client(session, f"{ws}/ws/agent?agent=ana&name=Ana").connect()
            ben = await Client(session, f"{ws}/ws/agent?agent=ben&name=Ben").connect()
            offered = [c for c, s in state.items() if s == "offered"]
            assert offered  # c0's agent had room again before the crash: the next user
            for _ in range(100):  # an agent that reconnects sees the offers it holds
                if all(ana.has("offer", c) or ben.has("offer", c) for c in offered):
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError((offered, ana.seen, ben.seen))
            for client in (user, ana, ben):
                await client.close()

    server = start(journal, port)
    try:
        seen = asyncio.run(asyncio.wait_for(before_the_crash(), 30))
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGKILL)
            server.wait()
    server = start(journal, port)
    try:
        asyncio.run(asyncio.wait_for(after_the_restart(seen), 30))
    finally:
        server.terminate()
        server.wait()


def test_bad_messages_and_other_agents_conversations(tmp_path: Path) -> None:
    """A message that is not a JSON object with a known op gets an error and changes
    nothing; an agent's text reaches a user only in a conversation it serves; a user who
    connects again is told where its conversation stands."""
    journal = f"sqlite:///{tmp_path / 'chat.db'}"
    port = free_port()
    base, ws = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            ana = await Client(session, f"{ws}/ws/agent?agent=ana").connect()
            eve = await Client(session, f"{ws}/ws/agent?agent=eve").connect()
            await eve.send(op="status", status="break")
            await asyncio.sleep(0.1)
            user = await Client(session, f"{ws}/ws/user?conversation=c1").connect()
            await user.send(op="ask")
            await ana.wait("offer", conversation="c1")
            await ana.send(op="accept", conversation="c1")
            await user.wait("connected")
            before = await get(session, f"{base}/state")
            assert user.socket is not None and eve.socket is not None
            for text in ("{not json", "[1, 2]", "null", '{"op": "dance"}'):
                await user.socket.send_str(text)
                await eve.socket.send_str(text)
            await user.send(op="say", text=5)
            for client in (user, eve):
                for _ in range(100):
                    if sum(item.get("kind") == "error" for item in client.seen) >= 4:
                        break
                    await asyncio.sleep(0.02)
                else:
                    raise AssertionError(client.seen)
            assert await get(session, f"{base}/state") == before
            await eve.send(op="say", conversation="c1", text="I am not your agent")
            await eve.wait("rejected", event="agent_message")
            await ana.send(op="say", conversation="c1", text="I am")
            assert (await user.wait("message"))["text"] == "I am"
            assert [m["text"] for m in user.seen if m.get("kind") == "message"] == ["I am"]
            await user.close()
            again = await Client(session, f"{ws}/ws/user?conversation=c1").connect()
            assert (await again.wait("state"))["agent"] == "ana"
            await ana.close()
            ana = await Client(session, f"{ws}/ws/agent?agent=ana").connect()
            assert (await ana.wait("serving"))["conversations"] == ["c1"]
            for client in (again, ana, eve):
                await client.close()

    server = start(journal, port)
    try:
        asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        server.terminate()
        _, errors = server.communicate()
    assert b"Traceback" not in errors, errors.decode()
