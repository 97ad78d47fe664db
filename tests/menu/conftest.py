"""Menu tests run on both databases, through the API, in a small world of townships, a
village centre, troupes, staff of every role, residents and an administrator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.accounts.factories import Api, api_for, settings_for
from tests.conftest import Database
from tests.menu.factories import World, build_world


@pytest.fixture
async def api(db: Database) -> AsyncIterator[Api]:
    async with api_for(settings_for(db)) as client:
        yield client


@pytest.fixture
async def world(db: Database, api: Api) -> World:
    return await build_world(db, api)
