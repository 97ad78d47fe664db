"""The booking guarantee end to end: 200 residents tap "book" at once through real HTTP on two
server processes sharing one PostgreSQL; exactly the capacity is confirmed, everyone else is
waitlisted, and the counter equals the rows. (The control run that shows this rush catches an
oversell is in test_concurrency.py, on the same statement.)"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest

from culture_cloud.global_ids import to_global_id
from tests.accounts.factories import add_residents, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.live.conftest import serve_in_subprocesses

pytestmark = pytest.mark.postgres_only

RESIDENTS = 200
CAPACITY = 50

BOOK = """mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) {
    __typename
    ... on BookingConfirmed { booking { seats } }
    ... on BookingError { code }
  }
}"""


async def test_book_event__200_over_http_on_two_processes__exactly_capacity_confirmed(
    pg: Database,
) -> None:
    event = await f.add_event(pg, capacity=CAPACITY, allow_waitlist=True)
    event_gid = to_global_id("Event", event.id)
    tokens = [await token_for(pg, user) for user in await add_residents(pg, RESIDENTS)]

    async with serve_in_subprocesses(pg.url, 2) as servers:
        clients = [httpx.AsyncClient(base_url=s.http, timeout=60) for s in servers]
        try:

            async def book(i: int) -> str:
                variables = {
                    "input": {"eventId": event_gid, "seats": 1, "idempotencyKey": uuid.uuid4().hex}
                }
                response = await clients[i % 2].post(
                    "/graphql",
                    json={"query": BOOK, "variables": variables},
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                )
                result = response.json()["data"]["bookEvent"]
                return str(result.get("code") or result["__typename"])

            outcomes = Counter(await asyncio.gather(*(book(i) for i in range(RESIDENTS))))
        finally:
            for client in clients:
                await client.aclose()

    assert outcomes == {"BookingConfirmed": CAPACITY, "BookingWaitlisted": RESIDENTS - CAPACITY}
    assert await f.seats_of(pg, event.id) == (CAPACITY, CAPACITY)
