"""The raw booking/attendance list of an organisation's events, read in keyset chunks (each on
its own short connection, so a slow download holds no connection and no snapshot between
chunks), with personal data masked: real names and phone numbers masked, never ID numbers.

Door staff must recognise each booker, so the booker is never blank: their nickname (or masked
real name) with the masked phone, e.g. 小明（138****5678）, and the user number as a last
resort."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.bookings import staff_lists
from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE, BookingStatus
from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE
from culture_cloud.db import read_only
from culture_cloud.exports.formats import Cell, local_time
from culture_cloud.privacy import mask_name

CHUNK_ROWS = 1000
HEADERS = (
    "预约编号",
    "活动",
    "活动开始时间",
    "座位数",
    "状态",
    "预约时间",
    "签到时间",
    "预约人",
    "参与人",
)
STATUS_LABELS = {
    BookingStatus.CONFIRMED: "已确认",
    BookingStatus.WAITLISTED: "候补",
    BookingStatus.CANCELLED: "已取消",
    BookingStatus.CHECKED_IN: "已签到",
    BookingStatus.NO_SHOW: "未到场",
}


@dataclass(frozen=True)
class BookingFilter:
    organization_id: int | None = None  # None: every organisation (administrators)
    event_id: int | None = None
    start: datetime | None = None  # event start_at in [start, end)
    end: datetime | None = None
    venue_slot_id: int | None = None  # one venue entry slot's bookings instead of events'


def _attendees(attendees: Any) -> str:
    names = [mask_name(str(a.get("name") or "")) or "" for a in attendees or [] if a]
    return "、".join(n for n in names if n)


def booker_label(
    user_id: int, nickname: str | None, real_name: str | None, phone: str | None
) -> str:
    # The same masking as the API's staff booking lists (bookingList, doorList).
    name = staff_lists.booker_name(nickname, real_name)
    masked = staff_lists.booker_phone(phone)
    if name and masked:
        return f"{name}（{masked}）"
    return name or masked or f"用户#{user_id}"


def _row(r: Any) -> list[Cell]:
    return [
        r.id,
        r.title,
        local_time(r.start_at),
        r.seats,
        STATUS_LABELS.get(BookingStatus(r.status), str(r.status)),
        local_time(r.created_at),
        local_time(r.checked_in_at),
        booker_label(r.user_id, r.nickname, r.real_name, r.phone),
        _attendees(r.attendees),
    ]


def _slot_query(f: BookingFilter, after: int, limit: int) -> Any:
    """One entry slot's bookings, shaped like the events' rows (title: the venue's name)."""
    return (
        select(
            BOOKING_TABLE.c.id,
            VENUE_TABLE.c.name.label("title"),
            VENUE_SLOT_TABLE.c.starts_at.label("start_at"),
            BOOKING_TABLE.c.seats,
            BOOKING_TABLE.c.status,
            BOOKING_TABLE.c.created_at,
            BOOKING_TABLE.c.checked_in_at,
            BOOKING_TABLE.c.attendees,
            BOOKING_TABLE.c.user_id,
            USER_TABLE.c.real_name,
            USER_TABLE.c.nickname,
            USER_TABLE.c.phone,
        )
        .select_from(
            BOOKING_TABLE.join(
                VENUE_SLOT_TABLE, VENUE_SLOT_TABLE.c.id == BOOKING_TABLE.c.venue_slot_id
            )
            .join(VENUE_TABLE, VENUE_TABLE.c.id == VENUE_SLOT_TABLE.c.venue_id)
            .join(USER_TABLE, USER_TABLE.c.id == BOOKING_TABLE.c.user_id)
        )
        .where(BOOKING_TABLE.c.venue_slot_id == f.venue_slot_id, BOOKING_TABLE.c.id > after)
        .order_by(BOOKING_TABLE.c.id)
        .limit(limit)
    )


def _query(f: BookingFilter, after: int, limit: int) -> Any:
    if f.venue_slot_id is not None:
        return _slot_query(f, after, limit)
    query = (
        select(
            BOOKING_TABLE.c.id,
            EVENT_TABLE.c.title,
            EVENT_TABLE.c.start_at,
            BOOKING_TABLE.c.seats,
            BOOKING_TABLE.c.status,
            BOOKING_TABLE.c.created_at,
            BOOKING_TABLE.c.checked_in_at,
            BOOKING_TABLE.c.attendees,
            BOOKING_TABLE.c.user_id,
            USER_TABLE.c.real_name,
            USER_TABLE.c.nickname,
            USER_TABLE.c.phone,
        )
        .select_from(
            BOOKING_TABLE.join(EVENT_TABLE, EVENT_TABLE.c.id == BOOKING_TABLE.c.event_id).join(
                USER_TABLE, USER_TABLE.c.id == BOOKING_TABLE.c.user_id
            )
        )
        .where(BOOKING_TABLE.c.id > after)
        .order_by(BOOKING_TABLE.c.id)
        .limit(limit)
    )
    if f.organization_id is not None:
        query = query.where(EVENT_TABLE.c.organization_id == f.organization_id)
    if f.event_id is not None:
        query = query.where(BOOKING_TABLE.c.event_id == f.event_id)
    if f.start is not None and f.end is not None:
        query = query.where(EVENT_TABLE.c.start_at >= f.start, EVENT_TABLE.c.start_at < f.end)
    return query


async def booking_rows(
    engine: AsyncEngine, f: BookingFilter, *, chunk_rows: int | None = None
) -> AsyncIterator[Sequence[Sequence[Cell]]]:
    """Chunks of rows, by booking id (keyset: each chunk is an index range read)."""
    limit = chunk_rows or CHUNK_ROWS
    after = 0
    while True:
        async with read_only(engine) as conn:
            rows = (await conn.execute(_query(f, after, limit))).all()
        if not rows:
            return
        yield [_row(r) for r in rows]
        if len(rows) < limit:
            return
        after = rows[-1].id
