"""Booking events and venue slots (one code path for both): the `book` entry point the
mutations call. It checks the request (checks.py), answers retries (idempotency.py), and books
either through the PostgreSQL fast path (hot_path.try_book_event, events only) or in one short
transaction here. Cancelling and the waitlist are in cancellation.py, check-in and no-shows in
attendance.py, reading in reading.py. No strawberry here.

Guarantees and how they are kept:
* No seat is sold twice: a seat is taken only by the conditional UPDATE in `targets.take_seats`
  (`booked_seats + n <= capacity`), atomically with the booking row: on PostgreSQL events in
  one autocommit statement (hot_path.py), otherwise in the same short transaction.
* `booked_seats` equals the seats of confirmed + checked-in bookings: every status change into
  or out of those statuses changes the counter in the same transaction.
* One active booking per user per event/slot: checked first, guaranteed by a partial unique
  index (a concurrent duplicate fails there and is answered on a second read).
* Retried requests are safe: the idempotency record commits with the booking, so a retry finds
  either both or neither.
* Lock order, to stay deadlock-free on PostgreSQL: user row (booking only) -> event/slot row ->
  booking rows. Check-in touches one booking row only. The one-statement path takes only the
  event row lock (then inserts), inside PostgreSQL, for the duration of that statement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.actor import Actor
from culture_cloud.bookings import checks, hot_path
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.idempotency import new_record, replay
from culture_cloud.bookings.models import BookingStatus, IdempotentOutcome
from culture_cloud.bookings.requests import (
    BookingRequest,
    BookingResult,
    fingerprint_of,
    new_booking,
)
from culture_cloud.bookings.rules import BookingRules, current_rules
from culture_cloud.bookings.signals import notify, publish_seats
from culture_cloud.bookings.targets import TargetKind, TargetRef, load_target, take_seats
from culture_cloud.bookings.transactions import write_transaction
from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import SessionFactory
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.settings import Settings


async def book(
    factory: SessionFactory,
    settings: Settings,
    *,
    actor: Actor,
    target: TargetRef,
    request: BookingRequest,
    rules: BookingRules | None = None,
) -> BookingResult:
    """`actor` books an event or a venue slot: confirmed if the seats fit, else waitlisted
    (where the target has a waitlist), else BookingFailed. Takes the session factory, not a
    session: it owns its transactions (the PostgreSQL fast path commits on its own, without
    one, and a lost race is retried). One short transaction; safe to retry."""
    user_id, now = actor.viewer.user_id, actor.now
    rules = rules or current_rules()
    attendees = checks.check_request(request, rules)
    fingerprint = fingerprint_of(settings, target, request, attendees)
    fast = not settings.is_sqlite and target.kind is TargetKind.EVENT
    for attempt in (1, 2):
        try:
            if fast:
                result = await hot_path.try_book_event(
                    factory, settings, rules, user_id, target, request, attendees, fingerprint, now
                )
                if result is not None:
                    return result
            async with write_transaction(factory) as session:
                return await _book_once(
                    session, settings, rules, user_id, target, request, attendees, fingerprint, now
                )
        except IntegrityError:
            # A concurrent request of this user won a unique index (the same idempotency key,
            # or another active booking of the same target). Its result is committed now, so
            # the second pass answers from it (replay or ALREADY_BOOKED).
            if attempt == 2:
                raise
        except BookingFailed:
            # A duplicate of this very request may have committed while this one was checking:
            # then its answer is ours. Only on SQLite, whose reads do not wait for the writer;
            # on PostgreSQL the user lock already made this request wait for its duplicate.
            if not settings.is_sqlite:
                raise
            async with factory() as session:
                answer = await replay(session, user_id, request.idempotency_key, fingerprint, now)
            if answer is None:
                raise
            return answer
    raise AssertionError("unreachable")


async def _book_once(
    session: AsyncSession,
    settings: Settings,
    rules: BookingRules,
    user_id: int,
    ref: TargetRef,
    request: BookingRequest,
    attendees: list[dict[str, Any]],
    fingerprint: str,
    now: datetime,
) -> BookingResult:
    # Serialises this user's own booking requests (PostgreSQL), so per-user checks and the
    # idempotency lookup see each other's results. NO KEY UPDATE does not block the foreign-key
    # checks of rows that merely refer to the user (notifications, bookings).
    await session.execute(
        select(USER_TABLE.c.id).where(USER_TABLE.c.id == user_id).with_for_update(key_share=True)
    )
    stored = await replay(session, user_id, request.idempotency_key, fingerprint, now)
    if stored is not None:
        return stored
    target = await load_target(session, ref, rules)
    if target is None or target.status is EventStatus.DRAFT:
        raise BookingFailed(Code.NOT_FOUND, "预约对象不存在", field=checks.target_field(ref))
    checks.check_target(target, request, now)
    await checks.check_not_blocked(session, user_id, now, rules)
    await checks.check_user_limits(session, user_id, target, request.seats, rules)

    booking = new_booking(settings, user_id, ref, request, attendees, now)
    session.add(booking)
    await session.flush()
    assert booking.id is not None
    record = new_record(rules, user_id, request, fingerprint, booking.id, now)
    session.add(record)
    await session.flush()

    # The hot row last, so its lock is held for as few statements as possible.
    seats_row = await _take_seats(session, ref, request.seats)
    if seats_row is None:
        # Full (or no longer published). Decide under the row lock: a cancel committing right
        # now then either has freed the seat for us or will see our waitlist entry.
        locked = await load_target(session, ref, rules, lock=True)
        assert locked is not None
        if locked.status is EventStatus.CANCELLED:
            if not locked.is_event:
                raise BookingFailed(Code.SLOT_CLOSED, "该入场时段已关闭，请选择其他时段")
            raise BookingFailed(Code.EVENT_CANCELLED, "活动已取消")
        if locked.status is not EventStatus.PUBLISHED:
            raise BookingFailed(Code.BOOKING_CLOSED, "活动已暂停预约")
        target = locked
        seats_row = await _take_seats(session, ref, request.seats)
    if seats_row is None:
        if not target.allow_waitlist:
            raise BookingFailed(Code.SOLD_OUT, "名额已满", field="seats")
        booking.status = BookingStatus.WAITLISTED
        booking.waitlisted_at = now
        booking.confirmed_at = None
        booking.checkin_token_hash = booking.checkin_token_enc = None
        record.outcome = IdempotentOutcome.WAITLISTED
        await session.flush()
        return BookingResult(booking, IdempotentOutcome.WAITLISTED, replayed=False)

    await notify(session, booking, target, NotificationKind.BOOKING_CONFIRMED)
    await publish_seats(session, ref, seats_row)
    return BookingResult(booking, IdempotentOutcome.CONFIRMED, replayed=False)


async def _take_seats(session: AsyncSession, ref: TargetRef, seats: int) -> Row[Any] | None:
    """(booked_seats, capacity) after taking `seats`, or None when they do not fit."""
    return (await session.execute(take_seats(ref, seats))).one_or_none()
