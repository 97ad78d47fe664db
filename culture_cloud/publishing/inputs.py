"""GraphQL inputs of the staff console, and their translation into service data.

Updates are partial: a field left out stays as it is. `null` clears a field that may be empty
(description, capacity, price, …); on a field that cannot be empty (title, times, …) it is a
BAD_USER_INPUT, because guessing what a null meant there would hide client bugs. Times without
an offset are read as Beijing time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import strawberry

from culture_cloud.catalog.models import EventKind, LocationPrecision
from culture_cloud.errors import BadInput
from culture_cloud.geo import CoordSystem
from culture_cloud.global_ids import expect_global_id
from culture_cloud.publishing import event_creation, event_updates, places
from culture_cloud.publishing import place_validation as pv
from culture_cloud.publishing import validation as v
from culture_cloud.publishing.validation import UNSET, Patch

# Enum fields use the plain enum classes, as catalog/inputs.py does: catalog.values registers
# these very classes with strawberry.

T = TypeVar("T")


def _optional(value: T) -> Patch[T]:
    return UNSET if value is strawberry.UNSET else value


def _required(value: T | None, field: str) -> Patch[T]:
    if value is strawberry.UNSET:
        return UNSET
    if value is None:
        raise BadInput("此字段不能为空；不修改请不要提供", field=field)
    return value


def _id(value: strawberry.ID | None, type_name: str, field: str) -> Patch[int | None]:
    if value is strawberry.UNSET:
        return UNSET
    return None if value is None else expect_global_id(value, type_name, field=field)


def _strings(value: list[str] | None) -> Patch[tuple[str, ...]]:
    """Lists: null clears, like an empty list."""
    if value is strawberry.UNSET:
        return UNSET
    return tuple(value or ())


def _nested(value: Any, convert: Any) -> Any:
    if value is strawberry.UNSET:
        return UNSET
    return None if value is None else convert(value)


def _items(value: list[Any] | None) -> Patch[tuple[Any, ...]]:
    """Lists of input objects, each with `to_domain()`; null clears."""
    if value is strawberry.UNSET:
        return UNSET
    return tuple(item.to_domain() for item in value or ())


# --- events ------------------------------------------------------------------------------------


@strawberry.input(description="每周重复：首场起，在所选星期几重复，直到 until（含），最多 52 场")
class RecurrenceInput:
    weekdays: list[int] = strawberry.field(description="1 = 周一 … 7 = 周日")
    until: date = strawberry.field(description="最后一场的日期（含，北京时间）")

    def to_domain(self) -> v.Recurrence:
        return v.Recurrence(weekdays=tuple(self.weekdays), until=self.until)


@strawberry.input(
    description="新建活动：保存为草稿，仅本单位可见，publishEvent 后公开。"
    "场馆（venueId）与景区（scenicSpotId）二选一，须属于本单位"
)
class CreateEventInput:
    title: str
    kind: EventKind
    start_at: datetime = strawberry.field(description="开始时间；不带时区时按北京时间")
    end_at: datetime = strawberry.field(description="结束时间，须晚于开始时间")
    venue_id: strawberry.ID | None = None
    scenic_spot_id: strawberry.ID | None = None
    all_day: bool = False
    description: str | None = None
    capacity: int | None = strawberry.field(default=None, description="名额；空为不限")
    price_yuan: float | None = strawberry.field(
        default=None, description="票价（元，最多两位小数）；0 为免费；空为未说明"
    )
    age_min: int | None = None
    age_max: int | None = None
    booking_required: bool = False
    allow_waitlist: bool = False
    real_name_required: bool = strawberry.field(
        default=False, description="实名预约：预约时须填写每位参与者姓名"
    )
    booking_opens_at: datetime | None = strawberry.field(
        default=None, description="开放预约时间，须早于截止时间和开始时间"
    )
    booking_closes_at: datetime | None = strawberry.field(
        default=None, description="预约截止时间，不晚于开始时间"
    )
    images: list[str] | None = strawberry.field(
        default=None, description="图片链接（http/https），最多 9 张"
    )
    tags: list[str] | None = strawberry.field(default=None, description="标签，最多 10 个")
    recurrence: RecurrenceInput | None = strawberry.field(
        default=None, description="每周重复；每一场都是独立的活动（可分别修改、取消）"
    )

    def to_domain(self) -> event_creation.NewEvent:
        return event_creation.NewEvent(
            title=self.title,
            kind=self.kind,
            start_at=self.start_at,
            end_at=self.end_at,
            venue_id=None
            if self.venue_id is None
            else expect_global_id(self.venue_id, "Venue", field="venueId"),
            scenic_spot_id=None
            if self.scenic_spot_id is None
            else expect_global_id(self.scenic_spot_id, "ScenicSpot", field="scenicSpotId"),
            all_day=self.all_day,
            description=self.description,
            capacity=self.capacity,
            price_yuan=self.price_yuan,
            age_min=self.age_min,
            age_max=self.age_max,
            booking_required=self.booking_required,
            allow_waitlist=self.allow_waitlist,
            real_name_required=self.real_name_required,
            booking_opens_at=self.booking_opens_at,
            booking_closes_at=self.booking_closes_at,
            images=tuple(self.images or ()),
            tags=tuple(self.tags or ()),
            recurrence=None if self.recurrence is None else self.recurrence.to_domain(),
        )


@strawberry.input(
    description="修改活动：未提供的字段不变，可为空的字段传 null 即清空。"
    "已有预约的活动不能在此修改时间（请用 postponeEvent），名额不能少于已预约人数"
)
class UpdateEventInput:
    title: str | None = strawberry.UNSET
    kind: EventKind | None = strawberry.UNSET
    start_at: datetime | None = strawberry.UNSET
    end_at: datetime | None = strawberry.UNSET
    venue_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="改到本单位的另一场馆（同时清除景区）"
    )
    scenic_spot_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="改到本单位的景区（同时清除场馆）"
    )
    all_day: bool | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    price_yuan: float | None = strawberry.UNSET
    age_min: int | None = strawberry.UNSET
    age_max: int | None = strawberry.UNSET
    booking_required: bool | None = strawberry.UNSET
    allow_waitlist: bool | None = strawberry.UNSET
    real_name_required: bool | None = strawberry.UNSET
    booking_opens_at: datetime | None = strawberry.UNSET
    booking_closes_at: datetime | None = strawberry.UNSET
    images: list[str] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET

    def to_domain(self) -> event_updates.EventChanges:
        return event_updates.EventChanges(
            title=_required(self.title, "title"),
            kind=_required(self.kind, "kind"),
            start_at=_required(self.start_at, "startAt"),
            end_at=_required(self.end_at, "endAt"),
            venue_id=_id(self.venue_id, "Venue", "venueId"),
            scenic_spot_id=_id(self.scenic_spot_id, "ScenicSpot", "scenicSpotId"),
            all_day=_required(self.all_day, "allDay"),
            description=_optional(self.description),
            capacity=_optional(self.capacity),
            price_yuan=_optional(self.price_yuan),
            age_min=_optional(self.age_min),
            age_max=_optional(self.age_max),
            booking_required=_required(self.booking_required, "bookingRequired"),
            allow_waitlist=_required(self.allow_waitlist, "allowWaitlist"),
            real_name_required=_required(self.real_name_required, "realNameRequired"),
            booking_opens_at=_optional(self.booking_opens_at),
            booking_closes_at=_optional(self.booking_closes_at),
            images=_strings(self.images),
            tags=_strings(self.tags),
        )


# --- venue and scenic-spot profiles ------------------------------------------------------------


@strawberry.input(description="坐标；system 为输入所用坐标系，库内统一换算为 WGS84 存储")
class LocationInput:
    lat: float
    lng: float
    system: CoordSystem = CoordSystem.WGS84
    precision: LocationPrecision = LocationPrecision.EXACT
    note: str | None = None

    def to_domain(self) -> pv.Location:
        return pv.Location(
            lat=self.lat,
            lng=self.lng,
            system=self.system,
            precision=self.precision,
            note=self.note,
        )


@strawberry.input
class TimeRangeInput:
    open: str = strawberry.field(description="HH:MM")
    close: str = strawberry.field(description="HH:MM，晚于 open")


@strawberry.input
class DayHoursInput:
    weekday: int = strawberry.field(description="1 = 周一 … 7 = 周日")
    periods: list[TimeRangeInput] = strawberry.field(description="开放时段；空列表为闭馆")


@strawberry.input(description="每周开放时间；未列出的星期几视为闭馆")
class OpeningHoursInput:
    weekly: list[DayHoursInput]
    last_entry: str | None = strawberry.field(default=None, description="最晚入场 HH:MM")
    closed_note: str | None = None
    as_of: int | None = strawberry.field(default=None, description="信息来源年份")

    def to_domain(self) -> pv.OpeningHours:
        return pv.OpeningHours(
            weekly=tuple(
                pv.DayHours(
                    weekday=day.weekday,
                    periods=tuple((p.open, p.close) for p in day.periods),
                )
                for day in self.weekly
            ),
            last_entry=self.last_entry,
            closed_note=self.closed_note,
            as_of=self.as_of,
        )


@strawberry.input(
    description="修改场馆资料（本单位负责人或管理员）：未提供的字段不变，传 null 清空"
)
class UpdateVenueInput:
    description: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    opening_hours: OpeningHoursInput | None = strawberry.UNSET
    facilities: list[str] | None = strawberry.UNSET
    accessibility: list[str] | None = strawberry.UNSET
    images: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="图片链接（http/https），最多 9 张"
    )
    tags: list[str] | None = strawberry.UNSET
    admission: str | None = strawberry.field(
        default=strawberry.UNSET, description="free = 免费；ticket = 收费"
    )
    admission_note: str | None = strawberry.UNSET
    location: LocationInput | None = strawberry.field(
        default=strawberry.UNSET, description="新位置；该场馆全部活动的坐标随之更新"
    )
    region_id: strawberry.ID | None = strawberry.UNSET

    def to_domain(self) -> places.VenueChanges:
        return places.VenueChanges(
            description=_optional(self.description),
            address=_optional(self.address),
            phone=_optional(self.phone),
            opening_hours=_nested(self.opening_hours, OpeningHoursInput.to_domain),
            facilities=_strings(self.facilities),
            accessibility=_strings(self.accessibility),
            images=_strings(self.images),
            tags=_strings(self.tags),
            admission=_optional(self.admission),
            admission_note=_optional(self.admission_note),
            location=_nested(self.location, LocationInput.to_domain),
            region_id=_id(self.region_id, "Region", "regionId"),
        )


@strawberry.input
class SeasonalHoursInput:
    label: str = strawberry.field(description="如 旺季、淡季")
    from_date: str = strawberry.field(description="MM-DD")
    to_date: str = strawberry.field(description="MM-DD；可跨年（如 11-01 至 03-31）")
    open: str
    close: str
    last_entry: str | None = None
    as_of: int | None = None

    def to_domain(self) -> pv.SeasonalHours:
        return pv.SeasonalHours(
            label=self.label,
            from_date=self.from_date,
            to_date=self.to_date,
            open=self.open,
            close=self.close,
            last_entry=self.last_entry,
            as_of=self.as_of,
        )


@strawberry.input
class TicketPriceInput:
    label: str
    yuan: float | None = None
    note: str | None = None

    def to_domain(self) -> pv.TicketPrice:
        return pv.TicketPrice(label=self.label, yuan=self.yuan, note=self.note)


@strawberry.input(
    description="修改景区资料（本单位负责人或管理员）：未提供的字段不变，传 null 清空"
)
class UpdateScenicSpotInput:
    description: str | None = strawberry.UNSET
    address: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    seasonal_hours: list[SeasonalHoursInput] | None = strawberry.UNSET
    ticket_prices: list[TicketPriceInput] | None = strawberry.UNSET
    images: list[str] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    location: LocationInput | None = strawberry.field(
        default=strawberry.UNSET, description="新位置；该景区全部活动的坐标随之更新"
    )
    region_id: strawberry.ID | None = strawberry.UNSET

    def to_domain(self) -> places.ScenicSpotChanges:
        return places.ScenicSpotChanges(
            description=_optional(self.description),
            address=_optional(self.address),
            phone=_optional(self.phone),
            seasonal_hours=_items(self.seasonal_hours),
            ticket_prices=_items(self.ticket_prices),
            images=_strings(self.images),
            tags=_strings(self.tags),
            location=_nested(self.location, LocationInput.to_domain),
            region_id=_id(self.region_id, "Region", "regionId"),
        )
