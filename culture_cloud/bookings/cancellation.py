"""Cancelling, the waitlist, and what staff changes to an event mean for its bookings.

Every path that releases or adds seats holds the event's (or slot's) row lock first and
promotes the waitlist in the same transaction, so a released seat is never left free while a
booking that fits is waiting, and two releases never promote the same booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.bookings import crypto
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import ACTIVE_STATUSES, BOOKING_TABLE, Booking, BookingStatus
from culture_cloud.bookings.rules import BookingRules, current_rules
from culture_cloud.bookings.signals import notify, publish_seats
from culture_cloud.bookings.targets import (
    Target,
    TargetKind,
    TargetRef,
    load_target,
    lock_target,
    release_seats,
    take_seats,
)
from culture_cloud.bookings.transactions import RETRY_MESSAGE
from culture_cloud.db import utcnow
from culture_cloud.errors import ServiceUnavailable
from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.outbox import enqueue
from culture_cloud.settings import Settings
from culture_cloud.timeutil import to_local

# Waitlist entries examined per promotion; a release frees a handful of seats at most.
PROMOTION_SCAN_LIMIT = 500
# The cancel reason of bookings cancelled because their owner deleted the account.
ACCOUNT_DELETED = "账号注销"


async def cancel_booking(
    session: AsyncSession,
    settings: Settings,
    *,
    actor: Actor,
    booking_id: int,
    rules: BookingRules | None = None,
) -> Booking:
    """The owner (`actor`) cancels. Releases the seats exactly once, even under concurrent
    cancels, and promotes the waitlist in the same transaction. Cancelling twice answers the
    cancelled booking (a retried request must not fail)."""
    return await _cancel(
        session,
        settings,
        user_id=actor.viewer.user_id,
        booking_id=booking_id,
        now=actor.now,
        rules=rules or current_rules(),
        reason="本人取消",
        enforce_deadline=True,
        notify_owner=True,
    )


async def cancel_for_deleted_account(
    session: AsyncSession,
    settings: Settings,
    *,
    user_id: int,
    booking_id: int,
    now: datetime,
    rules: BookingRules,
) -> Booking:
    """Deleting an account cancels its upcoming bookings: without the deadline and without
    telling the (departed) owner. No Actor: the eraser runs for an account, not a request."""
    return await _cancel(
        session,
        settings,
        user_id=user_id,
        booking_id=booking_id,
        now=now,
        rules=rules,
        reason=ACCOUNT_DELETED,
        enforce_deadline=False,
        notify_owner=False,
    )


async def _cancel(
    session: AsyncSession,
    settings: Settings,
    *,
    user_id: int,
    booking_id: int,
    now: datetime,
    rules: BookingRules,
    reason: str,
    enforce_deadline: bool,
    notify_owner: bool,
) -> Booking:
    for _ in range(3):
        booking = await session.get(Booking, booking_id, populate_existing=True)
        if booking is None or booking.user_id != user_id:
            raise BookingFailed(Code.NOT_FOUND, "预约不存在", field="id")
        if booking.status is BookingStatus.CANCELLED:
            return booking
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
            raise BookingFailed(Code.NOT_CANCELLABLE, "已签到或已结束的预约不能取消")
        seated = booking.status is BookingStatus.CONFIRMED
        ref = TargetRef.of(booking)
        # Seats change only under the target's row lock; leaving the waitlist needs none.
        target = await load_target(session, ref, rules, lock=seated)
        assert target is not None
        if enforce_deadline and seated and now > target.starts_at - rules.cancel_deadline:
            raise BookingFailed(
                Code.CANCEL_DEADLINE_PASSED,
                f"开始前 {rules.cancel_deadline_hours:g} 小时内不能取消预约",
            )
        changed = await session.execute(
            update(BOOKING_TABLE)
            .where(BOOKING_TABLE.c.id == booking_id, BOOKING_TABLE.c.status == booking.status)
            .values(status=BookingStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
            .returning(BOOKING_TABLE.c.id)
        )
        if changed.one_or_none() is None:
            continue  # promoted or cancelled meanwhile: look again
        if seated:
            await session.execute(release_seats(ref, booking.seats))
            await _promote_waitlist(session, settings, target, now)
            await publish_seats(session, ref)  # after the promotion: its figure is the final one
        await session.refresh(booking)
        if notify_owner:
            await notify(session, booking, target, NotificationKind.BOOKING_CANCELLED)
        return booking
    raise ServiceUnavailable(RETRY_MESSAGE)


async def _promote_waitlist(
    session: AsyncSession, settings: Settings, target: Target, now: datetime
) -> list[int]:
    """Confirms waitlisted bookings, oldest first, while whole bookings fit; one that does not
    fit keeps its place for the next release. The caller holds the target's row lock."""
    ref = target.ref
    table = ref.kind.table
    state = (
        await session.execute(
            select(table.c.booked_seats, table.c.capacity).where(table.c.id == ref.id)
        )
    ).one()
    free = None if state.capacity is None else state.capacity - state.booked_seats
    if free is not None and free <= 0:
        return []
    column = ref.kind.booking_column
    waiting = (
        await session.execute(
            select(BOOKING_TABLE.c.id, BOOKING_TABLE.c.seats)
            .where(column == ref.id, BOOKING_TABLE.c.status == BookingStatus.WAITLISTED)
            .order_by(BOOKING_TABLE.c.waitlisted_at, BOOKING_TABLE.c.id)
            .limit(PROMOTION_SCAN_LIMIT)
            # Never wait on a waitlisted row another transaction holds (its owner leaving the
            # waitlist) while holding the hot row: skip it, it is about to go anyway.
            .with_for_update(skip_locked=True, key_share=True)
        )
    ).all()
    promoted: list[int] = []
    seats = 0
    for row in waiting:
        if free == 0:
            break
        if free is not None and row.seats > free:
            continue
        token = crypto.new_checkin_token()
        done = await session.execute(
            update(BOOKING_TABLE)
            .where(BOOKING_TABLE.c.id == row.id, BOOKING_TABLE.c.status == BookingStatus.WAITLISTED)
            .values(
                status=BookingStatus.CONFIRMED,
                confirmed_at=now,
                checkin_token_hash=crypto.token_hash(token),
                checkin_token_enc=crypto.encrypt(settings, token),
            )
            .returning(BOOKING_TABLE.c.id)
        )
        if done.one_or_none() is None:
            continue
        promoted.append(row.id)
        seats += row.seats
        if free is not None:
            free -= row.seats
    if not promoted:
        return []
    if (
        await session.execute(take_seats(ref, seats, require_published=False))
    ).one_or_none() is None:
        # Cannot happen under the lock; refuse rather than oversell if it ever does.
        raise RuntimeError(f"waitlist promotion does not fit {ref}")
    for booking_id in promoted:
        booking = await session.get(Booking, booking_id, populate_existing=True)
        assert booking is not None
        await notify(session, booking, target, NotificationKind.PROMOTED_FROM_WAITLIST)
    return promoted


async def promote_event_waitlist(
    session: AsyncSession, settings: Settings, *, event_id: int, now: datetime
) -> list[int]:
    """For a caller that raised an event's capacity itself (staff editing the event): fills the
    new seats from the waitlist at once. Returns the promoted booking ids."""
    ref = TargetRef(TargetKind.EVENT, event_id)
    target = await load_target(session, ref, current_rules(), lock=True)
    if target is None:
        return []
    promoted = await _promote_waitlist(session, settings, target, now)
    if promoted:
        await publish_seats(session, ref)
    return promoted


async def cancel_event_bookings(
    session: AsyncSession, event: Any, reason: str, *, now: datetime | None = None
) -> int:
    """Staff cancelled `event`: cancels its confirmed and waitlisted bookings, releases their
    seats and tells every booker, all in the caller's transaction. Returns how many."""
    now = now or utcnow()
    ref = TargetRef(TargetKind.EVENT, event.id)
    await session.execute(lock_target(ref))
    cancelled: list[Row[Any]] = []
    released = 0
    for status in (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED):
        rows = (
            await session.execute(
                update(BOOKING_TABLE)
                .where(BOOKING_TABLE.c.event_id == event.id, BOOKING_TABLE.c.status == status)
                .values(
                    status=BookingStatus.CANCELLED, cancelled_at=now, cancel_reason=reason[:200]
                )
                .returning(BOOKING_TABLE.c.id, BOOKING_TABLE.c.user_id, BOOKING_TABLE.c.seats)
            )
        ).all()
        cancelled += rows
        if status is BookingStatus.CONFIRMED:
            released = sum(row.seats for row in rows)
    if released:
        await publish_seats(
            session, ref, (await session.execute(release_seats(ref, released))).one()
        )
    when = f"{to_local(event.start_at):%m月%d日 %H:%M}"
    await _tell_bookers(
        session,
        event,
        cancelled,
        NotificationKind.EVENT_CANCELLED,
        "活动取消通知",
        f"很抱歉，「{event.title}」（{when}）已取消{_because(reason)}，您的预约已自动取消。",
    )
    return len(cancelled)


async def notify_event_postponed(
    session: AsyncSession, event: Any, reason: str, *, previous_start_at: datetime
) -> int:
    """Staff postponed `event`: its bookings stay valid; every active booker is told the new
    time in the caller's transaction. Returns how many were told."""
    rows = (
        await session.execute(
            select(BOOKING_TABLE.c.id, BOOKING_TABLE.c.user_id).where(
                BOOKING_TABLE.c.event_id == event.id, BOOKING_TABLE.c.status.in_(ACTIVE_STATUSES)
            )
        )
    ).all()
    before, after = to_local(previous_start_at), to_local(event.start_at)
    await _tell_bookers(
        session,
        event,
        rows,
        NotificationKind.EVENT_CHANGED,
        "活动延期通知",
        f"「{event.title}」由 {before:%m月%d日 %H:%M} 延期至 {after:%m月%d日 %H:%M}"
        f"{_because(reason)}。您的预约继续有效；如不能参加请取消预约，把名额留给候补的朋友。",
    )
    return len(rows)


def _because(reason: str) -> str:
    return f"（原因：{reason}）" if reason else ""


async def _tell_bookers(
    session: AsyncSession,
    event: Any,
    bookings: Sequence[Any],
    kind: NotificationKind,
    title: str,
    body: str,
) -> None:
    """One outbox message per booking (id, user_id) about a change staff made to `event`."""
    for row in bookings:
        await enqueue(
            session,
            user_id=row.user_id,
            kind=kind,
            title=title,
            body=body,
            data={
                "bookingId": to_global_id("Booking", row.id),
                "eventId": to_global_id("Event", event.id),
            },
        )
