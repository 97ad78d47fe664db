"""Which columns each field of the catalogue types reads, and how it fills the object (the
mechanism: projection.py). The types in types.py declare which projection builds them
(`@projected`); fields other domains contribute (reviews' `reviews` and `ratingSummary`) read
only the object's id, which `_id` always sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import strawberry

from culture_cloud.catalog import models
from culture_cloud.catalog.projection import Projection, Relation, Source, derived, keep_row, plain
from culture_cloud.global_ids import to_global_id
from culture_cloud.privacy import mask_phone
from culture_cloud.timeutil import to_local


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
    models.REGION_TABLE,
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
    models.ORGANIZATION_TABLE,
    _id("Organization"),
    _plain_all("name", "kind", "description", "is_demo"),
)

_RATING = {"rating": plain("rating", "rating_avg"), "rating_count": plain("rating_count")}

VENUE = Projection(
    models.VENUE_TABLE,
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
    models.SCENIC_SPOT_TABLE,
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
    models.TRAVEL_AGENCY_TABLE,
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
    models.GUIDE_TABLE,
    _id("Guide"),
    {
        **_plain_all("key", "name", "card_no", "languages", "specialities", "tags", "is_demo"),
        **_RATING,
        "phone": derived("phone", ("phone",), lambda row: mask_phone(row.phone)),
    },
    {"agency": Relation("agency_id", TRAVEL_AGENCY, "_agency_id", "_agency_prefetched")},
)

EVENT = Projection(
    models.EVENT_TABLE,
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
        "in_series": derived("in_series", ("series_id",), lambda row: row.series_id is not None),
        "location": keep_row(*_LOCATION),
        "series_dates": plain("_series_id", "series_id"),
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
