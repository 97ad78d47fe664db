"""Review lists sort and filter by score, page by keyset cursors; catalogue lists sort by the
maintained rating; a page of places costs one extra statement for all their summaries."""

from __future__ import annotations

from typing import Any

from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid

VENUES_WITH_SUMMARY = """
query($first: Int!) {
  venues(first: $first, orderBy: RATING) {
    edges { node { id name rating ratingCount ratingSummary { count average } } }
  }
}
"""


async def _scores(page: dict[str, Any]) -> list[int]:
    return [e["node"]["overall"] for e in page["reviews"]["edges"]]


async def test_reviews__order_and_score_filter__as_asked(db: Database) -> None:
    world = await f.build_world(db)
    authors = [await f.resident(db) for _ in range(5)]
    expert = await f.resident(db, is_designated_reviewer=True)
    async with graphql_client(db) as api:
        for author, score in zip(authors, [3, 5, 1, 4, 2], strict=True):
            await f.submit_ok(api, author, world.venue, score)
        await f.submit_ok(api, expert, world.venue, 4, images=["https://img.example.cn/a.jpg"])
        newest = await f.venue_reviews(api, world)
        highest = await f.venue_reviews(api, world, orderBy="HIGHEST")
        lowest = await f.venue_reviews(api, world, orderBy="LOWEST")
        good = await f.venue_reviews(api, world, filter={"minScore": 4}, orderBy="LOWEST")
        bad = await f.venue_reviews(api, world, filter={"maxScore": 2})
        experts = await f.venue_reviews(api, world, filter={"designatedOnly": True})
        pictures = await f.venue_reviews(api, world, filter={"withImages": True})
        wrong = await api.execute(f.VENUE_REVIEWS, {"id": world.venue, "filter": {"minScore": 0}})

    assert await _scores(newest) == [4, 2, 4, 1, 5, 3]
    assert await _scores(highest) == [5, 4, 4, 3, 2, 1]
    assert await _scores(lowest) == [1, 2, 3, 4, 4, 5]
    assert (await _scores(good), good["reviews"]["totalCount"]) == ([4, 4, 5], 3)
    assert await _scores(bad) == [2, 1]
    assert [e["node"]["isDesignatedReviewer"] for e in experts["reviews"]["edges"]] == [True]
    assert len(pictures["reviews"]["edges"]) == 1
    [error] = wrong["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.minScore"}


async def test_reviews__pages__cover_every_review_once(db: Database) -> None:
    world = await f.build_world(db)
    async with graphql_client(db) as api:
        for score in [5, 4, 4, 3, 4, 5, 1]:
            await f.submit_ok(api, await f.resident(db), world.venue, score)
        seen: list[str] = []
        after = None
        while True:
            page = await f.venue_reviews(api, world, first=3, after=after, orderBy="HIGHEST")
            seen += [e["node"]["id"] for e in page["reviews"]["edges"]]
            if not page["reviews"]["pageInfo"]["hasNextPage"]:
                break
            after = page["reviews"]["pageInfo"]["endCursor"]
        tampered = await api.execute(
            f.VENUE_REVIEWS, {"id": world.venue, "after": "eyJvIjoieCJ9", "first": 3}
        )
    assert len(seen) == len(set(seen)) == 7
    assert tampered["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_venues__order_by_rating__follows_approved_reviews(db: Database) -> None:
    async with transaction(db.factory) as session:
        venues = [await catalog.add_venue(session, name) for name in ("甲馆", "乙馆", "丙馆")]
    scores = {venues[0].id: [3, 3], venues[1].id: [5, 4], venues[2].id: []}
    async with graphql_client(db) as api:
        for venue_id, given in scores.items():
            for score in given:
                await f.submit_ok(api, await f.resident(db), gid("Venue", venue_id), score)
        edges = (await api.data(VENUES_WITH_SUMMARY, {"first": 10}))["venues"]["edges"]
    assert [(e["node"]["name"], e["node"]["rating"], e["node"]["ratingCount"]) for e in edges] == [
        ("乙馆", 4.5, 2),
        ("甲馆", 3.0, 2),
        ("丙馆", 0.0, 0),
    ]
    assert [e["node"]["ratingSummary"] for e in edges] == [
        {"count": 2, "average": 4.5},
        {"count": 2, "average": 3.0},
        {"count": 0, "average": None},
    ]


async def test_venues__rating_summaries__one_statement_for_the_page(
    db: Database, count_statements: Any
) -> None:
    async with transaction(db.factory) as session:
        venues = [await catalog.add_venue(session, f"测试场馆{i:02d}") for i in range(20)]
    async with graphql_client(db) as api:
        for venue in venues[:5]:
            await f.submit_ok(api, await f.resident(db), gid("Venue", venue.id), 4)
        plain = "query($first: Int!) { venues(first: $first) { edges { node { id name } } } }"
        count_statements.clear()
        await api.data(plain, {"first": 20})
        without = len(count_statements.statements)
        count_statements.clear()
        edges = (await api.data(VENUES_WITH_SUMMARY, {"first": 20}))["venues"]["edges"]
        with_summary = len(count_statements.statements)
    assert len(edges) == 20
    assert with_summary == without + 1, count_statements.statements
