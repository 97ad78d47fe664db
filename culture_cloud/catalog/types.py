"""GraphQL face of the catalogue: the object types (regions, organisations, the five kinds) and
their relations. Value types are in values.py; which columns build each type, in
projections.py. The `reviews` and `ratingSummary` fields (the `Reviewable` interface) are
reviews' code, added to these types by culture_cloud/schema.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog import projections as p
from culture_cloud.catalog.projection import Projected, projected
from culture_cloud.catalog.values import (
    CoordSystemEnum,
    EventKind,
    EventStatus,
    GeoPoint,
    OpeningHours,
    OrganizationKind,
    RegionKind,
    SeasonalHours,
    TicketPrice,
    VenueKind,
    geo_point,
    opening_hours_from_json,
)
from culture_cloud.errors import BadInput
from culture_cloud.geo import CoordSystem
from culture_cloud.graphql.context import Context, Info
from culture_cloud.graphql.nodes import Node

_UNSET: Any = object()
MAX_SERIES_DATES = 50


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


@projected(p.REGION)
@strawberry.type
class Region(Projected, Node):
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


@projected(p.ORGANIZATION)
@strawberry.type
class Organization(Projected, Node):
    _pk: strawberry.Private[int]
    name: str
    kind: OrganizationKind  # type: ignore[valid-type]
    description: str | None
    is_demo: bool


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
        return geo_point(self._row, system)

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return _related(  # type: ignore[no-any-return]
            self,
            "_organization_prefetched",
            self._organization_id,
            catalog_loaders.OrganizationByIdLoader,
            info,
        )


@projected(p.VENUE)
@strawberry.type
class Venue(Projected, Place, Node):
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


@projected(p.SCENIC_SPOT)
@strawberry.type
class ScenicSpot(Projected, Place, Node):
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


@projected(p.TRAVEL_AGENCY)
@strawberry.type
class TravelAgency(Projected, Place, Node):
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


@projected(p.GUIDE)
@strawberry.type
class Guide(Projected, Node):
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


@projected(p.EVENT)
@strawberry.type
class Event(Projected, Node):
    _pk: strawberry.Private[int]
    _row: strawberry.Private[Any]
    _venue_id: strawberry.Private[int | None]
    _scenic_spot_id: strawberry.Private[int | None]
    _region_id: strawberry.Private[int | None]
    _organization_id: strawberry.Private[int | None]
    _series_id: strawberry.Private[int | None]
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
    in_series: bool = strawberry.field(
        description="是否为每周重复系列中的一场（可用 wholeSeries 整个系列一起修改、发布）"
    )

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
        return geo_point(self._row, system)

    @strawberry.field(
        description=(
            "同一系列（如每周一场）中其他尚未结束的公开场次，按开始时间；"
            "不含本场与草稿；不属于系列时为空列表"
        )
    )
    async def series_dates(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="最多列出几场，0–50，默认 10")] = 10,
    ) -> list[Event]:
        if not 0 <= first <= MAX_SERIES_DATES:
            raise BadInput(f"first 须在 0 到 {MAX_SERIES_DATES} 之间", field="first")
        if self._series_id is None or first == 0:
            return []
        dates = await catalog_loaders.SeriesDatesBySeriesLoader(info.context).load(self._series_id)
        return [item for item in dates if item._pk != self._pk][:first]


CatalogItem = Annotated[
    Venue | Event | ScenicSpot | TravelAgency | Guide,
    strawberry.union("CatalogItem", description="目录中的任一对象"),
]
