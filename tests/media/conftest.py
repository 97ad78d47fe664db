"""Uploads go to a fresh directory per test; `console` calls the API in process, as the staff
console does with the files its forms receive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from culture_cloud.settings import Settings
from tests.conftest import Database
from tests.media.factories import World, add_world
from tests.support.in_process import InProcessClient, in_process_client
from tests.support.settings import settings_for

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app_settings(db: Database, media_dir: Path) -> Settings:
    return settings_for(
        db,
        media_local_dir=media_dir,
        media_public_base_url="https://media.example.cn/media",
        media_max_upload_bytes=MAX_UPLOAD_BYTES,
    )


@pytest.fixture
async def console(db: Database, app_settings: Settings) -> AsyncIterator[InProcessClient]:
    async with in_process_client(db, app_settings) as client:
        yield client


@pytest.fixture
async def world(db: Database) -> World:
    return await add_world(db)


PG_FUNCTION = """
CREATE FUNCTION media_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'refused by the test'; END $$
"""


@pytest.fixture
async def refusing_inserts(db: Database) -> AsyncIterator[None]:
    """The database refuses every media_asset row at the INSERT."""
    async with db.engine.begin() as connection:
        if db.backend == "postgres":
            await connection.execute(text(PG_FUNCTION))
            await connection.execute(
                text(
                    "CREATE TRIGGER media_test_refuse BEFORE INSERT ON media_asset "
                    "FOR EACH ROW EXECUTE FUNCTION media_test_refuse()"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE TRIGGER media_test_refuse BEFORE INSERT ON media_asset "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
    try:
        yield
    finally:
        async with db.engine.begin() as connection:
            if db.backend == "postgres":
                await connection.execute(text("DROP TRIGGER media_test_refuse ON media_asset"))
                await connection.execute(text("DROP FUNCTION media_test_refuse()"))
            else:
                await connection.execute(text("DROP TRIGGER media_test_refuse"))
