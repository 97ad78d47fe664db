"""Upgrades without downtime: every Alembic migration is an *expand* step that the previous
release's code still works with, or a declared *contract* step (README "Upgrades").

During a rolling deploy the new schema is in place while old workers still run: an old worker
must find every table and column it uses, with the types it expects, and its INSERTs (which
do not name new columns) must still succeed. So a migration may add tables, nullable columns,
NOT NULL columns with a server default, and indexes; it may not drop or rename a table or a
column, change a column's type, or make a column NOT NULL. Those belong in a later *contract*
migration, shipped one release after the code stopped using the old shape, which declares
them in its module:

    CONTRACT = {"drops column event.old_title": "0014"}

naming the revision of the release whose code no longer uses it (it must be an older
revision: the code change shipped first).

The check is made on the schema itself, step by step on both backends: each migration is
applied to the database as the previous one left it, and the reflected tables and columns are
compared. Raw SQL in a migration cannot hide a drop.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url

from culture_cloud.db import create_engine
from culture_cloud.migrations import alembic_config
from culture_cloud.settings import Settings
from tests.conftest import BACKENDS, IN_CI, POSTGRES_URL, _asyncpg_dsn, _postgres_available

# Breaking changes of migrations written before the rule, with why each was safe then.
# (None so far: 0001–0011 only added. A new entry here needs a reviewer's agreement.)
HISTORICAL: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class ColumnShape:
    type: str
    nullable: bool
    has_default: bool


Schema = dict[str, dict[str, ColumnShape]]


def shape(conn: Connection) -> Schema:
    inspector = inspect(conn)
    tables: Schema = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        tables[table] = {
            column["name"]: ColumnShape(
                str(column["type"]), bool(column["nullable"]), column.get("default") is not None
            )
            for column in inspector.get_columns(table)
        }
    return tables


def breaking_changes(before: Schema, after: Schema) -> set[str]:
    """What an old worker would trip over, as the keys a CONTRACT declares."""
    found: set[str] = set()
    for table, columns in before.items():
        if table not in after:
            found.add(f"drops table {table}")
            continue
        for name, old in columns.items():
            new = after[table].get(name)
            if new is None:
                found.add(f"drops column {table}.{name}")  # or renames it
                continue
            if new.type != old.type:
                found.add(f"changes type of {table}.{name}")
            if old.nullable and not new.nullable:
                found.add(f"makes {table}.{name} NOT NULL")
        for name, new in after[table].items():
            if name not in columns and not new.nullable and not new.has_default:
                found.add(f"adds NOT NULL column {table}.{name} without a server default")
    return found


def test_breaking_changes__each_kind__named() -> None:
    """The control: the comparison sees every kind of break, and nothing in a pure expand."""
    text, num = "VARCHAR(64)", "INTEGER"
    before: Schema = {
        "event": {
            "id": ColumnShape(num, False, False),
            "title": ColumnShape(text, False, False),
            "note": ColumnShape(text, True, False),
            "seats": ColumnShape(num, True, False),
        },
        "legacy": {"id": ColumnShape(num, False, False)},
    }
    expand: Schema = {
        "event": {
            **before["event"],
            "subtitle": ColumnShape(text, True, False),
            "rank": ColumnShape(num, False, True),
        },
        "legacy": before["legacy"],
        "new_table": {"id": ColumnShape(num, False, False)},
    }
    assert breaking_changes(before, expand) == set()

    contract: Schema = {
        "event": {
            "id": ColumnShape(num, False, False),
            "name": ColumnShape(text, True, False),  # title renamed: old code lacks title
            "note": ColumnShape(text, False, False),
            "seats": ColumnShape("BIGINT", True, False),
            "code": ColumnShape(text, False, False),
        }
    }
    assert breaking_changes(before, contract) == {
        "drops table legacy",
        "drops column event.title",
        "makes event.note NOT NULL",
        "changes type of event.seats",
        "adds NOT NULL column event.code without a server default",
    }


@pytest.fixture(params=BACKENDS)
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody has migrated yet, on the current backend; dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'steps.db'}"
        return
    problem = await _postgres_available()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem})")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} ({problem})")
    name = f"culture_cloud_steps_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _shape_of(url: str) -> Schema:
    engine = create_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            result: Schema = await conn.run_sync(shape)
            return result
    finally:
        await engine.dispose()


def _declared(module: Any) -> dict[str, str]:
    declared: dict[str, str] = dict(getattr(module, "CONTRACT", {}))
    return declared


async def test_migrations__each_step__expand_only_or_declared_contract(fresh_url: str) -> None:
    config = alembic_config(fresh_url)
    scripts = ScriptDirectory.from_config(config)
    steps = list(reversed(list(scripts.walk_revisions())))  # base first
    order = {script.revision: index for index, script in enumerate(steps)}
    problems: list[str] = []
    before: Schema = {}
    for script in steps:
        await asyncio.to_thread(command.upgrade, config, script.revision)
        after = await _shape_of(fresh_url)
        found = breaking_changes(before, after)
        declared = _declared(script.module)
        allowed = set(declared) | set(HISTORICAL.get(script.revision, {}))
        for change in sorted(found - allowed):
            problems.append(
                f"{script.revision} {change}: old workers break during the deploy; move it to "
                "a later contract migration and declare it in CONTRACT"
            )
        for change, stopped_using in declared.items():
            # The code that stopped using it shipped in an earlier release.
            if order.get(stopped_using, len(steps)) >= order[script.revision]:
                problems.append(
                    f"{script.revision} CONTRACT {change!r} names {stopped_using!r}, which "
                    "is not an older revision"
                )
            if change not in found:
                problems.append(f"{script.revision} CONTRACT {change!r} declares no change")
        before = after
    assert problems == []
