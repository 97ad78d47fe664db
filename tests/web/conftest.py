"""Website fixtures: `site` is the in-process app on the test database as it is (both backends;
ask for `seeded` too to get the Jiexiu seed), acting as one browser;
`live_site` a real server on loopback for the module's browser tests, seeded once per module
(its tests must not ask for `db`, which empties the database)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from culture_cloud.db import transaction
from culture_cloud.seeding.jiexiu import load_jiexiu
from culture_cloud.settings import Settings
from tests.conftest import Database, _empty
from tests.live.conftest import Server, serve_in_process
from tests.support.settings import settings_for
from tests.web.support import WebClient, web_client


@pytest.fixture
async def site(db: Database, app_settings: Settings) -> AsyncIterator[WebClient]:
    async with web_client(db, app_settings) as client:
        yield client


@pytest.fixture(scope="module")
async def live_database(_database: Database) -> Database:
    await _empty(_database)
    async with transaction(_database.factory) as session:
        await load_jiexiu(session)
    return _database


@pytest.fixture(scope="module")
async def live_site(live_database: Database) -> AsyncIterator[Server]:
    async with serve_in_process(settings_for(live_database)) as server:
        yield server
