"""A search miss with the buffered search log against the old INSERT-and-commit per search,
side by side in one process (issue #16).

    python -m bench.search_log [--database-url URL] [--rounds 4] [--seconds 5]

Runs the website's search document for a term that matches nothing (`火星基地`, as
bench/search_map.py's miss) through the app in process (ASGI, 8 concurrent clients), in
interleaved rounds: "buffered" is the code as it is (record_search appends to the buffer);
"insert+commit" adds what the search resolver did before: one INSERT into search_log on the
search's autocommit connection, awaited before the answer. Prints req/s per round and the
ratio of the medians. Default database: bench/search_map.py's PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from typing import Any

import httpx
from sqlalchemy import insert

from bench.search_map import PG_URL, SCENARIOS
from culture_cloud.app import create_app
from culture_cloud.db import utcnow
from culture_cloud.search import queries, service
from culture_cloud.search.models import SEARCH_LOG_TABLE
from culture_cloud.settings import Settings

MISS = SCENARIOS["search miss"]


async def _search_then_insert(conn: Any, **kwargs: Any) -> Any:
    result = await service.search(conn, **kwargs)
    await conn.execute(insert(SEARCH_LOG_TABLE).values(term="火星基地", created_at=utcnow()))
    return result


class _OldService:
    """Stands for `service` inside search/queries.py: `search` also writes the log row."""

    def __getattr__(self, name: str) -> Any:
        return _search_then_insert if name == "search" else getattr(service, name)


async def _drive(client: httpx.AsyncClient, seconds: float) -> float:
    done = 0
    end = time.monotonic() + seconds

    async def one() -> None:
        nonlocal done
        while time.monotonic() < end:
            reply = await client.post("/graphql", json=MISS)
            assert reply.status_code == 200 and "errors" not in reply.json(), reply.text
            done += 1

    await asyncio.gather(*(one() for _ in range(8)))
    return done / seconds


async def _run(url: str, rounds: int, seconds: float) -> None:
    app = create_app(Settings(database_url=url))
    results: dict[str, list[float]] = {"buffered": [], "insert+commit": []}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await _drive(client, 1)  # warm-up
            for _ in range(rounds):
                for mode, values in results.items():
                    queries.service = _OldService() if mode == "insert+commit" else service  # type: ignore[assignment]
                    values.append(await _drive(client, seconds))
            queries.service = service
    for mode, values in results.items():
        print(
            f"{mode:14} req/s {[round(v, 1) for v in values]} median {statistics.median(values):.1f}"
        )
    ratio = statistics.median(results["buffered"]) / statistics.median(results["insert+commit"])
    print(f"buffered / insert+commit: {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=PG_URL)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    asyncio.run(_run(args.database_url, args.rounds, args.seconds))


if __name__ == "__main__":
    main()
