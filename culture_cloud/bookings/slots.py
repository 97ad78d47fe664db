"""Venue entry slots: generated from a venue's structured opening hours, listed by date.
Booking a slot is the same code path as booking an event (service.book)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.bookings import policy
from culture_cloud.bookings.models import VENUE_SLOT_TABLE, VenueSlot
from culture_cloud.catalog.models import Venue
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.timeutil import SHANGHAI, local_date_range

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SLOT_DAYS = 92


def _clock(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"开放时间格式无效：{value}", field=field) from exc


def slot_times(
    opening_hours: dict[str, Any], day: date, slot_minutes: int
) -> list[tuple[datetime, datetime]]:
    """Entry slots of one local day from the venue's structured hours: none on closed days (an
    empty list), none starting after the last entry, none running past closing."""
    periods = (opening_hours.get("weekly") or {}).get(WEEKDAY_KEYS[day.weekday()]) or []
    last_entry = opening_hours.get("last_entry")
    latest = _clock(last_entry, "lastEntry") if last_entry else None
    step = timedelta(minutes=slot_minutes)
    slots: list[tuple[datetime, datetime]] = []
    for opens, closes in periods:
        start = datetime.combine(day, _clock(opens, "openingHours"), tzinfo=SHANGHAI)
        close = datetime.combine(day, _clock(closes, "openingHours"), tzinfo=SHANGHAI)
        while start < close and (latest is None or start.time() <= latest):
            slots.append((start, min(start + step, close)))
            start += step
    return slots


async def generate_venue_slots(
    session: AsyncSession,
    *,
    actor: Actor,
    venue_id: int,
    from_date: date,
    to_date: date,
    slot_minutes: int,
    capacity: int,
    real_name_required: bool = False,
) -> list[VenueSlot]:
    """A manager of the venue's organisation (`actor`) creates the entry slots of
    [from_date, to_date] (local days). Existing slots are kept as they are (bookings may hold
    them), so running it twice creates nothing new. Returns the slots created."""
    venue = await session.get(Venue, venue_id)
    if venue is None:
        raise NotFound("场馆不存在", field="venueId")
    policy.ensure_can_manage_venue(actor.viewer, venue.organization_id)
    now = actor.now
    if to_date < from_date or (to_date - from_date).days >= MAX_SLOT_DAYS:
        raise BadInput(f"日期范围须为 1–{MAX_SLOT_DAYS} 天", field="dateTo")
    if not 10 <= slot_minutes <= 12 * 60:
        raise BadInput("每个时段须为 10–720 分钟", field="slotMinutes")
    if not 1 <= capacity <= 100_000:
        raise BadInput("每个时段的名额须为 1–100000", field="capacity")
    if not venue.opening_hours:
        raise BadInput("该场馆没有登记开放时间，无法生成时段", field="venueId")
    rows = [
        {
            "venue_id": venue.id,
            "starts_at": start,
            "ends_at": end,
            "capacity": capacity,
            "booked_seats": 0,
            "real_name_required": real_name_required,
            "created_at": now,
        }
        for offset in range((to_date - from_date).days + 1)
        for start, end in slot_times(
            venue.opening_hours, from_date + timedelta(days=offset), slot_minutes
        )
    ]
    if not rows:
        return []
    ids = await insert_ignoring_duplicates(
        session,
        VENUE_SLOT_TABLE,
        rows,
        conflict_columns=["venue_id", "starts_at"],
        returning=VENUE_SLOT_TABLE.c.id,
    )
    if not ids:
        return []
    result = await session.execute(
        select(VenueSlot).where(col(VenueSlot.id).in_(ids)).order_by(col(VenueSlot.starts_at))
    )
    return list(result.scalars().all())


async def list_venue_slots(
    conn: Executor, *, venue_id: int, date_from: date, date_to: date
) -> list[Row[Any]]:
    if date_to < date_from or (date_to - date_from).days >= MAX_SLOT_DAYS:
        raise BadInput(f"日期范围须为 1–{MAX_SLOT_DAYS} 天", field="dateTo")
    start, end = local_date_range(date_from, date_to)
    return list(
        (
            await conn.execute(
                select(VENUE_SLOT_TABLE)
                .where(
                    VENUE_SLOT_TABLE.c.venue_id == venue_id,
                    VENUE_SLOT_TABLE.c.starts_at >= start,
                    VENUE_SLOT_TABLE.c.starts_at < end,
                )
                .order_by(VENUE_SLOT_TABLE.c.starts_at, VENUE_SLOT_TABLE.c.id)
            )
        ).all()
    )


async def slots_by_ids(conn: Executor, ids: Sequence[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    rows = (
        await conn.execute(select(VENUE_SLOT_TABLE).where(VENUE_SLOT_TABLE.c.id.in_(set(ids))))
    ).all()
    return {row.id: row for row in rows}
