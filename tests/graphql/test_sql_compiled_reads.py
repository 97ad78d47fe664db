"""Compiled reads (culture_cloud/graphql/sql) answer exactly as the general executor does.

Two apps on the same database, one with the SQL compiler and one without, get the same
requests: every served read document the compiler accepts, then random variables (hypothesis):
pages and their cursors, tampered cursors, filters, nulls, unicode. On SQLite the compiler is
off by design, and the test checks that it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from bench.list_page import QUERY as BENCH_LIST_PAGE
from culture_cloud.app import create_app
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.sql import reads
from culture_cloud.graphql.sql.reads import CompiledReads
from culture_cloud.graphql.trusted import document_id
from culture_cloud.schema import EVENT_NODE_SQL
from tests.catalog.factories import add_event, add_venue
from tests.conftest import Database

EVENT_NODE_FIELDS = EVENT_NODE_SQL.fields

DOCUMENTS = Path(__file__).resolve().parents[2] / "culture_cloud" / "web"

# The website's list with everything the compiler handles: cursors, orders, all scalars.
EVERYTHING = """
query Everything($first: Int, $after: String, $filter: EventFilter, $orderBy: EventOrderBy!) {
  events(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    __typename totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor distanceKm
      node {
        __typename id key title kind status startAt endAt allDay ageMin ageMax priceYuan isFree
        capacity bookingRequired allowWaitlist realNameRequired bookingOpensAt bookingClosesAt
        description images tags sources isDemo rating ratingCount remainingSeats
        venue { id name nameEn kind address phone admission rating isDemo
                region { name kind areaKm2 } organization { name kind } }
        scenicSpot { id name aLevel ratingCount }
        region { id key name pinyin kind code population populationYear areaKm2 }
        organization { id name kind isDemo }
      }
    }
  }
}
"""


@dataclass
class Paths:
    compiled: httpx.AsyncClient
    general: httpx.AsyncClient
    reads: CompiledReads | None
    regions: list[str]
    compiled_app: Starlette  # for its search-log buffer (flush_search_log)


def _shanghai(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def _odd_events(db: Database) -> None:
    """Rows that test the serialisation: drafts, ties, nulls, unicode and control characters,
    microseconds, China's summer time (1986-1991) and Shanghai's local mean time (before 1901)."""
    async with transaction(db.factory) as session:
        venue = await add_venue(session, '测试馆 "引号" \\ 反斜杠', kind=m.VenueKind.MUSEUM)
        tie = _shanghai(2031, 5, 4, 10)
        rows: list[tuple[str, datetime, dict[str, Any]]] = [
            ("草稿 draft", tie, {"status": m.EventStatus.DRAFT}),
            ("同时开始 A", tie, {"price_fen": 0, "capacity": 30, "booked_seats": 31}),
            ("同时开始 B", tie, {"price_fen": 1999, "capacity": None}),
            ("控制\x01字符\t\n", tie, {"price_fen": None, "rating_avg": 4.0}),
            ("emoji 😀 𠀋 \u2028", tie + timedelta(microseconds=123456), {"rating_avg": 4.5}),
            ("夏令时 1988", datetime(1988, 7, 1, 2, 0, tzinfo=UTC), {"rating_avg": 0.1}),
            ("地方时 1900", datetime(1900, 6, 1, 2, 0, tzinfo=UTC), {"all_day": True}),
            ("Postponed", tie, {"status": m.EventStatus.POSTPONED, "age_min": 6}),
            ("Cancelled", tie, {"status": m.EventStatus.CANCELLED, "description": "取消"}),
        ]
        for title, start, values in rows:
            await add_event(
                session,
                title,
                start,
                place=venue,
                tags=["亲子", "夜游 🌙"],
                booking_opens_at=start - timedelta(days=3),
                **values,
            )


@pytest.fixture
async def paths(seeded: Database) -> AsyncIterator[Paths]:
    await _odd_events(seeded)
    compiled_app = create_app(seeded.settings)
    general_app = create_app(seeded.settings.model_copy(update={"sql_compiled_reads": False}))
    async with (
        compiled_app.router.lifespan_context(compiled_app),
        general_app.router.lifespan_context(general_app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=compiled_app), base_url="http://t"
        ) as compiled,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=general_app), base_url="http://t"
        ) as general,
    ):
        regions = await general.post("/graphql", json={"query": "{ regions { id } }"})
        yield Paths(
            compiled,
            general,
            compiled_app.state.graphql_view.compiled_reads,
            [r["id"] for r in regions.json()["data"]["regions"]],
            compiled_app,
        )


async def _both(paths: Paths, query: str, variables: dict[str, Any]) -> tuple[Any, Any]:
    body = {"query": query, "variables": variables}
    got = await paths.compiled.post("/graphql", json=body)
    expected = await paths.general.post("/graphql", json=body)
    assert got.status_code == expected.status_code
    assert got.headers["content-type"] == expected.headers["content-type"]
    return got.json(), expected.json()


def _served_documents() -> dict[str, str]:
    documents = {"bench/list_page.py": BENCH_LIST_PAGE}
    for path in sorted(DOCUMENTS.glob("*/documents/*.graphql")):
        documents[f"{path.parent.parent.name}/{path.name}"] = path.read_text()
    return documents


async def test_sql_reads__every_served_document_it_accepts__same_answer(paths: Paths) -> None:
    if paths.reads is None:
        # SQLite: no compiler at all (by design); the executors answer.
        before = sum(reads.ANSWERED.values())
        got, expected = await _both(paths, BENCH_LIST_PAGE, {"first": 5})
        assert got == expected and expected["data"]["events"]["edges"]
        assert sum(reads.ANSWERED.values()) == before
        return
    accepted = {name for name, text in _served_documents().items() if paths.reads.plan(text)}
    # The mini-program's home page, the website's event list, and both's search and map
    # (test_sql_compiled_search.py compares those); the others select what the compiler does
    # not handle (arguments on fields, viewer data) and fall back.
    lists = {"bench/list_page.py", "miniprogram/home.graphql", "site/events.graphql"}
    search_and_map = {
        f"{app}/{doc}.graphql" for app in ("miniprogram", "site") for doc in ("search", "nearby")
    }
    # Roots under @include/@skip: decided per request (the sitemap's and the forms' optional
    # parts); test_sql_reads__conditional_roots checks their answers.
    conditional = {
        "site/sitemap.graphql",
        "site/feedback_form.graphql",
        "console/staff_form.graphql",
    }
    # And the documents with a `node` root: test_sql_compiled_node.py compares those.
    with_node = {name for name in accepted if re.search(r"\bnode\(", _served_documents()[name])}
    assert "site/event.graphql" in with_node or "location" not in EVENT_NODE_FIELDS
    assert accepted - with_node == (lists | search_and_map | conditional) - with_node
    for name in sorted(lists):
        query = _served_documents()[name]
        before = sum(reads.ANSWERED.values())
        variables: dict[str, Any] = {"first": 5}
        for _ in range(20):  # every page, following the cursors
            got, expected = await _both(paths, query, variables)
            assert got == expected, name
            assert "errors" not in expected and expected["data"]["events"]["edges"]
            page = expected["data"]["events"]["pageInfo"]
            if not page["hasNextPage"] or "$after" not in query:
                break
            variables = {"first": 5, "after": page["endCursor"]}
        assert sum(reads.ANSWERED.values()) > before, f"{name} was not answered by SQL"


async def test_sql_reads__every_field_and_odd_rows__same_bytes_where_it_matters(
    paths: Paths,
) -> None:
    for order in ("START_TIME", "NAME", "RATING"):
        got, expected = await _both(paths, EVERYTHING, {"first": 100, "orderBy": order})
        assert got == expected
        titles = [e["node"]["title"] for e in expected["data"]["events"]["edges"]]
        assert "夏令时 1988" in titles and "草稿 draft" not in titles
    nodes = {e["node"]["title"]: e["node"] for e in got["data"]["events"]["edges"]}
    # Exactly as the scalars write them (compared as text, not only as parsed JSON).
    assert nodes["夏令时 1988"]["startAt"] == "1988-07-01T11:00:00+09:00"
    assert nodes["地方时 1900"]["startAt"] == "1900-06-01T10:00:00+08:00"
    assert nodes["emoji 😀 𠀋 \u2028"]["startAt"] == "2031-05-04T10:00:00.123456+08:00"
    assert nodes["同时开始 B"]["priceYuan"] == 19.99 and nodes["同时开始 A"]["remainingSeats"] == 0


async def test_sql_reads__not_compiled_cases__general_answer_and_counted(paths: Paths) -> None:
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"first": 5, "orderBy": "DISTANCE"}, "arguments"),  # distances: not compiled
        ({"first": 5, "orderBy": "START_TIME", "after": "bm9wZQ"}, "coded_error"),
        ({"first": 101, "orderBy": "NAME"}, "coded_error"),
        (
            {"orderBy": "START_TIME", "filter": {"near": {"lat": 37.03, "lng": 111.92}}},
            "arguments",
        ),
        (
            {"orderBy": "START_TIME", "filter": {"regionId": to_global_id("Venue", 1)}},
            "coded_error",
        ),
    ]
    for variables, reason in cases:
        before = reads.FALLBACKS[reason]
        got, expected = await _both(paths, EVERYTHING, variables)
        assert got == expected
        assert reads.FALLBACKS[reason] == before + 1, variables


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_DAY = st.dates(min_value=date(1899, 12, 1), max_value=date(2040, 1, 1))


@st.composite
def _variables(draw: st.DrawFn, regions: list[str]) -> dict[str, Any]:
    flt: dict[str, Any] = {}
    if draw(st.booleans()):
        flt["regionId"] = draw(st.sampled_from([*regions, to_global_id("Region", 999), "?"]))
    if draw(st.booleans()):
        flt["kinds"] = draw(st.lists(st.sampled_from([k.name for k in m.EventKind]), max_size=3))
    for key in ("dateFrom", "dateTo"):
        if draw(st.booleans()):
            flt[key] = draw(st.one_of(st.none(), _DAY.map(str)))
    for key in ("free", "bookable", "hasSeatsLeft"):
        if draw(st.booleans()):
            flt[key] = draw(st.one_of(st.none(), st.booleans()))
    if draw(st.booleans()):
        flt["tags"] = draw(
            st.lists(st.one_of(st.sampled_from(["亲子", "夜游 🌙"]), _TEXT), max_size=3)
        )
    if draw(st.booleans()):
        flt["minRating"] = draw(st.one_of(st.none(), st.floats(-1, 6, allow_nan=False)))
    variables: dict[str, Any] = {
        "orderBy": draw(st.sampled_from(["START_TIME", "NAME", "RATING"])),
        "filter": draw(st.one_of(st.none(), st.just(flt))),
        "first": draw(st.one_of(st.none(), st.integers(-1, 12))),
    }
    if draw(st.booleans()):
        variables["after"] = draw(_TEXT)
    return variables


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_sql_reads__random_variables__same_answer_as_general_executor(
    paths: Paths, data: st.DataObject
) -> None:
    variables = data.draw(_variables(paths.regions))
    if paths.reads is None:
        return  # SQLite: one path only (the first test checks that); nothing to compare
    got, expected = await _both(paths, EVERYTHING, variables)
    assert got == expected
    events = (expected.get("data") or {}).get("events")
    if events and events["pageInfo"]["hasNextPage"]:
        # The next page through the cursor the first answer gave.
        variables = {**variables, "after": events["pageInfo"]["endCursor"]}
        got, expected = await _both(paths, EVERYTHING, variables)
        assert got == expected


_CSRF = re.compile(r'name="csrf_token" value="[0-9a-f]+"')


async def test_sql_reads__website_event_list__same_page_answered_by_sql(paths: Paths) -> None:
    before = reads.ANSWERED["Events"]
    for path in ("/events", "/events?kind=FESTIVAL", "/events?free=1"):
        got = await paths.compiled.get(path)
        expected = await paths.general.get(path)
        assert got.status_code == expected.status_code == 200
        # The same HTML but for each app's own CSRF secret.
        assert _CSRF.sub("", got.text) == _CSRF.sub("", expected.text), path
    # The website's in-process documents take the compiled path too (PostgreSQL only).
    assert reads.ANSWERED["Events"] - before == (0 if paths.reads is None else 3)


async def test_sql_reads__database_error__general_answer_and_counted(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")

    async def failing(*args: Any) -> bytes:
        raise ConnectionResetError("the statement's connection went away")

    monkeypatch.setattr(reads, "fetch_bytes", failing)
    before = reads.FALLBACKS["database"]
    got, expected = await _both(paths, BENCH_LIST_PAGE, {"first": 3})
    assert got == expected and "errors" not in got
    assert reads.FALLBACKS["database"] == before + 1


async def test_sql_reads__stale_or_bad_token__same_public_list(paths: Paths) -> None:
    # The list is the same for everyone (drafts never listed); a bad token does not break it
    # on either path, as public queries never ask for the viewer.
    body = {"query": BENCH_LIST_PAGE, "variables": {"first": 4}}
    headers = {"Authorization": "Bearer not-a-token"}
    before = reads.ANSWERED["ListPage"]
    got = await paths.compiled.post("/graphql", json=body, headers=headers)
    expected = await paths.general.post("/graphql", json=body, headers=headers)
    assert got.status_code == expected.status_code == 200
    assert got.json() == expected.json() and "errors" not in got.json()
    assert reads.ANSWERED["ListPage"] - before == (0 if paths.reads is None else 1)


MINI_HOME = (DOCUMENTS / "miniprogram" / "documents" / "home.graphql").read_text()


async def test_sql_reads__trusted_document_by_id__compiled_over_post_and_get(
    paths: Paths,
) -> None:
    """The mini-program sends its home page by id, as GET for the cache: the compiled path
    answers it the same as the text through the general executor, with the GET's cache
    headers and a 304 for the copy the caller has."""
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    variables = {"first": 5}
    expected = (
        await paths.general.post("/graphql", json={"query": MINI_HOME, "variables": variables})
    ).json()
    assert expected["data"]["events"]["edges"]
    id_ = document_id(MINI_HOME)

    before = sum(reads.ANSWERED.values())
    posted = await paths.compiled.post("/graphql", json={"documentId": id_, "variables": variables})
    got = await paths.compiled.get(
        "/graphql", params={"documentId": id_, "variables": json.dumps(variables)}
    )
    assert sum(reads.ANSWERED.values()) == before + 2
    assert posted.json() == got.json() == expected
    assert got.headers["cache-control"].startswith("public, max-age=")
    again = await paths.compiled.get(
        "/graphql",
        params={"documentId": id_, "variables": json.dumps(variables)},
        headers={"If-None-Match": got.headers["etag"]},
    )
    assert again.status_code == 304


async def test_sql_reads__trusted_documents_only__anonymous_own_text_still_refused(
    seeded: Database,
) -> None:
    """The compiled path sits behind the same gate: an anonymous caller's hand-written list
    query is refused when only trusted documents are allowed, though the compiler could
    answer it; the registered text is answered."""
    app = create_app(seeded.settings.model_copy(update={"trusted_documents_only": True}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        before = sum(reads.ANSWERED.values())
        own = await http.post(
            "/graphql", json={"query": EVERYTHING, "variables": {"orderBy": "START_TIME"}}
        )
        assert own.status_code == 403
        assert own.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
        assert sum(reads.ANSWERED.values()) == before
        shipped = await http.post("/graphql", json={"query": MINI_HOME, "variables": {"first": 3}})
        assert shipped.status_code == 200 and shipped.json()["data"]["events"]["edges"]


async def test_sql_reads__filter_field_not_compiled__falls_back_not_ignored(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter field the SQL does not know yet (as a new EventFilter field would be) sends
    the request to the general executor instead of being answered as if it were unset."""
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    from culture_cloud.catalog import sql_reads

    monkeypatch.setattr(
        sql_reads, "COMPILED_EVENT_FILTERS", sql_reads.COMPILED_EVENT_FILTERS - {"free"}
    )
    before = reads.FALLBACKS["arguments"]
    got, expected = await _both(
        paths, EVERYTHING, {"orderBy": "START_TIME", "filter": {"free": True}}
    )
    assert got == expected
    assert all(e["node"]["isFree"] for e in got["data"]["events"]["edges"])
    assert reads.FALLBACKS["arguments"] == before + 1


async def test_sql_reads__conditional_roots__decided_per_request(paths: Paths) -> None:
    """The sitemap's roots are each under @include: the compiled one (events) is answered by
    SQL when it is the only one kept, nothing kept is `{}`, and a kept root the compiler does
    not handle (venues) sends the whole request to the general executor, same answer."""
    if paths.reads is None:
        pytest.skip("SQLite: no compiler (checked above)")
    query = _served_documents()["site/sitemap.graphql"]
    flags = ("Events", "Venues", "Spots", "Agencies", "Guides", "Offerings", "Wishes", "Regions")
    none = {f"with{flag}": False for flag in flags}
    for variables, compiled in (
        ({**none, "withEvents": True}, True),
        (none, True),
        ({**none, "withEvents": True, "withVenues": True}, False),
    ):
        before = sum(reads.ANSWERED.values())
        got, expected = await _both(paths, query, variables)
        assert got == expected and "errors" not in expected
        assert (sum(reads.ANSWERED.values()) > before) is compiled, variables
    got, _ = await _both(paths, query, {**none, "withEvents": True})
    assert got["data"]["events"]["edges"] and set(got["data"]) == {"events"}
