"""The guarantees of the per-process fan-out (live/hub.py) over real sockets: one push per tick
carrying the latest figure, the final figure never lost, a client that stops reading holding
up nobody, a latecomer told the current figure at once, seats.json from the same figures."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col
from websockets.asyncio.client import connect

from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction
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
    ws_client,
)
from tests.support.settings import settings_for

TICK_MS = 100

BOOK = """mutation($input: BookEventInput!) { bookEvent(input: $input) {
  __typename ... on BookingConfirmed { booking { id event { remainingSeats } } }
  ... on BookingError { code } } }"""
CANCEL = """mutation($id: ID!) { cancelBooking(id: $id) {
  __typename ... on CancelBookingSuccess { booking { event { remainingSeats } } }
  ... on BookingError { code } } }"""


@pytest.fixture
async def server(db: Database) -> AsyncIterator[Server]:
    async with serve_in_process(settings_for(db, live_seats_tick_ms=TICK_MS)) as running:
        yield running


async def _until(ws: WSClient, op: str, final: int) -> list[int | None]:
    """Every figure pushed up to and including `final`."""
    seen: list[int | None] = []
    while not seen or seen[-1] != final:
        seen.append(await ws.next_seats(op))
    return seen


async def _quiet(ws: WSClient) -> None:
    """Nothing else is pushed: after a few ticks, the next message is the answer to a ping."""
    await asyncio.sleep(3 * TICK_MS / 1000)
    await ws.send({"type": "ping"})
    assert await ws.receive() == {"type": "pong"}


async def _subscribed(ws: WSClient, data: LiveData) -> str:
    assert await ws.init(data.token) == {"type": "connection_ack"}
    return await ws.subscribe(data.event_gid)


async def test_burst_of_changes__one_push_per_tick__last_value_kept(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=50, booked=0)
    async with ws_client(server) as ws:
        op = await _subscribed(ws, data)
        assert await ws.next_seats(op) == 50

        for _ in range(20):  # 20 commits in quick succession, one seat each
            await book_seats(db, data.event_id, 1)
        seen = await _until(ws, op, 30)

        # Fewer pushes than changes, in order, ending with the final figure; then silence.
        assert len(seen) < 20 and seen == sorted(seen, key=lambda v: -(v or 0))
        await _quiet(ws)


async def test_many_subscribers__same_frame_behind_each_operation_id(
    db: Database, server: Server
) -> None:
    """Subscribers sharing a document get the same payload; another document (an alias
    here) gets its own, each behind the id its client chose."""
    data = await live_data(db, capacity=10, booked=0)
    aliased = "subscription($id: ID!) { eventSeats(eventId: $id) { left: remainingSeats } }"
    async with ws_client(server) as a, ws_client(server) as b, ws_client(server) as c:
        op_a, op_b = await _subscribed(a, data), await _subscribed(b, data)
        assert await c.init(data.token) == {"type": "connection_ack"}
        await c.send(
            {
                "id": "mine",
                "type": "subscribe",
                "payload": {"query": aliased, "variables": {"id": data.event_gid}},
            }
        )
        assert await a.next_seats(op_a) == 10 and await b.next_seats(op_b) == 10
        assert (await c.receive())["payload"]["data"] == {"eventSeats": {"left": 10}}

        await book_seats(db, data.event_id, 10)

        expected = {"eventSeats": {"eventId": data.event_gid, "remainingSeats": 0}}
        for ws, op in ((a, op_a), (b, op_b)):
            message = await ws.receive()
            assert message == {"id": op, "type": "next", "payload": {"data": expected}}
        assert await c.receive() == {
            "id": "mine",
            "type": "next",
            "payload": {"data": {"eventSeats": {"left": 0}}},
        }


async def test_client_that_stops_reading__others_still_told_at_once(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=80, booked=0)
    # A real client that reads nothing after subscribing: its socket's buffers fill up and the
    # server's writes to it would wait; the others must not.
    async with connect(
        server.ws, subprotocols=[PROTOCOL], proxy=None, max_queue=1, close_timeout=0.5
    ) as raw:
        stalled = WSClient(raw)
        await _subscribed(stalled, data)
        async with ws_client(server) as ws:
            op = await _subscribed(ws, data)
            assert await ws.next_seats(op) == 80
            for _ in range(40):
                await book_seats(db, data.event_id, 1)
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert (await _until(ws, op, 40))[-1] == 40
            # The final figure within a couple of ticks of the last commit.
            assert loop.time() - started < 1.0


async def test_subscriber_joining_mid_rush__current_value_at_once_then_the_final(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=120, booked=0)
    done = asyncio.Event()
    latest = 120

    async def rush() -> None:
        nonlocal latest
        for _ in range(80):
            latest = await book_seats(db, data.event_id, 1)
        done.set()

    booking = asyncio.create_task(rush())
    try:
        await asyncio.sleep(0.05)  # mid-rush
        async with ws_client(server) as ws:
            before = latest
            op = await _subscribed(ws, data)
            first = await ws.next_seats(op, seconds=1.0)
            after = latest
            # The figure at the moment it joined, while the rush was still on.
            assert first is not None and after <= first <= before and first > 40
            assert not done.is_set()
            await booking
            assert (await _until(ws, op, 40))[-1] == 40
    finally:
        booking.cancel()


async def _graphql(server: Server, token: str, query: str, variables: dict[str, object]) -> dict:
    async with httpx.AsyncClient(base_url=server.http, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    data: dict = response.json()["data"]
    return data


async def test_sold_out_then_cancellation_reopens__final_figure_pushed(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=3, booked=0)
    async with ws_client(server) as ws:
        op = await _subscribed(ws, data)
        assert await ws.next_seats(op) == 3

        booked = await _graphql(
            server,
            data.token,
            BOOK,
            {"input": {"eventId": data.event_gid, "seats": 3, "idempotencyKey": uuid.uuid4().hex}},
        )
        booking = booked["bookEvent"]["booking"]
        assert booking["event"]["remainingSeats"] == 0
        # Within the same tick as the sell-out: the reopened figure must not be lost.
        cancelled = await _graphql(server, data.token, CANCEL, {"id": booking["id"]})
        assert cancelled["cancelBooking"]["booking"]["event"]["remainingSeats"] == 3

        seen = await _until(ws, op, 3)
        assert seen in ([3], [0, 3])
        await _quiet(ws)


async def test_seats_json__same_figures_as_the_subscribers__at_most_a_tick_old(
    db: Database, server: Server
) -> None:
    data = await live_data(db, capacity=40, booked=0)
    path = f"/events/{data.event_id}/seats.json"
    async with httpx.AsyncClient(base_url=server.http, timeout=TIMEOUT) as http:
        assert (await http.get(path)).json()["remainingSeats"] == 40

        # A change that bypasses the signal (an operator's UPDATE) shows within a tick...
        async with transaction(db.factory) as session:
            await session.execute(
                update(catalog.Event)
                .where(col(catalog.Event.id) == data.event_id)
                .values(booked_seats=5)
            )
        await asyncio.sleep(TICK_MS / 1000 + 0.05)
        assert (await http.get(path)).json()["remainingSeats"] == 35

        # ...and a booking's signal updates the figure the page polls at once.
        await book_seats(db, data.event_id, 10)
        async with asyncio.timeout(TIMEOUT):
            # Polled: on PostgreSQL the figure reaches the server through its LISTEN
            # connection, which the test cannot await.
            while (await http.get(path)).json()["remainingSeats"] != 25:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
