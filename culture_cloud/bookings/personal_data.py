"""Bookings in `exportMyData` and `deleteMyAccount` (see accounts/personal_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings import cancellation, crypto
from culture_cloud.bookings.models import BOOKING_TABLE, Booking, BookingStatus
from culture_cloud.bookings.rules import current_rules
from culture_cloud.bookings.targets import TargetRef, load_target
from culture_cloud.catalog.models import EVENT_TABLE
from culture_cloud.global_ids import to_global_id
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none


async def export_bookings(
    session: AsyncSession, settings: Settings, user_id: int
) -> list[dict[str, Any]]:
    """Every booking, oldest first, with attendees' ID numbers decrypted: it is the owner's
    own export. Check-in tokens are credentials, not personal data, and are left out."""
    rows = (
        await session.execute(
            select(BOOKING_TABLE, EVENT_TABLE.c.title.label("event_title"))
            .outerjoin(EVENT_TABLE, EVENT_TABLE.c.id == BOOKING_TABLE.c.event_id)
            .where(BOOKING_TABLE.c.user_id == user_id)
            .order_by(BOOKING_TABLE.c.created_at, BOOKING_TABLE.c.id)
        )
    ).all()
    return [
        {
            "id": to_global_id("Booking", row.id),
            "eventId": None if row.event_id is None else to_global_id("Event", row.event_id),
            "eventTitle": row.event_title,
            "venueSlotId": None
            if row.venue_slot_id is None
            else to_global_id("VenueSlot", row.venue_slot_id),
            "seats": row.seats,
            "status": row.status,
            "attendees": [_attendee(settings, a) for a in row.attendees or []],
            "idNumberConsentAt": iso_or_none(row.id_number_consent_at),
            "createdAt": iso_or_none(row.created_at),
            "confirmedAt": iso_or_none(row.confirmed_at),
            "waitlistedAt": iso_or_none(row.waitlisted_at),
            "checkedInAt": iso_or_none(row.checked_in_at),
            "noShowAt": iso_or_none(row.no_show_at),
            "cancelledAt": iso_or_none(row.cancelled_at),
            "cancelReason": row.cancel_reason,
        }
        for row in rows
    ]


def _attendee(settings: Settings, stored: dict[str, Any]) -> dict[str, Any]:
    out = {"name": stored.get("name")}
    if stored.get("idNumber"):
        out["idNumber"] = crypto.decrypt(settings, stored["idNumber"])
    return out


async def release_and_erase_bookings(
    session: AsyncSession, settings: Settings, user_id: int, now: datetime
) -> None:
    """Bookings of events and slots that have not started are cancelled (their seats go to
    the waitlist at once, as any cancellation's would; the cancellation deadline does not
    apply: a seat given back late is better than an empty one). Every booking keeps its row
    for the statistics but loses attendee names and ID numbers."""
    rules = current_rules()
    active = (
        (
            await session.execute(
                select(Booking)
                .where(
                    Booking.user_id == user_id,  # type: ignore[arg-type]
                    Booking.status.in_(  # type: ignore[attr-defined]
                        (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
                    ),
                )
                # One lock order for all targets: events by id, then slots by id.
                .order_by(Booking.event_id, Booking.venue_slot_id)  # type: ignore[arg-type]
            )
        )
        .scalars()
        .all()
    )
    for booking in active:
        assert booking.id is not None
        target = await load_target(session, TargetRef.of(booking), rules)
        if target is None or target.starts_at <= now:
            continue
        await cancellation.cancel_for_deleted_account(
            session, settings, user_id=user_id, booking_id=booking.id, now=now, rules=rules
        )
    await session.execute(
        update(BOOKING_TABLE)
        .where(BOOKING_TABLE.c.user_id == user_id)
        .values(attendees=[], id_number_consent_at=None)
    )
