"""/readyz: this worker can serve (database reachable, schema at this code's migrations head);
503 with the reason otherwise. /healthz stays liveness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from culture_cloud.app import create_app
from culture_cloud.migrations import revisions
from culture_cloud.settings import Settings
from tests.conftest import Database
from tests.support.settings import settings_for


@asynccontextmanager
async def ready_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


@asynccontextmanager
async def database_revision(db: Database, revision: str) -> AsyncIterator[None]:
    """alembic_version says `revision` for a while (as after or before another release's
    migrate); the real one comes back afterwards."""
    async with db.engine.begin() as conn:
        real = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
        await conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    try:
        yield
    finally:
        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": real})


async def test_readyz__migrated_database__ready(db: Database) -> None:
    heads, _known = revisions()
    async with ready_client(settings_for(db)) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": sorted(heads)}


async def test_readyz__migrations_pending__503_with_both_revisions(db: Database) -> None:
    heads, known = revisions()
    older = sorted(known - heads)[0]
    async with database_revision(db, older), ready_client(settings_for(db)) as http:
        response = await http.get("/readyz")
        health = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "migrations_pending",
        "database": [older],
        "code": sorted(heads),
    }
    assert health.status_code == 200  # alive: restarting it would not help


async def test_readyz__database_ahead_after_a_newer_release_migrated__still_ready(
    db: Database,
) -> None:
    # Expand/contract: the previous release keeps serving on the newer schema during a deploy.
    async with database_revision(db, "f00dfeedbeef"), ready_client(settings_for(db)) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["revision"] == ["f00dfeedbeef"]


@pytest.mark.parametrize("kind", ["unreachable", "never_migrated"])
async def test_readyz__database_unusable__503_with_reason(kind: str, tmp_path: Path) -> None:
    if kind == "unreachable":
        url, reason = "postgresql+asyncpg://postgres@127.0.0.1:1/x", "database_unreachable"
    else:
        url, reason = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "database_not_migrated"
    async with ready_client(Settings(database_url=url, environment="test")) as http:  # type: ignore[arg-type]
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": reason}


def test_revisions__same_heads_and_revisions_as_alembic() -> None:
    # /readyz reads the migration files without Alembic (issue #16: the serving process does
    # not import it); Alembic's own reading of the same folder must agree.
    from alembic.script import ScriptDirectory

    from culture_cloud.migrations import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads, every = revisions()
    assert heads == frozenset(script.get_heads())
    assert every == frozenset(r.revision for r in script.walk_revisions())
    assert len(every) >= 13
