"""`search` and `nearby` compiled to SQL (search/sql_reads.py, search/nearby_sql.py) answer
exactly as the general executor does: every served search and map document, every page to the
end, ties, rows whose object is gone, odd unicode, tampered cursors, random variables; and the
search log is written as the resolver writes it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from culture_cloud.app import flush_search_log
from culture_cloud.catalog import models as m
from culture_cloud.catalog.counts import COUNTS
from culture_cloud.db import read_only, transaction, utcnow
from culture_cloud.graphql.sql import reads
from culture_cloud.search.models import SEARCH_LOG_TABLE
from tests.catalog.factories import add_agency, add_event, add_guide, add_scenic_spot, add_venue
from tests.conftest import Database
from tests.graphql.test_sql_compiled_reads import Paths, _both
from tests.graphql.test_sql_compiled_reads import paths as paths  # the fixture

DOCUMENTS = Path(__file__).resolve().parents[2] / "culture_cloud" / "web"
SEARCH = {
    name: (DOCUMENTS / name).read_text()
    for name in ("site/documents/search.graphql", "miniprogram/documents/search.graphql")
}
NEARBY = {
    name: (DOCUMENTS / name).read_text()
    for name in ("site/documents/nearby.graphql", "miniprogram/documents/nearby.graphql")
}
# Everything the compiler handles on these fields, aliases and __typename included.
SEARCH_ALL = """
query SearchAll($text: String!, $kinds: [CatalogKind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    __typename total: totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      __typename cursor score
      item: node {
        __typename
        ... on Venue { id name kind phone tags rating ratingCount region { name } }
        ... on Event { id title startAt status priceYuan remainingSeats venue { name } }
        ... on ScenicSpot { id name aLevel organization { name kind } }
        ... on TravelAgency { id name licenceNo tags }
        ... on Guide { id name cardNo languages specialities agency { name } }
      }
    }
  }
}
"""
NEARBY_ALL = """
query NearbyAll($lat: Float!, $lng: Float!, $radiusKm: Float!, $system: CoordSystem!,
                $kinds: [CatalogKind!], $first: Int, $after: String) {
  nearby(lat: $lat, lng: $lng, radiusKm: $radiusKm, coordSystem: $system, kinds: $kinds,
         first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage startCursor endCursor }
    edges { cursor distanceKm node { __typename ... on Venue { id name } ... on Event { id title endAt } ... on ScenicSpot { id } ... on TravelAgency { name } } }
  }
}
"""
CENTRE = (37.0269, 111.9169)


async def _odd_catalogue(db: Database) -> None:
    """Ties (same names, same places), odd text, every kind, an index row whose object is gone,
    events that ended and a draft (never near anyone)."""
    now = utcnow()
    async with transaction(db.factory) as session:
        for i in range(7):
            await add_venue(session, "晋剧 同名馆", at=(CENTRE[0] + 0.001, CENTRE[1]))
            await add_scenic_spot(session, f"晋剧 景区 😀 {i}", at=(CENTRE[0], CENTRE[1] + i / 500))
        agency = await add_agency(session, '晋剧 "旅行社" \\', at=(CENTRE[0] - 0.002, CENTRE[1]))
        await add_guide(session, "晋剧 导游\u2028", specialities=["晋剧"], agency_id=agency.id)
        venue = await add_venue(session, "近处馆 mianshan", at=CENTRE)
        for title, end in (("晋剧 今晚", 2), ("晋剧 已结束", -2), ("晋剧 明天", 26)):
            await add_event(
                session, title, now + timedelta(hours=end - 1), place=venue, tags=["晋剧"]
            )
        await add_event(
            session, "晋剧 草稿", now + timedelta(days=1), place=venue, status=m.EventStatus.DRAFT
        )
        await session.execute(
            insert(m.SearchTerm).values(
                target_kind="venue", target_id=987654, term="晋剧", weight=10
            )
        )


@pytest.fixture
async def search_paths(paths: Paths, seeded: Database) -> Paths:
    await _odd_catalogue(seeded)
    return paths


async def _pages(paths: Paths, query: str, variables: dict[str, Any], field: str) -> int:
    """Every page, following the cursors; the number of pages."""
    for page in range(1, 40):
        got, expected = await _both(paths, query, variables)
        assert got == expected, (variables, page)
        connection = (expected.get("data") or {}).get(field)
        if not connection or not connection["pageInfo"]["hasNextPage"]:
            return page
        variables = {**variables, "after": connection["pageInfo"]["endCursor"]}
    raise AssertionError("too many pages")


async def test_sql_search__served_documents__same_answer_every_page(search_paths: Paths) -> None:
    paths = search_paths
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    for name, query in SEARCH.items():
        assert paths.reads.plan(query), name
        for text in ("晋剧", "mianshan", "mian shan", "绵山 晋剧", "火星基地", "😀", "  ", "a"):
            before = sum(reads.ANSWERED.values())
            pages = await _pages(paths, query, {"text": text, "first": 3}, "search")
            assert sum(reads.ANSWERED.values()) - before == pages, (name, text)
    for name, query in NEARBY.items():
        assert paths.reads.plan(query), name
        for radius in (0.05, 0.5, 5.0, 50.0):
            variables = {"lat": CENTRE[0], "lng": CENTRE[1], "radiusKm": radius, "system": "WGS84"}
            if "$system" not in query:
                variables.pop("system")
            got, expected = await _both(paths, query, variables)
            assert got == expected, (name, radius)


async def test_sql_search__every_field__same_answer_every_page(search_paths: Paths) -> None:
    paths = search_paths
    for first in (1, 2, 5, 100, 0, None):
        for kinds in (None, ["VENUE", "GUIDE"], ["TRAVEL_AGENCY"], []):
            variables = {"text": "晋剧", "first": first, "kinds": kinds}
            await _pages(paths, SEARCH_ALL, variables, "search")
            variables = {
                "lat": CENTRE[0],
                "lng": CENTRE[1],
                "radiusKm": 3.0,
                "system": "GCJ02",
                "first": first,
                "kinds": kinds,
            }
            await _pages(paths, NEARBY_ALL, variables, "nearby")


async def test_sql_search__bad_arguments__general_answer_and_counted(search_paths: Paths) -> None:
    paths = search_paths
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    near = {"lat": CENTRE[0], "lng": CENTRE[1], "system": "WGS84"}
    cases: list[tuple[str, dict[str, Any]]] = [
        (SEARCH_ALL, {"text": "晋剧", "after": "bm9wZQ"}),
        (SEARCH_ALL, {"text": "x" * 101}),
        (SEARCH_ALL, {"text": "晋剧", "first": 101}),
        (NEARBY_ALL, {**near, "radiusKm": 0.0}),
        (NEARBY_ALL, {**near, "radiusKm": 1.0, "lat": 91.0}),
        (NEARBY_ALL, {**near, "radiusKm": 1.0, "after": "bm9wZQ"}),
    ]
    for query, variables in cases:
        before = reads.FALLBACKS["coded_error"]
        got, expected = await _both(paths, query, variables)
        assert got == expected and "errors" in got
        assert reads.FALLBACKS["coded_error"] == before + 1, variables


async def _log_count(db: Database, paths: Paths) -> int:
    # Searches are buffered per process; written at the flush (search/log.py).
    await flush_search_log(paths.compiled_app)
    async with read_only(db.engine) as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(SEARCH_LOG_TABLE))).scalar_one()
        )


async def test_sql_search__log__first_pages_once_as_the_resolver(
    search_paths: Paths, seeded: Database
) -> None:
    paths = search_paths
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    query = SEARCH["site/documents/search.graphql"]
    start = await _log_count(seeded, paths)
    await paths.compiled.post(
        "/graphql", json={"query": query, "variables": {"text": "晋剧", "first": 1}}
    )
    assert await _log_count(seeded, paths) == start + 1
    twice = (
        'query { a: search(text: "绵山") { totalCount } b: search(text: "绵山") { totalCount } }'
    )
    before = reads.ANSWERED[""]
    await paths.compiled.post("/graphql", json={"query": twice})
    assert reads.ANSWERED[""] == before + 1 and await _log_count(seeded, paths) == start + 2
    # Not logged: further pages, personal data, the website's suggestions as one types.
    got = await paths.compiled.post(
        "/graphql", json={"query": query, "variables": {"text": "晋剧", "first": 1}}
    )
    after = got.json()["data"]["search"]["pageInfo"]["endCursor"]
    for variables in (
        {"text": "晋剧", "first": 1, "after": after},
        {"text": "13812345678", "first": 1},
    ):
        await paths.compiled.post("/graphql", json={"query": query, "variables": variables})
    assert await _log_count(seeded, paths) == start + 3
    suggested = await paths.compiled.get("/search/suggest", params={"q": "晋剧"})
    assert suggested.status_code == 200 and suggested.json()["items"]
    assert await _log_count(seeded, paths) == start + 3


_TEXTS = st.one_of(
    st.sampled_from(["晋剧", "晋", "mian", "mianshan", "jin ju", "景区", "馆", "导游 晋剧"]),
    st.text(st.characters(codec="utf-8"), max_size=8),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_sql_search__random_variables__same_answer(
    search_paths: Paths, data: st.DataObject
) -> None:
    paths = search_paths
    kinds = data.draw(
        st.one_of(
            st.none(),
            st.lists(
                st.sampled_from(["VENUE", "EVENT", "SCENIC_SPOT", "TRAVEL_AGENCY", "GUIDE"]),
                max_size=3,
            ),
        )
    )
    first = data.draw(st.one_of(st.none(), st.integers(-1, 6)))
    after = data.draw(st.one_of(st.none(), st.text(max_size=6)))
    variables: dict[str, Any] = {
        "text": data.draw(_TEXTS),
        "kinds": kinds,
        "first": first,
        "after": after,
    }
    await _pages(paths, SEARCH_ALL, variables, "search")
    variables = {
        "lat": data.draw(st.floats(36.9, 37.2, allow_nan=False)),
        "lng": data.draw(st.floats(111.8, 112.1, allow_nan=False)),
        "radiusKm": data.draw(st.floats(-1, 60, allow_nan=False)),
        "system": data.draw(st.sampled_from(["WGS84", "GCJ02", "BD09"])),
        "kinds": kinds,
        "first": first,
        "after": after,
    }
    await _pages(paths, NEARBY_ALL, variables, "nearby")


async def test_sql_search__known_miss_and_whole_first_page__fewer_round_trips_same_answer(
    search_paths: Paths, seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search that matched nothing, under an unchanged catalogue version, answers the empty
    page without its own statement; one whose last answer fit its first page runs without
    reading the cached count first. When the catalogue has grown meanwhile, the statement
    counts, and every answer is still the general path's."""
    paths = search_paths
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    lookups: list[object] = []
    lookup_on = COUNTS.lookup_on

    async def counted(engine: Any, key: Any) -> Any:
        lookups.append(key)
        return await lookup_on(engine, key)

    monkeypatch.setattr(COUNTS, "lookup_on", counted)

    async def total(first: int, expected_lookups: int | None) -> int:
        lookups.clear()
        variables = {"text": "火星基地", "first": first}
        got, expected = await _both(paths, SEARCH_ALL, variables)
        assert got == expected
        assert expected_lookups is None or len(lookups) == expected_lookups, lookups
        return int(expected["data"]["search"]["total"])

    async def add(venues: int) -> None:
        async with transaction(seeded.factory) as session:
            for _ in range(venues):
                await add_venue(session, "火星基地 展馆")

    before = sum(reads.ANSWERED.values())
    await total(1, None)  # learns that nothing matches
    assert await total(1, 1) == 0  # the version is read, no search statement
    await add(2)
    assert await total(1, 1) == 2  # a new version: counted in the statement, filed
    assert await total(1, 1) == 2  # more than a page: the filed count is read
    assert await total(5, 0) == 2  # a whole first page last time: nothing read first
    await add(5)
    assert await total(5, 0) == 7  # the page is full now: the statement counts
    assert await total(5, 1) == 7
    assert sum(reads.ANSWERED.values()) - before == 7
