"""Catalogue list connections: order, keyset paging, filters, input limits and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.geo import LatLng, haversine_km
from tests.catalog.factories import (
    CITY_CENTRE,
    add_agency,
    add_event,
    add_guide,
    add_region,
    add_scenic_spot,
    add_venue,
    shanghai,
)
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid, pk_of


def _list_query(field: str, filter_type: str, order_type: str, name: str = "name") -> str:
    return f"""
query List($first: Int, $after: String, $filter: {filter_type}, $orderBy: {order_type}) {{
  list: {field}(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor distanceKm node {{ id name: {name} isDemo rating }} }}
  }}
}}
"""


VENUES = _list_query("venues", "VenueFilter", "PlaceOrderBy")
SCENIC_SPOTS = _list_query("scenicSpots", "ScenicSpotFilter", "PlaceOrderBy")
TRAVEL_AGENCIES = _list_query("travelAgencies", "TravelAgencyFilter", "PlaceOrderBy")
GUIDES = _list_query("guides", "GuideFilter", "PlaceOrderBy")
EVENTS = _list_query("events", "EventFilter", "EventOrderBy", name="title")

EVENT_DETAILS = """
query EventDetails($filter: EventFilter) {
  events(first: 100, filter: $filter) {
    edges { node { title startAt endAt capacity remainingSeats } }
  }
}
"""

GUIDE_PHONES = """
query GuidePhones {
  guides(first: 100) { edges { node { name phone } } }
}
"""

SCENIC_SPOT_LOCATIONS = """
query ScenicSpotLocations($filter: ScenicSpotFilter) {
  scenicSpots(first: 100, filter: $filter) {
    edges {
      node {
        name
        aLevel
        wgs84: location { lat lng system precision }
        gcj02: location(system: GCJ02) { lat lng system }
        bd09: location(system: BD09) { lat lng system }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class ListSpec:
    field: str
    query: str
    orders: tuple[str, ...]
    default_order: str


PLACE_ORDERS = ("NAME", "RATING", "DISTANCE")
LISTS = {
    "venues": ListSpec("venues", VENUES, PLACE_ORDERS, "NAME"),
    "scenicSpots": ListSpec("scenicSpots", SCENIC_SPOTS, PLACE_ORDERS, "NAME"),
    "travelAgencies": ListSpec("travelAgencies", TRAVEL_AGENCIES, PLACE_ORDERS, "NAME"),
    "guides": ListSpec("guides", GUIDES, ("NAME", "RATING"), "NAME"),
    "events": ListSpec(
        "events", EVENTS, ("START_TIME", "NAME", "RATING", "DISTANCE"), "START_TIME"
    ),
}
LOCATED_LISTS = ("venues", "scenicSpots", "travelAgencies", "events")

NEAR_CENTRE = {"lat": CITY_CENTRE[0], "lng": CITY_CENTRE[1], "radiusKm": 10}
KM_NORTH = 0.009  # degrees of latitude per ~1 km

# Seed facts: 12 venues, 6 scenic spots, 3 demo agencies, 5 demo guides; 1 dated real event
# plus 6 weekly demo series x 8 weeks.
SEED_COUNTS = {"venues": 12, "scenicSpots": 6, "travelAgencies": 3, "guides": 5, "events": 49}


async def _list(client: GraphQLClient, spec: ListSpec, **variables: Any) -> dict[str, Any]:
    data = await client.data(spec.query, variables)
    return data["list"]  # type: ignore[no-any-return]


def _ids(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in connection["edges"]]


def _names(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in connection["edges"]]


async def _page_through(
    client: GraphQLClient, spec: ListSpec, size: int, **variables: Any
) -> list[str]:
    """Follows endCursor to the end; checks hasNextPage on every page."""
    seen: list[str] = []
    after = None
    for _ in range(200):
        page = await _list(client, spec, first=size, after=after, **variables)
        seen += _ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            assert len(page["edges"]) <= size
            return seen
        assert len(page["edges"]) == size
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("paging never reached a last page")


# --- order and paging -------------------------------------------------------------------------

# name, rating, km north of the centre, hours after the first event start
ORDER_ROWS = [
    ("bravo", 4.0, 0, 2),
    ("alpha", 3.0, 2, 1),
    ("bravo", 4.0, 0, 0),
    ("charlie", 5.0, 1, 2),
    ("alpha", 3.0, 2, 0),
]
# Row indexes in the expected order; equal keys fall back to insertion (id) order.
EXPECTED_ORDER = {
    "NAME": [1, 4, 0, 2, 3],
    "RATING": [3, 0, 2, 1, 4],
    "DISTANCE": [0, 2, 3, 1, 4],
    "START_TIME": [2, 4, 1, 0, 3],
}


def _ids_for(list_name: str, pks: list[int]) -> list[str]:
    type_name = {
        "venues": "Venue",
        "scenicSpots": "ScenicSpot",
        "travelAgencies": "TravelAgency",
        "guides": "Guide",
        "events": "Event",
    }[list_name]
    return [gid(type_name, pk) for pk in pks]


async def _insert_order_rows(db: Database, list_name: str) -> list[int]:
    base = shanghai(date(2026, 3, 14), 9)
    ids: list[int] = []
    async with transaction(db.factory) as session:
        places = {}
        if list_name == "events":
            for km in sorted({r[2] for r in ORDER_ROWS}):
                at = (CITY_CENTRE[0] + km * KM_NORTH, CITY_CENTRE[1])
                places[km] = await add_venue(session, f"place-{km}", at=at)
        for name, rating, km, hours in ORDER_ROWS:
            at = (CITY_CENTRE[0] + km * KM_NORTH, CITY_CENTRE[1])
            if list_name == "venues":
                row: Any = await add_venue(session, name, at=at, rating_avg=rating)
            elif list_name == "scenicSpots":
                row = await add_scenic_spot(session, name, at=at, rating_avg=rating)
            elif list_name == "travelAgencies":
                row = await add_agency(session, name, at=at, rating_avg=rating)
            elif list_name == "guides":
                row = await add_guide(session, name, rating_avg=rating)
            else:
                start = base + timedelta(hours=hours)
                row = await add_event(session, name, start, place=places[km], rating_avg=rating)
            ids.append(row.id)
    assert ids == sorted(ids), "rows must get ascending ids in insertion order"
    return ids


@pytest.mark.parametrize("list_name", list(LISTS))
async def test_lists__every_order__sorted_with_id_tie_break_and_pages_cover_all_once(
    db: Database, api: GraphQLClient, list_name: str
) -> None:
    spec = LISTS[list_name]
    pks = await _insert_order_rows(db, list_name)
    for order in (None, *spec.orders):
        variables: dict[str, Any] = {}
        if order is not None:
            variables["orderBy"] = order
        if order == "DISTANCE":
            variables["filter"] = {"near": NEAR_CENTRE}
        expected_rows = EXPECTED_ORDER[order or spec.default_order]
        expected = [pk_of(_ids_for(list_name, pks)[i]) for i in expected_rows]

        one_page = await _list(api, spec, first=100, **variables)
        assert [pk_of(i) for i in _ids(one_page)] == expected, (list_name, order)
        assert one_page["totalCount"] == len(ORDER_ROWS), (list_name, order)
        assert one_page["pageInfo"]["hasNextPage"] is False

        paged = await _page_through(api, spec, 2, **variables)
        assert paged == _ids(one_page), (list_name, order)


async def test_lists__seed_data_paged_in_every_order__each_row_once_like_one_big_page(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    for list_name, spec in LISTS.items():
        for order in spec.orders:
            variables: dict[str, Any] = {"orderBy": order}
            if order == "DISTANCE":
                variables["filter"] = {"near": {**NEAR_CENTRE, "radiusKm": 200}}
            one_page = await _list(api, spec, first=100, **variables)
            ids = _ids(one_page)
            assert len(set(ids)) == len(ids) == one_page["totalCount"], (list_name, order)
            if order != "DISTANCE":
                assert len(ids) == SEED_COUNTS[list_name], (list_name, order)
            else:
                distances = [e["distanceKm"] for e in one_page["edges"]]
                assert distances == sorted(distances), (list_name, order)
            assert await _page_through(api, spec, 3, **variables) == ids, (list_name, order)


async def test_lists__first_0_and_100__accepted(db: Database, api: GraphQLClient) -> None:
    await _insert_order_rows(db, "venues")
    empty = await _list(api, LISTS["venues"], first=0)
    assert empty["edges"] == [] and empty["totalCount"] == len(ORDER_ROWS)
    full = await _list(api, LISTS["venues"], first=100)
    assert len(full["edges"]) == len(ORDER_ROWS)


async def test_lists__first_out_of_range__bad_user_input(api: GraphQLClient) -> None:
    for first in (101, -1):
        for spec in LISTS.values():
            codes = await api.error_codes(spec.query, {"first": first})
            assert codes == ["BAD_USER_INPUT"], (spec.field, first)


async def test_lists__cursor_from_other_order_or_list__invalid_cursor(
    db: Database, api: GraphQLClient
) -> None:
    await _insert_order_rows(db, "venues")
    await _insert_order_rows(db, "scenicSpots")
    await _insert_order_rows(db, "events")
    for list_name in ("venues", "events"):
        spec = LISTS[list_name]
        cursor = (await _list(api, spec, first=1))["pageInfo"]["endCursor"]
        for other in spec.orders:
            if other == spec.default_order:
                continue
            variables: dict[str, Any] = {"orderBy": other, "after": cursor}
            if other == "DISTANCE":
                variables["filter"] = {"near": NEAR_CENTRE}
            codes = await api.error_codes(spec.query, variables)
            assert codes == ["INVALID_CURSOR"], (list_name, other)
    venue_cursor = (await _list(api, LISTS["venues"], first=1))["pageInfo"]["endCursor"]
    codes = await api.error_codes(SCENIC_SPOTS, {"after": venue_cursor})
    assert codes == ["INVALID_CURSOR"]


# Not base64 / empty / base64 of "{}" / base64 of '{"o":"venue:name"}' (no values).
GARBAGE_CURSORS = ["garbage!", "", "e30", "eyJvIjoidmVudWU6bmFtZSJ9"]


async def test_lists__garbage_cursor__invalid_cursor(api: GraphQLClient) -> None:
    for cursor in GARBAGE_CURSORS:
        for spec in LISTS.values():
            codes = await api.error_codes(spec.query, {"after": cursor})
            assert codes == ["INVALID_CURSOR"], (spec.field, cursor)


async def test_lists__distance_order_without_near__bad_user_input(api: GraphQLClient) -> None:
    for name in (*LOCATED_LISTS, "guides"):
        codes = await api.error_codes(LISTS[name].query, {"orderBy": "DISTANCE"})
        assert codes == ["BAD_USER_INPUT"], name


async def test_lists__distance_order__edges_carry_distance_km(
    db: Database, api: GraphQLClient
) -> None:
    await _insert_order_rows(db, "venues")
    page = await _list(api, LISTS["venues"], orderBy="DISTANCE", filter={"near": NEAR_CENTRE})
    distances = [e["distanceKm"] for e in page["edges"]]
    assert distances[0] == pytest.approx(0, abs=1e-6)
    assert distances[-1] == pytest.approx(2 * KM_NORTH * 111.195, rel=1e-3)
    unfiltered = await _list(api, LISTS["venues"])
    assert {e["distanceKm"] for e in unfiltered["edges"]} == {None}


# --- filters ----------------------------------------------------------------------------------


async def test_lists__region_filter__only_rows_in_that_region_and_count_matches(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        east = await add_region(session, "东区")
        west = await add_region(session, "西区")
        venue_east = await add_venue(session, "east hall", region_id=east.id, at=CITY_CENTRE)
        venue_west = await add_venue(session, "west hall", region_id=west.id, at=CITY_CENTRE)
        await add_venue(session, "nowhere hall")
        await add_scenic_spot(session, "east hill", region_id=east.id)
        await add_scenic_spot(session, "west hill", region_id=west.id)
        await add_agency(session, "east agency", region_id=east.id)
        start = shanghai(date(2026, 5, 1), 10)
        await add_event(session, "east show", start, place=venue_east)
        await add_event(session, "west show", start, place=venue_west)
        await add_event(session, "west talk", start, place=venue_west)

    expected = {
        "venues": (["east hall"], ["west hall"]),
        "scenicSpots": (["east hill"], ["west hill"]),
        "travelAgencies": (["east agency"], []),
        "events": (["east show"], ["west show", "west talk"]),
    }
    for list_name, (in_east, in_west) in expected.items():
        for region, names in ((east, in_east), (west, in_west)):
            page = await _list(
                api, LISTS[list_name], first=100, filter={"regionId": gid("Region", region.id)}
            )
            assert sorted(_names(page)) == names, (list_name, region.name)
            assert page["totalCount"] == len(names), (list_name, region.name)


BAD_ID_FILTERS = [
    ("regionId", gid("Venue", 1)),
    ("regionId", "not-a-global-id"),
    ("regionId", ""),
    ("venueId", gid("Region", 1)),
    ("scenicSpotId", gid("Venue", 1)),
]


async def test_lists__id_filter_of_wrong_type_or_garbage__invalid_id(
    api: GraphQLClient,
) -> None:
    for filter_field, bad_id in BAD_ID_FILTERS:
        names = LOCATED_LISTS if filter_field == "regionId" else ("events",)
        for name in names:
            codes = await api.error_codes(LISTS[name].query, {"filter": {filter_field: bad_id}})
            assert codes == ["INVALID_ID"], (name, filter_field, bad_id)


async def test_lists__kinds_filter__only_those_kinds(db: Database, api: GraphQLClient) -> None:
    async with transaction(db.factory) as session:
        museum = await add_venue(session, "museum", kind=m.VenueKind.MUSEUM)
        await add_venue(session, "library", kind=m.VenueKind.LIBRARY)
        await add_venue(session, "temple", kind=m.VenueKind.HERITAGE_SITE)
        start = shanghai(date(2026, 5, 1), 10)
        await add_event(session, "opera", start, place=museum, kind=m.EventKind.PERFORMANCE)
        await add_event(session, "talk", start, place=museum, kind=m.EventKind.LECTURE)
        await add_event(session, "show", start, place=museum, kind=m.EventKind.EXHIBITION)

    venues = await _list(api, LISTS["venues"], filter={"kinds": ["MUSEUM", "LIBRARY"]})
    assert sorted(_names(venues)) == ["library", "museum"] and venues["totalCount"] == 2
    events = await _list(api, LISTS["events"], filter={"kinds": ["PERFORMANCE", "LECTURE"]})
    assert sorted(_names(events)) == ["opera", "talk"] and events["totalCount"] == 2


DAY = date(2026, 3, 14)


async def test_events__date_range__whole_days_in_shanghai_time(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall", at=CITY_CENTRE)
        day = timedelta(days=1)
        # Ends at 00:00 on DAY: not on DAY. A zero-length event at 00:00 is on DAY only.
        await add_event(session, "prev late", shanghai(DAY - day, 23), place=place)
        await add_event(session, "instant", shanghai(DAY, 0), place=place, duration=timedelta(0))
        await add_event(session, "early", shanghai(DAY, 0), place=place)
        # 23:30 in Shanghai is 15:30 UTC, the same UTC day as "next early" below.
        late = shanghai(DAY, 23, 30)
        await add_event(session, "late", late, place=place, duration=timedelta(minutes=25))
        await add_event(session, "next early", shanghai(DAY + day, 0, 30), place=place)
        festival = shanghai(DAY - day, 20)
        await add_event(session, "festival", festival, place=place, duration=timedelta(hours=30))

    async def titles(**flt: str) -> list[str]:
        page = await _list(api, LISTS["events"], first=100, filter=flt)
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    d = DAY.isoformat()
    before, after = (DAY - timedelta(days=1)).isoformat(), (DAY + timedelta(days=1)).isoformat()
    assert await titles(dateFrom=d, dateTo=d) == ["early", "festival", "instant", "late"]
    assert await titles(dateFrom=after, dateTo=after) == ["festival", "next early"]
    assert await titles(dateFrom=before, dateTo=before) == ["festival", "prev late"]
    assert await titles(dateFrom=before, dateTo=d) == [
        "early",
        "festival",
        "instant",
        "late",
        "prev late",
    ]
    assert await titles(dateFrom=after) == ["festival", "next early"]
    assert await titles(dateTo=before) == ["festival", "prev late"]


async def test_events__date_to_before_date_from_or_over_a_year__bad_user_input(
    api: GraphQLClient,
) -> None:
    for date_to in (DAY - timedelta(days=1), DAY + timedelta(days=400)):
        flt = {"dateFrom": DAY.isoformat(), "dateTo": date_to.isoformat()}
        assert await api.error_codes(EVENTS, {"filter": flt}) == ["BAD_USER_INPUT"], flt


async def test_lists__free_and_bookable_filters__match_price_and_booking(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "free hall", admission="free")
        await add_venue(session, "ticket hall", admission="ticket")
        await add_venue(session, "unknown hall")
        start = shanghai(date(2026, 5, 1), 10)
        await add_event(session, "free walk-in", start, place=place, price_fen=0)
        await add_event(
            session, "free booked", start, place=place, price_fen=0, booking_required=True
        )
        await add_event(session, "paid", start, place=place, price_fen=3000)
        await add_event(session, "price unknown", start, place=place)

    async def names(spec: ListSpec, **flt: bool) -> list[str]:
        page = await _list(api, spec, first=100, filter=flt)
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    assert await names(LISTS["venues"], free=True) == ["free hall"]
    assert await names(LISTS["venues"], free=False) == ["ticket hall"]
    assert await names(LISTS["events"], free=True) == ["free booked", "free walk-in"]
    assert await names(LISTS["events"], free=False) == ["paid"]
    assert await names(LISTS["events"], bookable=True) == ["free booked"]
    assert await names(LISTS["events"], bookable=False) == [
        "free walk-in",
        "paid",
        "price unknown",
    ]
    assert await names(LISTS["events"], free=True, bookable=False) == ["free walk-in"]


async def test_lists__tags_filter__rows_with_all_tags(db: Database, api: GraphQLClient) -> None:
    async with transaction(db.factory) as session:
        both = await add_venue(session, "both", tags=["琉璃", "古建筑"])
        await add_venue(session, "glaze only", tags=["琉璃"])
        await add_venue(session, "building only", tags=["古建筑"])
        await add_scenic_spot(session, "glaze hill", tags=["琉璃", "山岳"])
        start = shanghai(date(2026, 5, 1), 10)
        await add_event(session, "glaze talk", start, place=both, tags=["琉璃", "讲座"])
        await add_event(session, "opera", start, place=both, tags=["晋剧"])

    async def names(spec: ListSpec, tags: list[str]) -> list[str]:
        page = await _list(api, spec, first=100, filter={"tags": tags})
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    assert await names(LISTS["venues"], ["琉璃"]) == ["both", "glaze only"]
    assert await names(LISTS["venues"], ["琉璃", "古建筑"]) == ["both"]
    assert await names(LISTS["venues"], [" 琉璃 "]) == ["both", "glaze only"]
    assert await names(LISTS["venues"], ["琉璃", "不存在"]) == []
    assert await names(LISTS["scenicSpots"], ["琉璃", "山岳"]) == ["glaze hill"]
    assert await names(LISTS["events"], ["琉璃", "讲座"]) == ["glaze talk"]
    ten = [f"tag{i}" for i in range(10)]
    assert await names(LISTS["venues"], ten) == []


async def test_lists__more_than_10_tags__bad_user_input(api: GraphQLClient) -> None:
    eleven = [f"tag{i}" for i in range(11)]
    for name in (*LOCATED_LISTS, "guides"):
        codes = await api.error_codes(LISTS[name].query, {"filter": {"tags": eleven}})
        assert codes == ["BAD_USER_INPUT"], name


async def test_scenic_spots__a_level_filters__mianshan_5a_zhangbi_4a(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    async def names(**flt: Any) -> list[str]:
        page = await _list(api, LISTS["scenicSpots"], first=100, filter=flt)
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    assert await names(aLevels=[5]) == ["绵山风景名胜区"]
    assert await names(aLevels=[4]) == ["张壁古堡"]
    assert await names(minALevel=4) == ["张壁古堡", "绵山风景名胜区"]
    assert await names(aLevels=[0]) == ["山西介休汾河国家湿地公园", "张兰古玩市场"]
    assert await names(aLevels=[3, 5], minALevel=4) == ["绵山风景名胜区"]


async def test_scenic_spots__a_level_outside_0_to_5__bad_user_input(api: GraphQLClient) -> None:
    for flt in ({"aLevels": [6]}, {"aLevels": [5, -1]}, {"minALevel": 6}):
        assert await api.error_codes(SCENIC_SPOTS, {"filter": flt}) == ["BAD_USER_INPUT"], flt


async def test_guides__language_and_speciality__filter_guides(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        await add_guide(session, "wang", languages=["zh", "en"], specialities=["绵山"])
        await add_guide(session, "li", languages=["zh"], specialities=["绵山", "张壁古堡"])
        await add_guide(session, "liu", languages=["zh", "ja"], specialities=[])

    async def names(**flt: str) -> list[str]:
        page = await _list(api, LISTS["guides"], first=100, filter=flt)
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    assert await names(language="en") == ["wang"]
    assert await names(language="EN") == ["wang"]
    assert await names(language="zh") == ["li", "liu", "wang"]
    assert await names(language="fr") == []
    assert await names(speciality="绵山") == ["li", "wang"]
    assert await names(language="en", speciality="张壁古堡") == []
    assert await names(language="zh", speciality="张壁古堡") == ["li"]


# --- what each row shows ----------------------------------------------------------------------


async def test_events__drafts__never_listed_or_counted(db: Database, api: GraphQLClient) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall", at=CITY_CENTRE)
        start = shanghai(DAY, 10)
        for title, status in [
            ("published", m.EventStatus.PUBLISHED),
            ("draft", m.EventStatus.DRAFT),
            ("cancelled", m.EventStatus.CANCELLED),
        ]:
            await add_event(session, title, start, place=place, status=status, tags=["琉璃"])

    filters: list[dict[str, Any]] = [
        {},
        {"dateFrom": DAY.isoformat(), "dateTo": DAY.isoformat()},
        {"tags": ["琉璃"]},
        {"kinds": ["ACTIVITY"]},
        {"near": NEAR_CENTRE},
        {"venueId": gid("Venue", place.id)},
    ]
    for flt in filters:
        for order in LISTS["events"].orders:
            order_filter = {**flt, "near": NEAR_CENTRE} if order == "DISTANCE" else flt
            page = await _list(api, LISTS["events"], filter=order_filter, orderBy=order)
            assert sorted(_names(page)) == ["cancelled", "published"], (flt, order)
            assert page["totalCount"] == 2, (flt, order)


async def test_events__start_and_end__rendered_in_shanghai_time(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall")
        await add_event(session, "morning", shanghai(DAY, 10), place=place)
        await add_event(session, "late", shanghai(DAY, 23, 30), place=place)

    data = await api.data(EVENT_DETAILS)
    times = {e["node"]["title"]: e["node"] for e in data["events"]["edges"]}
    assert times["morning"]["startAt"] == "2026-03-14T10:00:00+08:00"
    assert times["morning"]["endAt"] == "2026-03-14T11:00:00+08:00"
    # 15:30 UTC, but a Jiexiu user sees 23:30 on the 14th.
    assert times["late"]["startAt"] == "2026-03-14T23:30:00+08:00"
    assert times["late"]["endAt"] == "2026-03-15T00:30:00+08:00"


async def test_events__remaining_seats__capacity_minus_booked(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall")
        start = shanghai(DAY, 10)
        await add_event(session, "some left", start, place=place, capacity=30, booked_seats=12)
        await add_event(session, "full", start, place=place, capacity=20, booked_seats=20)
        await add_event(session, "unlimited", start, place=place, capacity=None, booked_seats=5)

    data = await api.data(EVENT_DETAILS)
    seats = {e["node"]["title"]: e["node"]["remainingSeats"] for e in data["events"]["edges"]}
    assert seats == {"some left": 18, "full": 0, "unlimited": None}


async def test_events__has_seats_left__unlimited_counts_full_and_called_off_do_not(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall")
        start = shanghai(DAY, 10)
        await add_event(session, "some left", start, place=place, capacity=30, booked_seats=29)
        await add_event(session, "full", start, place=place, capacity=20, booked_seats=20)
        await add_event(session, "unlimited", start, place=place, capacity=None, booked_seats=5)
        await add_event(session, "no seats yet", start, place=place, capacity=0)
        cancelled = m.EventStatus.CANCELLED
        await add_event(session, "cancelled", start, place=place, capacity=9, status=cancelled)
        draft = m.EventStatus.DRAFT
        await add_event(session, "draft with seats", start, place=place, capacity=9, status=draft)

    async def names(**flt: Any) -> list[str]:
        page = await _list(api, LISTS["events"], first=100, filter=flt)
        assert page["totalCount"] == len(page["edges"])
        return sorted(_names(page))

    assert await names(hasSeatsLeft=True) == ["some left", "unlimited"]
    # The rest of the list, never a draft: full (capacity 0 included) or called off.
    assert await names(hasSeatsLeft=False) == ["cancelled", "full", "no seats yet"]
    assert len(await names()) == 5
    # With the other filters and with keyset paging: one per page, the same two events.
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = await _list(
            api,
            LISTS["events"],
            first=1,
            after=after,
            filter={"hasSeatsLeft": True, "kinds": ["ACTIVITY"]},
        )
        seen += _names(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == ["some left", "unlimited"]


async def test_lists__seed_rows__demo_flag_marks_exactly_the_fictional_rows(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    flags: dict[bool, int] = {True: 0, False: 0}
    for list_name, spec in LISTS.items():
        page = await _list(api, spec, first=100)
        for edge in page["edges"]:
            node = edge["node"]
            # Every fictional seed row carries the 【演示】 prefix (seeds/jiexiu/README.md).
            assert node["isDemo"] is node["name"].startswith("【演示】"), (list_name, node)
            flags[node["isDemo"]] += 1
    assert flags[True] > 0 and flags[False] > 0
    venues = await _list(api, LISTS["venues"], first=100)
    museum = next(e["node"] for e in venues["edges"] if e["node"]["name"] == "介休市博物馆")
    assert museum["isDemo"] is False


async def test_guides__phone__masked_for_the_public(db: Database, api: GraphQLClient) -> None:
    async with transaction(db.factory) as session:
        await add_guide(session, "wang", phone="13800000001")
        await add_guide(session, "li", phone=None)

    data = await api.data(GUIDE_PHONES)
    phones = {e["node"]["name"]: e["node"]["phone"] for e in data["guides"]["edges"]}
    assert phones == {"wang": "138****0001", "li": None}


async def test_scenic_spots__mianshan_location__wgs84_stored_other_systems_offset(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    data = await api.data(SCENIC_SPOT_LOCATIONS, {"filter": {"aLevels": [5]}})
    (edge,) = data["scenicSpots"]["edges"]
    spot = edge["node"]
    assert spot["name"] == "绵山风景名胜区"
    wgs, gcj, bd = spot["wgs84"], spot["gcj02"], spot["bd09"]
    assert (wgs["system"], gcj["system"], bd["system"]) == ("WGS84", "GCJ02", "BD09")
    assert wgs["precision"] == "EXACT"
    assert wgs["lat"] == pytest.approx(36.8891, abs=5e-4)
    assert wgs["lng"] == pytest.approx(111.9863, abs=5e-4)

    def km(a: dict[str, float], b: dict[str, float]) -> float:
        return haversine_km(LatLng(a["lat"], a["lng"]), LatLng(b["lat"], b["lng"]))

    # GCJ-02 shifts points in Shanxi by a few hundred metres; BD-09 adds roughly another 1 km.
    assert 0.2 < km(wgs, gcj) < 1.0
    assert 0.5 < km(gcj, bd) < 1.5
    # The source gave the point in BD-09 (36.895317, 111.999227); converting back must agree.
    assert bd["lat"] == pytest.approx(36.895317, abs=1e-5)
    assert bd["lng"] == pytest.approx(111.999227, abs=1e-5)
