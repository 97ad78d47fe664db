from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text as text_

from culture_cloud.db import transaction
from culture_cloud.graphql.sql import reads
from culture_cloud.keyset import decode_cursor
from culture_cloud.search.service import SEARCH_CURSOR_TYPES, index_object
from culture_cloud.search.tokenize import QueryTerms, query_terms
from tests.catalog.factories import add_venue
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

SEARCH = """
query Search($text: String!, $kinds: [CatalogKind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      score
      cursor
      node {
        __typename
        ... on Venue { name }
        ... on ScenicSpot { name }
        ... on Event { title }
        ... on TravelAgency { name }
        ... on Guide { name }
      }
    }
  }
}
"""


def _names(data: dict) -> list[str]:
    return [e["node"].get("name") or e["node"].get("title") for e in data["search"]["edges"]]


@pytest.mark.parametrize("text", ["绵山", "mianshan", "mian shan", "MianShan"])
async def test_search__mianshan_any_spelling__finds_scenic_area_first(
    seeded: Database, api: GraphQLClient, text: str
) -> None:
    data = await api.data(SEARCH, {"text": text, "first": 5})
    assert _names(data)[0] == "绵山风景名胜区"


async def test_search__museum_word__finds_jiexiu_museum(
    seeded: Database, api: GraphQLClient
) -> None:
    data = await api.data(SEARCH, {"text": "博物馆", "first": 5})
    assert _names(data)[0] == "介休市博物馆"


async def test_search__kinds_filter__returns_only_those_kinds(
    seeded: Database, api: GraphQLClient
) -> None:
    data = await api.data(SEARCH, {"text": "琉璃", "kinds": ["EVENT"], "first": 50})
    kinds = {e["node"]["__typename"] for e in data["search"]["edges"]}
    assert kinds == {"Event"}


async def test_search__pages__cover_all_hits_once_in_rank_order(
    seeded: Database, api: GraphQLClient
) -> None:
    full = await api.data(SEARCH, {"text": "介休", "first": 100})
    expected = [
        (e["node"]["__typename"], _names({"search": {"edges": [e]}})[0])
        for e in full["search"]["edges"]
    ]
    assert len(expected) == full["search"]["totalCount"] > 6
    seen, after = [], None
    while True:
        page = await api.data(SEARCH, {"text": "介休", "first": 4, "after": after})
        seen += [
            (e["node"]["__typename"], _names({"search": {"edges": [e]}})[0])
            for e in page["search"]["edges"]
        ]
        if not page["search"]["pageInfo"]["hasNextPage"]:
            break
        after = page["search"]["pageInfo"]["endCursor"]
    assert seen == expected
    scores = [e["score"] for e in full["search"]["edges"]]
    assert scores == sorted(scores, reverse=True)


async def test_search__no_match_or_blank__empty_result(
    seeded: Database, api: GraphQLClient
) -> None:
    for text in ["zzzqqq", "   ", "！？"]:
        data = await api.data(SEARCH, {"text": text})
        assert data["search"]["edges"] == [] and data["search"]["totalCount"] == 0


async def test_search__too_long_text__bad_user_input(seeded: Database, api: GraphQLClient) -> None:
    assert await api.error_codes(SEARCH, {"text": "绵" * 101}) == ["BAD_USER_INPUT"]


async def test_search__cursor_from_other_query_shape__invalid_cursor(
    seeded: Database, api: GraphQLClient
) -> None:
    assert await api.error_codes(SEARCH, {"text": "绵山", "after": "not-a-cursor"}) == [
        "INVALID_CURSOR"
    ]


def _counts(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT(")]


def _term_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM search_term" in s]


async def test_search__miss__one_index_probe_and_no_count(
    seeded: Database, api: GraphQLClient, count_statements: Any
) -> None:
    count_statements.clear()
    answered = sum(reads.ANSWERED.values())
    data = await api.data(SEARCH, {"text": "火星基地"})
    assert data["search"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }
    # PostgreSQL: the compiled read's one statement (raw asyncpg, not logged here) probes it.
    compiled = sum(reads.ANSWERED.values()) > answered
    assert len(_term_reads(count_statements.statements)) == (0 if compiled else 1)
    assert _counts(count_statements.statements) == []


async def test_search__total_count__counted_once_until_the_index_changes(
    seeded: Database, api: GraphQLClient, count_statements: Any
) -> None:
    """A later page's totalCount (the first page cannot know it) is counted once, then served
    from the versioned cache; re-indexing anything (a write) makes the next request recount."""
    first = await api.data(SEARCH, {"text": "介休", "first": 2})
    total = first["search"]["totalCount"]
    after = first["search"]["pageInfo"]["endCursor"]
    count_statements.clear()
    for _ in range(3):
        page = await api.data(SEARCH, {"text": "介休", "first": 2, "after": after})
        assert page["search"]["totalCount"] == total
    assert _counts(count_statements.statements) == []  # the first page's count was cached

    async with transaction(seeded.factory) as session:
        venue = await add_venue(session, "介休新馆")
        await index_object(session, "venue", venue)
    count_statements.clear()
    answered = sum(reads.ANSWERED.values())
    grown = await api.data(SEARCH, {"text": "介休", "first": 2})
    assert grown["search"]["totalCount"] == total + 1
    # PostgreSQL: the compiled read counts inside its one statement and files the count.
    compiled = sum(reads.ANSWERED.values()) > answered
    assert len(_counts(count_statements.statements)) == (0 if compiled else 1)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [("介休", None), ("琉璃", None), ("琉璃", ["EVENT", "VENUE"]), ("文化", None)],
)
async def test_search__one_term__pages_equal_the_grouped_ranking(
    seeded: Database, api: GraphQLClient, text: str, kinds: list[str] | None
) -> None:
    """A one-term search reads its page straight from the (term, weight DESC, kind, id) index;
    paged through, it must give exactly what the general GROUP BY ranking gives: the same
    items, scores and order (ties broken by kind, then id)."""
    assert query_terms(text) == QueryTerms(exact=(text,), prefixes=())  # one term indeed
    kind_values = [k.lower() for k in kinds] if kinds else None
    async with seeded.engine.connect() as conn:
        stmt = (
            "SELECT target_kind, target_id, SUM(weight) FROM search_term WHERE term = :t"
            + (" AND target_kind IN ('event', 'venue')" if kind_values else "")
            + " GROUP BY target_kind, target_id ORDER BY 3 DESC, 1, 2"
        )
        rows = await conn.execute(text_(stmt), {"t": text})
        expected = [(k, int(i), int(s)) for k, i, s in rows]
    assert len(expected) > 3
    seen: list[tuple[str, int, int]] = []
    after = None
    while True:
        variables = {"text": text, "kinds": kinds, "first": 3, "after": after}
        page = (await api.data(SEARCH, variables))["search"]
        for edge in page["edges"]:
            score, kind, pk = decode_cursor(edge["cursor"], "search", 3, SEARCH_CURSOR_TYPES)
            assert (kind, score) == (_KIND[edge["node"]["__typename"]], int(edge["score"]))
            seen.append((kind, pk, score))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    assert page["totalCount"] == len(expected)


_KIND = {
    "Venue": "venue",
    "Event": "event",
    "ScenicSpot": "scenic_spot",
    "TravelAgency": "travel_agency",
    "Guide": "guide",
}
