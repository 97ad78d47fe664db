"""GraphQL inputs for catalogue lists, and their translation into domain filters."""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from culture_cloud.catalog import filters as f
from culture_cloud.catalog.models import EventKind, VenueKind
from culture_cloud.geo import CoordSystem
from culture_cloud.global_ids import expect_global_id

# Enum fields use the plain enum classes: catalog.values registers these very classes with
# strawberry (strawberry.enum returns its argument), and unlike its aliases they are types to mypy.


@strawberry.input(description="以某点为圆心的圆形范围；微信 wx.getLocation 返回的是 GCJ02")
class NearInput:
    lat: float
    lng: float
    radius_km: float = 5.0
    system: CoordSystem = CoordSystem.WGS84

    def to_domain(self, field_prefix: str = "filter.near.") -> f.Near:
        return f.Near.from_input(
            lat=self.lat,
            lng=self.lng,
            radius_km=self.radius_km,
            system=self.system,
            field_prefix=field_prefix,
        )


def _region(region_id: strawberry.ID | None) -> int | None:
    return (
        None
        if region_id is None
        else expect_global_id(region_id, "Region", field="filter.regionId")
    )


@strawberry.enum
class EventOrderBy(Enum):
    START_TIME = "start_time"
    NAME = "name"
    RATING = "rating"
    DISTANCE = "distance"


@strawberry.enum
class PlaceOrderBy(Enum):
    NAME = "name"
    RATING = "rating"
    DISTANCE = "distance"


@strawberry.input
class EventFilter:
    region_id: strawberry.ID | None = None
    venue_id: strawberry.ID | None = None
    scenic_spot_id: strawberry.ID | None = None
    kinds: list[EventKind] | None = None
    date_from: date | None = strawberry.field(default=None, description="起始日期（含，北京时间）")
    date_to: date | None = strawberry.field(default=None, description="结束日期（含，北京时间）")
    free: bool | None = None
    bookable: bool | None = strawberry.field(default=None, description="需要预约的活动")
    has_seats_left: bool | None = strawberry.field(
        default=None,
        description=(
            "true：仍可参加且有余位的活动（已发布，不限名额或未满）；"
            "false：其余活动（已满、已取消或延期）"
        ),
    )
    tags: list[str] | None = strawberry.field(default=None, description="须同时带有全部标签")
    near: NearInput | None = None
    min_rating: float | None = strawberry.field(
        default=None, description="平均评分不低于（0–5，只计审核通过的评价）"
    )

    def to_domain(self) -> f.EventFilter:
        return f.EventFilter(
            region_id=_region(self.region_id),
            venue_id=None
            if self.venue_id is None
            else expect_global_id(self.venue_id, "Venue", field="filter.venueId"),
            scenic_spot_id=None
            if self.scenic_spot_id is None
            else expect_global_id(self.scenic_spot_id, "ScenicSpot", field="filter.scenicSpotId"),
            kinds=tuple(self.kinds or ()),
            date_from=self.date_from,
            date_to=self.date_to,
            free=self.free,
            bookable=self.bookable,
            has_seats_left=self.has_seats_left,
            tags=tuple(self.tags or ()),
            near=self.near.to_domain() if self.near else None,
            min_rating=self.min_rating,
        )


@strawberry.input
class VenueFilter:
    region_id: strawberry.ID | None = None
    kinds: list[VenueKind] | None = None
    free: bool | None = None
    tags: list[str] | None = None
    near: NearInput | None = None
    min_rating: float | None = strawberry.field(
        default=None, description="平均评分不低于（0–5，只计审核通过的评价）"
    )

    def to_domain(self) -> f.VenueFilter:
        return f.VenueFilter(
            region_id=_region(self.region_id),
            kinds=tuple(self.kinds or ()),
            free=self.free,
            tags=tuple(self.tags or ()),
            near=self.near.to_domain() if self.near else None,
            min_rating=self.min_rating,
        )


@strawberry.input
class ScenicSpotFilter:
    region_id: strawberry.ID | None = None
    a_levels: list[int] | None = strawberry.field(default=None, description="A 级，0 表示无评级")
    min_a_level: int | None = None
    tags: list[str] | None = None
    near: NearInput | None = None
    min_rating: float | None = strawberry.field(
        default=None, description="平均评分不低于（0–5，只计审核通过的评价）"
    )

    def to_domain(self) -> f.ScenicSpotFilter:
        return f.ScenicSpotFilter(
            region_id=_region(self.region_id),
            a_levels=tuple(self.a_levels or ()),
            min_a_level=self.min_a_level,
            tags=tuple(self.tags or ()),
            near=self.near.to_domain() if self.near else None,
            min_rating=self.min_rating,
        )


@strawberry.input
class TravelAgencyFilter:
    region_id: strawberry.ID | None = None
    tags: list[str] | None = None
    near: NearInput | None = None
    min_rating: float | None = strawberry.field(
        default=None, description="平均评分不低于（0–5，只计审核通过的评价）"
    )

    def to_domain(self) -> f.TravelAgencyFilter:
        return f.TravelAgencyFilter(
            region_id=_region(self.region_id),
            tags=tuple(self.tags or ()),
            near=self.near.to_domain() if self.near else None,
            min_rating=self.min_rating,
        )


@strawberry.input
class GuideFilter:
    agency_id: strawberry.ID | None = None
    language: str | None = strawberry.field(default=None, description="语言代码，如 zh、en")
    speciality: str | None = None
    tags: list[str] | None = None
    min_rating: float | None = strawberry.field(
        default=None, description="平均评分不低于（0–5，只计审核通过的评价）"
    )

    def to_domain(self) -> f.GuideFilter:
        return f.GuideFilter(
            agency_id=None
            if self.agency_id is None
            else expect_global_id(self.agency_id, "TravelAgency", field="filter.agencyId"),
            language=self.language,
            speciality=self.speciality,
            tags=tuple(self.tags or ()),
            min_rating=self.min_rating,
        )
