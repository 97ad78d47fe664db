"""The per-process PostgreSQL listener: LISTEN event_seats, fan out through `local_broker`.

One dedicated asyncpg connection outside the SQLAlchemy pool (a pooled connection would be
handed to other requests, and LISTEN belongs to a session). When the connection drops, it
reconnects with exponential backoff; changes committed while it was away are not replayed by
PostgreSQL, so after a reconnect the current figures of every watched event are read and
published, and subscribers converge again. SQLite needs no listener: `publish_seats_changed`
feeds the broker after commit in the same process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any, Final

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from culture_cloud.live.seats import CHANNEL, LocalBroker, SeatsChanged, decode, local_broker
from culture_cloud.logsafe import format_safely

logger = logging.getLogger("culture_cloud.live")

# A half-open TCP connection (server gone without a FIN) raises nothing until written to, so
# the connection is probed this often while idle.
PROBE_INTERVAL_SECONDS: Final = 15.0
PROBE_TIMEOUT_SECONDS: Final = 5.0
APPLICATION_NAME: Final = "culture-cloud seat listener"


def asyncpg_dsn(database_url: str) -> str:
    """`postgresql+asyncpg://…` (SQLAlchemy) -> `postgresql://…` (asyncpg)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class SeatsListener:
    def __init__(
        self,
        dsn: str,
        *,
        broker: LocalBroker = local_broker,
        min_backoff: float = 0.2,
        max_backoff: float = 30.0,
        probe_interval: float = PROBE_INTERVAL_SECONDS,
    ) -> None:
        self._dsn = dsn
        self._broker = broker
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._probe_interval = probe_interval
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        # Set while LISTEN is active; subscribers wait for it so that no change slips between
        # their first read and the moment notifications start arriving.
        self.ready = asyncio.Event()
        self.connects = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="seats-listener")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def wait_ready(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self.ready.wait()
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        backoff = self._min_backoff
        while True:
            try:
                await self._listen_until_lost()
                backoff = self._min_backoff  # it worked for a while: start over quickly
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                logger.warning(
                    "seat listener: %s: %s; retrying in %.1fs", type(exc).__name__, exc, backoff
                )
            except Exception as exc:
                # Anything else would end the task silently and leave every subscriber in this
                # process without updates: log it and carry on like any other failure.
                logger.error(
                    "seat listener: unexpected error; retrying in %.1fs\n%s",
                    backoff,
                    format_safely(exc),
                )
            finally:
                self.ready.clear()
                await self._close()
            # Jitter: after a database restart, every process should not reconnect at once.
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
            backoff = min(backoff * 2, self._max_backoff)

    async def _listen_until_lost(self) -> None:
        connection: asyncpg.Connection = await asyncpg.connect(
            self._dsn,
            timeout=10,
            # Named, so operators (and tests) can find it in pg_stat_activity.
            server_settings={"application_name": APPLICATION_NAME},
        )
        self._connection = connection
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn: lost.set())
        await connection.add_listener(CHANNEL, self._on_notify)
        self.connects += 1
        if self.connects > 1:
            await self._resync(connection)
        self.ready.set()
        logger.info("seat listener: listening on %s", CHANNEL)
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._probe_interval):
                    await lost.wait()
            if not lost.is_set():
                async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                    await connection.fetchval("SELECT 1")
        logger.warning("seat listener: connection lost")

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = decode(payload)
        except (ValueError, KeyError, TypeError):
            logger.warning("seat listener: ignoring malformed payload %r", payload[:200])
            return
        self._broker.publish(change)

    async def _resync(self, connection: asyncpg.Connection) -> None:
        """Publishes the current figures of watched events: notifications sent while this
        process was not listening are gone for good."""
        event_ids = self._broker.event_ids()
        if not event_ids:
            return
        rows = await connection.fetch(
            "SELECT id, capacity, booked_seats FROM event WHERE id = ANY($1::int[])", event_ids
        )
        for row in rows:
            capacity = row["capacity"]
            remaining = None if capacity is None else max(0, capacity - row["booked_seats"])
            self._broker.publish(SeatsChanged(event_id=row["id"], remaining=remaining))

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            async with asyncio.timeout(2):
                await connection.close()
        except Exception:  # already broken: drop it without waiting for a goodbye
            connection.terminate()
