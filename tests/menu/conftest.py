"""Menu tests run on both databases, through the API, in a small world of townships, a
village centre, troupes, staff of every role, residents and an administrator."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.conftest import Database
from tests.menu.factories import World, build_world
from tests.support.graphql import GraphQLClient


@pytest.fixture
async def world(db: Database, api: GraphQLClient) -> World:
    return await build_world(db, api)
