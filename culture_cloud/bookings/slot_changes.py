"""One entry slot adjusted by a manager: its capacity changed, or the slot closed.

Capacity never drops below the seats booked (CONFLICT on `capacity`): the people who booked
keep their places; a manager who needs fewer closes the slot instead. Closing is final for
the slot: residents can no longer reserve it (SLOT_CLOSED), and its confirmed bookings are
cancelled with the manager's reason and each booker is told, as when staff cancel an event,
so nobody walks to a museum whose door will not open. Checked-in bookings stay (those people
came). Both take the slot's row lock first, as every seat change does (targets.lock_target),
and are audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.bookings import policy
from culture_cloud.bookings.models import BOOKING_TABLE, BookingStatus, VenueSlot
from culture_cloud.bookings.targets import TargetKind, TargetRef, lock_target
from culture_cloud.catalog.models import Venue
from culture_cloud.errors import BadInput, Conflict, NotFound
from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import enqueue
from culture_cloud.text import clean_text
from culture_cloud.timeutil import iso_or_none, to_local

MAX_CAPACITY = 100_000
REASON_MAX = 200


def _snapshot(slot: VenueSlot) -> dict[str, Any]:
    return {
        "venueId": slot.venue_id,
        "startsAt": iso_or_none(slot.starts_at),
        "capacity": slot.capacity,
        "bookedSeats": slot.booked_seats,
        "closedAt": iso_or_none(slot.closed_at),
        "closeReason": slot.close_reason,
    }


async def _slot_for_change(session: AsyncSession, actor: Actor, slot_id: int) -> VenueSlot:
    """The slot, row-locked, of a venue the caller manages, and still open."""
    await session.execute(lock_target(TargetRef(TargetKind.VENUE_SLOT, slot_id)))
    slot = await session.get(VenueSlot, slot_id, populate_existing=True)
    if slot is None:
        raise NotFound("入场时段不存在", field="id")
    venue = await session.get(Venue, slot.venue_id)
    policy.ensure_can_manage_venue(actor.viewer, None if venue is None else venue.organization_id)
    if slot.closed_at is not None:
        raise Conflict("该入场时段已关闭", field="id")
    return slot


async def _audit(
    session: AsyncSession, actor: Actor, slot: VenueSlot, action: str, before: dict[str, Any]
) -> None:
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=action,
        target_type="VenueSlot",
        target_id=slot.id,
        before=before,
        after=_snapshot(slot),
        ip=actor.ip,
    )


async def update_venue_slot(
    session: AsyncSession, *, actor: Actor, slot_id: int, capacity: int
) -> VenueSlot:
    slot = await _slot_for_change(session, actor, slot_id)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise BadInput(f"名额须为 1–{MAX_CAPACITY}", field="capacity")
    if capacity < slot.booked_seats:
        raise Conflict(f"名额不能少于已预约人数（{slot.booked_seats}）", field="capacity")
    before = _snapshot(slot)
    slot.capacity = capacity
    await _audit(session, actor, slot, "venue_slot.update", before)
    return slot


async def close_venue_slot(
    session: AsyncSession, *, actor: Actor, slot_id: int, reason: str
) -> tuple[VenueSlot, int]:
    """Closes the slot; returns it and how many bookings were cancelled."""
    text = clean_text(reason, field="reason", max_length=REASON_MAX) or ""
    if not text.strip():
        raise BadInput("请填写关闭原因（会通知已预约的居民）", field="reason")
    slot = await _slot_for_change(session, actor, slot_id)
    before = _snapshot(slot)
    cancelled = (
        await session.execute(
            update(BOOKING_TABLE)
            .where(
                BOOKING_TABLE.c.venue_slot_id == slot_id,
                BOOKING_TABLE.c.status == BookingStatus.CONFIRMED,
            )
            .values(status=BookingStatus.CANCELLED, cancelled_at=actor.now, cancel_reason=text)
            .returning(BOOKING_TABLE.c.id, BOOKING_TABLE.c.user_id, BOOKING_TABLE.c.seats)
        )
    ).all()
    slot.booked_seats -= sum(row.seats for row in cancelled)
    slot.closed_at = actor.now
    slot.close_reason = text
    when = f"{to_local(slot.starts_at):%m月%d日 %H:%M}"
    venue = await session.get(Venue, slot.venue_id)
    name = venue.name if venue is not None else "场馆"
    for row in cancelled:
        await enqueue(
            session,
            user_id=row.user_id,
            kind=NotificationKind.BOOKING_CANCELLED,
            title="入场时段关闭通知",
            body=f"很抱歉，{name} {when} 的入场时段已关闭（原因：{text}），您的预约已自动取消。",
            data={
                "bookingId": to_global_id("Booking", row.id),
                "venueSlotId": to_global_id("VenueSlot", slot_id),
            },
        )
    await _audit(session, actor, slot, "venue_slot.close", before)
    return slot, len(cancelled)
