"""GraphQL inputs for booking mutations, and their translation into service requests."""

from __future__ import annotations

from datetime import date

import strawberry

from culture_cloud.bookings import requests


@strawberry.input(description="参与者；身份证号仅在 idNumberConsent 为 true 时接受，加密保存")
class AttendeeInput:
    name: str
    id_number: str | None = None


@strawberry.input(description="预约活动")
class BookEventInput:
    event_id: strawberry.ID
    seats: int = 1
    idempotency_key: str = strawberry.field(
        description="每次预约操作生成一个（如 UUID），网络重试时原样重发：不会重复预约"
    )
    attendees: list[AttendeeInput] | None = strawberry.field(
        default=None, description="参与者名单（人数须等于 seats）；实名预约的活动必填"
    )
    id_number_consent: bool = strawberry.field(
        default=False, description="同意为核验身份保存参与者身份证号（加密）"
    )

    def to_request(self) -> requests.BookingRequest:
        return _request(self.seats, self.idempotency_key, self.attendees, self.id_number_consent)


@strawberry.input(description="预约场馆入场时段")
class ReserveVenueSlotInput:
    slot_id: strawberry.ID
    seats: int = 1
    idempotency_key: str
    attendees: list[AttendeeInput] | None = None
    id_number_consent: bool = False

    def to_request(self) -> requests.BookingRequest:
        return _request(self.seats, self.idempotency_key, self.attendees, self.id_number_consent)


@strawberry.input(description="按场馆开放时间生成入场时段（闭馆日跳过，不晚于最晚入场时间）")
class GenerateVenueSlotsInput:
    venue_id: strawberry.ID
    date_from: date
    date_to: date
    slot_minutes: int = 60
    capacity: int
    real_name_required: bool = False


def _request(
    seats: int, key: str, attendees: list[AttendeeInput] | None, consent: bool
) -> requests.BookingRequest:
    return requests.BookingRequest(
        seats=seats,
        idempotency_key=key,
        attendees=tuple(
            requests.AttendeeInput(name=a.name, id_number=a.id_number) for a in attendees or []
        ),
        id_number_consent=consent,
    )
