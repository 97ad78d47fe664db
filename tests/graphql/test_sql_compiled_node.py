"""`node(id:)` compiled to SQL (catalog/sql_node.py) answers exactly as the general executor.

The website's event page asks `node(id:)` for one event; on PostgreSQL an anonymous request is
one statement. Every seeded event, drafts, a series with ended and draft occurrences, bad ids,
ids of types the plan does not compile, and bad `first` values get the general path's answer.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, print_ast
from sqlalchemy import select, text

from culture_cloud.catalog import models as m
from culture_cloud.db import create_engine, transaction, utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.sql import reads
from culture_cloud.graphql.sql.planner import ReadRun
from culture_cloud.schema import EVENT_NODE_SQL
from culture_cloud.timeutil import local_today
from tests.catalog.factories import add_event
from tests.graphql.test_sql_compiled_reads import (  # noqa: F401
    Paths,
    _both,
    _served_documents,
    paths,
)
from tests.reviews.review_rows import build_review_world
from tests.support.ids import gid

EVENT = """
query Event($id: ID!, $first: Int!) {
  node(id: $id) {
    __typename
    ... on Event {
      id title kind status startAt endAt allDay priceYuan isFree capacity remainingSeats
      bookingRequired description images tags sources isDemo rating ratingCount
      venue { id name address }
      scenicSpot { id name address }
      region { key name }
      organization { name }
      seriesDates(first: $first) { id startAt endAt allDay status remainingSeats }
    }
  }
}
"""


def _answered() -> int:
    return sum(reads.ANSWERED.values())


async def _same(
    paths: Paths,  # noqa: F811
    variables: dict[str, Any],
    *,
    compiled: bool,
) -> Any:
    return await _same_document(paths, EVENT, variables, compiled)


@pytest.fixture
def compiler(paths: Paths) -> Paths:  # noqa: F811
    if paths.reads is None:
        pytest.skip("SQLite: no compiled reads (by design)")
    return paths


async def test_node__every_event_and_a_series__same_answer(compiler: Paths, seeded: Any) -> None:
    async with transaction(seeded.factory) as session:
        series_event = (
            (
                await session.execute(
                    select(m.Event).where(m.Event.series_id.is_not(None)).order_by(m.Event.id)
                )
            )
            .scalars()
            .first()
        )
        assert series_event is not None, "the seed has a weekly series"
        series_id = series_event.series_id
        # An ended occurrence and a draft one: neither is listed.
        ended = utcnow() - timedelta(days=400)
        for title, start, status in (
            ("已结束的一场", ended, m.EventStatus.PUBLISHED),
            ("草稿的一场", utcnow() + timedelta(days=400), m.EventStatus.DRAFT),
        ):
            await add_event(session, title, start, status=status, series_id=series_id)
        ids = (await session.execute(select(m.Event.id, m.Event.status))).all()
    drafts = 0
    for pk, status in ids:
        answer = await _same(
            compiler, {"id": to_global_id("Event", pk), "first": 10}, compiled=True
        )
        node = answer["data"]["node"]
        if status is m.EventStatus.DRAFT:
            drafts += 1
            assert node is None
        else:
            assert node["__typename"] == "Event"
            titles = {d["id"] for d in node["seriesDates"]}
            assert to_global_id("Event", pk) not in titles
    assert drafts >= 1
    series = await _same(
        compiler, {"id": to_global_id("Event", series_event.id), "first": 50}, compiled=True
    )
    dates = series["data"]["node"]["seriesDates"]
    assert dates and [d["startAt"] for d in dates] == sorted(d["startAt"] for d in dates)
    for first in (0, 1, 2):
        answer = await _same(
            compiler, {"id": to_global_id("Event", series_event.id), "first": first}, compiled=True
        )
        assert len(answer["data"]["node"]["seriesDates"]) == min(first, len(dates))


async def test_node__bad_ids_other_types_and_bad_first__general_answer(compiler: Paths) -> None:
    ok = to_global_id("Event", 1)
    for variables in (
        {"id": "not an id", "first": 10},  # INVALID_ID from the general path
        {"id": to_global_id("Event", 10**6), "first": 10},  # no such event: null
        {"id": to_global_id("Nope", 1), "first": 10},
        {"id": to_global_id("Venue", 1), "first": 10},  # not compiled: the general path
        {"id": ok, "first": -1},
        {"id": ok, "first": 51},
    ):
        compiled = variables["id"] == to_global_id("Event", 10**6)
        answer = await _same(compiler, variables, compiled=compiled)
        if variables["first"] in (-1, 51):
            assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node__signed_in__general_path(compiler: Paths) -> None:
    """Drafts are visible to their organisation's staff: a token means the general path."""
    before = _answered()
    response = await compiler.compiled.post(
        "/graphql",
        json={"query": EVENT, "variables": {"id": to_global_id("Event", 1), "first": 1}},
        headers={"authorization": "Bearer not-a-real-token"},
    )
    assert response.status_code in (200, 401)
    assert _answered() == before


def _variables_for(query: str, node_id: str) -> dict[str, Any]:
    """Every variable a served document declares: the id, no cursor, signed out, today."""
    operation = next(d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode))
    out: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        type_name = print_ast(definition.type).rstrip("!")
        out[definition.variable.name.value] = {
            "ID": node_id,
            "Boolean": definition.variable.name.value == "hasTarget",
            "Date": local_today(utcnow()).isoformat(),
            "String": None,
            "Int": 10,
        }[type_name]
    return out


async def test_node__every_served_document_it_plans__same_answer(
    compiler: Paths, seeded: Any
) -> None:
    """The website's, console's and mini-program's documents with a `node` root, for every
    seeded event (and a venue: the general path), signed out."""
    assert compiler.reads is not None
    async with transaction(seeded.factory) as session:
        event_ids = (await session.execute(select(m.Event.id).order_by(m.Event.id))).scalars().all()
    planned = {
        name: text
        for name, text in _served_documents().items()
        if "node(" in text and compiler.reads.plan(text) is not None
    }
    full = {"location", "reviews", "ratingSummary"} <= EVENT_NODE_SQL.fields.keys()
    pages = {"site/event.graphql", "miniprogram/event.graphql"} if full else set()
    assert {"site/event_seats.graphql", "site/event_booking.graphql"} | pages <= set(planned)
    for name, query in sorted(planned.items()):
        for pk in [*event_ids[:40], event_ids[-1]]:
            variables = _variables_for(query, to_global_id("Event", pk))
            got, expected = await _both(compiler, query, variables)
            assert got == expected, (name, pk)
        got, expected = await _both(
            compiler, query, _variables_for(query, to_global_id("Venue", 1))
        )
        assert got == expected, name


async def test_node__event_page_with_reviews__every_review_page_same(
    compiler: Paths, seeded: Any
) -> None:
    """The website's event page document, whole, for an event with many reviews (ties, a
    deleted author, replies, odd text): every page of `reviewsAfter` by SQL, same answer."""
    world = await build_review_world(seeded)
    query = _served_documents()["site/event.graphql"]
    seen: list[str] = []
    after = None
    for _ in range(10):
        variables = {"id": world.event, "reviewsAfter": after, "signedIn": False}
        answer = await _same_document(compiler, query, variables)
        node = answer["data"]["node"]
        assert node["ratingSummary"]["count"] == len(world.public_newest_first)
        reviews = node["reviews"]
        seen += [edge["node"]["id"] for edge in reviews["edges"]]
        if not reviews["pageInfo"]["hasNextPage"]:
            break
        after = reviews["pageInfo"]["endCursor"]
    assert seen == [gid("Review", pk) for pk in world.public_newest_first]
    assert node["gcj02"] != node["wgs84"] or node["wgs84"] is None
    # A tampered cursor: the general path's coded error, from either app.
    answer = await _same_document(
        compiler, query, {"id": world.event, "reviewsAfter": "bad", "signedIn": False}, False
    )
    assert answer["errors"]


async def _same_document(
    compiler: Paths, query: str, variables: dict[str, Any], compiled: bool = True
) -> Any:
    before = _answered()
    got, expected = await _both(compiler, query, variables)
    assert got == expected, variables
    assert (_answered() > before) is compiled, variables
    return expected


async def test_node__event_page_statement__prepared_once_per_connection(
    compiler: Paths, seeded: Any
) -> None:
    """The event page's statement (~48 KB) is kept prepared on its connection: planned afresh
    on every request, PostgreSQL spent ~4 ms planning it against ~0.6 ms running it."""
    assert compiler.reads is not None
    plan = compiler.reads.plan(_served_documents()["site/event.graphql"])
    assert plan is not None
    engine = create_engine(seeded.settings.model_copy(update={"db_pool_size": 1}))
    try:
        for pk in (1, 2, 3):
            run = ReadRun(engine, None, utcnow())
            variables = {"id": to_global_id("Event", pk), "reviewsAfter": None, "signedIn": False}
            statement = await plan.statement(variables, run)
            assert statement is not None
            sql, params = statement
            assert len(sql) > 15 * 1024  # larger than asyncpg keeps by default
            await reads.fetch_bytes(engine, sql, params)
        async with engine.connect() as conn:
            prepared = await conn.scalar(
                text("SELECT count(*) FROM pg_prepared_statements WHERE statement = :sql"),
                {"sql": sql},
            )
        assert prepared == 1
    finally:
        await engine.dispose()


async def test_node__event_pages__same_html_with_and_without_the_compiler(
    compiler: Paths, seeded: Any
) -> None:
    """What a resident sees: every seeded event's page (drafts: 404) and one with many reviews
    is the same HTML whether its document ran as one statement or through the executor."""
    world = await build_review_world(seeded)
    async with transaction(seeded.factory) as session:
        pks = (await session.execute(select(m.Event.id).order_by(m.Event.id))).scalars().all()
    assert world.event_id in pks
    before = _answered()
    for pk in pks:
        got = await compiler.compiled.get(f"/events/{pk}")
        expected = await compiler.general.get(f"/events/{pk}")
        assert got.status_code == expected.status_code, pk
        assert _without_token(got.text) == _without_token(expected.text), pk
    assert _answered() > before  # the compiled app's pages were answered by SQL


def _without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)
