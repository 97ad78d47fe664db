"""checkInBatch: the check-ins a door device queued while offline, applied when it is back.

Each item is a scan (a QR code, or a booking found by name or phone: `booking_id`) with the
device's own id for it (`client_ref`) and the time it happened on the device (`scanned_at`).
Items are answered one by one and never stop the batch. Applying the same batch twice changes
nothing: a booking remembers the client_ref that checked it in, so a re-sent scan answers
ALREADY_CHECKED_IN with `replayed`, and a code checked in by another checker says so.

Rows are changed by the conditional UPDATE (`status = confirmed`) that `checkIn` uses, so two
doors sending one code at once check it in once. Locks are taken in the order every other path
takes them: the rows of the events and slots concerned first (sorted), then the bookings in
booking-id order; so batches, cancellations and the `mark-no-shows` job cannot deadlock with
one another. A booking that job already marked NO_SHOW while the device was offline is checked
in after all when its scan fell inside the check-in window (the resident came), and its seats
go back to the counter. See docs/decisions.md, "Door check-in that survives a network drop".
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.bookings import crypto, policy, staff_lists
from culture_cloud.bookings.door_checks import (
    CLIENT_REF_MAX,
    DoorOutcome,
    Scan,
    ScanResult,
    already,
    not_checkable,
    refused,
    scan_time,
)
from culture_cloud.bookings.models import BOOKING_TABLE, BookingStatus
from culture_cloud.bookings.rules import BookingRules, current_rules
from culture_cloud.bookings.signals import publish_seats
from culture_cloud.bookings.targets import (
    Target,
    TargetKind,
    TargetRef,
    load_target,
)
from culture_cloud.errors import BadInput, DomainError, UserErrorCode
from culture_cloud.global_ids import expect_global_id
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none

MAX_ITEMS: Final = 200


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


def _parse(settings: Settings, index: int, scan: Scan) -> _Pending | ScanResult:
    invalid = DoorOutcome.INVALID_CODE
    if not scan.client_ref or len(scan.client_ref) > CLIENT_REF_MAX:
        message = f"clientRef 须为 1–{CLIENT_REF_MAX} 个字符"
        return refused(scan, invalid, UserErrorCode.BAD_USER_INPUT, message, field="clientRef")
    if (scan.code is None) == (scan.booking_id is None):
        message = "每条记录须有签到码（code）或预约 ID（bookingId）之一"
        return refused(scan, invalid, UserErrorCode.BAD_USER_INPUT, message, field="code")
    if scan.code is not None:
        parsed = crypto.parse_checkin_code(settings, scan.code)
        if parsed is None:
            return refused(scan, invalid, UserErrorCode.INVALID_CODE, "无效的预约码", field="code")
        return _Pending(index, scan, parsed[0], parsed[1])
    try:
        pk = expect_global_id(scan.booking_id or "", "Booking", field="bookingId")
    except DomainError:
        return refused(scan, invalid, UserErrorCode.NOT_FOUND, "预约不存在", field="bookingId")
    return _Pending(index, scan, pk, None)


async def check_in_batch(
    session: AsyncSession,
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
    if scope is not None:
        await staff_lists.target_for_staff(session, actor.viewer, scope, door=True)
    rows = await staff_lists.bookings_by_ids(session, {p.booking_id for p in pending})
    targets = await _lock_targets(
        session, actor, {TargetRef.of(row) for row in rows.values()}, rules
    )
    returned_seats: dict[TargetRef, int] = defaultdict(int)
    for item in sorted(pending, key=lambda p: (p.booking_id, p.index)):
        row = rows.get(item.booking_id)
        target = None if row is None else targets.get(TargetRef.of(row))
        results[item.index] = await _apply(
            session, actor, item, row, target, scope, rules, returned_seats
        )
    for ref, seats in returned_seats.items():
        await _return_seats(session, ref, seats)
    counts = None if scope is None else await staff_lists.seat_counts(session, scope)
    done = [r for r in results if r is not None]
    assert len(done) == len(scans)
    return BatchResult(done, counts)


async def _lock_targets(
    session: AsyncSession, actor: Actor, refs: set[TargetRef], rules: BookingRules
) -> dict[TargetRef, Target | None]:
    """The events and slots of the batch's bookings, those the caller checks in locked (in
    one order: events then slots, by id) before any of their bookings is touched."""
    order = list(TargetKind)
    targets: dict[TargetRef, Target | None] = {}
    for ref in sorted(refs, key=lambda r: (order.index(r.kind), r.id)):
        target = await load_target(session, ref, rules)
        if target is not None and policy.can_check_in(actor.viewer, target.organization_id):
            # Read again under the lock: the times a scan is judged by are the current ones.
            target = await load_target(session, ref, rules, lock=True)
        targets[ref] = target
    return targets


async def _return_seats(session: AsyncSession, ref: TargetRef, seats: int) -> None:
    """The seats the no-show job gave back return to the counter (no capacity condition: they
    were these bookings' seats, and nobody books an ended event or slot)."""
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


async def _apply(
    session: AsyncSession,
    actor: Actor,
    item: _Pending,
    row: Any | None,
    target: Target | None,
    scope: TargetRef | None,
    rules: BookingRules,
    returned_seats: dict[TargetRef, int],
) -> ScanResult:
    """The item's answer; seats of a no-show it undoes are added to `returned_seats`."""
    scan = item.scan
    if row is None or (
        item.token is not None
        and not hmac.compare_digest(row.checkin_token_hash or "", crypto.token_hash(item.token))
    ):
        if item.without_code:
            return refused(
                scan,
                DoorOutcome.INVALID_CODE,
                UserErrorCode.NOT_FOUND,
                "预约不存在",
                field="bookingId",
            )
        return refused(
            scan, DoorOutcome.INVALID_CODE, UserErrorCode.INVALID_CODE, "无效的预约码", field="code"
        )
    if target is None or not policy.can_check_in(actor.viewer, target.organization_id):
        if item.without_code:  # an id is no secret: say nothing about other organisations' rows
            return refused(
                scan,
                DoorOutcome.INVALID_CODE,
                UserErrorCode.NOT_FOUND,
                "预约不存在",
                field="bookingId",
            )
        return refused(
            scan,
            DoorOutcome.NOT_CHECKABLE,
            UserErrorCode.WRONG_EVENT,
            "该预约不属于本单位的活动或场馆",
        )
    if scope is not None and target.ref != scope:
        return refused(
            scan,
            DoorOutcome.NOT_CHECKABLE,
            UserErrorCode.WRONG_EVENT,
            f"这是{target.describe()}的预约，不是本场的",
            booking=row,
        )
    scanned_at = scan_time(scan.scanned_at, actor.now)
    if isinstance(scanned_at, str):
        return refused(
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
            return already(scan, row, actor)
        refusal = not_checkable(status, target, scanned_at, actor.now, rules)
        if refusal is not None:
            reason, message = refusal
            return refused(scan, DoorOutcome.NOT_CHECKABLE, reason, message, booking=row)
        done = (
            await session.execute(_check_in_statement(status, item, actor, scanned_at))
        ).one_or_none()
        if done is not None:
            if status is BookingStatus.NO_SHOW:
                returned_seats[target.ref] += done.seats
            no_show = status is BookingStatus.NO_SHOW
            return await _checked_in(session, actor, item, row, scanned_at, no_show=no_show)
        row = (await staff_lists.bookings_by_ids(session, {item.booking_id}))[item.booking_id]
    raise AssertionError("a booking's status cannot go back to where a lost race found it")


def _check_in_statement(
    status: BookingStatus, item: _Pending, actor: Actor, scanned_at: datetime
) -> Any:
    """The only statement that checks a booking in here: conditional on its status, so of two
    concurrent scans exactly one changes the row."""
    return (
        update(BOOKING_TABLE)
        .where(BOOKING_TABLE.c.id == item.booking_id, BOOKING_TABLE.c.status == status)
        .values(
            status=BookingStatus.CHECKED_IN,
            checked_in_at=scanned_at,
            checked_in_by=actor.viewer.user_id,
            checkin_client_ref=item.scan.client_ref,
            checkin_received_at=actor.now,
            no_show_at=None,
        )
        .returning(BOOKING_TABLE.c.seats)
    )


async def _checked_in(
    session: AsyncSession,
    actor: Actor,
    item: _Pending,
    row: Any,
    scanned_at: datetime,
    *,
    no_show: bool = False,
) -> ScanResult:
    before = row.status
    row = staff_lists.with_values(
        row,
        status=BookingStatus.CHECKED_IN,
        checked_in_at=scanned_at,
        checked_in_by=actor.viewer.user_id,
        checkin_client_ref=item.scan.client_ref,
    )
    if item.without_code or no_show:
        # Staff vouching for a visitor without the code, or undoing a no-show: on the record.
        await audit.record(
            session,
            viewer=actor.viewer,
            action="booking.check_in_after_no_show" if no_show else "booking.check_in_by_id",
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
    message = "已签到（活动结束后补录，已撤销未到场记录）" if no_show else "签到成功"
    return ScanResult(
        item.scan.client_ref,
        DoorOutcome.CHECKED_IN,
        message,
        booking=row,
        checked_in_at=scanned_at,
    )
