"""Alembic migrations: reversible, and in step with the SQLModel models, on both backends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import SQLModel

from culture_cloud import models_registry  # noqa: F401
from culture_cloud.db import create_engine
from culture_cloud.migrations import (
    DATABASE_OWNED_TABLES,
    EXPRESSION_INDEXES,
    downgrade,
    include_object,
    upgrade,
)
from culture_cloud.settings import Settings
from tests.conftest import BACKENDS, IN_CI, POSTGRES_URL, _asyncpg_dsn, _postgres_available

JIEXIU_CENTRE = (37.0269, 111.9169)
TAIYUAN = (37.87059, 112.548879)


@pytest.fixture(params=BACKENDS)
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody has migrated yet, on the current backend; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    problem = await _postgres_available()
    if problem is not None:
        message = f"PostgreSQL not reachable at {POSTGRES_URL} ({problem})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"culture_cloud_migr_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _run_sync(url: str, fn: Any) -> Any:
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version", *DATABASE_OWNED_TABLES}


def _model_diff(conn: Connection) -> list[Any]:
    # Same options as schema/migrations/env.py, so this is what `alembic revision
    # --autogenerate` would put into a new migration.
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_object": include_object}
    )
    diff: list[Any] = compare_metadata(context, SQLModel.metadata)
    return diff


async def _has_distance_function(url: str) -> bool:
    def probe(conn: Connection) -> bool:
        if conn.dialect.name != "postgresql":
            return True  # SQLite registers it per connection (culture_cloud.db)
        sql = text("SELECT count(*) FROM pg_proc WHERE proname = 'geo_distance_km'")
        return bool(conn.execute(sql).scalar_one())

    return bool(await _run_sync(url, probe))


async def test_migrations__upgrade_downgrade_upgrade__round_trips(fresh_url: str) -> None:
    model_tables = set(SQLModel.metadata.tables)

    await asyncio.to_thread(upgrade, fresh_url)
    assert await _run_sync(fresh_url, _tables) == model_tables

    await asyncio.to_thread(downgrade, fresh_url, "base")
    assert await _run_sync(fresh_url, _tables) == set()
    if fresh_url.startswith("postgresql"):
        assert not await _has_distance_function(fresh_url)

    await asyncio.to_thread(upgrade, fresh_url)
    assert await _run_sync(fresh_url, _tables) == model_tables
    assert await _has_distance_function(fresh_url)


async def test_migrations__head__match_models(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)
    diff = await _run_sync(fresh_url, _model_diff)
    assert diff == [], f"models changed without a migration: {diff}"


async def test_migrations__model_change__detected(fresh_url: str) -> None:
    # The control for the comparison above: a model column the migrations lack must show up.
    changed = MetaData(naming_convention=SQLModel.metadata.naming_convention)
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["region"].append_column(Column("motto", String(64), nullable=True))
    await asyncio.to_thread(upgrade, fresh_url)

    def diff_with_change(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff: list[Any] = compare_metadata(context, changed)
        return diff

    diff = await _run_sync(fresh_url, diff_with_change)
    assert [(op[0], op[2], op[3].name) for op in diff] == [("add_column", "region", "motto")]


async def test_geo_distance_km__jiexiu_to_taiyuan__about_109_km(fresh_url: str) -> None:
    await asyncio.to_thread(upgrade, fresh_url)

    def distance(conn: Connection) -> float:
        sql = text("SELECT geo_distance_km(:lat1, :lng1, :lat2, :lng2)")
        params = dict(zip(("lat1", "lng1"), JIEXIU_CENTRE, strict=True)) | dict(
            zip(("lat2", "lng2"), TAIYUAN, strict=True)
        )
        return float(conn.execute(sql, params).scalar_one())

    assert await _run_sync(fresh_url, distance) == pytest.approx(109.15, abs=0.5)


def _geo_objects(conn: Connection) -> dict[str, Any]:
    """PostGIS, the generated geog columns and their GiST indexes (PostgreSQL)."""
    extension = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first()
    columns = conn.execute(
        text(
            "SELECT table_name, udt_name, is_generated FROM information_schema.columns"
            " WHERE column_name = 'geog' ORDER BY table_name"
        )
    ).all()
    indexes = conn.execute(
        text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist (geog)%'")
    ).scalars()
    return {"postgis": extension is not None, "columns": columns, "gist": sorted(indexes)}


async def test_migration_0013__postgis_geog_and_gist__added_and_removed(fresh_url: str) -> None:
    if not fresh_url.startswith("postgresql"):
        await asyncio.to_thread(upgrade, fresh_url)
        await asyncio.to_thread(downgrade, fresh_url, "0012")  # SQLite: the indexes only
        await asyncio.to_thread(upgrade, fresh_url)
        return
    located = ["event", "scenic_spot", "travel_agency", "venue"]
    await asyncio.to_thread(upgrade, fresh_url)
    after = await _run_sync(fresh_url, _geo_objects)
    assert after["postgis"]
    assert [tuple(c) for c in after["columns"]] == [(t, "geography", "ALWAYS") for t in located]
    assert after["gist"] == [f"ix_{t}_geog" for t in located]

    await asyncio.to_thread(downgrade, fresh_url, "0012")
    assert await _run_sync(fresh_url, _geo_objects) == {"postgis": False, "columns": [], "gist": []}


async def test_migration_0013__geog_follows_lat_lng(fresh_url: str) -> None:
    """The geography column is generated: set, moved and cleared with lat/lng by any writer."""
    if not fresh_url.startswith("postgresql"):
        pytest.skip("the geography column exists on PostgreSQL only")
    await asyncio.to_thread(upgrade, fresh_url)

    def points(conn: Connection) -> list[Any]:
        conn.execute(
            text(
                "INSERT INTO travel_agency (name, licence_no, lat, lng, is_demo, rating_avg,"
                " rating_count, tags) VALUES ('演示', 'L-1', :lat, :lng, true, 0, 0, '[]')"
            ),
            {"lat": JIEXIU_CENTRE[0], "lng": JIEXIU_CENTRE[1]},
        )
        read = text("SELECT ST_Y(geog::geometry), ST_X(geog::geometry) FROM travel_agency")
        seen = [tuple(conn.execute(read).one())]
        conn.execute(
            text("UPDATE travel_agency SET lat = :lat, lng = :lng"),
            dict(zip(("lat", "lng"), TAIYUAN, strict=True)),
        )
        seen.append(tuple(conn.execute(read).one()))
        conn.execute(text("UPDATE travel_agency SET lat = NULL"))
        seen.append(tuple(conn.execute(read).one()))
        conn.rollback()
        return seen

    assert await _run_sync(fresh_url, points) == [JIEXIU_CENTRE, TAIYUAN, (None, None)]


def _index_columns(conn: Connection, name: str) -> list[str]:
    if conn.dialect.name == "postgresql":
        sql = text("SELECT indexdef FROM pg_indexes WHERE indexname = :n")
    else:
        sql = text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n")
    definition = str(conn.execute(sql, {"n": name}).scalar_one())
    inside = definition[definition.index("(") + 1 : definition.rindex(")")]
    return [c.replace(" varchar_pattern_ops", "").strip() for c in inside.split(",")]


async def test_migrations__expression_indexes__match_models(fresh_url: str) -> None:
    """The indexes the model comparison leaves out (a DESC column, which Alembic cannot
    compare) have, after migrating, exactly the model's columns and directions."""
    await asyncio.to_thread(upgrade, fresh_url)
    for name in EXPRESSION_INDEXES:
        (index,) = [
            i for t in SQLModel.metadata.tables.values() for i in t.indexes if i.name == name
        ]
        expected = [str(getattr(e, "name", e)) for e in index.expressions]
        assert await _run_sync(fresh_url, lambda conn, n=name: _index_columns(conn, n)) == expected
