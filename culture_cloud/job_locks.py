"""One run of a periodic job at a time across hosts: a PostgreSQL advisory lock decides.

The jobs are correct when they overlap (reminders are deduplicated by key, no-shows lock each
event's row, the rollup recounts under its own lock), so the lock is about not doing the work
twice: cron or a systemd timer on every host may fire at the same minute, and the runs after
the first have nothing left to do but contend with it. A run that does not get the lock says so
and ends successfully.

The lock is session-level on a connection of its own, held for the job's length: it goes with
the connection if the process dies, so a crashed host never blocks the others. SQLite has one
writer and one host: always granted.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# High 32 bits of every job's key: keeps them apart from other users of advisory locks (the
# rollup's transaction lock, other applications on the same database).
_NAMESPACE = 0x4A58_0000  # "JX"


def lock_key(job: str) -> int:
    return (_NAMESPACE << 32) | zlib.crc32(job.encode("utf-8"))


@asynccontextmanager
async def single_run(engine: AsyncEngine, job: str) -> AsyncIterator[bool]:
    """Yields True when this run holds the job's lock (and should work), False when another
    run, on any host, holds it now."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as conn:
        key = lock_key(job)
        got = bool(
            (await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
        )
        await conn.commit()  # no transaction left open for the job's length
        try:
            yield got
        finally:
            if got:
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await conn.commit()
