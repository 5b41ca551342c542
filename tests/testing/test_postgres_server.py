"""The throwaway PostgreSQL server of the testing kit, from Python and the shell."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from deskcore.testing import postgres


def test_start_and_stop_from_the_shell(
    capsys: pytest.CaptureFixture[str], postgres_server: str
) -> None:
    base = Path(tempfile.mkdtemp(prefix="deskcore-test-pg-"))
    base.chmod(0o755)
    folder = base / "pg"
    assert postgres.main(["start", str(folder), "--no-fsync"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("postgresql://deskcore@127.0.0.1:")
    assert (folder / "url").read_text().strip() == url
    import psycopg

    with psycopg.connect(url) as db:
        assert db.execute("SHOW fsync").fetchone() == ("off",)
    assert postgres.main(["stop", str(folder)]) == 0
    assert postgres.main(["stop", str(folder)]) == 1  # nothing runs there now
    assert "error:" in capsys.readouterr().err
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user")
def test_a_closed_folder_is_named(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    with pytest.raises(RuntimeError, match="closed to other users"):
        postgres.start(closed / "pg")


def test_no_programs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKCORE_PG_BIN", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(postgres.PostgresUnavailable, match="DESKCORE_PG_BIN"):
        postgres.find_bindir()
    assert postgres.main(["start", str(tmp_path / "x")]) == 1
