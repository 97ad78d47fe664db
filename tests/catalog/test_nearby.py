"""`nearby` (the map) and "this week's events near me" through `events`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.geo import CoordSystem, LatLng, from_wgs84, haversine_km
from culture_cloud.timeutil import local_today, to_local
from tests.catalog.factories import (
    CITY_CENTRE,
    add_agency,
    add_event,
    add_guide,
    add_scenic_spot,
    add_venue,
)
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

NEARBY = """
query Nearby(
  $lat: Float!, $lng: Float!, $radiusKm: Float, $coordSystem: CoordSystem,
  $kinds: [CatalogKind!], $first: Int, $after: String
) {
  nearby(
    lat: $lat, lng: $lng, radiusKm: $radiusKm, coordSystem: $coordSystem,
    kinds: $kinds, first: $first, after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      distanceKm
      node {
        __typename
        ... on Venue { id name }
        ... on ScenicSpot { id name }
        ... on TravelAgency { id name }
        ... on Event { id name: title endAt }
      }
    }
  }
}
"""

EVENTS_NEAR = """
query EventsNear($filter: EventFilter, $orderBy: EventOrderBy) {
  events(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges {
      distanceKm
      node { id title isDemo startAt location { lat lng } }
    }
  }
}
"""

CENTRE = {"lat": CITY_CENTRE[0], "lng": CITY_CENTRE[1]}
KM_NORTH = 0.009  # degrees of latitude per ~1 km
# The seed places these at the city-centre point (precision REGION_APPROX).
OLD_TOWN_VENUES = {"介休市博物馆", "介休后土庙", "祆神楼", "介休城隍庙", "介休五岳庙"}
MIANSHAN = "绵山风景名胜区"


async def _nearby(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await client.data(NEARBY, {**CENTRE, **variables})
    return data["nearby"]  # type: ignore[no-any-return]


def _keys(connection: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["node"]["__typename"], e["node"]["id"]) for e in connection["edges"]]


def _named(connection: dict[str, Any], typename: str) -> set[str]:
    return {e["node"]["name"] for e in connection["edges"] if e["node"]["__typename"] == typename}


def _assert_ascending(connection: dict[str, Any]) -> None:
    distances = [e["distanceKm"] for e in connection["edges"]]
    assert distances == sorted(distances)


async def test_nearby__city_centre__old_town_venues_at_zero_km_sorted_by_distance(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    result = await _nearby(api, first=100)
    assert _named(result, "Venue") == OLD_TOWN_VENUES
    for edge in result["edges"]:
        if edge["node"]["__typename"] == "Venue":
            assert edge["distanceKm"] == pytest.approx(0, abs=0.001)
    _assert_ascending(result)
    assert result["totalCount"] == len(result["edges"])
    assert MIANSHAN not in _named(result, "ScenicSpot")


async def test_nearby__gcj02_input_at_city_centre__same_results_as_wgs84(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    wgs84 = await _nearby(api, first=100)
    gcj = from_wgs84(LatLng(*CITY_CENTRE), CoordSystem.GCJ02)
    converted = await _nearby(api, lat=gcj.lat, lng=gcj.lng, coordSystem="GCJ02", first=100)
    assert _keys(converted) == _keys(wgs84)
    assert all(e["distanceKm"] == pytest.approx(0, abs=0.01) for e in converted["edges"][:5])
    # Taken as WGS84, the same numbers are a few hundred metres off: the datum matters.
    misread = await _nearby(api, lat=gcj.lat, lng=gcj.lng, first=100)
    assert misread["edges"][0]["distanceKm"] > 0.1


async def test_nearby__mianshan__found_within_20_km_not_within_5_km(
    seeded: Database, api: GraphQLClient
) -> None:
    wide = await _nearby(api, radiusKm=20, kinds=["SCENIC_SPOT"])
    assert _named(wide, "ScenicSpot") == {MIANSHAN}
    (edge,) = wide["edges"]
    assert 10 < edge["distanceKm"] < 20
    narrow = await _nearby(api, radiusKm=5, kinds=["SCENIC_SPOT"])
    assert narrow["edges"] == [] and narrow["totalCount"] == 0
    # The 2025 festival at Mianshan is over, so the map leaves it out.
    everything = await _nearby(api, radiusKm=20, first=100)
    assert MIANSHAN in _named(everything, "ScenicSpot")
    assert "第十八届介休寒食清明主题活动" not in _named(everything, "Event")


async def test_nearby__radius_or_coordinates_out_of_range__bad_user_input(
    api: GraphQLClient,
) -> None:
    for bad in (
        {"radiusKm": 0},
        {"radiusKm": -1},
        {"radiusKm": 200.5},
        {"lat": 91},
        {"lat": -91},
        {"lng": 181},
    ):
        assert await api.error_codes(NEARBY, {**CENTRE, **bad}) == ["BAD_USER_INPUT"], bad
    assert (await _nearby(api, radiusKm=200))["edges"] == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"radiusKm": 0}, "radiusKm"),
        ({"radiusKm": 200.5}, "radiusKm"),
        ({"lat": 91}, "lat"),
        ({"lng": -181}, "lng"),
    ],
)
async def test_nearby__argument_out_of_range__names_that_argument_in_chinese(
    api: GraphQLClient, bad: dict[str, float], field: str
) -> None:
    body = await api.execute(NEARBY, {**CENTRE, **bad})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    # Chinese only: no English sentence from a lower layer pasted behind it.
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), error
    assert not re.search(r"[A-Za-z]{3,}", error["message"]), error


async def test_events__near_radius_out_of_range__names_the_input_field(
    api: GraphQLClient,
) -> None:
    body = await api.execute(
        "query($near: NearInput!) { events(filter: { near: $near }) { totalCount } }",
        {"near": {**CENTRE, "radiusKm": 0}},
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.near.radiusKm"}


async def _map_rows(db: Database) -> dict[str, Any]:
    """Rows of every kind at the centre, 1 km and 3 km north, plus things nearby must skip."""
    now = utcnow()
    rows: dict[str, Any] = {}

    def north(km: float) -> tuple[float, float]:
        return (CITY_CENTRE[0] + km * KM_NORTH, CITY_CENTRE[1])

    async with transaction(db.factory) as session:
        hall = await add_venue(session, "hall", at=north(0))
        rows["hall"] = hall
        rows["tower"] = await add_venue(session, "tower", at=north(1))
        rows["far hall"] = await add_venue(session, "far hall", at=north(30))
        await add_venue(session, "unplaced hall")
        rows["hill"] = await add_scenic_spot(session, "hill", at=north(3))
        rows["agency"] = await add_agency(session, "agency", at=north(0))
        await add_guide(session, "guide")
        hour, day = timedelta(hours=1), timedelta(days=1)
        await add_event(session, "ongoing", now - hour, place=hall, duration=2 * hour)
        await add_event(session, "next week", now + 7 * day, place=hall)
        await add_event(session, "ended", now - 3 * hour, place=hall, duration=2 * hour)
        draft = m.EventStatus.DRAFT
        await add_event(session, "draft", now + day, place=hall, status=draft)
        await add_event(session, "tower show", now + 2 * day, place=rows["tower"])
    return rows


async def test_nearby__events__upcoming_and_ongoing_in_past_and_drafts_out(
    db: Database, api: GraphQLClient
) -> None:
    await _map_rows(db)
    events = await _nearby(api, kinds=["EVENT"], first=100)
    assert _named(events, "Event") == {"ongoing", "next week", "tower show"}
    assert events["totalCount"] == 3


async def test_nearby__kinds__only_those_kinds(db: Database, api: GraphQLClient) -> None:
    await _map_rows(db)
    places = await _nearby(api, kinds=["VENUE", "SCENIC_SPOT"], first=100)
    assert {e["node"]["__typename"] for e in places["edges"]} == {"Venue", "ScenicSpot"}
    assert _named(places, "Venue") == {"hall", "tower"}
    assert _named(places, "ScenicSpot") == {"hill"}
    assert places["totalCount"] == 3
    agencies = await _nearby(api, kinds=["TRAVEL_AGENCY"], first=100)
    assert _named(agencies, "TravelAgency") == {"agency"} and len(agencies["edges"]) == 1
    # Guides have no place on the map.
    guides = await _nearby(api, kinds=["GUIDE"], first=100)
    assert guides["edges"] == [] and guides["totalCount"] == 0


async def test_nearby__paged_across_kinds__every_item_once_in_distance_order(
    db: Database, api: GraphQLClient
) -> None:
    await _map_rows(db)
    one_page = await _nearby(api, first=100)
    expected = _keys(one_page)
    # hall, agency, ongoing, next week (0 km); tower, tower show (1 km); hill (3 km)
    assert len(expected) == len(set(expected)) == one_page["totalCount"] == 7
    _assert_ascending(one_page)
    assert [round(e["distanceKm"]) for e in one_page["edges"]] == [0, 0, 0, 0, 1, 1, 3]

    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = await _nearby(api, first=2, after=after)
        seen += _keys(page)
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == 2
        after = page["pageInfo"]["endCursor"]
    assert seen == expected


async def test_nearby__first_0__no_edges_but_full_total_count(
    db: Database, api: GraphQLClient
) -> None:
    await _map_rows(db)
    counted = await _nearby(api, first=0)
    assert counted["edges"] == [] and counted["totalCount"] == 7
    events = await _nearby(api, first=0, kinds=["EVENT"])
    assert events["totalCount"] == 3


async def test_nearby__cursor_from_a_list_or_garbage__invalid_cursor(
    db: Database, api: GraphQLClient
) -> None:
    await _map_rows(db)
    cursor = (await _nearby(api, first=1))["pageInfo"]["endCursor"]
    venues = await api.data("{ venues(first: 1) { pageInfo { endCursor } } }")
    list_cursor = venues["venues"]["pageInfo"]["endCursor"]
    for bad in (list_cursor, "garbage!", cursor[:-4]):
        codes = await api.error_codes(NEARBY, {**CENTRE, "after": bad})
        assert codes == ["INVALID_CURSOR"], bad


async def test_events__this_week_near_city_centre_by_distance__this_weeks_demo_events(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    today = local_today(utcnow())
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    week = {"dateFrom": monday.isoformat(), "dateTo": sunday.isoformat()}

    whole_city = await api.data(EVENTS_NEAR, {"filter": week})
    centre = LatLng(*CITY_CENTRE)
    expected = {
        e["node"]["id"]
        for e in whole_city["events"]["edges"]
        if e["node"]["location"] and haversine_km(centre, LatLng(**e["node"]["location"])) <= 5
    }

    near = {**CENTRE, "radiusKm": 5}
    data = await api.data(EVENTS_NEAR, {"filter": {**week, "near": near}, "orderBy": "DISTANCE"})
    edges = data["events"]["edges"]
    assert edges, "the seed puts a weekly demo tour at the museum in the old town"
    assert {e["node"]["id"] for e in edges} == expected
    assert data["events"]["totalCount"] == len(edges)
    assert "【演示】“介休琉璃艺术展”讲解导览" in {e["node"]["title"] for e in edges}
    for edge in edges:
        node = edge["node"]
        assert node["isDemo"] is True
        assert node["startAt"].endswith("+08:00")
        starts = to_local(datetime.fromisoformat(node["startAt"])).date()
        assert monday <= starts <= sunday
        assert edge["distanceKm"] is not None and 0 <= edge["distanceKm"] <= 5
    distances = [e["distanceKm"] for e in edges]
    assert distances == sorted(distances)


async def test_nearby__rows_spread_over_many_rings__pages_in_order_with_ties(
    db: Database, api: GraphQLClient
) -> None:
    """Rows at 0.5 km to 18 km, three venues sharing each distance, some just inside and just
    outside the first rings (1 km, 4 km, 16 km): every page size gives every row once, nearest
    first, ties by kind then id, and the 20 km page equals the one-page answer. (SQLite looks
    in growing rings, PostgreSQL in KNN order: both must page alike.)"""
    distances = [0.5, 0.999, 1.001, 2.0, 3.999, 4.001, 9.0, 15.999, 16.001, 18.0]
    async with transaction(db.factory) as session:
        for km in distances:
            for n in range(3):
                await add_venue(
                    session, f"环{km}-{n}", at=(CITY_CENTRE[0] + km * KM_NORTH, CITY_CENTRE[1])
                )
    whole = await _nearby(api, radiusKm=20.0, first=100)
    expected = _keys(whole)
    assert len(expected) == 30 == whole["totalCount"]
    _assert_ascending(whole)
    for size in (1, 2, 4, 7):
        seen: list[tuple[str, str]] = []
        after = None
        while True:
            page = await _nearby(api, radiusKm=20.0, first=size, after=after)
            seen += _keys(page)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == expected, size
    # A radius between two groups of rows (~2 m apart) cuts exactly there.
    between = whole["edges"][14]["distanceKm"] + 0.0005
    inside = await _nearby(api, radiusKm=between, first=100)
    assert _keys(inside) == expected[:15]
