"""What a caller may ask of a catalogue list, independent of GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from culture_cloud.catalog.models import EventKind, VenueKind
from culture_cloud.errors import BadInput
from culture_cloud.geo import CoordSystem, LatLng, coordinate_problem, to_wgs84

MAX_RADIUS_KM = 200.0
MAX_TAGS = 10


@dataclass(frozen=True, slots=True)
class Near:
    """A circle in WGS84; built from whatever datum the client sent."""

    center: LatLng
    radius_km: float

    @classmethod
    def from_input(
        cls, *, lat: float, lng: float, radius_km: float, system: CoordSystem, field_prefix: str
    ) -> Near:
        """`field_prefix` names where the three values were sent: "" for arguments of the field
        itself (`nearby(radiusKm: 0)` says `radiusKm`), "filter.near." for an input."""
        problem = coordinate_problem(lat, lng)
        if problem is not None:
            which, message = problem
            raise BadInput(message, field=field_prefix + which)
        if not (0 < radius_km <= MAX_RADIUS_KM):
            raise BadInput(
                f"半径必须大于 0 且不超过 {MAX_RADIUS_KM:g} 公里", field=field_prefix + "radiusKm"
            )
        return cls(center=to_wgs84(LatLng(lat, lng), system), radius_km=radius_km)


class EventOrder(StrEnum):
    START_TIME = "start_time"
    NAME = "name"
    RATING = "rating"
    DISTANCE = "distance"


class PlaceOrder(StrEnum):
    NAME = "name"
    RATING = "rating"
    DISTANCE = "distance"


@dataclass(frozen=True, slots=True)
class EventFilter:
    region_id: int | None = None
    venue_id: int | None = None
    scenic_spot_id: int | None = None
    kinds: tuple[EventKind, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    free: bool | None = None
    bookable: bool | None = None
    # True: can still be attended with a seat (published, unlimited or not full); False: the rest
    # of the list (full, cancelled or postponed).
    has_seats_left: bool | None = None
    tags: tuple[str, ...] = ()
    near: Near | None = None
    min_rating: float | None = None


@dataclass(frozen=True, slots=True)
class VenueFilter:
    region_id: int | None = None
    kinds: tuple[VenueKind, ...] = ()
    free: bool | None = None
    tags: tuple[str, ...] = ()
    near: Near | None = None
    min_rating: float | None = None


@dataclass(frozen=True, slots=True)
class ScenicSpotFilter:
    region_id: int | None = None
    a_levels: tuple[int, ...] = ()
    min_a_level: int | None = None
    tags: tuple[str, ...] = ()
    near: Near | None = None
    min_rating: float | None = None


@dataclass(frozen=True, slots=True)
class TravelAgencyFilter:
    region_id: int | None = None
    tags: tuple[str, ...] = ()
    near: Near | None = None
    min_rating: float | None = None


@dataclass(frozen=True, slots=True)
class GuideFilter:
    agency_id: int | None = None
    language: str | None = None
    speciality: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    min_rating: float | None = None


def check_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    if len(tags) > MAX_TAGS:
        raise BadInput(f"最多可按 {MAX_TAGS} 个标签筛选", field="filter.tags")
    cleaned = tuple(t.strip() for t in tags)
    if any(not t or len(t) > 32 for t in cleaned):
        raise BadInput("标签不能为空且不超过 32 个字符", field="filter.tags")
    return cleaned


def check_min_rating(value: float) -> float:
    """A floor for the approved-review average (`rating_avg`; 0 for objects without reviews)."""
    if not 0 <= value <= 5:
        raise BadInput("最低评分须在 0 到 5 之间", field="filter.minRating")
    return value


def check_date_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise BadInput("结束日期不能早于开始日期", field="filter.dateTo")
    if date_from and date_to and (date_to - date_from).days > 366:
        raise BadInput("日期范围不能超过一年", field="filter.dateTo")
