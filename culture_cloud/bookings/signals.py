"""What a booking change tells the world, inside its own transaction: an outbox message to
the booker, and the event's new remaining-seat count for live subscribers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings.models import Booking
from culture_cloud.bookings.targets import Target, TargetKind, TargetRef, remaining_of
from culture_cloud.catalog.models import EVENT_TABLE
from culture_cloud.global_ids import to_global_id
from culture_cloud.live.seats import publish_seats_changed
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import enqueue

_MESSAGES: dict[NotificationKind, tuple[str, str]] = {
    NotificationKind.BOOKING_CONFIRMED: (
        "预约成功",
        "您已成功预约{what}，共 {seats} 人。请凭预约码入场。",
    ),
    NotificationKind.PROMOTED_FROM_WAITLIST: (
        "候补成功",
        "您候补的{what}已转为正式预约，共 {seats} 人。请凭预约码入场；如不能参加请及时取消。",
    ),
    NotificationKind.BOOKING_CANCELLED: ("预约已取消", "您已取消{what}的预约。"),
}


async def notify(
    session: AsyncSession, booking: Booking, target: Target, kind: NotificationKind
) -> None:
    """An outbox row in the caller's transaction: it exists if and only if the change does."""
    await enqueue(session, **message(booking, target, kind))


def message(booking: Booking, target: Target, kind: NotificationKind) -> dict[str, Any]:
    """The outbox message about `booking` (keyword arguments of `enqueue`)."""
    assert booking.id is not None
    title, body = _MESSAGES[kind]
    target_key = "eventId" if target.is_event else "venueSlotId"
    target_type = "Event" if target.is_event else "VenueSlot"
    return {
        "user_id": booking.user_id,
        "kind": kind,
        "title": title,
        "body": body.format(what=target.describe(), seats=booking.seats),
        "data": {
            "bookingId": to_global_id("Booking", booking.id),
            target_key: to_global_id(target_type, target.ref.id),
        },
    }


async def publish_seats(session: AsyncSession, ref: TargetRef, seats_row: Any = None) -> None:
    """Live remaining-seat count for events (slots have no live channel). `seats_row` is the
    (booked_seats, capacity) a seat statement returned; without it they are read."""
    if ref.kind is not TargetKind.EVENT:
        return
    if seats_row is None:
        seats_row = (
            await session.execute(
                select(EVENT_TABLE.c.booked_seats, EVENT_TABLE.c.capacity).where(
                    EVENT_TABLE.c.id == ref.id
                )
            )
        ).one()
    await publish_seats_changed(session, event_id=ref.id, remaining=remaining_of(seats_row))
