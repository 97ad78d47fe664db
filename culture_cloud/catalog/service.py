"""Catalogue reads: filtered, keyset-paginated lists. One SQL statement per page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Select, and_, bindparam, exists, func, inspect, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from culture_cloud.catalog import kinds
from culture_cloud.catalog.filters import (
    EventFilter,
    EventOrder,
    GuideFilter,
    Near,
    PlaceOrder,
    ScenicSpotFilter,
    TravelAgencyFilter,
    VenueFilter,
    check_date_range,
    check_min_rating,
    check_tags,
)
from culture_cloud.catalog.geo_sql import distance_expr, near_conditions
from culture_cloud.catalog.models import (
    CatalogTag,
    Event,
    EventStatus,
    Guide,
    Region,
    ScenicSpot,
    TravelAgency,
    Venue,
)
from culture_cloud.db import Executor
from culture_cloud.errors import BadInput
from culture_cloud.keyset import Page, SortKey, fetch_page
from culture_cloud.timeutil import local_date_range

M = TypeVar("M")

PUBLIC_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED)
# Built once: every event list starts with it (SQL elements are immutable, so sharing is safe).
IS_PUBLIC_EVENT = col(Event.status).in_(PUBLIC_EVENT_STATUSES)
# "Seats left" as remainingSeats reads it (no capacity: unlimited), for an event one can still
# go to. Plain column comparisons beside the list's own conditions, so the date range and the
# keyset order keep using ix_event_start_id; no index of its own: booked_seats changes with
# every booking, and an index on it would slow the booking rush for a filter.
HAS_SEATS_LEFT = and_(
    col(Event.status) == EventStatus.PUBLISHED,
    or_(col(Event.capacity).is_(None), col(Event.booked_seats) < col(Event.capacity)),
)


def tag_conditions(model: Any, tags: Sequence[str]) -> list[ColumnElement[bool]]:
    kind = kinds.by_model(model).key
    return [
        exists().where(
            col(CatalogTag.target_kind) == kind,
            col(CatalogTag.target_id) == model.id,
            col(CatalogTag.tag) == tag,
        )
        for tag in check_tags(tuple(tags))
    ]


def rating_conditions(model: Any, min_rating: float | None) -> list[ColumnElement[bool]]:
    # rating_avg is kept equal to the approved-review average by culture_cloud/reviews.
    if min_rating is None:
        return []
    return [model.rating_avg >= check_min_rating(min_rating)]


# The Python type of each sort value of an order (as _sort_keys builds it), so a cursor carrying a
# value of another type is refused as INVALID_CURSOR before it reaches the database.
SORT_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "distance": (float, int),
    "rating": (float, int),
    "start_time": (datetime, int),
    "name": (str, int),
}


def _sort_keys(
    model: Any, order: str, near: Near | None, *, time_column: Any = None
) -> list[SortKey]:
    if order == "distance":
        if near is None:
            raise BadInput("按距离排序需要提供 filter.near（位置与半径）", field="orderBy")
        return [SortKey(distance_expr(model, near)), SortKey(model.id)]
    if order == "rating":
        return [SortKey(model.rating_avg, descending=True), SortKey(model.id)]
    if order == "start_time":
        return [SortKey(time_column), SortKey(model.id)]
    name = col(Event.title) if model is Event else model.name
    return [SortKey(name), SortKey(model.id)]


# --- events -----------------------------------------------------------------------------------


def event_conditions(flt: EventFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [IS_PUBLIC_EVENT]
    if flt.region_id is not None:
        conditions.append(col(Event.region_id) == flt.region_id)
    if flt.venue_id is not None:
        conditions.append(col(Event.venue_id) == flt.venue_id)
    if flt.scenic_spot_id is not None:
        conditions.append(col(Event.scenic_spot_id) == flt.scenic_spot_id)
    if flt.kinds:
        conditions.append(col(Event.kind).in_(flt.kinds))
    check_date_range(flt.date_from, flt.date_to)
    # With one bound given, start from that single day; the missing side is opened below.
    first_day = flt.date_from or flt.date_to
    last_day = flt.date_to or flt.date_from
    if first_day is not None and last_day is not None:
        start, end = local_date_range(first_day, last_day)
        if flt.date_from is None:
            start = datetime.min.replace(tzinfo=start.tzinfo)
        if flt.date_to is None:
            end = datetime.max.replace(tzinfo=end.tzinfo)
        # An event counts for a day range when it overlaps it at all. Ends are exclusive: a show
        # ending at 00:00 is not on the next day; a zero-length event counts where it starts.
        conditions += [
            col(Event.start_at) < end,
            or_(col(Event.end_at) > start, col(Event.start_at) >= start),
        ]
    if flt.free is True:
        conditions.append(col(Event.price_fen) == 0)
    elif flt.free is False:
        conditions.append(col(Event.price_fen) > 0)
    if flt.bookable is not None:
        conditions.append(col(Event.booking_required).is_(flt.bookable))
    if flt.has_seats_left is True:
        conditions.append(HAS_SEATS_LEFT)
    elif flt.has_seats_left is False:
        conditions.append(not_(HAS_SEATS_LEFT))
    conditions += tag_conditions(Event, flt.tags)
    if flt.near is not None:
        conditions += near_conditions(Event, flt.near)
    conditions += rating_conditions(Event, flt.min_rating)
    return conditions


def events_statement(flt: EventFilter) -> Select[Any]:
    return table_select(Event).where(*event_conditions(flt))


async def list_events(
    conn: Executor,
    *,
    flt: EventFilter,
    order: EventOrder,
    first: int | None,
    after: str | None,
    base: Select[Any] | None = None,
) -> Page[Any]:
    """`base` selects a projection of the event table (see catalog.projection); default: all."""
    keys = _sort_keys(Event, order.value, flt.near, time_column=Event.start_at)
    stmt = events_statement(flt) if base is None else base.where(*event_conditions(flt))
    return await fetch_page(
        conn,
        stmt,
        keys=keys,
        order_name=f"event:{order.value}",
        first=first,
        after=after,
        types=SORT_VALUE_TYPES[order.value],
    )


async def public_series_dates(
    conn: Executor, series_ids: Sequence[int], not_ended_at: datetime
) -> dict[int, list[Any]]:
    """Each series' public occurrences that have not ended, in start order (drafts never)."""
    params = {"series_ids": list(series_ids), "not_ended_at": not_ended_at}
    out: dict[int, list[Any]] = {pk: [] for pk in series_ids}
    for row in (await conn.execute(_series_dates_statement(), params)).all():
        out[row.series_id].append(row)
    return out


@lru_cache(maxsize=1)
def _series_dates_statement() -> Select[Any]:
    """Built once, the series and the moment bound parameters: every event page of a series
    reads it, and building it cost more Python than running it."""
    return (
        table_select(Event)
        .where(
            col(Event.series_id).in_(bindparam("series_ids", expanding=True)),
            IS_PUBLIC_EVENT,
            col(Event.end_at) > bindparam("not_ended_at"),
        )
        .order_by(col(Event.start_at), col(Event.id))
    )


# --- places -----------------------------------------------------------------------------------


def venue_conditions(flt: VenueFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.region_id is not None:
        conditions.append(col(Venue.region_id) == flt.region_id)
    if flt.kinds:
        conditions.append(col(Venue.kind).in_(flt.kinds))
    if flt.free is True:
        conditions.append(col(Venue.admission) == "free")
    elif flt.free is False:
        conditions.append(col(Venue.admission) == "ticket")
    conditions += tag_conditions(Venue, flt.tags)
    if flt.near is not None:
        conditions += near_conditions(Venue, flt.near)
    conditions += rating_conditions(Venue, flt.min_rating)
    return conditions


def scenic_spot_conditions(flt: ScenicSpotFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.region_id is not None:
        conditions.append(col(ScenicSpot.region_id) == flt.region_id)
    for level in (*flt.a_levels, *([flt.min_a_level] if flt.min_a_level is not None else [])):
        if not 0 <= level <= 5:
            raise BadInput("A 级必须在 0（无）到 5 之间", field="filter.aLevels")
    if flt.a_levels:
        conditions.append(col(ScenicSpot.a_level).in_(flt.a_levels))
    if flt.min_a_level is not None:
        conditions.append(col(ScenicSpot.a_level) >= flt.min_a_level)
    conditions += tag_conditions(ScenicSpot, flt.tags)
    if flt.near is not None:
        conditions += near_conditions(ScenicSpot, flt.near)
    conditions += rating_conditions(ScenicSpot, flt.min_rating)
    return conditions


def travel_agency_conditions(flt: TravelAgencyFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.region_id is not None:
        conditions.append(col(TravelAgency.region_id) == flt.region_id)
    conditions += tag_conditions(TravelAgency, flt.tags)
    if flt.near is not None:
        conditions += near_conditions(TravelAgency, flt.near)
    conditions += rating_conditions(TravelAgency, flt.min_rating)
    return conditions


def guide_conditions(flt: GuideFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.agency_id is not None:
        conditions.append(col(Guide.agency_id) == flt.agency_id)
    tags = list(flt.tags)
    if flt.language:
        tags.append(f"lang:{flt.language.strip().lower()}")
    if flt.speciality:
        tags.append(f"spec:{flt.speciality.strip()}")
    conditions += tag_conditions(Guide, tags)
    conditions += rating_conditions(Guide, flt.min_rating)
    return conditions


def table_select(model: Any) -> Select[Any]:
    return select(inspect(model).local_table)


async def list_places(
    conn: Executor,
    model: Any,
    conditions: list[ColumnElement[bool]],
    *,
    order: PlaceOrder,
    near: Near | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    keys = _sort_keys(model, order.value, near)
    return await fetch_page(
        conn,
        table_select(model).where(*conditions),
        keys=keys,
        order_name=f"{kinds.by_model(model).key}:{order.value}",
        first=first,
        after=after,
        types=SORT_VALUE_TYPES[order.value],
    )


# --- regions ----------------------------------------------------------------------------------


async def list_regions(conn: Executor) -> list[Any]:
    return list((await conn.execute(table_select(Region).order_by(col(Region.id)))).all())


async def count_by_region(conn: Executor, model: Any, region_ids: Sequence[int]) -> dict[int, int]:
    stmt = (
        select(model.region_id, func.count())
        .where(model.region_id.in_(region_ids))
        .group_by(model.region_id)
    )
    if model is Event:
        stmt = stmt.where(col(Event.status).in_(PUBLIC_EVENT_STATUSES))
    return {rid: n for rid, n in (await conn.execute(stmt)).all()}


async def load_by_ids(conn: Executor, model: Any, ids: Sequence[int]) -> dict[int, Any]:
    rows = (await conn.execute(table_select(model).where(model.id.in_(ids)))).all()
    return {row.id: row for row in rows}
