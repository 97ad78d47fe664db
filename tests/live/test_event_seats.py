"""`eventSeats` over graphql-transport-ws against a real uvicorn on the test database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import Database
from tests.live.conftest import (
    EVENT_SEATS,
    LiveData,
    Server,
    book_event,
    book_seats,
    live_data,
    serve_in_process,
    ws_client,
)
from tests.support.settings import settings_for


@pytest.fixture
async def server(db: Database) -> AsyncIterator[Server]:
    settings = settings_for(db, ws_max_subscriptions_per_connection=2, ws_max_connections=3)
    async with serve_in_process(settings) as running:
        yield running


@pytest.fixture
async def data(db: Database) -> LiveData:
    return await live_data(db, capacity=50, booked=10)


async def test_event_seats__current_value_then_each_change(
    db: Database, server: Server, data: LiveData
) -> None:
    async with ws_client(server) as ws:
        assert await ws.init(data.token) == {"type": "connection_ack"}
        op = await ws.subscribe(data.event_gid)
        first = await ws.receive()
        assert first == {
            "id": op,
            "type": "next",
            "payload": {"data": {"eventSeats": {"eventId": data.event_gid, "remainingSeats": 40}}},
        }

        assert await book_seats(db, data.event_id, 3) == 37
        assert await ws.next_seats(op) == 37
        assert await book_seats(db, data.event_id, 2) == 35
        assert await ws.next_seats(op) == 35

        # The client ends the subscription; the server stops sending.
        await ws.send({"id": op, "type": "complete"})
        await book_seats(db, data.event_id, 1)
        await ws.send({"type": "ping"})
        assert await ws.receive() == {"type": "pong"}


async def test_event_seats__book_event_mutation__pushed_after_commit(
    server: Server, data: LiveData
) -> None:
    async with ws_client(server) as ws:
        await ws.init(data.token)
        op = await ws.subscribe(data.event_gid)
        assert await ws.next_seats(op) == 40

        assert await book_event(server, data.token, data.event_gid, 2) == 38

        assert await ws.next_seats(op) == 38


async def test_event_seats__two_subscribers_same_event__both_told(
    db: Database, server: Server, data: LiveData
) -> None:
    async with ws_client(server) as one, ws_client(server) as two:
        await one.init(data.token)
        await two.init(data.token)
        op1, op2 = await one.subscribe(data.event_gid), await two.subscribe(data.event_gid)
        assert await one.next_seats(op1) == 40 and await two.next_seats(op2) == 40

        await book_seats(db, data.event_id, 40)

        assert await one.next_seats(op1) == 0 and await two.next_seats(op2) == 0


@pytest.mark.parametrize(
    "payload",
    [{}, {"authorization": "Bearer not-a-token"}, {"authorization": 42}, {"token": "x"}],
    ids=["none", "bad-token", "not-a-string", "wrong-key"],
)
async def test_connection_init__unauthenticated__closed_4403(
    server: Server, payload: dict[str, object]
) -> None:
    async with ws_client(server) as ws:
        await ws.send({"type": "connection_init", "payload": payload})
        assert await ws.closed_code() == 4403


async def test_subscribe__before_connection_init__closed_4401(
    server: Server, data: LiveData
) -> None:
    async with ws_client(server) as ws:
        await ws.subscribe(data.event_gid)
        assert await ws.closed_code() == 4401


async def test_subscribe__per_connection_cap__refused_with_code_then_free_again(
    server: Server, data: LiveData
) -> None:
    async with ws_client(server) as ws:
        await ws.init(data.token)
        first = await ws.subscribe(data.event_gid)
        second = await ws.subscribe(data.event_gid)
        # Each subscription reads its first figure in its own task: either may answer first.
        answers = [await ws.receive(), await ws.receive()]
        assert sorted(m["id"] for m in answers) == sorted([first, second]), answers
        assert all(
            m["type"] == "next" and m["payload"]["data"]["eventSeats"]["remainingSeats"] == 40
            for m in answers
        ), answers

        third = await ws.subscribe(data.event_gid)
        refused = await ws.receive()

        assert refused["id"] == third and refused["type"] == "error"
        assert [e["extensions"]["code"] for e in refused["payload"]] == ["RATE_LIMITED"]
        # Ending one subscription frees its slot.
        await ws.send({"id": first, "type": "complete"})
        fourth = await ws.subscribe(data.event_gid)
        assert await ws.next_seats(fourth) == 40


async def test_connections__process_cap__extra_socket_closed_1013(
    server: Server, data: LiveData
) -> None:
    async with ws_client(server) as a, ws_client(server) as b, ws_client(server) as c:
        for ws in (a, b, c):
            assert await ws.init(data.token) == {"type": "connection_ack"}
        async with ws_client(server) as extra:
            assert await extra.closed_code() == 1013
    # Closed sockets no longer count.
    async with ws_client(server) as again:
        assert await again.init(data.token) == {"type": "connection_ack"}


@pytest.mark.parametrize("which", ["draft", "missing", "malformed", "wrong-type"])
async def test_event_seats__not_a_public_event__coded_error(
    server: Server, data: LiveData, which: str
) -> None:
    gid = {
        "draft": data.draft_gid,
        "missing": "RXZlbnQ6OTk5OTk5",  # Event:999999
        "malformed": "%%%",
        "wrong-type": "VXNlcjox",  # User:1
    }[which]
    expected = {"draft": "NOT_FOUND", "missing": "NOT_FOUND"}.get(which, "INVALID_ID")
    async with ws_client(server) as ws:
        await ws.init(data.token)
        op = await ws.subscribe(gid)
        message = await ws.receive()
        assert message["id"] == op
        errors = message["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == [expected]
        assert errors[0]["extensions"]["field"] == "eventId"
        assert (await ws.receive())["type"] == "complete"


async def test_websocket__queries_refused__subscriptions_only(
    server: Server, data: LiveData
) -> None:
    async with ws_client(server) as ws:
        await ws.init(data.token)
        await ws.send(
            {"id": "q", "type": "subscribe", "payload": {"query": "{ regions { name } }"}}
        )
        message = await ws.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_websocket__legacy_graphql_ws_protocol__refused(server: Server) -> None:
    from websockets.typing import Subprotocol

    async with ws_client(server, protocol=Subprotocol("graphql-ws")) as ws:
        assert await ws.closed_code() == 4406


async def test_http__subscription_over_post__refused(server: Server, data: LiveData) -> None:
    async with httpx.AsyncClient(base_url=server.http, timeout=10) as http:
        response = await http.post(
            "/graphql",
            json={"query": EVENT_SEATS, "variables": {"id": data.event_gid}},
            headers={"Authorization": f"Bearer {data.token}"},
        )
        streaming = await http.post(
            "/graphql",
            json={"query": EVENT_SEATS, "variables": {"id": data.event_gid}},
            headers={
                "Authorization": f"Bearer {data.token}",
                "Accept": "multipart/mixed;subscriptionSpec=1.0,application/json",
            },
        )
    for answer in (response, streaming):
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
