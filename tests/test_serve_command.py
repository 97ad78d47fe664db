"""The README's first command, end to end: `culture-cloud serve` on a fresh SQLite file migrates,
loads the Jiexiu seed data and answers GraphQL — the way a new user first meets the service."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.servers import free_port, wait_until_healthy

SEARCH = '{ search(text: "mianshan", first: 1) { edges { node { ... on ScenicSpot { name } } } } }'


def test_serve__fresh_sqlite_file__migrates_seeds_and_finds_mianshan(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CULTURE_CLOUD_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}",
        "CULTURE_CLOUD_ENVIRONMENT": "development",
    }
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "culture_cloud.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(server, base, log_path)
        body = httpx.post(f"{base}/graphql", json={"query": SEARCH}, timeout=10).json()
        assert body["data"]["search"]["edges"][0]["node"]["name"] == "绵山风景名胜区"
        graphiql = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert graphiql.status_code == 200 and "graphiql" in graphiql.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
