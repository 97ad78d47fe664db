"""checkInBatch: the check-ins a door device queued while offline, applied when it is back.

Each item is a scan (a QR code, or a booking found by name or phone: `booking_id`) with the
device's own id for it (`client_ref`) and the time it happened on the device (`scanned_at`).
Items are answered one by one and never stop the batch. Applying the same batch twice changes
nothing: a booking remembers the client_ref that checked it in, so a re-sent scan answers
ALREADY_CHECKED_IN with `replayed`, and a code checked in by another checker says so.

Rows are changed by the conditional UPDATE (`status = confirmed`) that `checkIn` uses, so two
doors sending one code at once check it in once. Items are applied in booking-id order, so two
batches lock their bookings in the same order and cannot deadlock. A booking the hourly
`mark-no-shows` job already marked NO_SHOW while the device was offline is checked in after all
when its scan fell inside the check-in window (the resident came): that second step takes the
event's or slot's row lock before the booking's, in the order the job does, in a transaction
of its own, and gives the seats back to the counter. See docs/decisions.md, "Door check-in
that survives a network drop".
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.bookings import crypto, policy, staff_lists
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.bookings.rules import BookingRules, current_rules
from culture_cloud.bookings.signals import publish_seats
from culture_cloud.bookings.targets import BOOKING, Target, TargetRef, load_target, lock_target
from culture_cloud.bookings.transactions import write_transaction
from culture_cloud.db import SessionFactory
from culture_cloud.errors import BadInput, DomainError, UserErrorCode
from culture_cloud.global_ids import expect_global_id
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none, local_day_start, local_today, to_local

MAX_ITEMS: Final = 200
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


@dataclass(frozen=True, slots=True)
class BatchResult:
    results: list[ScanResult]
    # The counts of the event or slot the batch named, after the batch.
    scope_counts: staff_lists.SeatCounts | None = None


@dataclass(slots=True)
class _Pending:
    index: int
    scan: Scan
    booking_id: int
    token: str | None  # None: found by booking id (no code in hand)

    @property
    def without_code(self) -> bool:
        return self.token is None


@dataclass(slots=True)
class _Late:
    """A scan of a booking already marked NO_SHOW, inside the check-in window."""

    pending: _Pending
    target: Target
    scanned_at: datetime


def _refused(
    scan: Scan, outcome: DoorOutcome, reason: UserErrorCode, message: str, **more: Any
) -> ScanResult:
    return ScanResult(scan.client_ref, outcome, message, reason=reason, **more)


def _parse(settings: Settings, index: int, scan: Scan) -> _Pending | ScanResult:
    invalid = DoorOutcome.INVALID_CODE
    if not scan.client_ref or len(scan.client_ref) > CLIENT_REF_MAX:
        message = f"clientRef 须为 1–{CLIENT_REF_MAX} 个字符"
        return _refused(scan, invalid, UserErrorCode.BAD_USER_INPUT, message, field="clientRef")
    if (scan.code is None) == (scan.booking_id is None):
        message = "每条记录须有签到码（code）或预约 ID（bookingId）之一"
        return _refused(scan, invalid, UserErrorCode.BAD_USER_INPUT, message, field="code")
    if scan.code is not None:
        parsed = crypto.parse_checkin_code(settings, scan.code)
        if parsed is None:
            return _refused(scan, invalid, UserErrorCode.INVALID_CODE, "无效的预约码", field="code")
        return _Pending(index, scan, parsed[0], parsed[1])
    try:
        pk = expect_global_id(scan.booking_id or "", "Booking", field="bookingId")
    except DomainError:
        return _refused(scan, invalid, UserErrorCode.NOT_FOUND, "预约不存在", field="bookingId")
    return _Pending(index, scan, pk, None)


async def check_in_batch(
    factory: SessionFactory,
    settings: Settings,
    *,
    actor: Actor,
    scans: Sequence[Scan],
    scope: TargetRef | None,
    rules: BookingRules | None = None,
) -> BatchResult:
    """One answer per scan, in the order given. `scope` (the event or slot this door serves)
    makes a code of any other target NOT_CHECKABLE / WRONG_EVENT."""
    if len(scans) > MAX_ITEMS:
        raise BadInput(f"每批最多 {MAX_ITEMS} 条，请分批提交", field="items")
    rules = rules or current_rules()
    results: list[ScanResult | None] = [None] * len(scans)
    pending: list[_Pending] = []
    for index, scan in enumerate(scans):
        parsed = _parse(settings, index, replace(scan, client_ref=scan.client_ref.strip()))
        if isinstance(parsed, ScanResult):
            results[index] = parsed
        else:
            pending.append(parsed)
    late: list[_Late] = []
    async with write_transaction(factory) as session:
        if scope is not None:
            await staff_lists.target_for_staff(session, actor.viewer, scope, door=True)
        rows = await staff_lists.bookings_by_ids(session, {p.booking_id for p in pending})
        targets: dict[TargetRef, Target | None] = {}
        for ref in sorted({TargetRef.of(row) for row in rows.values()}, key=str):
            targets[ref] = await load_target(session, ref, rules)
        # Booking-id order: concurrent batches lock their rows in one order.
        for item in sorted(pending, key=lambda p: (p.booking_id, p.index)):
            row = rows.get(item.booking_id)
            target = None if row is None else targets.get(TargetRef.of(row))
            answer = await _apply(session, settings, actor, item, row, target, scope, rules)
            if isinstance(answer, _Late):
                late.append(answer)
            else:
                results[item.index] = answer
    by_target: dict[TargetRef, list[_Late]] = defaultdict(list)
    for entry in late:
        by_target[entry.target.ref].append(entry)
    for ref, entries in by_target.items():
        async with write_transaction(factory) as session:
            for entry, result in zip(
                entries, await _check_in_after_no_show(session, actor, ref, entries), strict=True
            ):
                results[entry.pending.index] = result
    counts = None
    if scope is not None:
        async with factory() as session:
            counts = await staff_lists.seat_counts(session, scope)
    done = [r for r in results if r is not None]
    assert len(done) == len(scans)
    return BatchResult(done, counts)


async def _apply(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    item: _Pending,
    row: Any | None,
    target: Target | None,
    scope: TargetRef | None,
    rules: BookingRules,
) -> ScanResult | _Late:
    scan = item.scan
    if row is None or (
        item.token is not None
        and not hmac.compare_digest(row.checkin_token_hash or "", crypto.token_hash(item.token))
    ):
        if item.without_code:
            return _refused(
                scan,
                DoorOutcome.INVALID_CODE,
                UserErrorCode.NOT_FOUND,
                "预约不存在",
                field="bookingId",
            )
        return _refused(
            scan, DoorOutcome.INVALID_CODE, UserErrorCode.INVALID_CODE, "无效的预约码", field="code"
        )
    if target is None or not policy.can_check_in(actor.viewer, target.organization_id):
        if item.without_code:  # an id is no secret: say nothing about other organisations' rows
            return _refused(
                scan,
                DoorOutcome.INVALID_CODE,
                UserErrorCode.NOT_FOUND,
                "预约不存在",
                field="bookingId",
            )
        return _refused(
            scan,
            DoorOutcome.NOT_CHECKABLE,
            UserErrorCode.WRONG_EVENT,
            "该预约不属于本单位的活动或场馆",
        )
    if scope is not None and target.ref != scope:
        return _refused(
            scan,
            DoorOutcome.NOT_CHECKABLE,
            UserErrorCode.WRONG_EVENT,
            f"这是{target.describe()}的预约，不是本场的",
            booking=row,
        )
    scanned_at = _scan_time(scan.scanned_at, actor.now)
    if isinstance(scanned_at, str):
        return _refused(
            scan,
            DoorOutcome.NOT_CHECKABLE,
            UserErrorCode.BAD_USER_INPUT,
            scanned_at,
            field="scannedAt",
            booking=row,
        )
    for _ in range(2):  # a lost race is looked at once more, as it now stands
        status = BookingStatus(row.status)
        if status is BookingStatus.CHECKED_IN:
            return _already(scan, row, actor)
        refusal = _not_checkable(status, target, scanned_at, actor.now, rules)
        if refusal is not None:
            reason, message = refusal
            return _refused(scan, DoorOutcome.NOT_CHECKABLE, reason, message, booking=row)
        if status is BookingStatus.NO_SHOW:
            return _Late(item, target, scanned_at)
        done = await session.execute(
            _check_in_statement(BookingStatus.CONFIRMED, item, actor, scanned_at)
        )
        if done.one_or_none() is not None:
            return await _checked_in(session, actor, item, row, scanned_at)
        row = (await staff_lists.bookings_by_ids(session, {item.booking_id}))[item.booking_id]
    raise AssertionError("a confirmed booking cannot come back after a lost race")


def _check_in_statement(
    status: BookingStatus, item: _Pending, actor: Actor, scanned_at: datetime
) -> Any:
    """The only statement that checks a booking in here: conditional on its status, so of two
    concurrent scans exactly one changes the row."""
    return (
        update(BOOKING)
        .where(BOOKING.c.id == item.booking_id, BOOKING.c.status == status)
        .values(
            status=BookingStatus.CHECKED_IN,
            checked_in_at=scanned_at,
            checked_in_by=actor.viewer.user_id,
            checkin_client_ref=item.scan.client_ref,
            checkin_received_at=actor.now,
            no_show_at=None,
        )
        .returning(BOOKING.c.seats)
    )


def _scan_time(scanned_at: datetime, now: datetime) -> datetime | str:
    """The scan's time, bounded; a message when the device clock cannot be right. (A scan
    before the event's day is refused by the window check: too early, whatever the clock.)"""
    if scanned_at > now + CLOCK_SKEW:
        return "扫码时间晚于服务器当前时间，请校准手机时间后重新提交"
    return min(scanned_at, now)


def _not_checkable(
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


def _already(scan: Scan, row: Any, actor: Actor) -> ScanResult:
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


async def _checked_in(
    session: AsyncSession,
    actor: Actor,
    item: _Pending,
    row: Any,
    scanned_at: datetime,
    *,
    after_no_show: bool = False,
) -> ScanResult:
    before = row.status
    row = staff_lists.with_values(
        row,
        status=BookingStatus.CHECKED_IN,
        checked_in_at=scanned_at,
        checked_in_by=actor.viewer.user_id,
        checkin_client_ref=item.scan.client_ref,
    )
    if item.without_code or after_no_show:
        # Staff vouching for a visitor without the code, or undoing a no-show: on the record.
        await audit.record(
            session,
            viewer=actor.viewer,
            action="booking.check_in_after_no_show" if after_no_show else "booking.check_in_by_id",
            target_type="Booking",
            target_id=item.booking_id,
            before={"status": str(before)},
            after={
                "status": BookingStatus.CHECKED_IN.value,
                "checkedInAt": iso_or_none(scanned_at),
                "clientRef": item.scan.client_ref,
            },
            ip=actor.ip,
        )
    message = "已签到（活动结束后补录，已撤销未到场记录）" if after_no_show else "签到成功"
    return ScanResult(
        item.scan.client_ref,
        DoorOutcome.CHECKED_IN,
        message,
        booking=row,
        checked_in_at=scanned_at,
    )


async def _check_in_after_no_show(
    session: AsyncSession, actor: Actor, ref: TargetRef, entries: list[_Late]
) -> list[ScanResult]:
    """The target's row lock first, then its bookings: the order mark_no_shows takes them."""
    await session.execute(lock_target(ref))
    results: list[ScanResult] = []
    seats = 0
    for entry in entries:
        item = entry.pending
        row = (await staff_lists.bookings_by_ids(session, {item.booking_id}))[item.booking_id]
        done = (
            await session.execute(
                _check_in_statement(BookingStatus.NO_SHOW, item, actor, entry.scanned_at)
            )
        ).one_or_none()
        if done is not None:
            seats += done.seats
            results.append(
                await _checked_in(session, actor, item, row, entry.scanned_at, after_no_show=True)
            )
        elif BookingStatus(row.status) is BookingStatus.CHECKED_IN:
            results.append(_already(item.scan, row, actor))
        else:
            results.append(
                _refused(
                    item.scan,
                    DoorOutcome.NOT_CHECKABLE,
                    UserErrorCode.NOT_CONFIRMED,
                    "该预约当前不能签到",
                    booking=row,
                )
            )
    if seats:
        # The seats the no-show job gave back return to the counter (no capacity condition:
        # they were these bookings' seats, and nobody books an ended event or slot).
        table = ref.kind.table
        counter = (
            await session.execute(
                update(table)
                .where(table.c.id == ref.id)
                .values(booked_seats=table.c.booked_seats + seats)
                .returning(table.c.booked_seats, table.c.capacity)
            )
        ).one()
        await publish_seats(session, ref, counter)
    return results
