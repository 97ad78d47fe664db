"""Attendance: check-in at the door, and no-shows after the event."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.bookings import crypto, policy
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BOOKING_TABLE, Booking, BookingStatus
from culture_cloud.bookings.rules import BookingRules, current_rules
from culture_cloud.bookings.signals import publish_seats
from culture_cloud.bookings.targets import (
    Target,
    TargetKind,
    TargetRef,
    load_target,
    lock_target,
    release_seats,
)
from culture_cloud.settings import Settings
from culture_cloud.timeutil import to_local


@dataclass(frozen=True, slots=True)
class CheckedIn:
    booking: Booking
    target: Target


@dataclass(frozen=True, slots=True)
class NoShowReport:
    no_shows: int
    expired_waitlist: int


async def check_in(
    session: AsyncSession,
    settings: Settings,
    *,
    actor: Actor,
    code: str,
    rules: BookingRules | None = None,
) -> CheckedIn:
    """A checker of the organisation (`actor`) scans the QR payload; attendance is recorded
    once."""
    viewer, now = actor.viewer, actor.now
    rules = rules or current_rules()
    parsed = crypto.parse_checkin_code(settings, code)
    if parsed is None:
        raise BookingFailed(Code.INVALID_CODE, "无效的预约码", field="code")
    booking_id, token = parsed
    booking = await session.get(Booking, booking_id)
    if booking is None or not hmac.compare_digest(
        booking.checkin_token_hash or "", crypto.token_hash(token)
    ):
        raise BookingFailed(Code.INVALID_CODE, "无效的预约码", field="code")
    target = await load_target(session, TargetRef.of(booking), rules)
    assert target is not None
    policy.ensure_can_check_in(viewer, target.organization_id)
    _check_checkable(booking, target, now, rules)
    done = await session.execute(
        update(BOOKING_TABLE)
        .where(BOOKING_TABLE.c.id == booking_id, BOOKING_TABLE.c.status == BookingStatus.CONFIRMED)
        .values(status=BookingStatus.CHECKED_IN, checked_in_at=now, checked_in_by=viewer.user_id)
        .returning(BOOKING_TABLE.c.id)
    )
    await session.refresh(booking)
    if done.one_or_none() is None:  # a concurrent scan won
        _check_checkable(booking, target, now, rules)
    return CheckedIn(booking, target)


def _check_checkable(booking: Booking, target: Target, now: datetime, rules: BookingRules) -> None:
    if booking.status is BookingStatus.CHECKED_IN:
        assert booking.checked_in_at is not None
        raise BookingFailed(
            Code.ALREADY_CHECKED_IN,
            f"已于 {to_local(booking.checked_in_at):%H:%M:%S} 签到，请勿重复扫码",
            checked_in_at=booking.checked_in_at,
        )
    if booking.status is BookingStatus.CANCELLED:
        raise BookingFailed(Code.BOOKING_CANCELLED, "该预约已取消")
    if booking.status is not BookingStatus.CONFIRMED:
        raise BookingFailed(Code.NOT_CONFIRMED, "该预约未确认（候补中或已过期）")
    if now < target.starts_at - timedelta(minutes=rules.checkin_opens_minutes_before):
        raise BookingFailed(
            Code.CHECK_IN_NOT_OPEN,
            f"签到将于 {to_local(target.starts_at):%m月%d日 %H:%M} 前 "
            f"{rules.checkin_opens_minutes_before} 分钟开始",
        )
    if now >= target.ends_at:
        raise BookingFailed(Code.CHECK_IN_CLOSED, "活动已结束，签到已关闭")


async def mark_no_shows(session: AsyncSession, now: datetime) -> NoShowReport:
    """Cron: confirmed bookings of ended events and slots become no-shows (their seats leave
    the counter); waitlist entries that never got a seat are closed. Idempotent."""
    no_shows = expired = 0
    for kind in TargetKind:
        table, column = kind.table, kind.booking_column
        ended = (
            await session.execute(
                select(table.c.id, kind.end_column)
                .where(
                    table.c.id.in_(
                        select(column).where(
                            BOOKING_TABLE.c.status.in_(
                                (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
                            )
                        )
                    ),
                    kind.end_column <= now,
                )
                .order_by(table.c.id)
            )
        ).all()
        for target_id, ended_at in ended:
            ref = TargetRef(kind, target_id)
            await session.execute(lock_target(ref))
            seats = (
                (
                    await session.execute(
                        update(BOOKING_TABLE)
                        .where(
                            column == target_id, BOOKING_TABLE.c.status == BookingStatus.CONFIRMED
                        )
                        .values(status=BookingStatus.NO_SHOW, no_show_at=ended_at)
                        .returning(BOOKING_TABLE.c.seats)
                    )
                )
                .scalars()
                .all()
            )
            if seats:
                no_shows += len(seats)
                await publish_seats(
                    session, ref, (await session.execute(release_seats(ref, sum(seats)))).one()
                )
            expired += len(
                (
                    await session.execute(
                        update(BOOKING_TABLE)
                        .where(
                            column == target_id, BOOKING_TABLE.c.status == BookingStatus.WAITLISTED
                        )
                        .values(
                            status=BookingStatus.CANCELLED,
                            cancelled_at=now,
                            cancel_reason="候补未能转正，活动已结束",
                        )
                        .returning(BOOKING_TABLE.c.id)
                    )
                ).all()
            )
    return NoShowReport(no_shows=no_shows, expired_waitlist=expired)
