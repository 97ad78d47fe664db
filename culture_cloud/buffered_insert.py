"""Rows a request appends in memory and a background task INSERTs later, many per statement.

For logs that a request writes but does not need written before it answers (the search log):
`add` never awaits and never blocks; a per-process task flushes the buffer in one transaction
of multi-row INSERTs every `flush_seconds`, sooner once `flush_rows` are waiting, and on
`close()` (the app's shutdown). A full buffer drops the incoming row and counts it, as does a
flush the database refuses (logged by exception class only: the statement's parameters are
whatever visitors typed). `flush()` is the hook for tests and in-process callers that read the
table right after writing to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger("culture_cloud.buffered_insert")

Row = dict[str, Any]
# Rows per INSERT statement: 2 columns x 500 stays far below SQLite's 32,766 and asyncpg's
# 32,767 bound parameters.
STATEMENT_ROWS = 500
_UNCACHED = {"compiled_cache": None}


class BufferedInsert:
    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        *,
        flush_seconds: float,
        flush_rows: int,
        capacity: int,
        on_drop: Callable[[str, int], None] = lambda reason, rows: None,
    ) -> None:
        if flush_rows < 1 or capacity < flush_rows:
            raise ValueError("need 1 <= flush_rows <= capacity")
        self.engine = engine
        self.table = table
        self.flush_seconds = flush_seconds
        self.flush_rows = flush_rows
        self.capacity = capacity
        self._on_drop = on_drop
        self._rows: deque[Row] = deque()
        self._wake = asyncio.Event()
        # One flush at a time: a flush() that finds another under way waits for it, so rows
        # added before the call are committed when it returns.
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.dropped = 0
        self.written = 0

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, row: Row) -> None:
        """Buffer one row; never awaits. A full buffer drops this row (the older ones keep
        their place in the queue) and counts it."""
        if len(self._rows) >= self.capacity:
            self._drop("full", 1)
            return
        self._rows.append(row)
        if len(self._rows) >= self.flush_rows:
            self._wake.set()

    def start(self) -> None:
        """The background flusher, on the running event loop (the app's lifespan)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"flush {self.table.name}")

    async def close(self) -> None:
        """Stop the flusher and write what is left (shutdown). The flusher is not cancelled
        halfway through an INSERT: it is told to stop and finishes its round."""
        self._closing = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            await task
        await self.flush()

    async def flush(self) -> int:
        """Write every buffered row now; returns how many were written. A database error is
        logged and counted; the writer stays usable."""
        async with self._lock:
            rows = list(self._rows)
            self._rows.clear()
            self._wake.clear()
            if not rows:
                return 0
            try:
                async with self.engine.begin() as conn:
                    for start in range(0, len(rows), STATEMENT_ROWS):
                        chunk = rows[start : start + STATEMENT_ROWS]
                        # Off the compiled cache: each row count would be an entry of its own.
                        statement = insert(self.table).values(chunk)
                        await conn.execute(statement, execution_options=_UNCACHED)
            except Exception as exc:  # the database's refusal or absence, whatever its class
                # The class only: the statement's text and parameters carry visitors' input.
                logger.warning(
                    "%s: %d buffered rows not written (%s)",
                    self.table.name,
                    len(rows),
                    type(exc).__name__,
                )
                self._drop("write_failed", len(rows))
                return 0
            self.written += len(rows)
            return len(rows)

    async def _run(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_seconds)
            await self.flush()

    def _drop(self, reason: str, rows: int) -> None:
        self.dropped += rows
        self._on_drop(reason, rows)
