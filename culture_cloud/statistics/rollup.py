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

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog.models import Event
from culture_cloud.statistics.models import EventBookingStats, RollupWatermark

BOOKING = Booking.__table__  # type: ignore[attr-defined]
EVENT = Event.__table__  # type: ignore[attr-defined]
STATS = EventBookingStats.__table__  # type: ignore[attr-defined]
WATERMARK = RollupWatermark.__table__  # type: ignore[attr-defined]

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
        select(STATS.c.event_id).where(STATS.c.open_bookings > 0),
        select(BOOKING.c.event_id).where(
            BOOKING.c.created_at >= since, BOOKING.c.event_id.is_not(None)
        ),
        select(EVENT.c.id).where(EVENT.c.updated_at >= since),
    )
    return sorted(int(r) for r in (await conn.execute(query)).scalars())


async def _all_events(conn: AsyncConnection) -> list[int]:
    query = union(
        select(STATS.c.event_id),
        select(BOOKING.c.event_id).where(BOOKING.c.event_id.is_not(None)),
    )
    return sorted(int(r) for r in (await conn.execute(query)).scalars())


async def recount(conn: AsyncConnection, event_ids: Iterable[int], now: datetime) -> None:
    """Replaces the rollup rows of `event_ids` by fresh counts of their booking rows."""
    ids = list(event_ids)
    status = BOOKING.c.status
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        counts = (
            await conn.execute(
                select(
                    BOOKING.c.event_id,
                    _count(status.in_(SEATED)),
                    _count(status.in_(SEATED), BOOKING.c.seats),
                    _count(status == BookingStatus.CHECKED_IN),
                    _count(status == BookingStatus.NO_SHOW),
                    _count(status == BookingStatus.CANCELLED),
                    _count(status.in_(OPEN)),
                )
                .where(BOOKING.c.event_id.in_(batch))
                .group_by(BOOKING.c.event_id)
            )
        ).all()
        await conn.execute(delete(STATS).where(STATS.c.event_id.in_(batch)))
        if counts:
            await conn.execute(
                insert(STATS),
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
        await conn.execute(select(WATERMARK.c.value).where(WATERMARK.c.name == NAME))
    ).scalar_one_or_none()
    if full or previous is None:
        full, events = True, await _all_events(conn)
    else:
        events = await _dirty_events(conn, previous - MARGIN)
    await recount(conn, events, now)
    await conn.execute(delete(WATERMARK).where(WATERMARK.c.name == NAME))
    await conn.execute(insert(WATERMARK).values(name=NAME, value=now))
    return RollupReport(events=len(events), full=full, watermark=now)
