"""A host that a crash test kills: it journals a stream of events from where the journal
left off, writing the index of each event once handle() has returned (acknowledged)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from deskcore import event_from_json, load_settings
from deskcore.journal import DurableDesk, JournalSettings


def main() -> None:
    url, events_path, settings_path, every = sys.argv[1:5]
    lines = Path(events_path).read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    settings = load_settings(json.loads(Path(settings_path).read_text(encoding="utf-8")))
    journal = JournalSettings(snapshot_every=int(every), snapshot_after=None)
    with DurableDesk.open(url, settings, journal=journal) as desk:
        start = desk.seq - 1  # entry 1 is the settings; every other entry an event
        print(f"ready {start}", flush=True)
        for index in range(start, len(events)):
            desk.handle(event_from_json(events[index]))
            print(index, flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
