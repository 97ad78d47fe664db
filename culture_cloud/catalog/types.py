"""GraphQL face of the catalogue: types, and the projections that build them from rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog import models
from culture_cloud.catalog.projection import Projection, Relation, Source, derived, keep_row, plain
from culture_cloud.geo import CoordSystem, LatLng, from_wgs84
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Context, Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.pagination import Connection
from culture_cloud.privacy import mask_phone
from culture_cloud.reviews import listing as review_listing
from culture_cloud.reviews.inputs import ReviewFilter
from culture_cloud.reviews.reading import ReviewOrder
from culture_cloud.reviews.types import RatingSummary, Review, ReviewOrderBy
from culture_cloud.timeutil import to_local

RegionKind = strawberry.enum(models.RegionKind, name="RegionKind")
VenueKind = strawberry.enum(models.VenueKind, name="VenueKind")
EventKind = strawberry.enum(models.EventKind, name="EventKind")
EventStatus = strawberry.enum(models.EventStatus, name="EventStatus")
OrganizationKind = strawberry.enum(models.OrganizationKind, name="OrganizationKind")
LocationPrecision = strawberry.enum(models.LocationPrecision, name="LocationPrecision")
CoordSystemEnum = strawberry.enum(CoordSystem, name="CoordSystem")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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


_UNSET: Any = object()


def _related(
    obj: Any, prefetched: str, key: int | None, loader: Callable[[Context], Any], info: Info
) -> Any:
    """The joined object when the list query fetched it, else the request's DataLoader.

    Sync on purpose: returning the loader's future (instead of awaiting it in an async
    resolver) saves a coroutine and a task per parent, and batching is unchanged.
    """
    value = getattr(obj, prefetched, _UNSET)
    if value is not _UNSET:
        return value
    if key is None:
        return None
    return loader(info.context).load(key)


class _FromRow:
    @classmethod
    def from_row(cls, row: Any) -> Any:
        return PROJECTIONS[cls].build_full(row)


@strawberry.type
class Region(_FromRow, Node):
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
        return await catalog_loaders.VenueCountByRegionLoader(info.context).load(self._pk)

    @strawberry.field(description="该区域内公开的活动数（不含草稿）")
    async def event_count(self, info: Info) -> int:
        return await catalog_loaders.EventCountByRegionLoader(info.context).load(self._pk)


@strawberry.type
class Organization(_FromRow, Node):
    _pk: strawberry.Private[int]
    name: str
    kind: OrganizationKind  # type: ignore[valid-type]
    description: str | None
    is_demo: bool


@strawberry.interface(description="可评价的对象：场馆、活动、景区、旅行社、导游")
class Reviewable:
    _pk: strawberry.Private[int]

    @strawberry.field(description="已公开（审核通过）的评价；可按评分筛选、排序")
    async def reviews(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        order_by: ReviewOrderBy = ReviewOrder.NEWEST,  # type: ignore[valid-type]
        filter: ReviewFilter | None = None,
    ) -> Connection[Review]:
        return await review_listing.target_reviews(
            info,
            type(self).__name__,
            self._pk,
            first=first,
            after=after,
            order=order_by,
            filter=filter,
        )

    @strawberry.field(description="评分汇总：总体与分项平均分、评价数、1–5 分分布")
    def rating_summary(self, info: Info) -> RatingSummary:
        return review_listing.rating_summary(info, type(self).__name__, self._pk)  # type: ignore[return-value]


@strawberry.interface(description="地图上的地点：场馆、景区、旅行社")
class Place:
    _row: strawberry.Private[Any]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_region_prefetched",
            self._region_id,
            catalog_loaders.RegionByIdLoader,
            info,
        )

    @strawberry.field(description="坐标；system 默认 WGS84，微信地图组件请用 GCJ02")
    def location(
        self,
        system: CoordSystemEnum = CoordSystem.WGS84,  # type: ignore[valid-type]
    ) -> GeoPoint | None:
        return _geo_point(self._row, system)

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_organization_prefetched",
            self._organization_id,
            catalog_loaders.OrganizationByIdLoader,
            info,
        )


@strawberry.type
class Venue(_FromRow, Place, Reviewable, Node):
    _pk: strawberry.Private[int]
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


@strawberry.type
class ScenicSpot(_FromRow, Place, Reviewable, Node):
    _pk: strawberry.Private[int]
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


@strawberry.type
class TravelAgency(_FromRow, Place, Reviewable, Node):
    _pk: strawberry.Private[int]
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


@strawberry.type
class Guide(_FromRow, Reviewable, Node):
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
    def agency(self, info: Info) -> TravelAgency | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_agency_prefetched",
            self._agency_id,
            catalog_loaders.TravelAgencyByIdLoader,
            info,
        )


@strawberry.type
class Event(_FromRow, Reviewable, Node):
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
    real_name_required: bool = strawberry.field(
        description="实名预约：预约时须填写每位参与者姓名（身份证号仅在本人同意后收集）"
    )
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
    def venue(self, info: Info) -> Venue | None:
        return _related(  # type: ignore[no-any-return]
            self, "_venue_prefetched", self._venue_id, catalog_loaders.VenueByIdLoader, info
        )

    @strawberry.field
    def scenic_spot(self, info: Info) -> ScenicSpot | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_scenic_spot_prefetched",
            self._scenic_spot_id,
            catalog_loaders.ScenicSpotByIdLoader,
            info,
        )

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_region_prefetched",
            self._region_id,
            catalog_loaders.RegionByIdLoader,
            info,
        )

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_organization_prefetched",
            self._organization_id,
            catalog_loaders.OrganizationByIdLoader,
            info,
        )

    @strawberry.field
    def location(
        self,
        system: CoordSystemEnum = CoordSystem.WGS84,  # type: ignore[valid-type]
    ) -> GeoPoint | None:
        return _geo_point(self._row, system)


# --- projections: which columns each field reads -------------------------------------------


def _id(type_name: str) -> Source:
    def assign(obj: Any, row: Any) -> None:
        obj._pk = row.id
        obj.id = strawberry.ID(to_global_id(type_name, row.id))

    return Source(("id",), assign)


def _local(column: str) -> Callable[[Any], datetime | None]:
    def convert(row: Any) -> datetime | None:
        value = getattr(row, column)
        return None if value is None else to_local(value)

    return convert


def _remaining(row: Any) -> int | None:
    return None if row.capacity is None else max(0, row.capacity - row.booked_seats)


def _price(row: Any) -> float | None:
    return None if row.price_fen is None else row.price_fen / 100


def _is_free(row: Any) -> bool | None:
    return None if row.price_fen is None else row.price_fen == 0


_LOCATION = ("lat", "lng", "location_precision", "location_note")


def _place_relations(*, organization: bool = True) -> dict[str, Relation]:
    relations = {"region": Relation("region_id", REGION, "_region_id", "_region_prefetched")}
    if organization:
        relations["organization"] = Relation(
            "organization_id", ORGANIZATION, "_organization_id", "_organization_prefetched"
        )
    return relations


def _plain_all(*names: str) -> dict[str, Source]:
    return {name: plain(name) for name in names}


REGION = Projection(
    Region,
    models.Region.__table__,  # type: ignore[attr-defined]
    _id("Region"),
    {
        **_plain_all(
            "key",
            "name",
            "pinyin",
            "kind",
            "code",
            "population",
            "population_year",
            "area_km2",
            "description",
        ),
        "venue_count": Source((), lambda obj, row: None),
        "event_count": Source((), lambda obj, row: None),
    },
)

ORGANIZATION = Projection(
    Organization,
    models.Organization.__table__,  # type: ignore[attr-defined]
    _id("Organization"),
    _plain_all("name", "kind", "description", "is_demo"),
)

# Resolved by DataLoaders / their own queries from the object's id, which `_id` always sets.
_REVIEWABLE = {
    "reviews": Source((), lambda obj, row: None),
    "rating_summary": Source((), lambda obj, row: None),
}
_RATING = {
    "rating": plain("rating", "rating_avg"),
    "rating_count": plain("rating_count"),
    **_REVIEWABLE,
}

VENUE = Projection(
    Venue,
    models.Venue.__table__,  # type: ignore[attr-defined]
    _id("Venue"),
    {
        **_plain_all(
            "key",
            "name",
            "name_en",
            "kind",
            "address",
            "phone",
            "facilities",
            "accessibility",
            "description",
            "images",
            "tags",
            "admission",
            "admission_note",
            "sources",
            "is_demo",
        ),
        **_RATING,
        "location": keep_row(*_LOCATION),
        "opening_hours": keep_row("opening_hours"),
    },
    _place_relations(),
)

SCENIC_SPOT = Projection(
    ScenicSpot,
    models.ScenicSpot.__table__,  # type: ignore[attr-defined]
    _id("ScenicSpot"),
    {
        **_plain_all(
            "key",
            "name",
            "name_en",
            "a_level",
            "a_level_year",
            "address",
            "phone",
            "description",
            "images",
            "tags",
            "sources",
            "is_demo",
        ),
        **_RATING,
        "location": keep_row(*_LOCATION),
        "seasonal_hours": keep_row("seasonal_hours"),
        "ticket_prices": keep_row("ticket_prices"),
    },
    _place_relations(),
)

TRAVEL_AGENCY = Projection(
    TravelAgency,
    models.TravelAgency.__table__,  # type: ignore[attr-defined]
    _id("TravelAgency"),
    {
        **_plain_all(
            "key", "name", "licence_no", "address", "phone", "description", "tags", "is_demo"
        ),
        **_RATING,
        "location": keep_row(*_LOCATION),
    },
    _place_relations(),
)

GUIDE = Projection(
    Guide,
    models.Guide.__table__,  # type: ignore[attr-defined]
    _id("Guide"),
    {
        **_plain_all("key", "name", "card_no", "languages", "specialities", "tags", "is_demo"),
        **_RATING,
        "phone": derived("phone", ("phone",), lambda row: mask_phone(row.phone)),
    },
    {"agency": Relation("agency_id", TRAVEL_AGENCY, "_agency_id", "_agency_prefetched")},
)

EVENT = Projection(
    Event,
    models.Event.__table__,  # type: ignore[attr-defined]
    _id("Event"),
    {
        **_plain_all(
            "key",
            "title",
            "kind",
            "status",
            "all_day",
            "age_min",
            "age_max",
            "capacity",
            "booking_required",
            "allow_waitlist",
            "real_name_required",
            "description",
            "images",
            "tags",
            "sources",
            "is_demo",
            "rating_count",
        ),
        **_REVIEWABLE,
        "rating": plain("rating", "rating_avg"),
        "start_at": derived("start_at", ("start_at",), _local("start_at")),
        "end_at": derived("end_at", ("end_at",), _local("end_at")),
        "booking_opens_at": derived(
            "booking_opens_at", ("booking_opens_at",), _local("booking_opens_at")
        ),
        "booking_closes_at": derived(
            "booking_closes_at", ("booking_closes_at",), _local("booking_closes_at")
        ),
        "price_yuan": derived("price_yuan", ("price_fen",), _price),
        "is_free": derived("is_free", ("price_fen",), _is_free),
        "remaining_seats": derived("remaining_seats", ("capacity", "booked_seats"), _remaining),
        "location": keep_row(*_LOCATION),
    },
    {
        "venue": Relation("venue_id", VENUE, "_venue_id", "_venue_prefetched"),
        "scenic_spot": Relation(
            "scenic_spot_id", SCENIC_SPOT, "_scenic_spot_id", "_scenic_spot_prefetched"
        ),
        "region": Relation("region_id", REGION, "_region_id", "_region_prefetched"),
        "organization": Relation(
            "organization_id", ORGANIZATION, "_organization_id", "_organization_prefetched"
        ),
    },
)

PROJECTIONS: dict[type, Projection] = {
    p.type_: p for p in (REGION, ORGANIZATION, VENUE, SCENIC_SPOT, TRAVEL_AGENCY, GUIDE, EVENT)
}


CatalogItem = Annotated[
    Venue | Event | ScenicSpot | TravelAgency | Guide,
    strawberry.union("CatalogItem", description="目录中的任一对象"),
]
