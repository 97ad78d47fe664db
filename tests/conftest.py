"""Every database test runs twice: on the embedded SQLite default and on PostgreSQL.

PostgreSQL comes from CULTURE_CLOUD_TEST_POSTGRES_URL (default: local trust auth). Each test
session creates its own database and drops it afterwards. In CI (CI=true) an unreachable
PostgreSQL fails the run; elsewhere the PostgreSQL half is skipped with a hint.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from culture_cloud import models_registry  # noqa: F401
from culture_cloud.catalog.counts import COUNTS
from culture_cloud.db import SessionFactory, create_engine, create_session_factory, transaction
from culture_cloud.migrations import upgrade
from culture_cloud.seeding.jiexiu import load_jiexiu
from culture_cloud.settings import Settings
from culture_cloud.wiring import wire
from tests.support.browser import browser, chromium  # noqa: F401  (module-scoped fixtures)
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for

# Cross-domain hooks, as create_app and the command line register them: tests that call
# services directly need them too.
wire()

POSTGRES_URL = os.environ.get(
    "CULTURE_CLOUD_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ["sqlite", "postgres"]


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_available() -> str | None:
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


@dataclass
class Database:
    backend: str
    url: str
    engine: AsyncEngine
    factory: SessionFactory

    @property
    def settings(self) -> Settings:
        return Settings(database_url=self.url, environment="test")  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=BACKENDS)
async def _database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "test.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(Settings(database_url=url))
        yield Database("sqlite", url, engine, create_session_factory(engine))
        await engine.dispose()
        return

    problem = await _postgres_available()
    if problem is not None:
        message = (
            f"PostgreSQL not reachable at {POSTGRES_URL} ({problem}). Start it or point "
            "CULTURE_CLOUD_TEST_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/DB at a server."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"culture_cloud_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(Settings(database_url=url))
        yield Database("postgres", url, engine, create_session_factory(engine))
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _empty(database: Database) -> None:
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    async with database.engine.begin() as conn:
        if database.backend == "postgres":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
async def db(_database: Database) -> Database:
    """An empty, migrated database on the current backend."""
    await _empty(_database)
    # Emptied, the catalogue's version starts at 1 again: counts cached by an earlier test
    # under the same (database, version) would be taken for this one's.
    COUNTS.clear()
    return _database


@pytest.fixture
def pg(db: Database) -> Database:
    """The database, PostgreSQL only: row locks, real concurrent writers, killable server
    connections. SQLite runs one writer at a time, so a race there proves nothing; the SQLite
    copy of such a test is skipped with this reason (CI fails if PostgreSQL is missing)."""
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: concurrent writers and server connections (CI runs it)")
    return db


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The database with the Jiexiu seed data loaded, as `culture-cloud seed` would."""
    async with transaction(db.factory) as session:
        await load_jiexiu(session)
    return db


@pytest.fixture
def app_settings(db: Database) -> Settings:
    """The settings the `api` fixture builds its app from; a directory's conftest.py overrides
    this fixture (not `api`) when its app needs more, e.g. the fake WeChat server."""
    return settings_for(db)


@pytest.fixture
async def api(db: Database, app_settings: Settings) -> AsyncIterator[GraphQLClient]:
    """The one GraphQL client: the app on the test database as it is (empty unless the test also
    asks for `seeded` or adds rows). `api.data(doc, variables, user=someone)` acts as a user."""
    async with graphql_client(db, app_settings) as client:
        yield client


@dataclass
class StatementLog:
    statements: list[str]

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def count_statements() -> Iterator[Any]:
    """Counts SQL statements on every engine created while the fixture is active."""
    log = StatementLog([])

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK")):
            log.statements.append(statement)

    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(Engine, "before_cursor_execute", before)
