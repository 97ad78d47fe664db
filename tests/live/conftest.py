"""Live seat count tests: real uvicorn servers on loopback and a graphql-transport-ws client.

In-process servers run on the test's own event loop, so a change committed by the test on
SQLite reaches them through the same in-process broker as a booking would; on PostgreSQL it
goes through NOTIFY and the app's listener. Cross-process tests start uvicorn subprocesses.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from sqlalchemy import update
from sqlmodel import col
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from culture_cloud.app import create_app
from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction, utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.live.seats import publish_seats_changed
from culture_cloud.settings import Settings
from tests.accounts.factories import add_user, token_for
from tests.catalog.factories import add_event
from tests.conftest import Database
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = Subprotocol("graphql-transport-ws")
TIMEOUT = 10.0  # generous for a loaded CI machine; the happy path takes milliseconds

EVENT_SEATS = """
subscription Seats($id: ID!) { eventSeats(eventId: $id) { eventId remainingSeats } }
"""
_ids = itertools.count(1)


@dataclass
class Server:
    http: str
    app: Starlette | None = None  # in-process servers only

    @property
    def ws(self) -> str:
        return self.http.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def serve_in_process(settings: Settings) -> AsyncIterator[Server]:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(TIMEOUT):
            while not server.started:
                assert not task.done(), "uvicorn stopped during startup"
                await asyncio.sleep(0.01)
        port = int(server.servers[0].sockets[0].getsockname()[1])
        yield Server(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        async with asyncio.timeout(TIMEOUT):
            await task


def _start_process(database_url: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`uvicorn culture_cloud.app:app_from_env`, as `culture-cloud serve --workers N` runs."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "culture_cloud.app:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={
            **os.environ,
            "CULTURE_CLOUD_DATABASE_URL": database_url,
            "CULTURE_CLOUD_ENVIRONMENT": "test",
            **env,
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _wait_healthy(process: subprocess.Popen[bytes], base: str) -> None:
    async with httpx.AsyncClient(timeout=1) as http:
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"server exited during startup:\n{stderr}")
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "server not ready in 30 s"
            await asyncio.sleep(0.1)


async def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        await asyncio.to_thread(process.wait, 15)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait, 5)
    if process.stderr:
        process.stderr.close()


@asynccontextmanager
async def serve_in_subprocesses(
    database_url: str, count: int, **env: str
) -> AsyncIterator[list[Server]]:
    """`count` server processes on free ports, started side by side."""
    ports = [free_port() for _ in range(count)]
    processes = [_start_process(database_url, port, env) for port in ports]
    servers = [Server(f"http://127.0.0.1:{port}") for port in ports]
    try:
        await asyncio.gather(
            *(_wait_healthy(p, s.http) for p, s in zip(processes, servers, strict=True))
        )
        yield servers
    finally:
        await asyncio.gather(*(_stop(p) for p in processes))


class WSClient:
    """A minimal graphql-transport-ws client."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(orjson.dumps(message).decode())

    async def receive(self, seconds: float = TIMEOUT) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            raw = await self.connection.recv()
        # The protocol is text frames only.
        assert isinstance(raw, str), f"binary frame received: {raw!r}"
        message: dict[str, Any] = orjson.loads(raw)
        return message

    async def init(self, token: str | None) -> dict[str, Any]:
        payload = {} if token is None else {"authorization": f"Bearer {token}"}
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, event_gid: str, op_id: str | None = None) -> str:
        op_id = op_id or str(next(_ids))
        await self.send(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": EVENT_SEATS, "variables": {"id": event_gid}},
            }
        )
        return op_id

    async def next_seats(self, op_id: str, seconds: float = TIMEOUT) -> int | None:
        message = await self.receive(seconds)
        assert message.get("id") == op_id and message["type"] == "next", message
        seats: int | None = message["payload"]["data"]["eventSeats"]["remainingSeats"]
        return seats

    async def closed_code(self, seconds: float = TIMEOUT) -> int:
        """Waits for the server to close the connection; returns the close code."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    await self.connection.recv()
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return closed.rcvd.code
        raise AssertionError("unreachable")


@asynccontextmanager
async def ws_client(server: Server, *, protocol: Subprotocol = PROTOCOL) -> AsyncIterator[WSClient]:
    async with connect(
        server.ws, subprotocols=[protocol], proxy=None, open_timeout=TIMEOUT, close_timeout=2
    ) as connection:
        yield WSClient(connection)


@dataclass
class LiveData:
    token: str
    event_id: int
    event_gid: str
    draft_gid: str


async def live_data(db: Database, *, capacity: int = 50, booked: int = 10) -> LiveData:
    user = await add_user(db, openid=f"o-live-{next(_ids)}")
    start = utcnow() + timedelta(days=7)
    async with transaction(db.factory) as session:
        event = await add_event(
            session,
            "介休绵山寒食清明文化节",
            start,
            capacity=capacity,
            booked_seats=booked,
            booking_required=True,
        )
        draft = await add_event(
            session, "草稿活动", start, capacity=10, status=catalog.EventStatus.DRAFT
        )
    assert event.id is not None and draft.id is not None
    return LiveData(
        token=await token_for(db, user),
        event_id=event.id,
        event_gid=to_global_id("Event", event.id),
        draft_gid=to_global_id("Event", draft.id),
    )


BOOK_EVENT = """
mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) {
    __typename
    ... on BookingConfirmed { booking { event { remainingSeats } } }
    ... on BookingError { code message }
  }
}
"""


async def book_event(server: Server, token: str, event_gid: str, seats: int) -> int:
    """A real `bookEvent` over HTTP; returns the remaining seats it reports."""
    async with httpx.AsyncClient(base_url=server.http, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": BOOK_EVENT,
                "variables": {
                    "input": {
                        "eventId": event_gid,
                        "seats": seats,
                        "idempotencyKey": uuid.uuid4().hex,
                    }
                },
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    result = response.json()["data"]["bookEvent"]
    assert result["__typename"] == "BookingConfirmed", result
    remaining: int = result["booking"]["event"]["remainingSeats"]
    return remaining


async def book_seats(db: Database, event_id: int, seats: int) -> int:
    """What a booking does to the counter, with its signal, in one transaction."""
    async with transaction(db.factory) as session:
        event = await session.get(catalog.Event, event_id)
        assert event is not None and event.capacity is not None
        booked = event.booked_seats + seats
        await session.execute(
            update(catalog.Event)
            .where(col(catalog.Event.id) == event_id)
            .values(booked_seats=booked)
        )
        remaining = event.capacity - booked
        await publish_seats_changed(session, event_id=event_id, remaining=remaining)
    return remaining


@pytest.fixture
def postgres_only(db: Database) -> Iterator[None]:
    if db.backend != "postgres":
        pytest.skip("crosses process boundaries through LISTEN/NOTIFY: PostgreSQL only")
    yield
