"""Database-backed rate limits: the app runs as many stateless workers, so counters live in the
database, in fixed windows, weighted into a sliding estimate (the previous window counts in
proportion to how much of it still overlaps the last `window`).

An attempt first *reserves* a slot in every bucket that applies (one atomic upsert each); if any
bucket is then over its limit the reservation is rolled back and the attempt refused. A caller
whose attempt turned out fine *releases* the slot, so only failures are counted. Reserving before
checking, rather than counting after, means concurrent attempts cannot all slip past a check
that none of them has counted yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts.models import RateLimitBucket
from culture_cloud.db import insert_on_conflict
from culture_cloud.errors import RateLimited

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    max_count: int
    window: timedelta
    message: str


@dataclass(frozen=True, slots=True)
class Reservation:
    # (key, window_start) of each bucket counted, to release exactly those.
    slots: tuple[tuple[str, datetime], ...]


def window_start(now: datetime, window: timedelta) -> datetime:
    seconds = window.total_seconds()
    elapsed = (now - _EPOCH).total_seconds()
    return _EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


async def _increment(session: AsyncSession, key: str, start: datetime) -> int:
    # RETURNING gives the count after our own increment, as seen by the transaction that holds
    # the row lock.
    stmt = (
        insert_on_conflict(session, RateLimitBucket)
        .values(key=key, window_start=start, count=1)
        .on_conflict_do_update(
            index_elements=[col(RateLimitBucket.key), col(RateLimitBucket.window_start)],
            set_={"count": col(RateLimitBucket.count) + 1},
        )
        .returning(col(RateLimitBucket.count))
    )
    return int((await session.execute(stmt)).scalar_one())


async def _count(session: AsyncSession, key: str, start: datetime) -> int:
    value = (
        await session.execute(
            select(col(RateLimitBucket.count)).where(
                col(RateLimitBucket.key) == key, col(RateLimitBucket.window_start) == start
            )
        )
    ).scalar_one_or_none()
    return int(value or 0)


async def reserve(session: AsyncSession, limits: Sequence[Limit], *, now: datetime) -> Reservation:
    """Counts one attempt against every limit, or raises RateLimited (the caller's transaction
    then rolls the counts back). Run it in a short transaction of its own."""
    if limits:
        longest = max(limit.window for limit in limits)
        # Old buckets no longer matter; an indexed range delete that usually finds nothing.
        await session.execute(
            delete(RateLimitBucket).where(col(RateLimitBucket.window_start) < now - 2 * longest)
        )
    slots = []
    # A fixed order over keys, so two transactions never wait on each other's buckets in a cycle.
    for limit in sorted(limits, key=lambda item: item.key):
        start = window_start(now, limit.window)
        current = await _increment(session, limit.key, start)
        previous = await _count(session, limit.key, start - limit.window)
        overlap = 1 - (now - start) / limit.window
        if previous * overlap + current > limit.max_count:
            raise RateLimited(limit.message)
        slots.append((limit.key, start))
    return Reservation(tuple(slots))


async def release(session: AsyncSession, reservation: Reservation) -> None:
    for key, start in reservation.slots:
        await session.execute(
            update(RateLimitBucket)
            .where(
                col(RateLimitBucket.key) == key,
                col(RateLimitBucket.window_start) == start,
                col(RateLimitBucket.count) > 0,
            )
            .values(count=col(RateLimitBucket.count) - 1)
        )
