from __future__ import annotations

import pytest

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
