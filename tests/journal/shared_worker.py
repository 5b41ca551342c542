"""One of several host processes sharing a desk, for the concurrency tests.

It drives its own agents and users (ids prefixed with its name) on a shared journal,
stamping events with its own clock, which runs ``speed`` times faster than real time
from the common start ``t0`` and is ``skew`` seconds off. It reads the shared desk to
choose what to do (offers its agents hold, conversations they serve), so its events race
with the others'. Each journaled event is written to stdout once handle() returned (the
acknowledgement) as ``{"seq": …, "actions": […]}``; at the end, the final state.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from deskcore import (
    AgentAccepted,
    AgentDeclined,
    AgentMessage,
    AgentRequested,
    AgentStatusChanged,
    ConversationEnded,
    EventError,
    Tick,
    UserEntered,
    UserMessage,
    action_to_json,
    load_settings,
)
from deskcore._events import AnyEvent
from deskcore.journal import DurableDesk, JournalSettings

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
DOCUMENT: dict[str, Any] = {
    "service": {"mode": "manual", "accept_timeout": "20s", "break_on_timeout": True},
    "queue": {"max_concurrent": 2, "update_interval": "10s", "max_wait": "2m"},
    "closure": {"user_timeout": "1m", "retention": "1h"},
    "ratings": {"send_on_end": True},
}
MAX_SKEW = timedelta(seconds=10)


def main() -> None:
    url, name, seed, count, skew, speed, t0 = sys.argv[1:8]
    rng = random.Random(int(seed))
    offset, rate, begin = float(skew), float(speed), float(t0)

    def now() -> datetime:
        return START + timedelta(seconds=(time.time() - begin) * rate + offset)

    out = sys.stdout
    desk = DurableDesk.open(
        url,
        load_settings(DOCUMENT),
        max_skew=MAX_SKEW,
        origin=name,
        journal=JournalSettings(snapshot_every=150, snapshot_after=None),
    )
    agents = [f"{name}-a{k}" for k in range(2)]
    convs = 0
    errors = 0

    def send(event: AnyEvent) -> None:
        nonlocal errors
        before = desk.appended
        try:
            actions = desk.handle(event)
        except EventError as exc:
            errors += 1
            out.write(json.dumps({"error": str(exc)}) + "\n")
            return
        if desk.appended != before:
            line = {"seq": desk.appended, "actions": [action_to_json(a) for a in actions]}
            out.write(json.dumps(line) + "\n")
            out.flush()

    time.sleep(max(0.0, begin - time.time()))
    print(json.dumps({"ready": desk.seq}), flush=True)
    for agent in agents:
        send(AgentStatusChanged(at=now(), agent=agent, status="online"))
    for _ in range(int(count)):
        roll = rng.random()
        mine = [view for view in (desk.agent_view(a) for a in agents) if view is not None]
        offers = [(view.id, c) for view in mine for c in view.offers]
        served = [(view.id, c) for view in mine for c in view.serves]
        if roll < 0.15:
            send(Tick(at=now()))
        elif roll < 0.40:
            convs += 1
            conv = f"{name}-c{convs}"
            send(UserEntered(at=now(), conversation=conv, user=f"{name}-u{convs}"))
            send(AgentRequested(at=now(), conversation=conv))
        elif roll < 0.62 and offers:
            agent, conv = rng.choice(offers)
            send(AgentAccepted(at=now(), conversation=conv, agent=agent))
        elif roll < 0.65 and offers:
            agent, conv = rng.choice(offers)
            send(AgentDeclined(at=now(), conversation=conv, agent=agent))
        elif roll < 0.75 and served:
            _agent, conv = rng.choice(served)
            send(AgentMessage(at=now(), conversation=conv))
        elif roll < 0.80 and served:
            _agent, conv = rng.choice(served)
            send(UserMessage(at=now(), conversation=conv))
        elif roll < 0.90 and served:
            agent, conv = rng.choice(served)
            send(ConversationEnded(at=now(), conversation=conv, by="agent", agent=agent))
        elif roll < 0.97:
            agent = rng.choice(agents)
            view = desk.agent_view(agent)
            online = view is not None and view.status == "online"
            send(AgentStatusChanged(at=now(), agent=agent, status="break" if online else "online"))
        else:
            desk.refresh()
        time.sleep(rng.uniform(0, 0.002))
    desk.refresh()
    final = {"final": desk.snapshot(), "seq": desk.seq, "errors": errors}
    print(json.dumps(final), flush=True)
    desk.close()


if __name__ == "__main__":
    main()
