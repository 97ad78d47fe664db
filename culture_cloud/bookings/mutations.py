"""Booking mutations, in the one mutation shape (graphql/mutation.py): parse the arguments,
run one service command as one `Actor`, build the payload; expected failures come back as
`BookingError` (or `InputError`) results. Booking owns its transactions: `book` takes the
session factory (its PostgreSQL fast path commits without one, and a lost race is retried),
and the other commands run in `write_transaction`, whose outages answer with the booking retry
message rather than the generic one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from culture_cloud import metrics
from culture_cloud.bookings import attendance, cancellation, service, slot_changes, slots
from culture_cloud.bookings.inputs import (
    BookEventInput,
    GenerateVenueSlotsInput,
    ReserveVenueSlotInput,
)
from culture_cloud.bookings.models import IdempotentOutcome
from culture_cloud.bookings.queries import build_bookings
from culture_cloud.bookings.requests import BookingRequest
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.bookings.transactions import write_transaction
from culture_cloud.bookings.types import (
    BookingConfirmed,
    BookingError,
    BookingResult,
    BookingWaitlisted,
    CancelBookingResult,
    CancelBookingSuccess,
    CheckInResult,
    CheckInSuccess,
    CloseVenueSlotResult,
    CloseVenueSlotSuccess,
    GenerateVenueSlotsResult,
    GenerateVenueSlotsSuccess,
    UpdateVenueSlotResult,
    UpdateVenueSlotSuccess,
    VenueSlot,
)
from culture_cloud.db import is_outage
from culture_cloud.errors import DomainError
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import actor_of, errors_as
from culture_cloud.graphql.permissions import IsAuthenticated, IsResident, StaffRole
from culture_cloud.graphql.user_errors import InputError, user_error_code
from culture_cloud.identity import StaffRole as Role
from culture_cloud.timeutil import to_local

T = TypeVar("T")


async def _run(info: Info, command: Callable[..., Awaitable[T]], /, **kwargs: Any) -> T:
    """`run_command` in booking's `write_transaction`."""
    actor = await actor_of(info)
    async with write_transaction(info.context.session_factory) as session:
        return await command(session, actor=actor, **kwargs)


async def _book(
    info: Info, kind: TargetKind, global_id: str, field: str, request: BookingRequest
) -> BookingResult:
    actor = await actor_of(info)
    type_name = "Event" if kind is TargetKind.EVENT else "VenueSlot"
    label = "event" if kind is TargetKind.EVENT else "venue_slot"
    try:
        result = await service.book(
            info.context.session_factory,
            info.context.settings,
            actor=actor,
            target=TargetRef(kind, expect_global_id(global_id, type_name, field=field)),
            request=request,
        )
    except DomainError as error:
        # The code the caller reads: SOLD_OUT, BOOKING_CLOSED, ... or UNAUTHENTICATED & co.
        code = user_error_code(error)
        metrics.count_booking(label, code.value if code is not None else error.code.value)
        raise
    except Exception as error:
        metrics.count_booking(label, "SERVICE_UNAVAILABLE" if is_outage(error) else "INTERNAL")
        raise
    if result.replayed:
        metrics.count_booking(label, "replayed")
    else:
        metrics.count_booking(label, result.outcome.value.lower())
    [booking] = await build_bookings(info, [result.booking], owner=True)
    if result.outcome is IdempotentOutcome.WAITLISTED:
        return BookingWaitlisted(booking=booking, replayed=result.replayed)
    return BookingConfirmed(booking=booking, replayed=result.replayed)


@strawberry.type
class BookingsMutation:
    @strawberry.mutation(
        permission_classes=[IsResident],
        description="预约活动。同一 idempotencyKey 重试返回首次结果；名额已满且允许候补时加入候补",
    )
    @errors_as(BookingError)
    async def book_event(self, info: Info, input: BookEventInput) -> BookingResult:
        return await _book(info, TargetKind.EVENT, input.event_id, "eventId", input.to_request())

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="预约场馆入场时段；规则与幂等性同 bookEvent（时段不设候补）",
    )
    @errors_as(BookingError)
    async def reserve_venue_slot(self, info: Info, input: ReserveVenueSlotInput) -> BookingResult:
        return await _book(info, TargetKind.VENUE_SLOT, input.slot_id, "slotId", input.to_request())

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="取消本人的预约（开始前规定时间内不可取消）；释放的名额按候补顺序自动转正",
    )
    @errors_as(BookingError)
    async def cancel_booking(self, info: Info, id: strawberry.ID) -> CancelBookingResult:
        row = await _run(
            info,
            cancellation.cancel_booking,
            settings=info.context.settings,
            booking_id=expect_global_id(id, "Booking", field="id"),
        )
        [booking] = await build_bookings(info, [row], owner=True)
        return CancelBookingSuccess(booking=booking)

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.CHECKER, Role.MANAGER)],
        description="扫码签到（本单位的核验员或负责人）；每笔预约只能签到一次",
    )
    @errors_as(BookingError)
    async def check_in(self, info: Info, code: str) -> CheckInResult:
        done = await _run(info, attendance.check_in, settings=info.context.settings, code=code)
        [booking] = await build_bookings(info, [done.booking], owner=False)
        return CheckInSuccess(
            booking=booking, title=done.target.title, starts_at=to_local(done.target.starts_at)
        )

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.MANAGER)],
        description="按场馆开放时间生成入场时段（本单位负责人或管理员）；重复生成不会产生重复时段",
    )
    @errors_as(InputError)
    async def generate_venue_slots(
        self, info: Info, input: GenerateVenueSlotsInput
    ) -> GenerateVenueSlotsResult:
        created = await _run(
            info,
            slots.generate_venue_slots,
            venue_id=expect_global_id(input.venue_id, "Venue", field="venueId"),
            from_date=input.date_from,
            to_date=input.date_to,
            slot_minutes=input.slot_minutes,
            capacity=input.capacity,
            real_name_required=input.real_name_required,
        )
        return GenerateVenueSlotsSuccess(created=[VenueSlot.from_row(row) for row in created])

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.MANAGER)],
        description="修改一个入场时段的名额（本单位负责人或管理员）；不能少于已预约人数（CONFLICT）",
    )
    @errors_as(InputError)
    async def update_venue_slot(
        self, info: Info, id: strawberry.ID, capacity: int
    ) -> UpdateVenueSlotResult:
        slot = await _run(
            info,
            slot_changes.update_venue_slot,
            slot_id=expect_global_id(id, "VenueSlot", field="id"),
            capacity=capacity,
        )
        return UpdateVenueSlotSuccess(slot=VenueSlot.from_row(slot))

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.MANAGER)],
        description="关闭一个入场时段（本单位负责人或管理员；须说明原因）：不再接受预约，"
        "已确认的预约随之取消并通知预约人；已签到的保留",
    )
    @errors_as(InputError)
    async def close_venue_slot(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> CloseVenueSlotResult:
        slot, cancelled = await _run(
            info,
            slot_changes.close_venue_slot,
            slot_id=expect_global_id(id, "VenueSlot", field="id"),
            reason=reason,
        )
        return CloseVenueSlotSuccess(slot=VenueSlot.from_row(slot), cancelled_bookings=cancelled)
