"""Whose X-Forwarded-For is believed, on a real `culture-cloud serve` process: without
CULTURE_CLOUD_TRUSTED_PROXIES nobody's, not even a caller on 127.0.0.1 (uvicorn's own default
trusts it), so a forged header neither dodges the per-IP login limit nor reaches the records;
with trusted proxies set, theirs is."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.servers import free_port, wait_until_healthy

LOGIN = 'mutation { loginWithPassword(username: "%s", password: "wrong-password") { __typename } }'
LIMIT = 3


@contextmanager
def _serve(tmp_path: Path, **env: str) -> Iterator[tuple[str, Path]]:
    database = tmp_path / "serve.db"
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "culture_cloud.cli", "serve", "--port", str(port)],
            env={
                **os.environ,
                "CULTURE_CLOUD_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
                "CULTURE_CLOUD_ENVIRONMENT": "test",
                "CULTURE_CLOUD_SEED_ON_START": "false",
                "CULTURE_CLOUD_LOGIN_MAX_FAILURES_PER_IP": str(LIMIT),
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(server, base, log_path)
            yield base, database
        finally:
            server.terminate()
            server.wait(timeout=15)


def _failed_logins_with_forged_addresses(base: str, count: int) -> list[str]:
    """`count` failed logins, each for another account and claiming another client address."""
    answers = []
    for n in range(count):
        response = httpx.post(
            f"{base}/graphql",
            json={"query": LOGIN % f"nobody{n}"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            timeout=30,
        )
        body = response.json()
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        answers.append(codes[0] if codes else body["data"]["loginWithPassword"]["__typename"])
    return answers


def _recorded_addresses(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        keys = connection.execute("SELECT key FROM rate_limit_bucket").fetchall()
    return {key.removeprefix("login:ip:") for (key,) in keys if key.startswith("login:ip:")}


def test_serve__no_trusted_proxies__forged_forwarded_for_ignored_from_localhost(
    tmp_path: Path,
) -> None:
    with _serve(tmp_path) as (base, database):
        answers = _failed_logins_with_forged_addresses(base, LIMIT + 1)
        recorded = _recorded_addresses(database)

    # Every attempt counted against the real peer: the limit trips although each one claimed
    # another address.
    assert answers[-1] == "RATE_LIMITED", answers
    assert recorded == {"127.0.0.1"}


def test_serve__localhost_trusted__forwarded_address_used(tmp_path: Path) -> None:
    with _serve(tmp_path, CULTURE_CLOUD_TRUSTED_PROXIES="127.0.0.1") as (base, database):
        answers = _failed_logins_with_forged_addresses(base, LIMIT + 1)
        recorded = _recorded_addresses(database)

    assert "RATE_LIMITED" not in answers, answers
    assert recorded == {f"203.0.113.{n + 1}" for n in range(LIMIT + 1)}
