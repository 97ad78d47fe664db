"""The search log off the request path (culture_cloud/buffered_insert.py, search/log.py): a
search is buffered, written by the process's flusher or on shutdown, never awaited by the
request; a full buffer or a refused flush drops rows and counts them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from culture_cloud.buffered_insert import BufferedInsert
from culture_cloud.search.log import search_log
from tests.conftest import Database
from tests.statistics.factories import sql_one
from tests.support.graphql import graphql_client
from tests.support.refusals import value_refused_by_database
from tests.support.settings import settings_for

SEARCH = "query S($text: String!) { search(text: $text, first: 1) { edges { cursor } } }"
# Long enough that only a flush the test asks for (or shutdown) writes.
NEVER = {"search_log_flush_ms": 60_000}


async def logged(db: Database) -> int:
    return int((await sql_one(db, "SELECT count(*) FROM search_log"))[0])


def dropped_metric(reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "culture_cloud_log_rows_dropped_total", {"log": "search_log", "reason": reason}
    )
    return value or 0.0


async def test_search_log__search__buffered_until_a_flush(db: Database) -> None:
    async with graphql_client(db, settings_for(db, **NEVER)) as client:
        await client.data(SEARCH, {"text": "晋剧"})
        await client.data(SEARCH, {"text": "绵山"})
        assert await logged(db) == 0  # the request wrote nothing

        assert await client.flush_search_log() == 2
        assert await logged(db) == 2
        assert await client.flush_search_log() == 0


async def test_search_log__shutdown__flushes_what_is_left(db: Database) -> None:
    async with graphql_client(db, settings_for(db, **NEVER)) as client:
        await client.data(SEARCH, {"text": "晋剧"})
        assert await logged(db) == 0

    assert await logged(db) == 1


@pytest.mark.parametrize(
    "overrides",
    [{"search_log_flush_ms": 20}, {**NEVER, "search_log_flush_rows": 2}],
    ids=["every-20ms", "every-2-rows"],
)
async def test_search_log__flusher__writes_in_the_background(
    db: Database, overrides: dict[str, int]
) -> None:
    async with graphql_client(db, settings_for(db, **overrides)) as client:
        await client.data(SEARCH, {"text": "晋剧"})
        await client.data(SEARCH, {"text": "绵山"})
        for _ in range(200):
            if await logged(db) == 2:
                break
            await asyncio.sleep(0.02)
        assert await logged(db) == 2


@asynccontextmanager
async def search_log_locked(db: Database) -> AsyncIterator[None]:
    """Another transaction holds the search log's write lock: an INSERT waits for it."""
    async with db.engine.connect() as conn:
        transaction = await conn.begin()
        if db.backend == "postgres":
            await conn.execute(text("LOCK TABLE search_log IN EXCLUSIVE MODE"))
        else:  # SQLite: one writer; reads (WAL) go on
            await conn.execute(
                text("INSERT INTO search_log (term, created_at) VALUES ('lock', :at)"),
                {"at": datetime.now(UTC)},
            )
        try:
            yield
        finally:
            await transaction.rollback()


async def test_search_log__database_busy_buffer_full__searches_answer_rows_dropped(
    db: Database,
) -> None:
    settings = settings_for(
        db, search_log_flush_ms=20, search_log_flush_rows=1, search_log_capacity=2
    )
    before = dropped_metric("full")
    texts = [f"词{n}" for n in range(6)]
    async with graphql_client(db, settings) as client:
        buffer = client.app.state.search_log  # type: ignore[union-attr]
        async with search_log_locked(db):
            for value in texts:
                # Answered while every INSERT waits for the lock: no request awaits the log.
                await asyncio.wait_for(client.data(SEARCH, {"text": value}), timeout=5)
            assert len(buffer) == 2
            # The first search is in a flush that waits for the lock; the rest beyond two
            # were dropped.
            assert buffer.dropped in (len(texts) - 2, len(texts) - 3)
            assert dropped_metric("full") - before == buffer.dropped
        await client.flush_search_log()
        assert await logged(db) == len(texts) - buffer.dropped


async def test_search_log__flush_refused__logged_without_terms_writer_goes_on(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = search_log(db.engine, settings_for(db, search_log_flush_ms=20))
    buffer.start()
    now = datetime.now(UTC)
    try:
        async with value_refused_by_database(db, "search_log", "term", "拒绝的词"):
            with caplog.at_level(logging.WARNING):
                buffer.add({"term": "晋剧", "created_at": now})
                buffer.add({"term": "拒绝的词", "created_at": now})
                for _ in range(200):  # the background flush meets the refusal
                    if buffer.dropped:
                        break
                    await asyncio.sleep(0.02)
        assert buffer.dropped == 2  # one transaction: the whole batch
        messages = [r.getMessage() for r in caplog.records if r.name.startswith("culture_cloud")]
        assert messages == [messages[0]]
        assert "IntegrityError" in messages[0] and "2 buffered rows" in messages[0]
        assert "拒绝的词" not in caplog.text and "晋剧" not in caplog.text

        buffer.add({"term": "绵山", "created_at": now})
        for _ in range(200):  # the same flusher writes the next batch
            if buffer.written:
                break
            await asyncio.sleep(0.02)
        assert buffer.written == 1
        assert await logged(db) == 1
    finally:
        await buffer.close()


def test_buffered_insert__capacity_below_flush_rows__refused(db: Database) -> None:
    with pytest.raises(ValueError, match="flush_rows"):
        BufferedInsert(
            db.engine,
            search_log(db.engine, db.settings).table,
            flush_seconds=1,
            flush_rows=10,
            capacity=5,
        )
