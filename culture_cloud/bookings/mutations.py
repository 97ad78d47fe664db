"""Booking mutations. Each declares its permission classes; the service owns the transaction
rules, and expected failures come back as `BookingError` results."""

from __future__ import annotations

import strawberry

from culture_cloud.bookings import attendance, cancellation, policy, service, slots
from culture_cloud.bookings.errors import BookingFailed
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
    GenerateVenueSlotsResult,
    GenerateVenueSlotsSuccess,
    VenueSlot,
)
from culture_cloud.errors import DomainError, NotFound, UserErrorCode
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.permissions import IsAuthenticated, IsResident, StaffRole
from culture_cloud.graphql.user_errors import TYPED_CODES, input_error_or_raise
from culture_cloud.identity import StaffRole as Role
from culture_cloud.timeutil import to_local


def _error(exc: DomainError) -> BookingError:
    """Booking failures and input errors as results; auth failures and outages (FORBIDDEN,
    SERVICE_UNAVAILABLE, ...) stay top-level errors with `extensions.code`."""
    if isinstance(exc, BookingFailed):
        return BookingError.from_failure(exc)
    if exc.code in TYPED_CODES:
        return BookingError(code=UserErrorCode(exc.code), field=exc.field, message=exc.message)
    raise exc


async def _book(
    info: Info, kind: TargetKind, global_id: str, field: str, request: BookingRequest
) -> BookingResult:
    viewer = await info.context.require_viewer()
    try:
        type_name = "Event" if kind is TargetKind.EVENT else "VenueSlot"
        result = await service.book(
            info.context.session_factory,
            info.context.settings,
            user_id=viewer.user_id,
            target=TargetRef(kind, expect_global_id(global_id, type_name, field=field)),
            request=request,
            now=info.context.now,
        )
    except DomainError as exc:
        return _error(exc)
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
    async def book_event(self, info: Info, input: BookEventInput) -> BookingResult:
        return await _book(info, TargetKind.EVENT, input.event_id, "eventId", input.to_request())

    @strawberry.mutation(
        permission_classes=[IsResident],
        description="预约场馆入场时段；规则与幂等性同 bookEvent（时段不设候补）",
    )
    async def reserve_venue_slot(self, info: Info, input: ReserveVenueSlotInput) -> BookingResult:
        return await _book(info, TargetKind.VENUE_SLOT, input.slot_id, "slotId", input.to_request())

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="取消本人的预约（开始前规定时间内不可取消）；释放的名额按候补顺序自动转正",
    )
    async def cancel_booking(self, info: Info, id: strawberry.ID) -> CancelBookingResult:
        viewer = await info.context.require_viewer()
        try:
            pk = expect_global_id(id, "Booking", field="id")
            async with write_transaction(info.context.session_factory) as session:
                row = await cancellation.cancel_booking(
                    session,
                    info.context.settings,
                    user_id=viewer.user_id,
                    booking_id=pk,
                    now=info.context.now,
                )
        except DomainError as exc:
            return _error(exc)
        [booking] = await build_bookings(info, [row], owner=True)
        return CancelBookingSuccess(booking=booking)

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.CHECKER, Role.MANAGER)],
        description="扫码签到（本单位的核验员或负责人）；每笔预约只能签到一次",
    )
    async def check_in(self, info: Info, code: str) -> CheckInResult:
        viewer = await info.context.require_viewer()
        try:
            async with write_transaction(info.context.session_factory) as session:
                done = await attendance.check_in(
                    session, info.context.settings, viewer=viewer, code=code, now=info.context.now
                )
        except DomainError as exc:
            return _error(exc)
        [booking] = await build_bookings(info, [done.booking], owner=False)
        return CheckInSuccess(
            booking=booking, title=done.target.title, starts_at=to_local(done.target.starts_at)
        )

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.MANAGER)],
        description="按场馆开放时间生成入场时段（本单位负责人或管理员）；重复生成不会产生重复时段",
    )
    async def generate_venue_slots(
        self, info: Info, input: GenerateVenueSlotsInput
    ) -> GenerateVenueSlotsResult:
        viewer = await info.context.require_viewer()
        try:
            venue_id = expect_global_id(input.venue_id, "Venue", field="venueId")
            async with write_transaction(info.context.session_factory) as session:
                venue = await slots.get_venue(session, venue_id)
                if venue is None:
                    raise NotFound("场馆不存在", field="venueId")
                policy.ensure_can_manage_venue(viewer, venue.organization_id)
                created = await slots.generate_venue_slots(
                    session,
                    venue,
                    input.date_from,
                    input.date_to,
                    input.slot_minutes,
                    input.capacity,
                    real_name_required=input.real_name_required,
                    now=info.context.now,
                )
        except DomainError as exc:
            return input_error_or_raise(exc)
        return GenerateVenueSlotsSuccess(created=[VenueSlot.from_row(row) for row in created])
