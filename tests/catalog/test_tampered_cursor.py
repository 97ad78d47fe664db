"""A well-formed cursor carrying values of the wrong type is INVALID_CURSOR, on both databases.

Regression: such a cursor used to reach the database. SQLite compared whatever it was given;
PostgreSQL refused the parameter and the API answered INTERNAL.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson

from tests.catalog.factories import CITY_CENTRE
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

CENTRE = {"lat": CITY_CENTRE[0], "lng": CITY_CENTRE[1]}

EVENTS = """
query Events($orderBy: EventOrderBy, $after: String, $filter: EventFilter) {
  events(first: 2, orderBy: $orderBy, after: $after, filter: $filter) {
    pageInfo { endCursor }
  }
}
"""

VENUES = """
query Venues($orderBy: PlaceOrderBy, $after: String, $filter: VenueFilter) {
  venues(first: 2, orderBy: $orderBy, after: $after, filter: $filter) {
    pageInfo { endCursor }
  }
}
"""

SEARCH = """
query Search($after: String) {
  search(text: "介休", first: 2, after: $after) { pageInfo { endCursor } }
}
"""

NEARBY = """
query Nearby($lat: Float!, $lng: Float!, $after: String) {
  nearby(lat: $lat, lng: $lng, radiusKm: 20, first: 2, after: $after) { pageInfo { endCursor } }
}
"""

WHEN = {"dt": "2026-01-01T02:00:00+00:00"}

# Per ordering: (query, variables, order name in the cursor, tampered value lists).
NAME_VALUES: list[list[Any]] = [
    [42, 1],
    [None, 1],
    [["绵山"], 1],
    [WHEN, 1],
    ["绵山", "1"],
    ["绵山", True],
    ["a\x00b", 1],
]
NUMBER_VALUES: list[list[Any]] = [
    ["4.5", 1],
    [True, 1],
    [None, 1],
    [WHEN, 1],
    [4.5, "1"],
    [4.5, 2.5],
    [4.5, False],
    [4.5, 2**40],
]
LIST_ORDERS: list[tuple[str, dict[str, Any], str, list[list[Any]]]] = [
    (
        EVENTS,
        {"orderBy": "START_TIME"},
        "event:start_time",
        [
            [123, 1],
            ["2026-01-01T02:00:00+00:00", 1],
            [{"dt": "yesterday"}, 1],
            [{"dt": 5}, 1],
            [{"dt": "2026-01-01T02:00:00"}, 1],
            [WHEN, "1"],
            [WHEN, True],
            [WHEN, 1.5],
            [WHEN, None],
            [WHEN, 2**40],
        ],
    ),
    (EVENTS, {"orderBy": "NAME"}, "event:name", NAME_VALUES),
    (EVENTS, {"orderBy": "RATING"}, "event:rating", NUMBER_VALUES),
    (VENUES, {"orderBy": "NAME"}, "venue:name", NAME_VALUES),
    (VENUES, {"orderBy": "RATING"}, "venue:rating", NUMBER_VALUES),
    (
        VENUES,
        {"orderBy": "DISTANCE", "filter": {"near": {**CENTRE, "radiusKm": 50}}},
        "venue:distance",
        NUMBER_VALUES,
    ),
]
SEARCH_VALUES: list[list[Any]] = [
    ["10", "venue", 1],
    [10.5, "venue", 1],
    [True, "venue", 1],
    [10, 3, 1],
    [10, "venue", "1"],
    [10, "venue\x00", 1],
]
NEARBY_VALUES: list[list[Any]] = [
    ["0.5", "venue", 1],
    [None, "venue", 1],
    [0.5, 7, 1],
    [0.5, "venue", True],
    [0.5, "venue", 2**40],
]


def _cursor(order: str, values: list[Any]) -> str:
    """A cursor in the wire format (base64url of {"o": order, "v": values}), values verbatim."""
    payload = orjson.dumps({"o": order, "v": values})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


async def _assert_refused(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    order: str,
    tampered: list[list[Any]],
) -> None:
    # The ordering's own cursor still pages, so a refusal below is about the values alone.
    first_page = await client.data(query, variables)
    own_cursor = next(iter(first_page.values()))["pageInfo"]["endCursor"]
    assert own_cursor is not None, order
    await client.data(query, {**variables, "after": own_cursor})
    for values in tampered:
        after = _cursor(order, values)
        codes = await client.error_codes(query, {**variables, "after": after})
        assert codes == ["INVALID_CURSOR"], (order, values)


async def test_tampered_cursor__list_value_of_wrong_type__invalid_cursor(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    for query, variables, order, tampered in LIST_ORDERS:
        await _assert_refused(api, query, variables, order, tampered)


async def test_tampered_cursor__search_value_of_wrong_type__invalid_cursor(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    await _assert_refused(api, SEARCH, {}, "search", SEARCH_VALUES)


async def test_tampered_cursor__nearby_value_of_wrong_type__invalid_cursor(
    seeded: Database,
    api: GraphQLClient,
) -> None:
    await _assert_refused(api, NEARBY, dict(CENTRE), "nearby", NEARBY_VALUES)
