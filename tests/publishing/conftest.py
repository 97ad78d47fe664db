"""Publishing tests: a small world of two organisations with their places and staff, and the
app on the same database, signed in with real tokens from `loginWithPassword`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.accounts.factories import Api, api_for, settings_for
from tests.conftest import Database
from tests.publishing.factories import World, build_world


@pytest.fixture
async def api(db: Database) -> AsyncIterator[Api]:
    async with api_for(settings_for(db)) as client:
        yield client


@pytest.fixture
async def world(db: Database, api: Api) -> World:
    return await build_world(db, api)
