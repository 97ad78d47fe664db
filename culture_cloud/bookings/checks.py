"""The rules a booking is checked against: the request itself, the target (open, not
cancelled, real-name), the user's no-show block and seat limits. The transactional path reads
what they need inside its transaction; the PostgreSQL fast path (hot_path.py) reads it in its
one batched statement and applies the same pure checks to it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings import crypto
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import (
    ACTIVE_STATUSES,
    BOOKING_TABLE,
    VENUE_SLOT_TABLE,
    BookingStatus,
)
from culture_cloud.bookings.requests import BookingRequest
from culture_cloud.bookings.rules import BookingRules, blocked_until
from culture_cloud.bookings.targets import Target, TargetKind, TargetRef
from culture_cloud.catalog.models import EventStatus
from culture_cloud.timeutil import local_date_range, local_today, to_local

IDEMPOTENCY_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_NAME_LENGTH = 32


def check_request(request: BookingRequest, rules: BookingRules) -> list[dict[str, Any]]:
    """The rules that need no database (key, seats, attendee list); returns the attendees
    normalised: {"name": ..., "idNumber": ... (only when given)}."""
    if not IDEMPOTENCY_KEY_PATTERN.fullmatch(request.idempotency_key):
        raise BookingFailed(
            Code.BAD_USER_INPUT,
            "idempotencyKey 须为 8–64 位字母、数字、- 或 _（建议每次点击生成一个 UUID）",
            field="idempotencyKey",
        )
    if request.seats < 1:
        raise BookingFailed(Code.BAD_USER_INPUT, "预约人数至少为 1", field="seats")
    if request.seats > rules.max_seats_per_booking:
        raise BookingFailed(
            Code.LIMIT_EXCEEDED,
            f"每次最多预约 {rules.max_seats_per_booking} 个名额",
            field="seats",
        )
    if request.attendees and len(request.attendees) != request.seats:
        raise BookingFailed(Code.BAD_USER_INPUT, "参与者人数须与预约人数一致", field="attendees")
    checked: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for i, attendee in enumerate(request.attendees):
        name = attendee.name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise BookingFailed(
                Code.BAD_USER_INPUT,
                f"姓名须为 1–{MAX_NAME_LENGTH} 个字符",
                field=f"attendees.{i}.name",
            )
        entry: dict[str, Any] = {"name": name}
        if attendee.id_number:
            number = attendee.id_number.strip().upper()
            if not request.id_number_consent:
                raise BookingFailed(
                    Code.BAD_USER_INPUT,
                    "提供身份证号须先同意《个人信息处理说明》",
                    field="idNumberConsent",
                )
            if not crypto.valid_id_number(number) or number in seen_ids:
                raise BookingFailed(
                    Code.BAD_USER_INPUT, "身份证号无效或重复", field=f"attendees.{i}.idNumber"
                )
            seen_ids.add(number)
            entry["idNumber"] = number
        checked.append(entry)
    return checked


def target_field(ref: TargetRef) -> str:
    return "eventId" if ref.kind is TargetKind.EVENT else "slotId"


def check_target(target: Target, request: BookingRequest, now: datetime) -> None:
    field = target_field(target.ref)
    if target.status is EventStatus.CANCELLED:
        if not target.is_event:
            raise BookingFailed(Code.SLOT_CLOSED, "该入场时段已关闭，请选择其他时段", field=field)
        raise BookingFailed(Code.EVENT_CANCELLED, "活动已取消", field=field)
    if not target.booking_required:
        raise BookingFailed(Code.BAD_USER_INPUT, "此活动无需预约，可直接前往", field=field)
    if target.status is EventStatus.POSTPONED:
        raise BookingFailed(Code.BOOKING_CLOSED, "活动已延期，暂停预约", field=field)
    if target.opens_at is not None and now < target.opens_at:
        raise BookingFailed(
            Code.BOOKING_NOT_OPEN,
            f"预约将于 {to_local(target.opens_at):%Y-%m-%d %H:%M} 开放",
            field=field,
        )
    if now >= target.closes_at:
        raise BookingFailed(Code.BOOKING_CLOSED, "预约已截止", field=field)
    if target.real_name_required and not request.attendees:
        raise BookingFailed(
            Code.BAD_USER_INPUT, "此活动实行实名预约，请填写每位参与者的姓名", field="attendees"
        )


def no_shows_since(now: datetime, rules: BookingRules) -> datetime:
    """No-shows older than this can no longer block anyone."""
    return now - timedelta(days=rules.no_show_window_days + rules.no_show_block_days)


async def check_not_blocked(
    session: AsyncSession, user_id: int, now: datetime, rules: BookingRules
) -> None:
    times = (
        (
            await session.execute(
                select(BOOKING_TABLE.c.no_show_at)
                .where(
                    BOOKING_TABLE.c.user_id == user_id,
                    BOOKING_TABLE.c.status == BookingStatus.NO_SHOW,
                    BOOKING_TABLE.c.no_show_at >= no_shows_since(now, rules),
                )
                .order_by(BOOKING_TABLE.c.no_show_at.desc())
            )
        )
        .scalars()
        .all()
    )
    refuse_if_blocked(times, now, rules)


def refuse_if_blocked(
    no_shows_newest_first: Sequence[datetime], now: datetime, rules: BookingRules
) -> None:
    until = blocked_until(no_shows_newest_first, rules)
    if until is not None and now < until:
        raise BookingFailed(
            Code.BLOCKED,
            f"近期多次预约未到场，{to_local(until):%Y-%m-%d} 前暂停预约",
            blocked_until=until,
        )


async def check_user_limits(
    session: AsyncSession, user_id: int, target: Target, seats: int, rules: BookingRules
) -> None:
    """One active booking per target; at most `max_seats_per_user` active seats per event, or
    per venue and local day for slots."""
    column = target.ref.kind.booking_column
    if target.is_event:
        group = column == target.ref.id
    else:
        day = local_today(target.starts_at)
        day_start, day_end = local_date_range(day, day)
        group = column.in_(
            select(VENUE_SLOT_TABLE.c.id).where(
                VENUE_SLOT_TABLE.c.venue_id == target.venue_id,
                VENUE_SLOT_TABLE.c.starts_at >= day_start,
                VENUE_SLOT_TABLE.c.starts_at < day_end,
            )
        )
    rows = (
        await session.execute(
            select(column, BOOKING_TABLE.c.seats).where(
                BOOKING_TABLE.c.user_id == user_id,
                BOOKING_TABLE.c.status.in_(ACTIVE_STATUSES),
                group,
            )
        )
    ).all()
    refuse_over_limits(
        target,
        seats,
        rules,
        booked_here=any(row[0] == target.ref.id for row in rows),
        held=sum(row.seats for row in rows),
    )


def refuse_over_limits(
    target: Target, seats: int, rules: BookingRules, *, booked_here: bool, held: int
) -> None:
    if booked_here:
        raise BookingFailed(Code.ALREADY_BOOKED, "您已预约过，请勿重复预约")
    if held + seats > rules.max_seats_per_user:
        scope = "每场活动" if target.is_event else "同一场馆每天"
        raise BookingFailed(
            Code.LIMIT_EXCEEDED,
            f"{scope}每人最多预约 {rules.max_seats_per_user} 个名额（已预约 {held} 个）",
            field="seats",
        )
