"""SIGTERM to `culture-cloud serve` (a deploy, systemd's stop) on PostgreSQL, with real
processes: the booking in flight completes and is whole, subscribers are told 1012 (service
restart: reconnect elsewhere), no new connection is taken, the process exits cleanly; the
client that lost the answer retries with its idempotencyKey and gets the same booking.

A row lock held by the test keeps the booking in flight at the moment of the signal, and the
test waits for the server's statement to be seen waiting on it (pg_stat_activity), so the
order of events is certain rather than timed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import select, text

from culture_cloud.bookings.models import BOOKING_TABLE
from culture_cloud.catalog.models import EVENT_TABLE
from tests.conftest import Database
from tests.live.conftest import BOOK_EVENT, Server, live_data, ws_client
from tests.support.graphql import graphql_client
from tests.support.servers import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


def _start(db: Database, port: int, tmp_path: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "culture_cloud.cli", "serve", "--port", str(port)],
        env={
            **os.environ,
            "CULTURE_CLOUD_DATABASE_URL": db.url,
            "CULTURE_CLOUD_ENVIRONMENT": "test",
            "CULTURE_CLOUD_SEED_ON_START": "false",
            "CULTURE_CLOUD_METRICS_DIR": str(tmp_path / "metrics"),
        },
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@asynccontextmanager
async def served(
    db: Database, tmp_path: Path
) -> AsyncIterator[tuple[subprocess.Popen[bytes], Server, Path]]:
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = _start(db, port, tmp_path, log)
        try:
            base = f"http://127.0.0.1:{port}"
            await asyncio.to_thread(wait_until_healthy, process, base, log_path)
            yield process, Server(base), log_path
        finally:
            if process.poll() is None:
                process.kill()
            await asyncio.to_thread(process.wait, 10)


async def _wait_for_lock_waiter(db: Database) -> None:
    """Until a server connection waits on a lock in this database (the booking's UPDATE)."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            async with db.engine.connect() as conn:
                waiting = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                            "current_database() AND wait_event_type = 'Lock'"
                        )
                    )
                ).scalar_one()
            if waiting:
                return
            await asyncio.sleep(0.05)


async def _book(base: str, token: str, event_gid: str, key: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http:
        return await http.post(
            "/graphql",
            json={
                "query": BOOK_EVENT,
                "variables": {"input": {"eventId": event_gid, "seats": 2, "idempotencyKey": key}},
            },
            headers={"Authorization": f"Bearer {token}"},
        )


async def test_sigterm__booking_in_flight_completes__subscribers_get_1012__exit_0(
    pg: Database, tmp_path: Path
) -> None:
    db = pg
    data = await live_data(db, capacity=10, booked=0)
    key = uuid.uuid4().hex
    async with served(db, tmp_path) as (process, server, log_path), ws_client(server) as subscriber:
        await subscriber.init(data.token)
        op = await subscriber.subscribe(data.event_gid)
        assert await subscriber.next_seats(op) == 10

        async with db.engine.connect() as blocker:
            await blocker.begin()
            await blocker.execute(
                select(EVENT_TABLE.c.id).where(EVENT_TABLE.c.id == data.event_id).with_for_update()
            )
            booking = asyncio.create_task(_book(server.http, data.token, data.event_gid, key))
            await _wait_for_lock_waiter(db)

            process.send_signal(signal.SIGTERM)
            # Sockets are told first: 1012, so clients reconnect to another worker.
            assert await subscriber.closed_code(TIMEOUT) == 1012
            # The listening socket is closed: no new work.
            async with httpx.AsyncClient(timeout=2) as http:
                try:
                    await http.get(f"{server.http}/healthz")
                    refused = False
                except httpx.ConnectError:
                    refused = True
            assert refused, "a stopping server accepted a new connection"
            assert not booking.done() and process.poll() is None  # still finishing
            await blocker.rollback()  # the booking may go on

        response = await asyncio.wait_for(booking, TIMEOUT)
        exit_code = await asyncio.to_thread(process.wait, TIMEOUT)
        log = log_path.read_text(errors="replace")

    assert response.status_code == 200, log
    result: dict[str, Any] = response.json()["data"]["bookEvent"]
    assert result["__typename"] == "BookingConfirmed", result
    assert result["booking"]["event"]["remainingSeats"] == 8
    # uvicorn ends by re-raising the SIGTERM it caught, after its shutdown: a clean exit for
    # systemd (SIGTERM is one of its clean exit signals) and for a shell.
    assert exit_code in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log
    assert "Cancel" not in log  # nothing was cut off by the shutdown timeout

    # Whole, never half-written: one booking row and the counter that matches it.
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(BOOKING_TABLE.c.seats).where(BOOKING_TABLE.c.event_id == data.event_id)
            )
        ).all()
        booked = (
            await conn.execute(
                select(EVENT_TABLE.c.booked_seats).where(EVENT_TABLE.c.id == data.event_id)
            )
        ).scalar_one()
    assert [tuple(row) for row in rows] == [(2,)] and booked == 2

    # A client that lost the answer in the shutdown retries on another worker: same booking.
    async with graphql_client(db) as api:
        again = await api.data(
            """mutation Book($input: BookEventInput!) { bookEvent(input: $input) {
                 ... on BookingConfirmed { replayed booking { event { remainingSeats } } } } }""",
            {"input": {"eventId": data.event_gid, "seats": 2, "idempotencyKey": key}},
            token=data.token,
        )
    assert again["bookEvent"] == {"replayed": True, "booking": {"event": {"remainingSeats": 8}}}
