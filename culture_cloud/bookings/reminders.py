"""Day-before reminders for confirmed bookings of events and of venue entry slots (run daily:
`culture-cloud send-reminders`). Bookings write them through notifications' outbox, as they do
every booking notice (bookings → notifications, never the other way).

Idempotent: each reminder's dedupe key names the booking and the local date of the visit, so
running the job twice (or from two machines) enqueues each reminder once, while a booking
whose event moves to another day is reminded again before the new date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE, BookingStatus
from culture_cloud.catalog.models import EVENT_TABLE, SCENIC_SPOT_TABLE, VENUE_TABLE, EventStatus
from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import enqueue
from culture_cloud.timeutil import local_day_start, local_today, to_local


def reminder_key(booking_id: int, start_at: datetime) -> str:
    return f"reminder:booking:{booking_id}:{to_local(start_at).date().isoformat()}"


def _tomorrow(now: datetime) -> tuple[datetime, datetime]:
    tomorrow = local_today(now) + timedelta(days=1)
    return local_day_start(tomorrow), local_day_start(tomorrow + timedelta(days=1))


async def send_reminders(session: AsyncSession, now: datetime) -> int:
    """Enqueues a REMINDER for every confirmed booking of a published event, or of a venue
    slot, that starts tomorrow (Asia/Shanghai); returns how many were new."""
    return await _event_reminders(session, now) + await _slot_reminders(session, now)


async def _event_reminders(session: AsyncSession, now: datetime) -> int:
    start, end = _tomorrow(now)
    booking, event, user = BOOKING_TABLE, EVENT_TABLE, USER_TABLE
    venue, spot = VENUE_TABLE, SCENIC_SPOT_TABLE
    stmt = (
        select(
            booking.c.id.label("booking_id"),
            booking.c.user_id,
            booking.c.seats,
            event.c.id.label("event_id"),
            event.c.title,
            event.c.start_at,
            venue.c.name.label("venue_name"),
            spot.c.name.label("spot_name"),
        )
        .select_from(booking)
        .join(event, event.c.id == booking.c.event_id)
        .join(user, user.c.id == booking.c.user_id)
        .outerjoin(venue, venue.c.id == event.c.venue_id)
        .outerjoin(spot, spot.c.id == event.c.scenic_spot_id)
        .where(
            booking.c.status == BookingStatus.CONFIRMED,
            event.c.status == EventStatus.PUBLISHED,
            event.c.start_at >= start,
            event.c.start_at < end,
            user.c.deleted_at.is_(None),
        )
        .order_by(booking.c.id)
    )
    rows = (await session.execute(stmt)).all()
    created = 0
    for row in rows:
        local_start = to_local(row.start_at)
        place = row.venue_name or row.spot_name
        where = f"，地点：{place}" if place else ""
        pk = await enqueue(
            session,
            user_id=row.user_id,
            kind=NotificationKind.REMINDER,
            title=f"明天活动提醒：{row.title}",
            body=(
                f"您预约的「{row.title}」将于 {local_start:%m月%d日 %H:%M} 开始{where}，"
                f"共 {row.seats} 人，请准时到场并出示预约二维码。"
            ),
            data={
                "eventId": to_global_id("Event", row.event_id),
                "bookingId": to_global_id("Booking", row.booking_id),
            },
            dedupe_key=reminder_key(row.booking_id, row.start_at),
        )
        created += pk is not None
    return created


async def _slot_reminders(session: AsyncSession, now: datetime) -> int:
    start, end = _tomorrow(now)
    booking, slot, venue, user = BOOKING_TABLE, VENUE_SLOT_TABLE, VENUE_TABLE, USER_TABLE
    stmt = (
        select(
            booking.c.id.label("booking_id"),
            booking.c.user_id,
            booking.c.seats,
            slot.c.id.label("slot_id"),
            slot.c.starts_at,
            slot.c.ends_at,
            venue.c.id.label("venue_id"),
            venue.c.name,
        )
        .select_from(booking)
        .join(slot, slot.c.id == booking.c.venue_slot_id)
        .join(venue, venue.c.id == slot.c.venue_id)
        .join(user, user.c.id == booking.c.user_id)
        .where(
            booking.c.status == BookingStatus.CONFIRMED,
            slot.c.starts_at >= start,
            slot.c.starts_at < end,
            user.c.deleted_at.is_(None),
        )
        .order_by(booking.c.id)
    )
    created = 0
    for row in (await session.execute(stmt)).all():
        begins, ends = to_local(row.starts_at), to_local(row.ends_at)
        pk = await enqueue(
            session,
            user_id=row.user_id,
            kind=NotificationKind.REMINDER,
            title=f"明天参观提醒：{row.name}",
            body=(
                f"您预约了 {begins:%m月%d日 %H:%M}–{ends:%H:%M} 参观「{row.name}」，"
                f"共 {row.seats} 人，请在该时段内入场并出示预约二维码。"
            ),
            data={
                "venueId": to_global_id("Venue", row.venue_id),
                "venueSlotId": to_global_id("VenueSlot", row.slot_id),
                "bookingId": to_global_id("Booking", row.booking_id),
            },
            dedupe_key=reminder_key(row.booking_id, row.starts_at),
        )
        created += pk is not None
    return created
