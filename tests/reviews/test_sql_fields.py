"""`ratingSummary` and `reviews` compiled to SQL (reviews/sql_fields.py) answer exactly as the
resolvers do: each document is planned once, run on PostgreSQL over the target's row, and
compared with the general executor's answer to `node(id:) { ... on Event { <fields> } }`,
numbers compared as their exact text (an average of 4.0 must not come back as 4).

SQLite has no compiled reads (by design): those copies are skipped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FieldNode, GraphQLSchema, InlineFragmentNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from culture_cloud.app import create_app
from culture_cloud.db import utcnow
from culture_cloud.errors import DomainError
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.fields import PlanContext, RunValues, Slots, SqlTemplate
from culture_cloud.graphql.sql.objects import Unsupported, build_object, fields_of, response_key
from culture_cloud.graphql.sql.planner import inline_fragments
from culture_cloud.graphql.sql.reads import fetch_bytes
from culture_cloud.reviews.authors import PYTHON_WHITESPACE
from culture_cloud.reviews.sql_fields import reviewable_fields
from culture_cloud.schema import create_schema
from tests.conftest import Database
from tests.reviews.review_rows import ReviewWorld, build_review_world

SITE_EVENT = (
    Path(__file__).resolve().parents[2] / "culture_cloud/web/site/documents/event.graphql"
).read_text()
# The website's own fragments, as the event, venue and other pages send them.
SITE_FRAGMENTS = SITE_EVENT[SITE_EVENT.index("fragment RatingSummaryFields") :]

SITE_FIELDS = (
    """
query SiteFields($id: ID!, $reviewsAfter: String) {
  node(id: $id) {
    ... on %s {
      ratingSummary { ...RatingSummaryFields }
      reviews(first: 10, after: $reviewsAfter) { ...ReviewListFields }
    }
  }
}
"""
    + SITE_FRAGMENTS
)

# Everything compiled, with aliases, __typename and the connection's other fields.
EVERYTHING = """
query Everything($id: ID!, $first: Int, $after: String, $order: ReviewOrderBy! = NEWEST,
                 $filter: ReviewFilter) {
  node(id: $id) {
    ... on %s {
      summary: ratingSummary {
        __typename average count
        distribution { __typename count score }
        dimensions { __typename label dimension count average }
      }
      reviews(first: $first, after: $after, orderBy: $order, filter: $filter) {
        __typename totalCount
        pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          __typename cursor distanceKm
          node {
            __typename id authorName who: authorName overall text helpfulCount isVerified
            isDesignatedReviewer createdAt editedAt
            scores { __typename guideExplanation facilities service content tourismService }
            reply { __typename text createdAt updatedAt organization { __typename id name kind } }
          }
        }
      }
    }
  }
}
"""


def _exact(raw: bytes | str) -> Any:
    """JSON with every number kept as its text: 4.0 and 4 differ, as they do on the wire."""
    return json.loads(raw, parse_float=lambda s: f"float {s}", parse_int=lambda s: f"int {s}")


@dataclass
class Compiled:
    """One document planned once (as the compiler plans it), run for any variables."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    template: SqlTemplate
    table: str

    @classmethod
    def plan(cls, schema: GraphQLSchema, query: str, type_name: str, table: str) -> Compiled:
        document = parse(query)
        operation = inline_fragments(document.definitions[0], document)  # type: ignore[arg-type]
        [node] = operation.selection_set.selections
        assert isinstance(node, FieldNode) and node.selection_set is not None
        [on_type] = node.selection_set.selections
        assert isinstance(on_type, InlineFragmentNode)
        gql_type = schema.get_type(type_name)
        planners = reviewable_fields(type_name)
        ctx = PlanContext(schema, Slots())
        pairs = [
            (response_key(f), planners[f.name.value](ctx, "n", f, gql_type.fields[f.name.value]))  # type: ignore[union-attr]
            for f in fields_of(on_type.selection_set, gql_type, schema)  # type: ignore[arg-type]
        ]
        return cls(schema, operation, ctx.slots.template(build_object(pairs)), table)

    async def run(self, db: Database, pk: int, variables: dict[str, Any]) -> bytes:
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), variables
        )
        assert not isinstance(coerced, list), coerced
        params = Params()
        target = params.add(pk, "int4")
        expr = self.template.render(params, RunValues(coerced, utcnow()))
        sql = f"SELECT convert_to(({expr})::text, 'UTF8') FROM {self.table} n WHERE n.id = {target}"
        return await fetch_bytes(db.engine, sql, params.values)


@dataclass
class Paths:
    db: Database
    world: ReviewWorld
    general: httpx.AsyncClient
    schema: GraphQLSchema

    async def general_answer(self, query: str, variables: dict[str, Any]) -> bytes:
        response = await self.general.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert response.status_code == 200
        return response.content

    async def same(
        self, compiled: Compiled, pk: int, gid: str, variables: dict[str, Any], query: str
    ) -> Any:
        """The compiled fields equal the general path's, numbers as text; the general answer."""
        expected = await self.general_answer(query, {"id": gid, **variables})
        assert "errors" not in json.loads(expected), expected
        got = await compiled.run(self.db, pk, {"id": gid, **variables})
        assert _exact(got) == _exact(expected)["data"]["node"]
        return json.loads(expected)["data"]["node"]


@pytest.fixture
async def paths(db: Database) -> AsyncIterator[Paths]:
    if db.backend != "postgres":
        pytest.skip("SQLite: no compiled reads (by design)")
    world = await build_review_world(db)
    app = create_app(db.settings.model_copy(update={"sql_compiled_reads": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield Paths(db, world, http, create_schema(db.settings)._schema)


def _plan(paths: Paths, query: str, type_name: str = "Event", table: str = "event") -> Compiled:
    return Compiled.plan(paths.schema, query % type_name, type_name, table)


def _number(value: str) -> str:
    return value.split(" ", 1)[1]


async def test_site_fields__every_page_through_end_cursors__same_answer(paths: Paths) -> None:
    world = paths.world
    compiled = _plan(paths, SITE_FIELDS)
    query = SITE_FIELDS % "Event"
    seen: list[str] = []
    variables: dict[str, Any] = {}
    for _ in range(10):
        node = await paths.same(compiled, world.event_id, world.event, variables, query)
        seen += [e["node"]["id"] for e in node["reviews"]["edges"]]
        info = node["reviews"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        variables = {"reviewsAfter": info["endCursor"]}
    # Every approved, live review once, newest first; nothing pending, rejected or deleted.
    assert seen == [to_global_id("Review", pk) for pk in world.public_newest_first]
    summary = node["ratingSummary"]
    assert summary["count"] == len(world.public_newest_first) == len(seen)
    assert [d["dimension"] for d in summary["dimensions"]] == ["CONTENT", "SERVICE", "FACILITIES"]


async def test_everything__every_cursor_and_page_size__same_answer(paths: Paths) -> None:
    world = paths.world
    compiled = _plan(paths, EVERYTHING)
    query = EVERYTHING % "Event"
    everyone = await paths.same(compiled, world.event_id, world.event, {"first": 100}, query)
    edges = everyone["reviews"]["edges"]
    assert len(edges) == everyone["reviews"]["totalCount"] == len(world.public_newest_first)
    for size in (None, 0, 1, 3, 7):
        # After every cursor (ties in created_at included), not only the pages' last ones.
        for after in [None, *(e["cursor"] for e in edges)]:
            variables = {"first": size, "after": after}
            node = await paths.same(compiled, world.event_id, world.event, variables, query)
            if size == 0:
                assert node["reviews"]["edges"] == []
                assert node["reviews"]["pageInfo"]["hasNextPage"] is False
    by_id = {e["node"]["id"]: e["node"] for e in edges}
    deleted_author = by_id[to_global_id("Review", world.deleted_author_review)]
    assert deleted_author["authorName"] == "已注销用户" == deleted_author["who"]
    names = {e["node"]["authorName"] for e in edges}
    assert {"匿名用户", "张**", "李*", "😀*", "A*"} <= names
    replies = [e["node"]["reply"] for e in edges if e["node"]["reply"]]
    assert {r["organization"] is None for r in replies} == {True, False}


async def test_summary__averages_as_python_writes_them__same_bytes(paths: Paths) -> None:
    world = paths.world
    compiled = _plan(paths, EVERYTHING)
    node = await paths.same(
        compiled, world.event_id, world.event, {"first": 0}, EVERYTHING % "Event"
    )
    raw = _exact(await compiled.run(paths.db, world.event_id, {"id": world.event, "first": 0}))
    summary = raw["summary"]
    # A repeating average and an integral one (4.0, not 4), exactly as orjson writes floats.
    count, total = int(_number(summary["count"])), world.event_overall_sum
    assert _number(summary["average"]) == repr(total / count)
    service = next(d for d in raw["summary"]["dimensions"] if d["dimension"] == "SERVICE")
    assert _number(service["average"]) == "4.0"
    assert node["summary"]["distribution"][0] == {
        "__typename": "RatingBucket",
        "count": 2,
        "score": 1,
    }


async def test_target_without_reviews__zeros_and_nulls__same_answer(paths: Paths) -> None:
    world = paths.world
    for query in (SITE_FIELDS, EVERYTHING):
        compiled = _plan(paths, query)
        node = await paths.same(
            compiled, world.empty_event_id, world.empty_event, {}, query % "Event"
        )
    reviews = node["reviews"]
    assert reviews["edges"] == [] and reviews["totalCount"] == 0
    assert reviews["pageInfo"]["endCursor"] is None and reviews["pageInfo"]["startCursor"] is None
    assert node["summary"]["average"] is None and node["summary"]["count"] == 0
    assert all(d["average"] is None and d["count"] == 0 for d in node["summary"]["dimensions"])


async def test_other_reviewable_type__its_own_dimensions__same_answer(paths: Paths) -> None:
    world = paths.world
    for query in (SITE_FIELDS, EVERYTHING):
        compiled = _plan(paths, query, "Venue", "venue")
        node = await paths.same(compiled, world.venue_id, world.venue, {}, query % "Venue")
    assert [d["dimension"] for d in node["summary"]["dimensions"]] == [
        "FACILITIES",
        "SERVICE",
        "CONTENT",
    ]
    assert node["reviews"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": -1}, "BAD_USER_INPUT"),
        ({"first": 101}, "BAD_USER_INPUT"),
        ({"after": "bm9wZQ"}, "INVALID_CURSOR"),  # "nope"
        ({"first": 0, "after": "x"}, "INVALID_CURSOR"),  # checked even for an empty page
        # A well-formed cursor of another order, and one with a value of the wrong type.
        ({"after": "eyJvIjoicmV2aWV3OmhpZ2hlc3QiLCJ2IjpbMSwyXX0"}, "INVALID_CURSOR"),
        ({"after": "eyJvIjoicmV2aWV3Om5ld2VzdCIsInYiOlsxLDJdfQ"}, "INVALID_CURSOR"),
    ],
)
async def test_bad_page_arguments__the_general_paths_error(
    paths: Paths, variables: dict[str, Any], code: str
) -> None:
    world = paths.world
    compiled = _plan(paths, EVERYTHING)
    expected = json.loads(
        await paths.general_answer(EVERYTHING % "Event", {"id": world.event, **variables})
    )
    [error] = expected["errors"]
    assert error["extensions"]["code"] == code and expected["data"]["node"] is None
    # The getter raises the same coded error: the compiled path hands the request over and
    # the general path reports it.
    with pytest.raises(DomainError) as raised:
        await compiled.run(paths.db, world.event_id, {"id": world.event, **variables})
    assert (raised.value.code.value, raised.value.message) == (code, error["message"])


async def test_not_compiled__refused_at_plan_or_run_time(paths: Paths) -> None:
    world = paths.world
    # Written in the document: refused when planning.
    for arguments in ("first: 5, orderBy: HIGHEST", "filter: { minScore: 4 }"):
        literal = "query($id: ID!) { node(id: $id) { ... on %s { reviews(" + arguments + ") {"
        with pytest.raises(Unsupported):
            _plan(paths, literal + " totalCount } } } }")
    # A field that depends on the viewer, or one not compiled: refused when planning.
    for field in ("isMine", "votedHelpful", "holdReason", "revisions { text }", "images"):
        query = "query($id: ID!) { node(id: $id) { ... on %s { reviews { edges { node { " + field
        with pytest.raises(Unsupported):
            _plan(paths, query + " } } } } } }")
    # From variables: refused per request, the same plan answering the plain case.
    compiled = _plan(paths, EVERYTHING)
    variables: dict[str, Any]
    for variables in ({"order": "LOWEST"}, {"filter": {"verifiedOnly": True}}, {"filter": {}}):
        with pytest.raises(Unsupported):
            await compiled.run(paths.db, world.event_id, {"id": world.event, **variables})
    await paths.same(
        compiled,
        world.event_id,
        world.event,
        {"order": "NEWEST", "filter": None},
        EVERYTHING % "Event",
    )


def test_python_whitespace__what_str_strip_removes() -> None:
    every = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    assert every == PYTHON_WHITESPACE
