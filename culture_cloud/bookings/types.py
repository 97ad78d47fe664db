"""GraphQL face of bookings. Personal data is masked and the check-in code withheld here, when
the object is built, for everybody but the booking's owner."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self

import strawberry

from culture_cloud.bookings import crypto, models
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Event, Venue
from culture_cloud.errors import DomainError, UserErrorCode
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import InputError, UserError
from culture_cloud.privacy import mask_id_number, mask_name
from culture_cloud.settings import Settings
from culture_cloud.timeutil import to_local

BookingStatus = strawberry.enum(
    models.BookingStatus,
    name="BookingStatus",
    description="CONFIRMED 已确认；WAITLISTED 候补中；CANCELLED 已取消；CHECKED_IN 已签到；"
    "NO_SHOW 未到场",
)


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_local(moment)


@strawberry.type(description="入场时段（如博物馆 09:00–10:00）")
class VenueSlot(Node):
    _pk: strawberry.Private[int]
    _venue_id: strawberry.Private[int]
    starts_at: datetime = strawberry.field(description="开始时间（Asia/Shanghai）")
    ends_at: datetime
    capacity: int
    remaining_seats: int
    real_name_required: bool = strawberry.field(description="实名预约：须填写每位参与者姓名")
    closed: bool = strawberry.field(
        default=False, description="已由场馆负责人关闭：不再接受预约，原有预约已取消"
    )
    close_reason: str | None = strawberry.field(default=None, description="关闭原因")

    @strawberry.field
    def venue(self, info: Info) -> Venue | None:
        return catalog_loaders.VenueByIdLoader(info.context).load(self._venue_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> VenueSlot:
        return cls(
            id=strawberry.ID(to_global_id("VenueSlot", row.id)),
            _pk=row.id,
            _venue_id=row.venue_id,
            starts_at=to_local(row.starts_at),
            ends_at=to_local(row.ends_at),
            capacity=row.capacity,
            remaining_seats=max(0, row.capacity - row.booked_seats),
            real_name_required=row.real_name_required,
            closed=row.closed_at is not None,
            close_reason=row.close_reason,
        )


@strawberry.type(description="参与者；身份证号仅对预约人本人完整显示")
class Attendee:
    name: str
    id_number: str | None = strawberry.field(description="身份证号；非本人时脱敏，未提供时为空")


@strawberry.type(description="一笔预约：活动或场馆时段。仅预约人本人可见")
class Booking(Node):
    _pk: strawberry.Private[int]
    _event_id: strawberry.Private[int | None]
    status: BookingStatus  # type: ignore[valid-type]
    seats: int
    attendees: list[Attendee]
    venue_slot: VenueSlot | None = strawberry.field(description="预约的场馆时段（活动预约时为空）")
    check_in_code: str | None = strawberry.field(
        description="入场二维码内容；仅本人、仅已确认的预约可见"
    )
    created_at: datetime
    waitlisted_at: datetime | None = strawberry.field(description="进入候补的时间（先到先得）")
    confirmed_at: datetime | None
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None

    @strawberry.field(description="预约的活动（场馆时段预约时为空）")
    def event(self, info: Info) -> Event | None:
        if self._event_id is None:
            return None
        return catalog_loaders.EventByIdLoader(info.context).load(self._event_id)  # type: ignore[return-value]

    @classmethod
    def from_row(
        cls, row: Any, *, settings: Settings, owner: bool, slot: Any | None = None
    ) -> Booking:
        code = None
        if owner and row.status == models.BookingStatus.CONFIRMED and row.checkin_token_enc:
            token = crypto.decrypt(settings, row.checkin_token_enc)
            code = None if token is None else crypto.checkin_code(settings, row.id, token)
        return cls(
            id=strawberry.ID(to_global_id("Booking", row.id)),
            _pk=row.id,
            _event_id=row.event_id,
            status=models.BookingStatus(row.status),
            seats=row.seats,
            attendees=[_attendee(settings, a, owner=owner) for a in row.attendees or []],
            venue_slot=None if slot is None else VenueSlot.from_row(slot),
            check_in_code=code,
            created_at=to_local(row.created_at),
            waitlisted_at=_local(row.waitlisted_at),
            confirmed_at=_local(row.confirmed_at),
            checked_in_at=_local(row.checked_in_at),
            cancelled_at=_local(row.cancelled_at),
            cancel_reason=row.cancel_reason,
        )


def masked_attendees(settings: Settings, stored: Any) -> list[Attendee]:
    """Attendees as staff see them: names and ID numbers masked."""
    return [_attendee(settings, a, owner=False) for a in stored or []]


def _attendee(settings: Settings, stored: dict[str, Any], *, owner: bool) -> Attendee:
    number = stored.get("idNumber")
    plain = None if number is None else crypto.decrypt(settings, number)
    return Attendee(
        name=stored["name"] if owner else mask_name(stored["name"]) or "",
        id_number=plain if owner else mask_id_number(plain),
    )


@strawberry.type(description="预约成功")
class BookingConfirmed:
    booking: Booking
    replayed: bool = strawberry.field(
        description="true：这是先前同一 idempotencyKey 请求的结果，未重复创建"
    )


@strawberry.type(description="名额已满，已加入候补；有人取消时按先后顺序自动转正并通知")
class BookingWaitlisted:
    booking: Booking
    replayed: bool


@strawberry.type(
    description="预约失败（未创建任何记录）。code：SOLD_OUT、BOOKING_NOT_OPEN、BOOKING_CLOSED、"
    "LIMIT_EXCEEDED、ALREADY_BOOKED、EVENT_CANCELLED、SLOT_CLOSED、BLOCKED、IDEMPOTENCY_CONFLICT、"
    "CANCEL_DEADLINE_PASSED、NOT_CANCELLABLE、INVALID_CODE、ALREADY_CHECKED_IN、"
    "BOOKING_CANCELLED、NOT_CONFIRMED、CHECK_IN_NOT_OPEN、CHECK_IN_CLOSED、"
    "BAD_USER_INPUT、NOT_FOUND、INVALID_ID"
)
class BookingError(UserError):
    checked_in_at: datetime | None = strawberry.field(
        default=None, description="ALREADY_CHECKED_IN：首次签到时间"
    )
    blocked_until: datetime | None = strawberry.field(
        default=None, description="BLOCKED：恢复预约资格的时间"
    )

    @classmethod
    def of(cls, exc: DomainError, code: UserErrorCode) -> Self:
        failed = exc if isinstance(exc, BookingFailed) else None
        return cls(
            code=code,
            field=exc.field,
            message=exc.message,
            checked_in_at=_local(failed.checked_in_at) if failed else None,
            blocked_until=_local(failed.blocked_until) if failed else None,
        )


BookingResult = Annotated[
    BookingConfirmed | BookingWaitlisted | BookingError, strawberry.union("BookingResult")
]


@strawberry.type
class CancelBookingSuccess:
    booking: Booking


CancelBookingResult = Annotated[
    CancelBookingSuccess | BookingError, strawberry.union("CancelBookingResult")
]


@strawberry.type(description="签到成功；attendees 中的姓名与身份证号已脱敏")
class CheckInSuccess:
    booking: Booking
    title: str = strawberry.field(description="活动名称或场馆名称，供核验")
    starts_at: datetime


CheckInResult = Annotated[CheckInSuccess | BookingError, strawberry.union("CheckInResult")]


@strawberry.type
class GenerateVenueSlotsSuccess:
    created: list[VenueSlot] = strawberry.field(description="新建的时段；已存在的时段保持不变")


GenerateVenueSlotsResult = Annotated[
    GenerateVenueSlotsSuccess | InputError, strawberry.union("GenerateVenueSlotsResult")
]


@strawberry.type
class UpdateVenueSlotSuccess:
    slot: VenueSlot


UpdateVenueSlotResult = Annotated[
    UpdateVenueSlotSuccess | InputError, strawberry.union("UpdateVenueSlotResult")
]


@strawberry.type
class CloseVenueSlotSuccess:
    slot: VenueSlot
    cancelled_bookings: int = strawberry.field(description="随之取消并已通知的预约数")


CloseVenueSlotResult = Annotated[
    CloseVenueSlotSuccess | InputError, strawberry.union("CloseVenueSlotResult")
]
