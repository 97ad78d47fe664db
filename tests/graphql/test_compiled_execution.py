"""The compiled executor and the column projections must answer exactly like graphql-core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from culture_cloud.app import create_app
from culture_cloud.graphql import compiled
from tests.conftest import Database

HOME_PAGE = """
query Home($first: Int!) {
  events(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
    edges {
      cursor
      node {
        __typename id title kind status startAt endAt allDay priceYuan isFree remainingSeats
        capacity bookingRequired tags isDemo rating
        location(system: GCJ02) { lat lng system precision }
        venue { id name kind region { name } organization { name kind } }
        scenicSpot { name aLevel ticketPrices { label yuan } }
        region { id name code }
      }
    }
  }
}
"""

VENUES = """
{ venues(first: 50) { edges { node {
    id name kind address admission tags sources isDemo
    openingHours { weekly { weekday closed periods { open close } } lastEntry closedNote }
    location { lat lng precision note }
    region { name venueCount eventCount }
} } } }
"""

SCENIC_SPOTS = """
{ scenicSpots(first: 50, orderBy: RATING) { totalCount edges { node {
    id name aLevel aLevelYear phone
    seasonalHours { label fromDate toDate open close lastEntry asOf }
    ticketPrices { label yuan note }
    location(system: BD09) { lat lng }
} } } }
"""

WITH_FRAGMENTS_AND_ALIASES = """
fragment Where on Event { venue { name } scenicSpot { name } }
query { soon: events(first: 5) { edges { node { ...Where t: title, id, __typename } } }
        later: events(first: 3, orderBy: NAME) { edges { node { title ... on Event { kind } } } } }
"""

GUIDES_AND_AGENCIES = """
{ guides(first: 10) { edges { node { name phone languages agency { name licenceNo region { name } } } } }
  travelAgencies(first: 10) { edges { node { name phone organization { name } } } } }
"""

UNIONS_FALL_BACK = """
{ search(text: "绵山", first: 5) { edges { score node { __typename ... on ScenicSpot { name } } } }
  nearby(lat: 37.0269, lng: 111.9169, radiusKm: 30, first: 5) {
    edges { distanceKm node { __typename ... on Venue { name } ... on Event { title } } } } }
"""

REGIONS = "{ regions { id name kind code population venueCount eventCount } }"

BAD_CURSOR = '{ events(first: 2, after: "nope") { edges { node { title } } } }'

DOCUMENTS = {
    "home_page": (HOME_PAGE, {"first": 20}),
    "venues": (VENUES, None),
    "scenic_spots": (SCENIC_SPOTS, None),
    "fragments_and_aliases": (WITH_FRAGMENTS_AND_ALIASES, None),
    "guides_and_agencies": (GUIDES_AND_AGENCIES, None),
    "unions": (UNIONS_FALL_BACK, None),
    "regions": (REGIONS, None),
    "bad_cursor": (BAD_CURSOR, None),
}


@pytest.fixture
async def both_paths(
    seeded: Database,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    # The Python executors only: SQL compiled reads (PostgreSQL) would answer some of these
    # documents before either runs; tests/graphql/test_sql_compiled_reads.py compares those.
    python_only = {"sql_compiled_reads": False}
    fast = create_app(
        seeded.settings.model_copy(update={"compiled_execution": True, **python_only})
    )
    plain = create_app(
        seeded.settings.model_copy(update={"compiled_execution": False, **python_only})
    )
    async with (
        fast.router.lifespan_context(fast),
        plain.router.lifespan_context(plain),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://t") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://t") as b,
    ):
        yield a, b


async def _post(client: httpx.AsyncClient, query: str, variables: Any) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_compiled_execution__document__same_response_as_graphql_core(
    both_paths: tuple[httpx.AsyncClient, httpx.AsyncClient], name: str
) -> None:
    query, variables = DOCUMENTS[name]
    fast, plain = both_paths
    expected = await _post(plain, query, variables)
    got = await _post(fast, query, variables)
    assert got == expected
    if name != "bad_cursor":
        assert "errors" not in expected and expected["data"]


async def test_compiled_execution__plain_list_query__is_compiled_and_unions_are_not() -> None:
    from graphql import parse

    from culture_cloud.schema import create_schema
    from culture_cloud.settings import Settings

    schema = create_schema(Settings())._schema
    home = parse(HOME_PAGE).definitions[0]
    unions = parse(UNIONS_FALL_BACK).definitions[0]
    assert compiled.compile_operation(schema, home) is not None  # type: ignore[arg-type]
    assert compiled.compile_operation(schema, unions) is None  # type: ignore[arg-type]


async def test_compiled_execution__resolver_raises__falls_back_with_standard_error(
    both_paths: tuple[httpx.AsyncClient, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    from culture_cloud.catalog import types as t

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    fast, plain = both_paths
    query = "{ events(first: 3) { edges { node { title venue { name } } } } }"
    monkeypatch.setattr(t, "_related", broken)
    got = await _post(fast, query, None)
    expected = await _post(plain, query, None)
    assert [e["extensions"]["code"] for e in got["errors"]] == [
        e["extensions"]["code"] for e in expected["errors"]
    ]
    assert got["data"] == expected["data"]
    assert expected["errors"][0]["extensions"]["code"] == "INTERNAL"
