"""The journal: what is journaled, recovery, snapshots, compaction and the commands."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streams import stream

from deskcore import (
    AgentRequested,
    AgentStatusChanged,
    AnyEvent,
    Desk,
    EventError,
    Tick,
    UserEntered,
    action_to_json,
    event_from_json,
    load_settings,
)
from deskcore._cli import main
from deskcore._records import TIMERS
from deskcore._snapshot import CONV_DEFAULTS
from deskcore.journal import DurableDesk, JournalError, JournalSettings
from deskcore.journal import _durable as durable
from deskcore.journal._store import restore_snapshot
from journals import JournalUrl, fresh_schema

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
MANUAL = load_settings({"service": {"mode": "manual"}, "closure": {"user_timeout": "2m"}})


def url_of(tmp_path: Path, name: str = "desk.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def sql(url: str, query: str) -> list[tuple[Any, ...]]:
    """Run ``query`` on a journal's database, ``{entries}`` and ``{snapshots}`` naming
    its tables, and commit."""
    if url.startswith("sqlite:///"):
        query = query.format(entries="entries", snapshots="snapshots")
        with sqlite3.connect(url[len("sqlite:///") :]) as db:
            return db.execute(query).fetchall()
    import psycopg

    query = query.format(entries="deskcore_entries", snapshots="deskcore_snapshots")
    with psycopg.connect(url, autocommit=True) as pg:
        cursor = pg.execute(query.replace("?", "%s"))
        return cursor.fetchall() if cursor.description else []


def run(url: str, events: list[dict[str, Any]], **journal: Any) -> list[list[dict[str, Any]]]:
    with DurableDesk.open(url, MANUAL, journal=JournalSettings(**journal)) as desk:
        return [[action_to_json(a) for a in desk.handle(event_from_json(e))] for e in events]


class TestOpening:
    def test_urls(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Three slashes: a relative path; four: an absolute one; other URLs are errors."""
        monkeypatch.chdir(tmp_path)
        with DurableDesk.open("sqlite:///sub/rel.db") as desk:
            assert desk.seq == 1  # the settings
        assert (tmp_path / "sub" / "rel.db").is_file()
        with DurableDesk.open(f"sqlite:///{tmp_path}/abs.db") as desk:
            assert desk.seq == 1
        for bad in ("mysql://x", "sqlite://rel.db", "sqlite:///"):
            with pytest.raises(JournalError, match="URL"):
                DurableDesk.open(bad)

    def test_not_a_journal(self, tmp_path: Path) -> None:
        (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
        with pytest.raises(JournalError, match="not a deskcore journal"):
            DurableDesk.open(url_of(tmp_path, "junk.db"))

    def test_journal_settings_are_checked(self) -> None:
        with pytest.raises(ValueError, match="snapshot_every"):
            JournalSettings(snapshot_every=0)
        with pytest.raises(ValueError, match="snapshot_after"):
            JournalSettings(snapshot_after=timedelta(0))
        with pytest.raises(ValueError, match="durability"):
            JournalSettings(durability="disk")  # type: ignore[arg-type]

    def test_two_desks_in_one_journal(self, journal_url: JournalUrl) -> None:
        url = journal_url("desk")
        with (
            DurableDesk.open(url, desk="north") as north,
            DurableDesk.open(url, desk="south") as south,
        ):
            north.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
            assert (north.seq, south.seq) == (2, 1)
        with DurableDesk.open(url, desk="north") as north:
            assert north.agent_view("a1") is not None


class TestWhatIsJournaled:
    def test_errors_and_idle_ticks_are_not(self, journal_url: JournalUrl) -> None:
        with DurableDesk.open(journal_url("desk"), MANUAL) as desk:
            desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
            with pytest.raises(EventError):  # beyond max_skew (2 s)
                desk.handle(AgentRequested(at=AT - timedelta(seconds=3), conversation="c1"))
            assert desk.handle(Tick(at=AT + timedelta(seconds=5))) == []
            assert desk.seq == 2
            with pytest.raises(EventError):  # a tick far back in time is still an error
                desk.handle(Tick(at=AT - timedelta(seconds=10)))
            assert desk.handle(Tick(at=AT - timedelta(seconds=1))) == []  # within the skew
            desk.handle(AgentRequested(at=AT + timedelta(seconds=6), conversation="c1"))
            fired = desk.handle(Tick(at=AT + timedelta(minutes=2)))  # the offer expires
            assert fired[0].type == "withdraw_offer"
            assert desk.seq == 4
            assert [seq for seq, _ in desk.actions_since(2)] == [3, 4]
            assert desk.actions_since(3)[0][1] == fired

    def test_opening_without_creating(self, tmp_path: Path, journal_url: JournalUrl) -> None:
        """``create=False`` opens only a desk that exists, and writes nothing."""
        with pytest.raises(JournalError, match="no journal at"):
            DurableDesk.open(url_of(tmp_path, "missing.db"), create=False)
        assert not (tmp_path / "missing.db").exists()
        url = journal_url("desk")
        with DurableDesk.open(url, MANUAL, desk="north") as desk:
            desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        with pytest.raises(JournalError, match="no desk 'default'"):
            DurableDesk.open(url, create=False)
        with DurableDesk.open(url, desk="north", create=False) as desk:
            assert desk.seq == 2
            assert desk.settings == MANUAL
        assert sql(url, "SELECT DISTINCT desk FROM {entries}") == [("north",)]

    def test_settings_updates_are_journaled(self, journal_url: JournalUrl) -> None:
        url = journal_url("desk")
        later = load_settings({"queue": {"max_concurrent": 1}})
        with DurableDesk.open(url, MANUAL) as desk:
            desk.update_settings(later)
            assert desk.seq == 2
        with DurableDesk.open(url) as desk:  # pending at close: pending after the reopen
            assert desk.settings == later
            assert desk.desk.pending_settings == later
        with DurableDesk.open(url, MANUAL) as desk:  # other settings given: applied, journaled
            assert desk.seq == 3
            assert desk.settings == MANUAL

    def test_a_tick_puts_a_settings_update_in_force(self, journal_url: JournalUrl) -> None:
        """A tick with no deadline due but a settings update waiting is handled (and
        journaled) as a plain desk handles it: the update takes effect, and an agent
        given room takes a waiting user then (A5)."""
        one, two = (load_settings({"queue": {"max_concurrent": n}}) for n in (1, 2))
        events: list[AnyEvent] = [
            AgentStatusChanged(at=AT, agent="a1", status="online"),
            AgentRequested(at=AT, conversation="c1"),
            AgentRequested(at=AT, conversation="c2"),
        ]
        plain = Desk(one)
        for event in events:
            plain.handle(event)
        plain.update_settings(two)
        expected = plain.handle(Tick(at=AT + timedelta(seconds=1)))
        assert [action.type for action in expected][:1] == ["assign"]
        with DurableDesk.open(journal_url("desk"), one) as desk:
            for event in events:
                desk.handle(event)
            desk.update_settings(two)
            assert desk.handle(Tick(at=AT + timedelta(seconds=1))) == expected
            assert desk.seq == 1 + 3 + 1 + 1
            assert desk.snapshot() == plain.snapshot()


class TestRecovery:
    def test_reopen_is_exact(self, journal_url: JournalUrl) -> None:
        """Closing and reopening at every tenth event gives the uninterrupted actions."""
        events = stream(MANUAL, 400, seed=3)
        fresh = Desk(MANUAL)
        expected = [[action_to_json(a) for a in fresh.handle(event_from_json(e))] for e in events]
        url = journal_url("desk")
        got: list[list[dict[str, Any]]] = []
        for start in range(0, len(events), 10):
            got += run(url, events[start : start + 10], snapshot_every=7)
            with DurableDesk.open(url) as desk:
                assert desk.recovered <= 7
        assert got == expected
        with DurableDesk.open(url) as desk:
            assert desk.snapshot() == fresh.snapshot()
            assert desk.next_deadline() == fresh.next_deadline()
            assert desk.now == fresh.now

    def test_a_snapshot_that_cannot_be_restored_is_passed_over(
        self, journal_url: JournalUrl, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A damaged newest snapshot: recovery starts from the next older one; with every
        snapshot damaged, from the whole journal; either way exactly. After a compaction
        left nothing else, opening fails naming the snapshot."""
        events = stream(MANUAL, 120, seed=5)
        fresh = Desk(MANUAL)
        for event in events:
            fresh.handle(event_from_json(event))
        url = journal_url("desk")
        run(url, events, snapshot_every=25, snapshot_after=None)
        newest = "(SELECT MAX(seq) FROM {snapshots})"
        sql(url, "UPDATE {snapshots} SET state = '{{\"format\": 3}}' WHERE seq = " + newest)
        with DurableDesk.open(url) as desk:
            assert desk.snapshot() == fresh.snapshot()
            assert 25 < desk.recovered <= 50
        assert "snapshot 100 of the journal cannot be restored" in caplog.text
        assert "recovering from snapshot 75 instead" in caplog.text
        sql(url, "UPDATE {snapshots} SET settings = 'not json'")
        with DurableDesk.open(url) as desk:
            assert desk.snapshot() == fresh.snapshot()
            assert desk.recovered == 121
        compacted = journal_url("compacted")
        run(compacted, events, snapshot_every=25, snapshot_after=None, keep_snapshots=1)
        sql(compacted, "UPDATE {snapshots} SET state = '[]'")
        with pytest.raises(JournalError, match="snapshot 100 cannot be restored"):
            DurableDesk.open(compacted)

    def test_a_compaction_while_the_journal_is_read(
        self, journal_url: JournalUrl, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another process stores a newer snapshot and compacts between the reading of
        the latest snapshot and of the entries after it: recovery does not replay the
        entries left over the older snapshot (that gave a desk missing entries 3 and 4),
        it reads again; a journal that never holds still is a JournalError."""
        url = journal_url("desk")
        policy = JournalSettings(
            snapshot_every=2, snapshot_after=None, keep_snapshots=1, background=False
        )
        writer = DurableDesk.open(url, MANUAL, journal=policy)
        writer.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))  # snapshot 2
        writer.handle(UserEntered(at=AT, conversation="c1", user="u1"))
        meanwhile = {"events": 2, "every_time": False}

        def slow(snapshot: Any, *, explain: bool = False) -> Desk:
            restored = restore_snapshot(snapshot, explain=explain)
            if meanwhile["events"] or meanwhile["every_time"]:
                for _ in range(int(meanwhile["events"]) or 2):
                    number = writer.seq
                    writer.handle(UserEntered(at=AT, conversation=f"c{number}", user="u"))
                meanwhile["events"] = 0
            return restored

        monkeypatch.setattr(durable, "restore_snapshot", slow)
        with DurableDesk.open(url, create=False) as reader:
            assert reader.seq == writer.seq == 5
            assert reader.snapshot() == writer.snapshot()
        meanwhile["every_time"] = True
        monkeypatch.setattr(durable, "_ATTEMPTS", 3)
        with pytest.raises(JournalError, match="kept changing under recovery"):
            DurableDesk.open(url, create=False)
        writer.close()

    def test_snapshots_by_count_and_time(self, journal_url: JournalUrl) -> None:
        events = stream(MANUAL, 200, seed=4)
        run(journal_url("count"), events, snapshot_every=50, snapshot_after=None)
        run(
            journal_url("time"),
            events,
            snapshot_every=None,
            snapshot_after=timedelta(minutes=1),
        )
        count = sql(journal_url("count"), "SELECT seq FROM {snapshots} ORDER BY seq")
        assert [row[0] for row in count] == [50, 100, 150, 200]
        timed = sql(journal_url("time"), "SELECT COUNT(*) FROM {snapshots}")
        assert timed[0][0] >= 2

    def test_compaction_keeps_what_recovery_needs(self, journal_url: JournalUrl) -> None:
        events = stream(MANUAL, 300, seed=5)
        url = journal_url("desk")
        run(url, events, snapshot_every=40, keep_snapshots=2)
        snaps = [row[0] for row in sql(url, "SELECT seq FROM {snapshots} ORDER BY seq")]
        first = sql(url, "SELECT MIN(seq) FROM {entries}")[0][0]
        assert len(snaps) == 2 and first == snaps[0] + 1
        fresh = Desk(MANUAL)
        for data in events:
            fresh.handle(event_from_json(data))
        with DurableDesk.open(url) as desk:
            assert desk.snapshot() == fresh.snapshot()

    def test_power_durability_opens(self, journal_url: JournalUrl) -> None:
        events = stream(MANUAL, 30, seed=6)
        run(journal_url("desk"), events, durability="power")
        with DurableDesk.open(
            journal_url("desk"), journal=JournalSettings(durability="power")
        ) as desk:
            assert desk.seq == 31

    def test_a_batch_commits_at_its_end(self, journal_url: JournalUrl) -> None:
        url = journal_url("desk")
        with DurableDesk.open(url, MANUAL) as desk:
            with desk.batch():
                desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
                desk.handle(AgentRequested(at=AT, conversation="c1"))
                assert sql(url, "SELECT COUNT(*) FROM {entries}")[0][0] == 1
            assert sql(url, "SELECT COUNT(*) FROM {entries}")[0][0] == 3

    def test_a_failed_write_stops_the_desk(self, tmp_path: Path) -> None:
        """When the journal cannot write, the event raises and the desk refuses more
        until it is reopened (its memory is ahead of its journal)."""
        url = url_of(tmp_path)
        desk = DurableDesk.open(url, MANUAL)
        with sqlite3.connect(tmp_path / "desk.db") as db:
            db.execute(
                "CREATE TRIGGER full BEFORE INSERT ON entries BEGIN SELECT RAISE(FAIL, 'full'); END"
            )
        with pytest.raises(sqlite3.IntegrityError, match="full"):
            desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        with pytest.raises(JournalError, match="reopen"):
            desk.handle(AgentStatusChanged(at=AT, agent="a2", status="online"))
        desk.close()

    def test_a_failed_read_changes_nothing(self, tmp_path: Path) -> None:
        """When catching up cannot read, the event raises, the desk is as it was and
        the next event may try again."""
        url = url_of(tmp_path)
        desk = DurableDesk.open(url, MANUAL)
        with sqlite3.connect(tmp_path / "desk.db") as db:
            db.execute("ALTER TABLE entries RENAME TO moved")
        with pytest.raises(JournalError, match="no such table"):
            desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        assert desk.seq == 1
        assert desk.agent_view("a1") is None
        with sqlite3.connect(tmp_path / "desk.db") as db:
            db.execute("ALTER TABLE moved RENAME TO entries")
        desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        assert desk.seq == 2
        desk.close()


class TestCommands:
    @pytest.fixture
    def url(self, journal_url: JournalUrl) -> str:
        url = journal_url("desk")
        run(url, stream(MANUAL, 120, seed=8), snapshot_every=25)
        return url

    def test_show(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["journal", "show", url, "--actions", "--since", "5"]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0].lstrip().startswith("6 ")
        assert "[snapshot]" in out

    def test_verify_and_tampering(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["journal", "verify", url]) == 0
        assert "ok, 121 entries and 4 snapshots agree" in capsys.readouterr().out
        sql(url, "UPDATE {entries} SET actions = '[]' WHERE seq = (SELECT MIN(seq) FROM "
                 "{entries} WHERE actions != '[]' AND seq > 60)")  # fmt: skip
        assert main(["journal", "verify", url]) == 1
        assert "stored actions differ" in capsys.readouterr().out

    def test_verify_reads_older_formats_and_names_a_broken_snapshot(
        self, url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A snapshot stored in format 2 (every field written) holds the same state: it
        verifies. One that does not restore is named, and the rest is still checked."""
        (seq, state), *_ = sql(url, "SELECT seq, state FROM {snapshots} ORDER BY seq")
        data = json.loads(state)
        data["format"] = 2
        data["conversations"] = [
            {**CONV_DEFAULTS, "timers": [None] * len(TIMERS), **conv}
            for conv in data["conversations"]
        ]
        text = json.dumps(data).replace("'", "''").replace("{", "{{").replace("}", "}}")
        sql(url, f"UPDATE {{snapshots}} SET state = '{text}' WHERE seq = {seq}")
        assert main(["journal", "verify", url]) == 0
        assert "snapshots agree" in capsys.readouterr().out
        sql(url, f"UPDATE {{snapshots}} SET state = '[]' WHERE seq = {seq}")
        assert main(["journal", "verify", url]) == 1
        assert f"snapshot {seq}: does not restore" in capsys.readouterr().out

    def test_export_replays(
        self, url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["journal", "export", url]) == 0
        log = tmp_path / "events.jsonl"
        log.write_text(capsys.readouterr().out)
        settings = tmp_path / "desk.json"
        settings.write_text(
            json.dumps({"service": {"mode": "manual"}, "closure": {"user_timeout": "2m"}})
        )
        assert main(["replay", str(log), "--settings", str(settings)]) == 0
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        with DurableDesk.open(url) as desk:
            stored = [action_to_json(a) for _, actions in desk.actions_since(1) for a in actions]
        assert [{k: v for k, v in line.items() if k != "event"} for line in lines] == stored

    def test_unknown(self, tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["journal", "show", url_of(tmp_path, "none.db")]) == 2
        assert main(["journal", "verify", url, "--desk", "other"]) == 2
        assert "no desk 'other'" in capsys.readouterr().err


class TestBackgroundSnapshots:
    def test_stored_from_a_thread_and_equal_to_inline_ones(self, journal_url: JournalUrl) -> None:
        events = stream(MANUAL, 120, seed=9)
        run(journal_url("thread"), events, snapshot_every=30, background=True)
        run(journal_url("inline"), events, snapshot_every=30, background=False)
        thread = sql(journal_url("thread"), "SELECT seq, state FROM {snapshots} ORDER BY seq")
        inline = sql(journal_url("inline"), "SELECT seq, state FROM {snapshots} ORDER BY seq")
        assert [row[0] for row in thread] == [30, 60, 90, 120]
        assert [(s, json.loads(t)) for s, t in thread] == [(s, json.loads(t)) for s, t in inline]
        assert main(["journal", "verify", journal_url("thread")]) == 0

    def test_a_failed_snapshot_leaves_the_desk_going(self, tmp_path: Path) -> None:
        url = url_of(tmp_path)
        policy = JournalSettings(snapshot_every=3, snapshot_after=None)
        desk = DurableDesk.open(url, MANUAL, journal=policy)
        with sqlite3.connect(tmp_path / "desk.db") as db:
            db.execute(
                "CREATE TRIGGER full BEFORE INSERT ON snapshots "
                "BEGIN SELECT RAISE(FAIL, 'full'); END"
            )
        desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        desk.handle(AgentStatusChanged(at=AT, agent="a2", status="online"))  # entry 3
        desk.wait_for_snapshot()
        assert isinstance(desk.snapshot_error, sqlite3.IntegrityError)
        desk.handle(AgentRequested(at=AT, conversation="c1"))  # the journal goes on
        desk.close()
        with DurableDesk.open(url) as again:
            assert again.seq == 4
            assert again.conversation_state("c1") == "offered"

    def test_a_journal_in_memory_snapshots_inline(self) -> None:
        policy = JournalSettings(snapshot_every=2, snapshot_after=None)
        with DurableDesk.open("sqlite:///:memory:", MANUAL, journal=policy) as desk:
            desk.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
            desk.wait_for_snapshot()  # nothing under way: inline
            assert desk.snapshot_error is None


class TestSharing:
    def test_max_skew_is_checked(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="max_skew"):
            DurableDesk.open(url_of(tmp_path), max_skew=timedelta(seconds=-1))

    def test_a_clock_behind_within_the_skew_keeps_its_instant(
        self, journal_url: JournalUrl
    ) -> None:
        url = journal_url("desk")
        with DurableDesk.open(url, MANUAL, origin="ahead") as ahead:
            behind = DurableDesk.open(url, origin="behind")
            ahead.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
            actions = behind.handle(AgentRequested(at=AT - timedelta(seconds=1), conversation="c1"))
            assert {a.at for a in actions} == {AT}  # handled at the desk's instant
            assert behind.caught_up == 1 and behind.appended == 3
            with pytest.raises(EventError, match="max_skew") as caught:
                behind.handle(AgentRequested(at=AT - timedelta(seconds=3), conversation="c2"))
            assert caught.value.field == "at"
            behind.close()
        rows = sql(url, "SELECT seq, at, original_at, origin FROM {entries} ORDER BY seq")
        micros = int(AT.timestamp() * 1_000_000)
        assert rows[2] == (3, micros, micros - 1_000_000, "behind")
        assert main(["journal", "export", url]) == 0

    def test_actions_since_by_origin(self, journal_url: JournalUrl) -> None:
        url = journal_url("desk")
        with (
            DurableDesk.open(url, MANUAL, origin="one") as one,
            DurableDesk.open(url, origin="two") as two,
        ):
            one.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
            offered = two.handle(AgentRequested(at=AT, conversation="c1"))
            assert one.actions_since(0, origin="two") == [(3, offered)]
            assert [seq for seq, _ in one.actions_since(0, origin="one")] == [
                1,
                2,
            ]  # settings, event
            assert one.refresh() == 1 and one.refresh() == 0
            assert one.snapshot() == two.snapshot()

    def test_a_process_left_behind_by_a_compaction_reloads(self, journal_url: JournalUrl) -> None:
        url = journal_url("desk")
        policy = JournalSettings(snapshot_every=5, snapshot_after=None, keep_snapshots=1)
        events = [event_from_json(e) for e in stream(MANUAL, 40, seed=11)]
        with DurableDesk.open(url, MANUAL, journal=policy) as busy:
            late = DurableDesk.open(url, journal=policy)
            for event in events[:-1]:
                busy.handle(event)
            busy.wait_for_snapshot()
            late.handle(events[-1])  # its next entry is gone: it starts from the snapshot
            busy.refresh()
            assert late.snapshot() == busy.snapshot()
            late.close()


class TestPostgres:
    def test_connection_and_schema_errors(self, postgres_server: str) -> None:
        with pytest.raises(JournalError, match="cannot connect"):
            DurableDesk.open("postgresql://deskcore@127.0.0.1:1/postgres?connect_timeout=2")
        url = fresh_schema(postgres_server)
        assert main(["journal", "show", url]) == 2  # no tables yet: nothing to read
        DurableDesk.open(url).close()
        sql(url, "UPDATE deskcore_meta SET value = '99' WHERE key = 'schema'")
        with pytest.raises(JournalError, match="schema 99"):
            DurableDesk.open(url)


def test_a_desk_made_by_another_process_meanwhile_is_recovered(
    journal_url: JournalUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes open a new desk at once: the one that finds the other's entries
    when it takes the order recovers them instead of starting a second desk."""
    from deskcore.journal import _durable

    url = journal_url("desk")
    with DurableDesk.open(url, MANUAL) as first:
        first.handle(AgentStatusChanged(at=AT, agent="a1", status="online"))
        real = _durable._recover
        calls = []

        def late(store: Any, explain: bool) -> Any:
            calls.append(store)
            return (None, 0, 0) if len(calls) == 1 else real(store, explain)

        monkeypatch.setattr(_durable, "_recover", late)
        with DurableDesk.open(url, MANUAL) as second:
            assert second.seq == 2 and len(calls) == 2
            assert second.snapshot() == first.snapshot()
