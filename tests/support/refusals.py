"""A database that refuses one value, as a constraint nobody expected would: a failed statement,
for the tests of what is logged when the database says no (personal data never in the log)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from tests.conftest import Database


@asynccontextmanager
async def value_refused_by_database(
    db: Database, table: str, column: str, value: str
) -> AsyncIterator[None]:
    """Until the block ends, inserting or updating `table.column` to `value` fails (PostgreSQL:
    a CHECK constraint; SQLite: triggers). Names and the value are the test's own text."""
    name = f"test_refuse_{table}_{column}"
    async with db.engine.begin() as conn:
        if db.backend == "postgres":
            await conn.execute(
                text(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} "
                    f"CHECK ({column} IS DISTINCT FROM '{value}')"
                )
            )
        else:
            for event in ("INSERT", f"UPDATE OF {column}"):
                trigger = f"{name}_{event.split()[0].lower()}"
                await conn.execute(
                    text(
                        f"CREATE TRIGGER {trigger} BEFORE {event} ON {table} "
                        f"WHEN NEW.{column} = '{value}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    )
                )
    try:
        yield
    finally:
        async with db.engine.begin() as conn:
            if db.backend == "postgres":
                await conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
            else:
                for event in ("insert", "update"):
                    await conn.execute(text(f"DROP TRIGGER {name}_{event}"))
