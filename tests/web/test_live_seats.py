"""Live seats for the website's pages: a socket opened by this site's page is authenticated by
the session cookie the browser sends with the handshake (the page's script cannot read it);
another site's page, or a page without a session, gets nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.conftest import Database
from tests.live.conftest import (
    PROTOCOL,
    TIMEOUT,
    LiveData,
    Server,
    WSClient,
    book_seats,
    live_data,
    serve_in_process,
)
from tests.support.settings import settings_for


@pytest.fixture
async def server(db: Database) -> AsyncIterator[Server]:
    async with serve_in_process(settings_for(db)) as running:
        yield running


@asynccontextmanager
async def page_socket(server: Server, origin: str, cookie: str | None) -> AsyncIterator[WSClient]:
    headers = {"Cookie": cookie} if cookie else {}
    async with connect(
        server.ws,
        subprotocols=[PROTOCOL],
        origin=Origin(origin),
        additional_headers=headers,
        proxy=None,
        open_timeout=TIMEOUT,
        close_timeout=2,
    ) as connection:
        yield WSClient(connection)


async def test_page_socket__session_cookie_same_origin__live_seats(
    db: Database, server: Server
) -> None:
    data: LiveData = await live_data(db, capacity=20, booked=5)
    async with page_socket(server, server.http, f"cc_access={data.token}") as ws:
        assert await ws.init(None) == {"type": "connection_ack"}
        op = await ws.subscribe(data.event_gid)
        assert await ws.next_seats(op) == 15
        await book_seats(db, data.event_id, 2)
        assert await ws.next_seats(op) == 13


async def test_page_socket__no_session_or_bad_cookie__closed_4403(
    db: Database, server: Server
) -> None:
    for cookie in (None, "cc_access=not-a-token", "cc_refresh=whatever"):
        async with page_socket(server, server.http, cookie) as ws:
            await ws.send({"type": "connection_init", "payload": {}})
            assert await ws.closed_code() == 4403, cookie


async def test_page_socket__another_sites_page__refused_even_with_the_cookie(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=20, booked=0)
    with pytest.raises(InvalidStatus) as refused:
        async with page_socket(server, "https://evil.example", f"cc_access={data.token}"):
            pass
    assert refused.value.response.status_code == 403


async def test_page_socket__token_in_connection_init__wins_over_the_cookie(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=20, booked=0)
    async with page_socket(server, server.http, f"cc_access={data.token}") as ws:
        await ws.send(
            {"type": "connection_init", "payload": {"authorization": "Bearer not-a-token"}}
        )
        assert await ws.closed_code() == 4403
