"""`culture-cloud rollup`: recomputes `event_booking_stats` for the events whose bookings may
have changed since the last run. Exact and idempotent: every row it writes is a fresh count of
the event's booking rows, so running it twice, or after a crash, changes nothing.

Which events to look at, without a change log on the booking hot path:
- a booking row changes only from CONFIRMED or WAITLISTED (check-in, cancellation, waitlist
  promotion or closing, no-show marking); the rollup keeps `open_bookings`, so every event with
  an open booking is recounted on each run until its bookings are all settled;
- a new booking is found by `created_at` (indexed) since the watermark, less MARGIN: a booking
  written by a transaction that commits up to MARGIN after its `created_at` is still seen;
- an event changed since the watermark (`updated_at`: cancellation cancels checked-in bookings
  too) is recounted as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, select, text, union
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.bookings.models import BOOKING_TABLE, BookingStatus
from culture_cloud.catalog.models import EVENT_TABLE
from culture_cloud.statistics.models import EVENT_BOOKING_STATS_TABLE, ROLLUP_WATERMARK_TABLE

NAME = "event_booking_stats"
LOCK_KEY = 7_420_001  # pg_advisory_xact_lock key of the rollup job
MARGIN = timedelta(minutes=5)
BATCH = 500
SEATED = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
OPEN = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)


@dataclass(frozen=True)
class RollupReport:
    events: int
    full: bool
    watermark: datetime


def _count(condition: Any, value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


async def _dirty_events(conn: AsyncConnection, since: datetime) -> list[int]:
    query = union(
        select(EVENT_BOOKING_STATS_TABLE.c.event_id).where(
            EVENT_BOOKING_STATS_TABLE.c.open_bookings > 0
        ),
        select(BOOKING_TABLE.c.event_id).where(
            BOOKING_TABLE.c.created_at >= since, BOOKING_TABLE.c.event_id.is_not(None)
        ),
        select(EVENT_TABLE.c.id).where(EVENT_TABLE.c.updated_at >= since),
    )
    return sorted(int(r) for r in (await conn.execute(query)).scalars())


async def _all_events(conn: AsyncConnection) -> list[int]:
    query = union(
        select(EVENT_BOOKING_STATS_TABLE.c.event_id),
        select(BOOKING_TABLE.c.event_id).where(BOOKING_TABLE.c.event_id.is_not(None)),
    )
    return sorted(int(r) for r in (await conn.execute(query)).scalars())


async def recount(conn: AsyncConnection, event_ids: Iterable[int], now: datetime) -> None:
    """Replaces the rollup rows of `event_ids` by fresh counts of their booking rows."""
    ids = list(event_ids)
    status = BOOKING_TABLE.c.status
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        counts = (
            await conn.execute(
                select(
                    BOOKING_TABLE.c.event_id,
                    _count(status.in_(SEATED)),
                    _count(status.in_(SEATED), BOOKING_TABLE.c.seats),
                    _count(status == BookingStatus.CHECKED_IN),
                    _count(status == BookingStatus.NO_SHOW),
                    _count(status == BookingStatus.CANCELLED),
                    _count(status.in_(OPEN)),
                )
                .where(BOOKING_TABLE.c.event_id.in_(batch))
                .group_by(BOOKING_TABLE.c.event_id)
            )
        ).all()
        await conn.execute(
            delete(EVENT_BOOKING_STATS_TABLE).where(EVENT_BOOKING_STATS_TABLE.c.event_id.in_(batch))
        )
        if counts:
            await conn.execute(
                insert(EVENT_BOOKING_STATS_TABLE),
                [
                    {
                        "event_id": row[0],
                        "bookings": row[1],
                        "seats": row[2],
                        "check_ins": row[3],
                        "no_shows": row[4],
                        "cancellations": row[5],
                        "open_bookings": row[6],
                        "refreshed_at": now,
                    }
                    for row in counts
                ],
            )


async def run_rollup(conn: AsyncConnection, *, now: datetime, full: bool = False) -> RollupReport:
    """One run inside the caller's transaction. `full` recounts every event with bookings.
    Overlapping runs (a slow run and the next cron tick) queue on a transaction-scoped lock on
    PostgreSQL; SQLite has one writer anyway."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    previous = (
        await conn.execute(
            select(ROLLUP_WATERMARK_TABLE.c.value).where(ROLLUP_WATERMARK_TABLE.c.name == NAME)
        )
    ).scalar_one_or_none()
    if full or previous is None:
        full, events = True, await _all_events(conn)
    else:
        events = await _dirty_events(conn, previous - MARGIN)
    await recount(conn, events, now)
    await conn.execute(delete(ROLLUP_WATERMARK_TABLE).where(ROLLUP_WATERMARK_TABLE.c.name == NAME))
    await conn.execute(insert(ROLLUP_WATERMARK_TABLE).values(name=NAME, value=now))
    return RollupReport(events=len(events), full=full, watermark=now)
