"""The decisions of an offline door check-in that need no database: is the scan's time
believable, may the booking be checked in at that time, and how an earlier check-in is
reported. door_batch.py applies them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from culture_cloud.actor import Actor
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.bookings.targets import Target
from culture_cloud.errors import UserErrorCode
from culture_cloud.timeutil import local_day_start, local_today, to_local

CLIENT_REF_MAX: Final = 64
# A device clock this far ahead is taken as "now"; further ahead, the scan time is refused.
CLOCK_SKEW: Final = timedelta(minutes=5)
# Offline scans are accepted until this long after the event or slot ended.
SYNC_GRACE: Final = timedelta(hours=24)


class DoorOutcome(StrEnum):
    CHECKED_IN = "CHECKED_IN"
    ALREADY_CHECKED_IN = "ALREADY_CHECKED_IN"
    INVALID_CODE = "INVALID_CODE"
    NOT_CHECKABLE = "NOT_CHECKABLE"


@dataclass(frozen=True, slots=True)
class Scan:
    client_ref: str
    scanned_at: datetime
    code: str | None = None
    booking_id: str | None = None  # a global id, for a booking found without its code


@dataclass(slots=True)
class ScanResult:
    client_ref: str
    outcome: DoorOutcome
    message: str
    reason: UserErrorCode | None = None
    field: str | None = None
    # The booking (a row with the booker's name columns) when it is the caller's to see.
    booking: Any | None = None
    checked_in_at: datetime | None = None
    replayed: bool = False
    by_another_checker: bool = False


def refused(
    scan: Scan, outcome: DoorOutcome, reason: UserErrorCode, message: str, **more: Any
) -> ScanResult:
    return ScanResult(scan.client_ref, outcome, message, reason=reason, **more)


def scan_time(scanned_at: datetime, now: datetime) -> datetime | str:
    """The scan's time, bounded; a message when the device clock cannot be right. (A scan
    before the event's day is refused by the window check: too early, whatever the clock.)"""
    if scanned_at > now + CLOCK_SKEW:
        return "扫码时间晚于服务器当前时间，请校准手机时间后重新提交"
    return min(scanned_at, now)


def not_checkable(
    status: BookingStatus, target: Target, scanned_at: datetime, now: datetime, rules: BookingRules
) -> tuple[UserErrorCode, str] | None:
    if status is BookingStatus.CANCELLED:
        return UserErrorCode.BOOKING_CANCELLED, "该预约已取消"
    if status is BookingStatus.WAITLISTED:
        return UserErrorCode.NOT_CONFIRMED, "该预约仍在候补中，未确认"
    opens = target.starts_at - timedelta(minutes=rules.checkin_opens_minutes_before)
    day = local_today(target.starts_at)
    if scanned_at < min(opens, local_day_start(day)):
        return UserErrorCode.CHECK_IN_NOT_OPEN, f"扫码时间早于活动当天（{day:%m月%d日}），不能签到"
    if scanned_at < opens:
        return (
            UserErrorCode.CHECK_IN_NOT_OPEN,
            f"扫码时尚未开始签到（{to_local(opens):%m月%d日 %H:%M} 起可签到）",
        )
    if scanned_at >= target.ends_at:
        return UserErrorCode.CHECK_IN_CLOSED, "扫码时活动已结束，签到已关闭"
    if now > target.ends_at + SYNC_GRACE:
        return UserErrorCode.CHECK_IN_CLOSED, "活动结束已超过 24 小时，不再补录签到"
    return None


def already(scan: Scan, row: Any, actor: Actor) -> ScanResult:
    me = actor.viewer.user_id
    replayed = row.checkin_client_ref == scan.client_ref and row.checked_in_by == me
    by_another = row.checked_in_by is not None and row.checked_in_by != me
    when = f"{to_local(row.checked_in_at):%H:%M:%S}" if row.checked_in_at else "此前"
    if replayed:
        message = f"这次扫码已于 {when} 签到成功（重复提交）"
    elif by_another:
        message = f"该预约已于 {when} 由其他核验员签到，请勿重复入场"
    else:
        message = f"该预约已于 {when} 签到，请勿重复扫码"
    return ScanResult(
        scan.client_ref,
        DoorOutcome.ALREADY_CHECKED_IN,
        message,
        reason=UserErrorCode.ALREADY_CHECKED_IN,
        booking=row,
        checked_in_at=row.checked_in_at,
        replayed=replayed,
        by_another_checker=by_another,
    )
