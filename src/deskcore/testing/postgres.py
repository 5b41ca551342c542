"""A throwaway PostgreSQL server for tests and benchmarks of a shared desk.

:func:`temporary_postgres` runs ``initdb`` into a new folder, starts ``postgres`` on
127.0.0.1 (a free port) and yields its URL; leaving the block stops the server and removes
the folder. PostgreSQL refuses to run as root, so under root the server runs as the user
``nobody`` (``runuser``). The server programs are looked for in ``$DESKCORE_PG_BIN``, then
on ``PATH``, then under ``/usr/lib/postgresql/*/bin`` (where Debian puts them).

From a shell (what CI does)::

    python -m deskcore.testing.postgres start DIR   # prints the URL
    python -m deskcore.testing.postgres stop DIR
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PostgresUnavailable", "find_bindir", "start", "stop", "temporary_postgres"]

_UNPRIVILEGED = "nobody"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server programs were found on this machine."""


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""
    candidates: list[str] = []
    if os.environ.get("DESKCORE_PG_BIN"):
        candidates.append(os.environ["DESKCORE_PG_BIN"])
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if all((Path(folder) / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) found: set "
        "DESKCORE_PG_BIN, put them on PATH, or install the postgresql package"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: Sequence[str], *, as_root: bool) -> None:
    argv = ["runuser", "-u", _UNPRIVILEGED, "--", *command] if as_root else list(command)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def start(folder: str | os.PathLike[str], *, fsync: bool = True) -> str:
    """Create and start a server whose files live in ``folder`` (made if missing); its
    URL (``postgresql://deskcore@127.0.0.1:PORT/postgres``, no password). Under root,
    every folder above ``folder`` must be open to other users (as ``/tmp`` is)."""
    bindir = find_bindir()
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    data, run = base / "data", base / "run"
    run.mkdir(exist_ok=True)
    as_root = os.geteuid() == 0
    if as_root:
        for parent in base.resolve().parents:
            if not parent.stat().st_mode & 0o001:
                raise RuntimeError(
                    f"{parent} is closed to other users, so the server (run as "
                    f"{_UNPRIVILEGED}) cannot reach {base}: choose a folder under /tmp"
                )
        base.chmod(0o755)
        shutil.chown(run, _UNPRIVILEGED)
        if data.exists():
            shutil.chown(data, _UNPRIVILEGED)
    if not (data / "PG_VERSION").exists():
        if as_root:
            data.mkdir(exist_ok=True)
            shutil.chown(data, _UNPRIVILEGED)
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "deskcore",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            as_root=as_root,
        )
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {run} -c max_connections=200"
    if not fsync:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    log = run / "server.log"
    _run(
        [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        as_root=as_root,
    )
    url = f"postgresql://deskcore@127.0.0.1:{port}/postgres"
    (base / "url").write_text(url + "\n")
    return url


def stop(folder: str | os.PathLike[str]) -> None:
    """Stop the server started in ``folder`` (fast shutdown)."""
    data = Path(folder) / "data"
    _run(
        [str(find_bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
        as_root=os.geteuid() == 0,
    )


@contextmanager
def temporary_postgres(*, fsync: bool = True) -> Iterator[str]:
    """A new server for the block; yields its URL. Raises :class:`PostgresUnavailable`
    where no server programs exist."""
    find_bindir()
    folder = tempfile.mkdtemp(prefix="deskcore-pg-")
    try:
        url = start(folder, fsync=fsync)
        try:
            yield url
        finally:
            stop(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``start DIR`` (prints the URL) or ``stop DIR``."""
    parser = argparse.ArgumentParser(prog="python -m deskcore.testing.postgres")
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("folder")
    parser.add_argument("--no-fsync", action="store_true", help="a faster, unsafe server")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            print(start(args.folder, fsync=not args.no_fsync))
        else:
            stop(args.folder)
    except (PostgresUnavailable, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
