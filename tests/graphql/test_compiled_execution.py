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

# node(id:) with fragments on the concrete type, @include/@skip on fields and fragments, and
# the same field under several aliases (the event page's shape); the ids come from the list.
CONDITIONS_AND_NODES = """
query Nodes($first: Int!, $yes: Boolean!, $no: Boolean!) {
  events(first: $first) { edges { node { id } } }
  regions @skip(if: $no) { id name @include(if: $yes) kind @include(if: $no) }
  hidden: regions @include(if: $no) { id }
}
"""

NODE_DOCUMENT = """
fragment Place on Venue { name address }
query Node($id: ID!, $yes: Boolean!, $no: Boolean!) {
  node(id: $id) {
    __typename
    id
    ... on Event {
      title startAt remainingSeats
      venue { ...Place region { name } }
      w: location(system: WGS84) { lat lng precision }
      g: location(system: GCJ02) { lat lng }
      organization @include(if: $yes) { name }
      scenicSpot @skip(if: $yes) { name }
      ratingSummary { count average }
      reviews(first: 3) { pageInfo { hasNextPage } edges { node { overall } } }
    }
    ... @include(if: $no) { what: __typename }
    ...Place
    ... on Node { id }
  }
}
"""

BAD_CURSOR = '{ events(first: 2, after: "nope") { edges { node { title } } } }'

DOCUMENTS = {
    "home_page": (HOME_PAGE, {"first": 20}),
    "venues": (VENUES, None),
    "scenic_spots": (SCENIC_SPOTS, None),
    "fragments_and_aliases": (WITH_FRAGMENTS_AND_ALIASES, None),
    "guides_and_agencies": (GUIDES_AND_AGENCIES, None),
    "unions": (UNIONS_FALL_BACK, None),
    "regions": (REGIONS, None),
    "conditions": (CONDITIONS_AND_NODES, {"first": 2, "yes": True, "no": False}),
    "conditions_other_way": (CONDITIONS_AND_NODES, {"first": 2, "yes": False, "no": True}),
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


def _compiles(query: str) -> bool:
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    from culture_cloud.schema import create_schema
    from culture_cloud.settings import Settings

    schema = create_schema(Settings())._schema
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return compiled.compile_operation(schema, operation, fragments) is not None


@pytest.mark.parametrize(
    "query",
    [HOME_PAGE, UNIONS_FALL_BACK, WITH_FRAGMENTS_AND_ALIASES, CONDITIONS_AND_NODES, NODE_DOCUMENT],
)
def test_compiled_execution__lists_unions_fragments_conditions__compiled(query: str) -> None:
    assert _compiles(query)


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        # graphql-core decides a conditional field merged with another per occurrence.
        "query Q($a: Boolean!) { regions { name name @include(if: $a) } }",
        "fragment R on Region { name } { regions { ...R ...R } }",
        "{ regions { name @deprecated } }",
    ],
)
def test_compiled_execution__what_it_does_not_reproduce__left_to_graphql_core(
    query: str,
) -> None:
    assert not _compiles(query)


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


async def test_compiled_execution__node_of_each_kind__same_response_and_not_a_fallback(
    both_paths: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """node(id:) answers an event (its relations joined into one statement), a venue (the
    `...Place` fragment applies, the event's fragment does not), a region, and nothing."""
    from culture_cloud.global_ids import to_global_id
    from culture_cloud.graphql import fallbacks

    fast, plain = both_paths
    listed = await _post(
        plain,
        "{ events(first: 30) { edges { node { id venue { id } } } } regions { id } }",
        None,
    )
    events = [edge["node"] for edge in listed["data"]["events"]["edges"]]
    with_venue = next(e for e in events if e["venue"])
    ids = [
        with_venue["id"],
        with_venue["venue"]["id"],
        listed["data"]["regions"][0]["id"],
        to_global_id("Event", 999_999),
    ]
    before = fallbacks.counts()
    for node_id in ids:
        for yes in (True, False):
            variables = {"id": node_id, "yes": yes, "no": not yes}
            expected = await _post(plain, NODE_DOCUMENT, variables)
            got = await _post(fast, NODE_DOCUMENT, variables)
            assert got == expected
            assert "errors" not in expected
    assert fallbacks.counts() == before
    event = (await _post(fast, NODE_DOCUMENT, {"id": ids[0], "yes": True, "no": False}))["data"]
    assert event["node"]["__typename"] == "Event" and event["node"]["venue"]["name"]
    assert "organization" in event["node"] and "scenicSpot" not in event["node"]
    venue = (await _post(fast, NODE_DOCUMENT, {"id": ids[1], "yes": True, "no": False}))["data"]
    assert venue["node"]["__typename"] == "Venue" and "title" not in venue["node"]
    assert venue["node"]["name"] and venue["node"]["id"] == with_venue["venue"]["id"]
