"""The catalogue's value types (no identity of their own): coordinates, opening and seasonal
hours, ticket prices, and the enums of the catalogue's GraphQL face."""

from __future__ import annotations

from typing import Any

import strawberry

from culture_cloud.catalog import models
from culture_cloud.geo import CoordSystem, LatLng, from_wgs84

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


def rounded_point(lat: float, lng: float, system: CoordSystem) -> tuple[float, float]:
    """A stored WGS84 point in `system`, to 7 decimals (about a centimetre): what `location`
    answers (the SQL compiler finishes its points with this too, catalog/sql_location.py)."""
    point = from_wgs84(LatLng(lat, lng), system)
    return round(point.lat, 7), round(point.lng, 7)


def geo_point(row: Any, system: CoordSystem) -> GeoPoint | None:
    if row.lat is None or row.lng is None:
        return None
    lat, lng = rounded_point(row.lat, row.lng, system)
    return GeoPoint(
        lat=lat,
        lng=lng,
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
