"""Publishing tests: a small world of two organisations with their places and staff, and the
app on the same database, signed in with real tokens from `loginWithPassword`."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.conftest import Database
from tests.publishing.factories import World, build_world
from tests.support.graphql import GraphQLClient


@pytest.fixture
async def world(db: Database, api: GraphQLClient) -> World:
    return await build_world(db, api)
