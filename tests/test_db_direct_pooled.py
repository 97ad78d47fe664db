"""db_direct.fetch_value_pooled: one statement on a pooled connection of its own, with the value
`execute` would read; the connection always goes back, and a
killed one never does."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from culture_cloud import db_direct
from culture_cloud.catalog.models import CatalogueVersion
from culture_cloud.db import create_engine, is_outage, transaction
from culture_cloud.settings import Settings
from tests.catalog.factories import add_venue
from tests.conftest import Database
from tests.test_db_direct import BACKEND_PID, _terminate

VERSION = select(col(CatalogueVersion.n)).where(col(CatalogueVersion.id) == 1)
NOTHING = select(col(CatalogueVersion.n)).where(col(CatalogueVersion.id) == -1)


def _one_connection(db: Database) -> Settings:
    return Settings(database_url=db.url, environment="test", db_pool_size=1)


async def test_fetch_value_pooled__value_none_and_the_connection_back(db: Database) -> None:
    engine = create_engine(_one_connection(db))
    try:
        before = await db_direct.fetch_value_pooled(engine, VERSION, {})
        async with transaction(db.factory) as session:
            await add_venue(session, "版本测试馆")
        # One pooled connection: each call works only if the previous one gave it back.
        for _ in range(3):
            after = await db_direct.fetch_value_pooled(engine, VERSION, {})
            assert isinstance(after, int) and after > (before or 0)
            assert await db_direct.fetch_value_pooled(engine, NOTHING, {}) is None
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
async def test_fetch_value_pooled__connection_killed__outage_and_pool_recovers(
    pg: Database,
) -> None:
    engine = create_engine(_one_connection(pg))
    try:
        killed = int(await db_direct.fetch_value_pooled(engine, BACKEND_PID, {}))
        await _terminate(pg, killed)
        try:
            pid = await db_direct.fetch_value_pooled(engine, BACKEND_PID, {})
        except DBAPIError as caught:  # unless the pool's checkout noticed it first
            assert is_outage(caught), caught
            pid = await db_direct.fetch_value_pooled(engine, BACKEND_PID, {})
        assert int(pid) != killed
    finally:
        await engine.dispose()
