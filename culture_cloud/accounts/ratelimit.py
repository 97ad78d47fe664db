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

import math
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
    # Shown when refused; "{wait}" in it becomes the wait until a retry fits ("3 分钟").
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
    then rolls the counts back). Run it in a short transaction of its own.

    When several limits refuse, the one that lasts longest speaks: its message (where a
    `{wait}` in it becomes the wait in words) and `retry_after_seconds`."""
    if limits:
        longest = max(limit.window for limit in limits)
        # Old buckets no longer matter; an indexed range delete that usually finds nothing.
        await session.execute(
            delete(RateLimitBucket).where(col(RateLimitBucket.window_start) < now - 2 * longest)
        )
    slots = []
    refusal: tuple[float, Limit] | None = None
    # A fixed order over keys, so two transactions never wait on each other's buckets in a cycle.
    for limit in sorted(limits, key=lambda item: item.key):
        start = window_start(now, limit.window)
        current = await _increment(session, limit.key, start)
        previous = await _count(session, limit.key, start - limit.window)
        overlap = 1 - (now - start) / limit.window
        if previous * overlap + current > limit.max_count:
            wait = _seconds_until_allowed(limit, now, start, previous, current - 1)
            if refusal is None or wait > refusal[0]:
                refusal = (wait, limit)
        slots.append((limit.key, start))
    if refusal is not None:
        wait, limit = refusal
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            limit.message.replace("{wait}", describe_wait(seconds)), retry_after_seconds=seconds
        )
    return Reservation(tuple(slots))


def _seconds_until_allowed(
    limit: Limit, now: datetime, start: datetime, previous: int, others: int
) -> float:
    """When one more attempt would fit, if nobody else tries meanwhile: the sliding estimate
    `previous × overlap + others + 1` falls as the previous window slides out, and at the next
    window start this window becomes the previous one."""
    window = limit.window.total_seconds()
    elapsed = (now - start).total_seconds()
    room = limit.max_count - others - 1
    if room >= 0 and previous > 0:
        # previous × (1 - t / window) ≤ room, for t = elapsed + wait within this window
        at = window * (1 - room / previous)
        if at < window:
            return max(0.0, at - elapsed)
    # In the next window, this window's `others` attempts slide out the same way.
    room = limit.max_count - 1
    at_next = 0.0 if others <= room else window * (1 - room / others)
    return window - elapsed + at_next


def describe_wait(seconds: int) -> str:
    """A wait in words for a message: "45 秒", "3 分钟", "2 小时" (rounded up)."""
    if seconds < 60:
        return f"{seconds} 秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"


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
