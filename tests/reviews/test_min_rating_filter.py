"""Catalogue lists filter by a minimum approved-review average (`filter.minRating`)."""

from __future__ import annotations

from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.reviews import factories as f
from tests.support.graphql import graphql_client
from tests.support.ids import gid

VENUES = """
query($min: Float) {
  venues(first: 20, orderBy: RATING, filter: { minRating: $min }) {
    totalCount edges { node { name rating } }
  }
}
"""

EVENTS = """
query($min: Float) {
  events(first: 20, orderBy: RATING, filter: { minRating: $min }) { edges { node { title } } }
}
"""


async def test_venues__min_rating__only_those_rated_at_least(db: Database) -> None:
    async with transaction(db.factory) as session:
        venues = [await catalog.add_venue(session, name) for name in ("甲馆", "乙馆", "丙馆")]
    async with graphql_client(db) as api:
        for venue, scores in zip(venues, ([5, 4], [3], []), strict=True):
            for score in scores:
                await f.submit_ok(api, await f.resident(db), gid("Venue", venue.id), score)
        at_least_4 = (await api.data(VENUES, {"min": 4}))["venues"]
        any_rated = (await api.data(VENUES, {"min": 0.1}))["venues"]
        everything = (await api.data(VENUES, {"min": None}))["venues"]
        wrong = await api.execute(VENUES, {"min": 6})
    assert [(e["node"]["name"], e["node"]["rating"]) for e in at_least_4["edges"]] == [
        ("甲馆", 4.5)
    ]
    assert at_least_4["totalCount"] == 1
    assert [e["node"]["name"] for e in any_rated["edges"]] == ["甲馆", "乙馆"]
    assert everything["totalCount"] == 3
    assert wrong["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "filter.minRating",
    }


async def test_events__min_rating__held_review_does_not_count(db: Database) -> None:
    world = await f.build_world(db)
    async with graphql_client(db) as api:
        await f.submit_ok(api, await f.resident(db), world.event, 5, text="想要票的加微信")
        before = (await api.data(EVENTS, {"min": 1}))["events"]["edges"]
        await f.submit_ok(api, await f.resident(db), world.event, 4)
        after = (await api.data(EVENTS, {"min": 1}))["events"]["edges"]
    assert before == []
    assert [e["node"]["title"] for e in after] == ["皮影戏专场"]
