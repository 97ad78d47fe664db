"""The raw floor: plain Starlette + hand-written asyncpg SQL + orjson, same JSON as /graphql.

It answers only the list-page query of bench/list_page.py and exists to measure how far the
project is from the fastest reasonable Python implementation on the same machine and database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from culture_cloud.global_ids import to_global_id
from culture_cloud.keyset import encode_cursor
from culture_cloud.timeutil import SHANGHAI

PAGE_SQL = """
SELECT e.id, e.title, e.kind, e.start_at, e.end_at, e.price_fen, e.capacity, e.booked_seats,
       v.id AS venue_id, v.name AS venue_name, r.id AS region_id, r.name AS region_name
FROM event e
LEFT JOIN venue v ON v.id = e.venue_id
LEFT JOIN region r ON r.id = e.region_id
WHERE e.status IN ('published', 'cancelled', 'postponed')
ORDER BY e.start_at, e.id
LIMIT $1
"""


def _node(row: Any) -> dict[str, Any]:
    capacity = row["capacity"]
    price = row["price_fen"]
    return {
        "id": to_global_id("Event", row["id"]),
        "title": row["title"],
        "kind": row["kind"].upper(),
        "startAt": row["start_at"].astimezone(SHANGHAI).isoformat(),
        "endAt": row["end_at"].astimezone(SHANGHAI).isoformat(),
        "priceYuan": None if price is None else price / 100,
        "remainingSeats": None if capacity is None else max(0, capacity - row["booked_seats"]),
        "venue": None
        if row["venue_id"] is None
        else {"id": to_global_id("Venue", row["venue_id"]), "name": row["venue_name"]},
        "region": None
        if row["region_id"] is None
        else {"id": to_global_id("Region", row["region_id"]), "name": row["region_name"]},
    }


async def list_page(request: Request) -> Response:
    body = orjson.loads(await request.body())
    first = int(body.get("variables", {}).get("first", 20))
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch(PAGE_SQL, first + 1)
    page = rows[:first]
    last = page[-1] if page else None
    payload = {
        "data": {
            "events": {
                "edges": [{"node": _node(r)} for r in page],
                "pageInfo": {
                    "hasNextPage": len(rows) > first,
                    "endCursor": None
                    if last is None
                    else encode_cursor("event:start_time", [last["start_at"], last["id"]]),
                },
            }
        }
    }
    return Response(orjson.dumps(payload), media_type="application/json")


def _dsn() -> str:
    url = os.environ["CULTURE_CLOUD_DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(_dsn(), min_size=2, max_size=10)
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(routes=[Route("/graphql", list_page, methods=["POST"])], lifespan=lifespan)
