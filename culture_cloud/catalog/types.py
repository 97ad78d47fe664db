"""GraphQL face of the catalogue. Types are built from rows once; nested objects go through loaders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import models
from culture_cloud.geo import CoordSystem, LatLng, from_wgs84
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.ids import to_global_id
from culture_cloud.privacy import mask_phone
from culture_cloud.timeutil import to_local

RegionKind = strawberry.enum(models.RegionKind, name="RegionKind")
VenueKind = strawberry.enum(models.VenueKind, name="VenueKind")
EventKind = strawberry.enum(models.EventKind, name="EventKind")
EventStatus = strawberry.enum(models.EventStatus, name="EventStatus")
OrganizationKind = strawberry.enum(models.OrganizationKind, name="OrganizationKind")
LocationPrecision = strawberry.enum(models.LocationPrecision, name="LocationPrecision")
CoordSystemEnum = strawberry.enum(CoordSystem, name="CoordSystem")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@strawberry.interface(description="Relay 节点：可通过 node(id) 重新获取的对象")
class Node:
    id: strawberry.ID


@strawberry.type(description="坐标；库内统一存 WGS84，按 system 参数换算输出")
class GeoPoint:
    lat: float
    lng: float
    system: CoordSystemEnum  # type: ignore[valid-type]
    precision: LocationPrecision | None  # type: ignore[valid-type]
    note: str | None


def _geo_point(row: Any, system: CoordSystem) -> GeoPoint | None:
    if row.lat is None or row.lng is None:
        return None
    point = from_wgs84(LatLng(row.lat, row.lng), system)
    return GeoPoint(
        lat=round(point.lat, 7),
        lng=round(point.lng, 7),
        system=system,
        precision=row.location_precision,
        note=row.location_note,
    )


@strawberry.type
class TimeRange:
    open: str
    close: str


@strawberry.type
class DayHours:
    weekday: int = strawberry.field(description="1 = 周一 … 7 = 周日")
    closed: bool
    periods: list[TimeRange]


@strawberry.type
class OpeningHours:
    weekly: list[DayHours]
    last_entry: str | None
    closed_note: str | None
    as_of: int | None = strawberry.field(description="信息来源年份；开放时间随时间变化，以现场为准")


def opening_hours_from_json(data: dict[str, Any] | None) -> OpeningHours | None:
    if not data:
        return None
    weekly = data.get("weekly") or {}
    return OpeningHours(
        weekly=[
            DayHours(
                weekday=i + 1,
                closed=not weekly.get(day),
                periods=[TimeRange(open=o, close=c) for o, c in weekly.get(day) or []],
            )
            for i, day in enumerate(WEEKDAYS)
        ],
        last_entry=data.get("last_entry"),
        closed_note=data.get("closed_note"),
        as_of=data.get("as_of"),
    )


@strawberry.type
class SeasonalHours:
    label: str
    from_date: str = strawberry.field(description="MM-DD")
    to_date: str = strawberry.field(description="MM-DD")
    open: str
    close: str
    last_entry: str | None
    as_of: int | None


@strawberry.type
class TicketPrice:
    label: str
    yuan: float | None
    note: str | None


@strawberry.type
class Region(Node):
    _pk: strawberry.Private[int]
    key: str
    name: str
    pinyin: str | None
    kind: RegionKind  # type: ignore[valid-type]
    code: str | None = strawberry.field(description="行政区划代码；未核实者为空")
    population: int | None
    population_year: int | None
    area_km2: float | None
    description: str | None

    @strawberry.field(description="该区域内的场馆数")
    async def venue_count(self, info: Info) -> int:
        return await info.context.loaders.venue_count_by_region.load(self._pk)

    @strawberry.field(description="该区域内公开的活动数（不含草稿）")
    async def event_count(self, info: Info) -> int:
        return await info.context.loaders.event_count_by_region.load(self._pk)

    @classmethod
    def from_row(cls, row: models.Region) -> Region:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("Region", row.id)),
            _pk=row.id,
            key=row.key,
            name=row.name,
            pinyin=row.pinyin,
            kind=row.kind,
            code=row.code,
            population=row.population,
            population_year=row.population_year,
            area_km2=row.area_km2,
            description=row.description,
        )


@strawberry.type
class Organization(Node):
    _pk: strawberry.Private[int]
    name: str
    kind: OrganizationKind  # type: ignore[valid-type]
    description: str | None
    is_demo: bool

    @classmethod
    def from_row(cls, row: models.Organization) -> Organization:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("Organization", row.id)),
            _pk=row.id,
            name=row.name,
            kind=row.kind,
            description=row.description,
            is_demo=row.is_demo,
        )


@strawberry.interface(description="地图上的地点：场馆、景区、旅行社")
class Place:
    _row: strawberry.Private[Any]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        if self._region_id is None:
            return None
        return await info.context.loaders.region.load(self._region_id)

    @strawberry.field(description="坐标；system 默认 WGS84，微信地图组件请用 GCJ02")
    def location(
        self,
        system: CoordSystemEnum = CoordSystem.WGS84,  # type: ignore[valid-type]
    ) -> GeoPoint | None:
        return _geo_point(self._row, system)

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return await info.context.loaders.organization.load(self._organization_id)


@strawberry.type
class Venue(Place, Node):
    _pk: strawberry.Private[int]
    _row: strawberry.Private[Any]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    key: str | None
    name: str
    name_en: str | None
    kind: VenueKind  # type: ignore[valid-type]
    address: str | None
    phone: str | None
    facilities: list[str]
    accessibility: list[str]
    description: str | None
    images: list[str]
    tags: list[str]
    admission: str | None = strawberry.field(description="free = 免费；ticket = 收费；空 = 未知")
    admission_note: str | None
    sources: list[str] = strawberry.field(description="资料来源编号（见 seeds/jiexiu/README.md）")
    is_demo: bool = strawberry.field(description="演示数据（虚构），非真实信息")
    rating: float
    rating_count: int

    @strawberry.field
    def opening_hours(self) -> OpeningHours | None:
        return opening_hours_from_json(self._row.opening_hours)

    @classmethod
    def from_row(cls, row: models.Venue) -> Venue:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("Venue", row.id)),
            _pk=row.id,
            _row=row,
            _region_id=row.region_id,
            _organization_id=row.organization_id,
            key=row.key,
            name=row.name,
            name_en=row.name_en,
            kind=row.kind,
            address=row.address,
            phone=row.phone,
            facilities=row.facilities,
            accessibility=row.accessibility,
            description=row.description,
            images=row.images,
            tags=row.tags,
            admission=row.admission,
            admission_note=row.admission_note,
            sources=row.sources,
            is_demo=row.is_demo,
            rating=row.rating_avg,
            rating_count=row.rating_count,
        )


@strawberry.type
class ScenicSpot(Place, Node):
    _pk: strawberry.Private[int]
    _row: strawberry.Private[Any]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    key: str | None
    name: str
    name_en: str | None
    a_level: int = strawberry.field(description="A 级（1–5）；0 表示无评级或未查到")
    a_level_year: int | None
    address: str | None
    phone: str | None
    description: str | None
    images: list[str]
    tags: list[str]
    sources: list[str]
    is_demo: bool
    rating: float
    rating_count: int

    @strawberry.field
    def seasonal_hours(self) -> list[SeasonalHours]:
        return [
            SeasonalHours(
                label=h.get("label") or "",
                from_date=h.get("from") or "01-01",
                to_date=h.get("to") or "12-31",
                open=h.get("open") or "",
                close=h.get("close") or "",
                last_entry=h.get("last_entry"),
                as_of=h.get("as_of"),
            )
            for h in self._row.seasonal_hours
        ]

    @strawberry.field
    def ticket_prices(self) -> list[TicketPrice]:
        return [
            TicketPrice(label=p.get("label") or "", yuan=p.get("yuan"), note=p.get("note"))
            for p in self._row.ticket_prices
        ]

    @classmethod
    def from_row(cls, row: models.ScenicSpot) -> ScenicSpot:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("ScenicSpot", row.id)),
            _pk=row.id,
            _row=row,
            _region_id=row.region_id,
            _organization_id=row.organization_id,
            key=row.key,
            name=row.name,
            name_en=row.name_en,
            a_level=row.a_level,
            a_level_year=row.a_level_year,
            address=row.address,
            phone=row.phone,
            description=row.description,
            images=row.images,
            tags=row.tags,
            sources=row.sources,
            is_demo=row.is_demo,
            rating=row.rating_avg,
            rating_count=row.rating_count,
        )


@strawberry.type
class TravelAgency(Place, Node):
    _pk: strawberry.Private[int]
    _row: strawberry.Private[Any]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    key: str | None
    name: str
    licence_no: str
    address: str | None
    phone: str | None
    description: str | None
    tags: list[str]
    is_demo: bool
    rating: float
    rating_count: int

    @classmethod
    def from_row(cls, row: models.TravelAgency) -> TravelAgency:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("TravelAgency", row.id)),
            _pk=row.id,
            _row=row,
            _region_id=row.region_id,
            _organization_id=row.organization_id,
            key=row.key,
            name=row.name,
            licence_no=row.licence_no,
            address=row.address,
            phone=row.phone,
            description=row.description,
            tags=row.tags,
            is_demo=row.is_demo,
            rating=row.rating_avg,
            rating_count=row.rating_count,
        )


@strawberry.type
class Guide(Node):
    _pk: strawberry.Private[int]
    _agency_id: strawberry.Private[int | None]
    key: str | None
    name: str
    card_no: str = strawberry.field(description="导游证号")
    languages: list[str]
    specialities: list[str]
    phone: str | None = strawberry.field(description="手机号（对公众脱敏显示）")
    tags: list[str]
    is_demo: bool
    rating: float
    rating_count: int

    @strawberry.field
    async def agency(self, info: Info) -> TravelAgency | None:
        if self._agency_id is None:
            return None
        return await info.context.loaders.travel_agency.load(self._agency_id)

    @classmethod
    def from_row(cls, row: models.Guide) -> Guide:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("Guide", row.id)),
            _pk=row.id,
            _agency_id=row.agency_id,
            key=row.key,
            name=row.name,
            card_no=row.card_no,
            languages=row.languages,
            specialities=row.specialities,
            phone=mask_phone(row.phone),
            tags=row.tags,
            is_demo=row.is_demo,
            rating=row.rating_avg,
            rating_count=row.rating_count,
        )


@strawberry.type
class Event(Node):
    _pk: strawberry.Private[int]
    _row: strawberry.Private[Any]
    _venue_id: strawberry.Private[int | None]
    _scenic_spot_id: strawberry.Private[int | None]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    key: str | None
    title: str
    kind: EventKind  # type: ignore[valid-type]
    status: EventStatus  # type: ignore[valid-type]
    start_at: datetime = strawberry.field(description="开始时间（Asia/Shanghai，+08:00）")
    end_at: datetime = strawberry.field(description="结束时间（Asia/Shanghai，+08:00）")
    all_day: bool
    age_min: int | None
    age_max: int | None
    price_yuan: float | None = strawberry.field(description="票价（元）；0 为免费；空为未说明")
    is_free: bool | None
    capacity: int | None = strawberry.field(description="名额；空表示不限")
    booking_required: bool
    allow_waitlist: bool
    booking_opens_at: datetime | None
    booking_closes_at: datetime | None
    description: str | None
    images: list[str]
    tags: list[str]
    sources: list[str]
    is_demo: bool
    rating: float
    rating_count: int
    remaining_seats: int | None = strawberry.field(description="剩余名额；不限名额时为空")

    @strawberry.field
    async def venue(self, info: Info) -> Venue | None:
        if self._venue_id is None:
            return None
        return await info.context.loaders.venue.load(self._venue_id)

    @strawberry.field
    async def scenic_spot(self, info: Info) -> ScenicSpot | None:
        if self._scenic_spot_id is None:
            return None
        return await info.context.loaders.scenic_spot.load(self._scenic_spot_id)

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        if self._region_id is None:
            return None
        return await info.context.loaders.region.load(self._region_id)

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return await info.context.loaders.organization.load(self._organization_id)

    @strawberry.field
    def location(
        self,
        system: CoordSystemEnum = CoordSystem.WGS84,  # type: ignore[valid-type]
    ) -> GeoPoint | None:
        return _geo_point(self._row, system)

    @classmethod
    def from_row(cls, row: models.Event) -> Event:
        assert row.id is not None
        price = None if row.price_fen is None else row.price_fen / 100
        return cls(
            id=strawberry.ID(to_global_id("Event", row.id)),
            _pk=row.id,
            _row=row,
            _venue_id=row.venue_id,
            _scenic_spot_id=row.scenic_spot_id,
            _region_id=row.region_id,
            _organization_id=row.organization_id,
            key=row.key,
            title=row.title,
            kind=row.kind,
            status=row.status,
            start_at=to_local(row.start_at),
            end_at=to_local(row.end_at),
            all_day=row.all_day,
            age_min=row.age_min,
            age_max=row.age_max,
            price_yuan=price,
            is_free=None if price is None else price == 0,
            capacity=row.capacity,
            booking_required=row.booking_required,
            allow_waitlist=row.allow_waitlist,
            booking_opens_at=row.booking_opens_at and to_local(row.booking_opens_at),
            booking_closes_at=row.booking_closes_at and to_local(row.booking_closes_at),
            description=row.description,
            images=row.images,
            tags=row.tags,
            sources=row.sources,
            is_demo=row.is_demo,
            rating=row.rating_avg,
            rating_count=row.rating_count,
            remaining_seats=None
            if row.capacity is None
            else max(0, row.capacity - row.booked_seats),
        )


CatalogItem = Annotated[
    Venue | Event | ScenicSpot | TravelAgency | Guide,
    strawberry.union("CatalogItem", description="目录中的任一对象"),
]

TYPE_BY_NAME: dict[str, Any] = {
    "Venue": Venue,
    "Event": Event,
    "ScenicSpot": ScenicSpot,
    "TravelAgency": TravelAgency,
    "Guide": Guide,
    "Region": Region,
    "Organization": Organization,
}
