"""Apps for the tests of the HTTP edge that need no database rows: one in development, one in
production settings, each shared by the tests of a module (tests/graphql/no_db_app.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.graphql.no_db_app import no_db_client


@pytest.fixture(scope="module")
async def dev(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with no_db_client(tmp_path_factory.mktemp("dev"), "development") as http:
        yield http


@pytest.fixture(scope="module")
async def prod(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with no_db_client(tmp_path_factory.mktemp("prod"), "production") as http:
        yield http
