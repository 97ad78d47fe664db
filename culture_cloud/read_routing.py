"""Which database serves a request's reads: the primary, or a streaming replica.

The rule (README "Read replica", docs/decisions.md):
* only queries of anonymous callers (no Authorization; on the website, visitors without a
  session) may read from the replica: what they see is public, and a replica a second or two
  behind shows them nothing they could tell apart from a page loaded a second earlier;
* a signed-in caller's requests stay on the primary, so they always read their own writes;
  mutations and subscriptions always run on the primary;
* the replica is used only while it is reachable and no further behind than
  `read_max_lag_seconds`; otherwise reads fall back to the primary.

The replica's lag is looked at in the background, at most once per `read_check_seconds`, and
the verdict is cached: a request never waits for the check. A connection to the replica that
cannot be opened sends that read to the primary at once and marks the replica unreachable
until the next check.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from culture_cloud.db import is_outage, read_only

logger = logging.getLogger("culture_cloud.read_routing")

# One round trip, no privileges needed. A standby that has replayed everything it received,
# with its WAL receiver running, is current however old its last transaction is (an idle
# primary writes none); otherwise it is as far behind as its last replayed commit is old. A
# server not in recovery is not behind anything (a promoted standby, or the primary itself).
LAG_QUERY = text(
    """
    SELECT CASE
      WHEN NOT pg_is_in_recovery() THEN 0.0
      WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
           AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0.0
      ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8,
                    'Infinity'::float8)
    END
    """
)


class ReplicaState(StrEnum):
    UNKNOWN = "unknown"  # not looked at yet: reads stay on the primary
    CURRENT = "current"
    LAGGING = "lagging"
    UNREACHABLE = "unreachable"


class ReadRouter:
    """One per process: the primary engine, the replica's (or None) and the cached verdict."""

    def __init__(
        self,
        primary: AsyncEngine,
        replica: AsyncEngine | None = None,
        *,
        max_lag_seconds: float = 5.0,
        check_seconds: float = 1.0,
        check_timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replica = replica
        self.max_lag_seconds = max_lag_seconds
        self.check_seconds = check_seconds
        self.check_timeout = check_timeout
        self._clock = clock
        self.state = ReplicaState.UNKNOWN
        self.lag_seconds: float | None = None
        self._checked_at = -math.inf
        self._check: asyncio.Task[ReplicaState] | None = None

    def engine_for(self, *, replica_allowed: bool) -> AsyncEngine:
        """The engine a read should use now: the replica only when the caller may read from
        it and the last verdict says it is current. Never waits; starts a new look at the
        replica in the background when the verdict is older than `check_seconds`."""
        if self.replica is None or not replica_allowed:
            return self.primary
        if self._clock() - self._checked_at >= self.check_seconds:
            self._start_check()
        return self.replica if self.state is ReplicaState.CURRENT else self.primary

    @asynccontextmanager
    async def read(self, *, replica_allowed: bool) -> AsyncIterator[AsyncConnection]:
        """An autocommit connection for one read (db.read_only), on `engine_for`'s choice. A
        replica connection that cannot be opened is replaced by a primary one; a replica that
        fails during the read fails that read (it may have returned rows already) and is not
        used again until a check finds it current."""
        engine = self.engine_for(replica_allowed=replica_allowed)
        async with AsyncExitStack() as stack:
            try:
                connection = await stack.enter_async_context(read_only(engine))
            except Exception as exc:
                if engine is self.primary or not is_outage(exc):
                    raise
                self._set(ReplicaState.UNREACHABLE, None, reason=type(exc).__name__)
                engine = self.primary
                connection = await stack.enter_async_context(read_only(engine))
            try:
                yield connection
            except Exception as exc:
                if engine is not self.primary and is_outage(exc):
                    self._set(ReplicaState.UNREACHABLE, None, reason=type(exc).__name__)
                raise

    async def refresh(self) -> ReplicaState:
        """Looks at the replica now (within `check_timeout`) and caches the verdict."""
        if self.replica is None:
            return self.state
        try:
            async with asyncio.timeout(self.check_timeout), read_only(self.replica) as connection:
                lag = float((await connection.execute(LAG_QUERY)).scalar_one())
        except Exception as exc:  # any failure to answer means: do not read from it
            self._set(ReplicaState.UNREACHABLE, None, reason=type(exc).__name__)
            return self.state
        verdict = ReplicaState.CURRENT if lag <= self.max_lag_seconds else ReplicaState.LAGGING
        self._set(verdict, lag)
        return self.state

    async def close(self) -> None:
        if self._check is not None:
            self._check.cancel()
            await asyncio.gather(self._check, return_exceptions=True)
            self._check = None

    def _start_check(self) -> None:
        if self._check is not None and not self._check.done():
            return
        # Counted from the start of the check, so a hung replica is not asked again at once.
        self._checked_at = self._clock()
        self._check = asyncio.get_running_loop().create_task(self.refresh())

    def _set(self, state: ReplicaState, lag: float | None, *, reason: str = "") -> None:
        self._checked_at = self._clock()
        self.lag_seconds = lag
        if state is self.state:
            return
        previous, self.state = self.state, state
        # Changes only: an incident's start and end, not a line per second. No URL (passwords).
        if state is ReplicaState.CURRENT:
            logger.info("read replica: %s (was %s), anonymous reads use it", state, previous)
        else:
            detail = reason or (f"{lag:.1f} s behind" if lag is not None else "")
            logger.warning("read replica: %s (%s), reads fall back to the primary", state, detail)
