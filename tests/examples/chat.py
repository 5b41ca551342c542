"""Starting and stopping the example chat server as a separate process, for its tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(journal: str, port: int) -> subprocess.Popen[bytes]:
    """The server on ``port`` over ``journal``, once it answers."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.chat_server", "--journal", journal, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/state", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "") from None
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the chat server did not start")
