"""The README's first command, end to end: `culture-cloud serve` on a fresh SQLite file migrates,
loads the Jiexiu seed data and answers GraphQL — the way a new user first meets the service."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from tests.support.servers import free_port, wait_until_healthy

SEARCH = '{ search(text: "mianshan", first: 1) { edges { node { ... on ScenicSpot { name } } } } }'


def _serve(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[bytes], str, Path, IO[bytes]]:
    """`culture-cloud serve` on a fresh SQLite file in `tmp_path`: the process, its address,
    its log file and the open log (close it after the process ends)."""
    port = free_port()
    env = {
        **os.environ,
        "CULTURE_CLOUD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        "CULTURE_CLOUD_ENVIRONMENT": "development",
    }
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    command = [sys.executable, "-m", "culture_cloud.cli", "serve", "--port", str(port), *options]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    return server, f"http://127.0.0.1:{port}", log_path, log


def test_serve__fresh_sqlite_file__migrates_seeds_and_finds_mianshan(tmp_path: Path) -> None:
    server, base, log_path, log = _serve(tmp_path)
    try:
        wait_until_healthy(server, base, log_path)
        body = httpx.post(f"{base}/graphql", json={"query": SEARCH}, timeout=10).json()
        assert body["data"]["search"]["edges"][0]["node"]["name"] == "绵山风景名胜区"
        graphiql = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def test_serve__shared_segmenter__searches_chinese_and_stops_with_serve(tmp_path: Path) -> None:
    server, base, log_path, log = _serve(tmp_path, "--segmenter", "shared")
    try:
        wait_until_healthy(server, base, log_path)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        segmenters = [
            int(pid)
            for pid in children
            if b"culture_cloud.search.segmenter" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(segmenters) == 1
        socket_path = Path(f"/proc/{segmenters[0]}/cmdline").read_bytes().split(b"\0")[-2].decode()
        query = SEARCH.replace("mianshan", "绵山风景")
        body = httpx.post(f"{base}/graphql", json={"query": query}, timeout=10).json()
        assert body["data"]["search"]["edges"][0]["node"]["name"] == "绵山风景名胜区"
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    # uvicorn ends serve by re-raising SIGTERM: the segmenter follows its parent by itself.
    deadline = time.monotonic() + 10
    while not _is_zombie_or_gone(segmenters[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _is_zombie_or_gone(segmenters[0])
    assert not Path(socket_path).parent.exists()  # its socket and directory removed
    assert "cutting in process" not in log_path.read_text(encoding="utf-8")


def _is_zombie_or_gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True
