"""A pooled connection the server ended while it sat idle (restart, failover, an operator's
pg_terminate_backend) is replaced before use: the next write and the next read succeed on the
first try instead of failing once with SERVICE_UNAVAILABLE."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import pytest

from culture_cloud.db import transaction, utcnow
from culture_cloud.global_ids import to_global_id
from tests.accounts.factories import add_user, token_for
from tests.catalog.factories import add_event
from tests.conftest import Database, _asyncpg_dsn
from tests.support.graphql import graphql_client

BOOK = """mutation($input: BookEventInput!) {
  bookEvent(input: $input) { __typename ... on BookingConfirmed { booking { seats } } }
}"""
EVENTS = "{ events(first: 5) { totalCount } }"
ME = "{ me { id } }"


async def _terminate_app_backends(pg: Database) -> int:
    """Ends every other backend on the test database, as a server restart would, and waits
    until they are gone."""
    admin = await asyncpg.connect(_asyncpg_dsn(pg.url))
    try:
        others = """SELECT pid FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()"""
        killed = [row["pid"] for row in await admin.fetch(others)]
        await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", killed)
        for _ in range(200):
            if await admin.fetchval(f"SELECT count(*) FROM ({others}) o") == 0:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("terminated backends still there after 10 s")
    finally:
        await admin.close()
    return len(killed)


@pytest.mark.postgres_only
async def test_pool__connections_killed_while_idle__next_write_and_read_succeed(
    pg: Database,
) -> None:
    user = await add_user(pg, openid=f"o-idle-{uuid.uuid4().hex[:8]}")
    async with transaction(pg.factory) as session:
        event = await add_event(
            session, "介休干调会", utcnow() + timedelta(days=3), capacity=20, booking_required=True
        )
    assert event.id is not None
    token = await token_for(pg, user)

    async with graphql_client(pg) as api:
        # Fill the app's pool: several connections checked out at once, then all idle.
        await asyncio.gather(*(api.data(EVENTS) for _ in range(4)))
        await api.data(ME, token=token)
        assert await _terminate_app_backends(pg) >= 1
        await asyncio.sleep(0.2)  # idle: the event loop reads the server's goodbye

        booked = await api.execute(
            BOOK,
            {
                "input": {
                    "eventId": to_global_id("Event", event.id),
                    "seats": 2,
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
            token=token,
        )
        listed = await api.execute(EVENTS)

    assert "errors" not in booked, booked
    assert booked["data"]["bookEvent"] == {
        "__typename": "BookingConfirmed",
        "booking": {"seats": 2},
    }
    assert "errors" not in listed, listed
    assert listed["data"]["events"]["totalCount"] >= 1
