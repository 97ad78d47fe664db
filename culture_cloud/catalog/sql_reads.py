"""The catalogue's part of the SQL compiler (culture_cloud/graphql/sql): how the event, venue,
scenic spot, region and organisation types read from their tables, and the `events` list as
one SQL expression.

The rules are the resolvers' (queries.py `events`, service.py `event_conditions`), restated in
SQL: drafts never appear in a list, whoever asks; the filter's checks (global ids, dates, tags,
rating) run the same domain functions, so a bad value raises the same coded error and the
general executor reports it. `filter.near` and `orderBy: DISTANCE` are not compiled (distances
are computed per row in Python): such requests take the general path.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final

from graphql import FieldNode, GraphQLField, GraphQLSchema

from culture_cloud.catalog import filters as f
from culture_cloud.catalog import inputs, kinds, models
from culture_cloud.catalog.service import PUBLIC_EVENT_STATUSES, SORT_VALUE_TYPES
from culture_cloud.graphql.sql.connection import ConnectionTemplate, Ordering, Params, SortKey
from culture_cloud.graphql.sql.objects import (
    Leaf,
    Relation,
    SqlObject,
    Unsupported,
    column,
    computed,
    named_object_type,
)
from culture_cloud.graphql.sql.planner import ReadRun, RootCompiler
from culture_cloud.graphql.sql.values import (
    enum_name,
    float_json,
    float_text,
    global_id,
    literal,
    local_datetime,
    utc_isoformat,
)
from culture_cloud.keyset import decode_cursor, page_size
from culture_cloud.timeutil import local_date_range


def _id(type_name: str) -> Leaf:
    return computed(("id",), lambda a: global_id(type_name, f"{a}.id"))


def _columns(**names: str) -> dict[str, Leaf]:
    return {graphql: column(name) for graphql, name in names.items()}


def _enum(name: str, enum_cls: Any) -> Leaf:
    return computed((name,), lambda a: enum_name(f"{a}.{name}", enum_cls))


def _datetime(name: str) -> Leaf:
    return computed((name,), lambda a: local_datetime(f"{a}.{name}"))


def _float(name: str) -> Leaf:
    return computed((name,), lambda a: float_json(f"{a}.{name}"))


_RATING = {"rating": _float("rating_avg"), **_columns(ratingCount="rating_count")}


def _place_relations() -> dict[str, Relation]:
    return {
        "region": Relation("region_id", lambda: REGION),
        "organization": Relation("organization_id", lambda: ORGANIZATION),
    }


REGION = SqlObject(
    "Region",
    "region",
    {
        "id": _id("Region"),
        **_columns(
            key="key",
            name="name",
            pinyin="pinyin",
            code="code",
            population="population",
            populationYear="population_year",
            description="description",
        ),
        "kind": _enum("kind", models.RegionKind),
        "areaKm2": _float("area_km2"),
    },
)

ORGANIZATION = SqlObject(
    "Organization",
    "organization",
    {
        "id": _id("Organization"),
        **_columns(name="name", description="description", isDemo="is_demo"),
        "kind": _enum("kind", models.OrganizationKind),
    },
)

VENUE = SqlObject(
    "Venue",
    "venue",
    {
        "id": _id("Venue"),
        **_columns(
            key="key",
            name="name",
            nameEn="name_en",
            address="address",
            phone="phone",  # the venue's public telephone, shown to everyone
            facilities="facilities",
            accessibility="accessibility",
            description="description",
            images="images",
            tags="tags",
            admission="admission",
            admissionNote="admission_note",
            sources="sources",
            isDemo="is_demo",
        ),
        "kind": _enum("kind", models.VenueKind),
        **_RATING,
    },
    _place_relations(),
)

SCENIC_SPOT = SqlObject(
    "ScenicSpot",
    "scenic_spot",
    {
        "id": _id("ScenicSpot"),
        **_columns(
            key="key",
            name="name",
            nameEn="name_en",
            aLevel="a_level",
            aLevelYear="a_level_year",
            address="address",
            phone="phone",
            description="description",
            images="images",
            tags="tags",
            sources="sources",
            isDemo="is_demo",
        ),
        **_RATING,
    },
    _place_relations(),
)

TRAVEL_AGENCY = SqlObject(
    "TravelAgency",
    "travel_agency",
    {
        "id": _id("TravelAgency"),
        **_columns(
            key="key",
            name="name",
            licenceNo="licence_no",
            address="address",
            phone="phone",
            description="description",
            tags="tags",
            isDemo="is_demo",
        ),
        **_RATING,
    },
    _place_relations(),
)

# A guide's phone is masked in Python (projections.py): not compiled, so it falls back.
GUIDE = SqlObject(
    "Guide",
    "guide",
    {
        "id": _id("Guide"),
        **_columns(
            key="key",
            name="name",
            cardNo="card_no",
            languages="languages",
            specialities="specialities",
            tags="tags",
            isDemo="is_demo",
        ),
        **_RATING,
    },
    {"agency": Relation("agency_id", lambda: TRAVEL_AGENCY)},
)

EVENT = SqlObject(
    "Event",
    "event",
    {
        "id": _id("Event"),
        **_columns(
            key="key",
            title="title",
            allDay="all_day",
            ageMin="age_min",
            ageMax="age_max",
            capacity="capacity",
            bookingRequired="booking_required",
            allowWaitlist="allow_waitlist",
            realNameRequired="real_name_required",
            description="description",
            images="images",
            tags="tags",
            sources="sources",
            isDemo="is_demo",
        ),
        "kind": _enum("kind", models.EventKind),
        "status": _enum("status", models.EventStatus),
        "startAt": _datetime("start_at"),
        "endAt": _datetime("end_at"),
        "bookingOpensAt": _datetime("booking_opens_at"),
        "bookingClosesAt": _datetime("booking_closes_at"),
        "priceYuan": computed(
            ("price_fen",), lambda a: float_json(f"({a}.price_fen::float8 / 100)")
        ),
        "isFree": computed(("price_fen",), lambda a: f"({a}.price_fen = 0)"),
        "remainingSeats": computed(
            ("capacity", "booked_seats"),
            lambda a: (
                f"(CASE WHEN {a}.capacity IS NULL THEN NULL "
                f"ELSE greatest(0, {a}.capacity - {a}.booked_seats) END)"
            ),
        ),
        **_RATING,
    },
    {
        "venue": Relation("venue_id", lambda: VENUE),
        "scenicSpot": Relation("scenic_spot_id", lambda: SCENIC_SPOT),
        **_place_relations(),
    },
)

_ID_KEY = SortKey("id", lambda a: f"{a}.id::text", "int")
# The orders of service._sort_keys, with each value written as keyset.encode_cursor writes it.
EVENT_ORDERINGS = {
    "start_time": Ordering(
        "event:start_time",
        (
            SortKey(
                "start_at",
                lambda a: '\'{"dt":"\' || ' + utc_isoformat(f"{a}.start_at") + " || '\"}'",
                "timestamptz",
            ),
            _ID_KEY,
        ),
    ),
    "name": Ordering(
        "event:name", (SortKey("title", lambda a: f"to_json({a}.title)::text", "text"), _ID_KEY)
    ),
    "rating": Ordering(
        "event:rating",
        (SortKey("rating_avg", lambda a: float_text(f"{a}.rating_avg"), "float8", True), _ID_KEY),
    ),
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
# The filter fields event_conditions turns into SQL. A field added to the domain's EventFilter
# later is not compiled until it is listed here: until then a request that sets it falls back
# to the general executor instead of being answered as if it were unset.
COMPILED_EVENT_FILTERS: Final = frozenset(
    {
        "region_id",
        "venue_id",
        "scenic_spot_id",
        "kinds",
        "date_from",
        "date_to",
        "free",
        "bookable",
        "has_seats_left",
        "tags",
        "min_rating",
    }
)


def _event_filter(value: dict[str, Any] | None) -> f.EventFilter:
    """The argument as the resolver reads it: inputs.EventFilter's own checks and conversion."""
    if value is None:
        return f.EventFilter()
    if value.get("near") is not None:
        raise Unsupported("filter.near: distances are computed in Python")
    kwargs = {_CAMEL.sub("_", key).lower(): item for key, item in value.items()}
    flt = inputs.EventFilter(**kwargs).to_domain()
    for item in dataclasses.fields(flt):
        if item.name not in COMPILED_EVENT_FILTERS and getattr(flt, item.name) != item.default:
            raise Unsupported(f"filter.{item.name}: not compiled")
    return flt


def event_conditions(flt: f.EventFilter, params: Params) -> list[str]:
    """service.event_conditions in SQL over the alias t0 (near: never here)."""
    statuses = ", ".join(literal(status.value) for status in PUBLIC_EVENT_STATUSES)
    conditions = [f"t0.status IN ({statuses})"]
    for name, value in (
        ("region_id", flt.region_id),
        ("venue_id", flt.venue_id),
        ("scenic_spot_id", flt.scenic_spot_id),
    ):
        if value is not None:
            conditions.append(f"t0.{name} = {params.add(value, 'int4')}")
    if flt.kinds:
        conditions.append(f"t0.kind = ANY({params.add([k.value for k in flt.kinds], '_text')})")
    f.check_date_range(flt.date_from, flt.date_to)
    first_day = flt.date_from or flt.date_to
    last_day = flt.date_to or flt.date_from
    if first_day is not None and last_day is not None:
        start, end = local_date_range(first_day, last_day)
        if flt.date_from is None:
            start = start.min.replace(tzinfo=start.tzinfo)
        if flt.date_to is None:
            end = end.max.replace(tzinfo=end.tzinfo)
        start_sql = params.add(start, "timestamptz")
        conditions += [
            f"t0.start_at < {params.add(end, 'timestamptz')}",
            f"(t0.end_at > {start_sql} OR t0.start_at >= {start_sql})",
        ]
    if flt.free is True:
        conditions.append("t0.price_fen = 0")
    elif flt.free is False:
        conditions.append("t0.price_fen > 0")
    if flt.bookable is not None:
        conditions.append(f"t0.booking_required = {params.add(flt.bookable, 'bool')}")
    if flt.has_seats_left is not None:
        # service.HAS_SEATS_LEFT: published, and no capacity or places left.
        seats_left = (
            f"(t0.status = {literal(models.EventStatus.PUBLISHED.value)}"
            " AND (t0.capacity IS NULL OR t0.booked_seats < t0.capacity))"
        )
        conditions.append(seats_left if flt.has_seats_left else f"NOT {seats_left}")
    for tag in f.check_tags(flt.tags):
        conditions.append(
            "EXISTS (SELECT 1 FROM catalog_tag ct WHERE "
            f"ct.target_kind = {literal(kinds.EVENT.key)} AND ct.target_id = t0.id "
            f"AND ct.tag = {params.add(tag, 'text')})"
        )
    if flt.min_rating is not None:
        rating = f.check_min_rating(flt.min_rating)
        conditions.append(f"t0.rating_avg >= {params.add(rating, 'float8')}")
    return conditions


class EventsPlan:
    """`events(first, after, filter, orderBy)`: the same page for every caller."""

    viewer_independent = True

    def __init__(self, schema: GraphQLSchema, field: GraphQLField, node: FieldNode) -> None:
        del schema
        self.template = ConnectionTemplate(EVENT, named_object_type(field.type), node.selection_set)  # type: ignore[arg-type]

    async def render(self, arguments: dict[str, Any], params: Params, run: ReadRun) -> str:
        del run
        flt = _event_filter(arguments.get("filter"))
        order = arguments["orderBy"].value
        if order not in EVENT_ORDERINGS:
            raise Unsupported("orderBy: DISTANCE")
        limit = page_size(arguments.get("first"))
        ordering = EVENT_ORDERINGS[order]
        after = arguments.get("after")
        values = (
            None
            if after is None
            else decode_cursor(after, ordering.name, len(ordering.keys), SORT_VALUE_TYPES[order])
        )
        conditions = event_conditions(flt, params)
        return self.template.render(ordering, conditions, values, limit, params)


COMPILERS: dict[str, RootCompiler] = {"events": EventsPlan}
