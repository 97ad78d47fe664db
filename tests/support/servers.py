"""Real server processes in tests: a free loopback port, and waiting until `/healthz` answers."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(
    server: subprocess.Popen[bytes], base: str, log_path: Path, *, seconds: float = 60
) -> None:
    """Polls `{base}/healthz`; fails with the server's log if it exits or never answers 200."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, log_path.read_text(errors="replace")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, (
            f"server did not become healthy in {seconds:.0f} s\n"
            + log_path.read_text(errors="replace")
        )
        time.sleep(0.3)
