"""EXPLAIN ANALYZE of the compiled `ratingSummary` and `reviews` of an event with ~50 reviews.

    python -m bench.review_fields [--reviews 50] [--events 2000] [--runs 200]

On the bench database (CULTURE_CLOUD_BENCH_DATABASE_URL, default bench/list_page.py's; seeded),
inside one transaction that is rolled back at the end, so the database is left as it was: adds
`--reviews` residents who each review the first published event (the measured one, with a reply
on every third review) and `--events` - 1 other targets (so the review table and its indexes
have a realistic size), the rating aggregates, and ANALYZE. Then plans the website's event-page
selection of both fields (reviews/sql_fields.py) over `event n`, prints EXPLAIN (ANALYZE,
BUFFERS) of each expression and of both together, and the median planning and execution times
(EXPLAIN ANALYZE with TIMING OFF) of the statement prepared once and run `--runs` times, with
custom and with generic plans.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
from typing import Any

import asyncpg
from graphql import FieldNode, InlineFragmentNode, parse
from graphql.execution.values import get_variable_values

from bench.list_page import DEFAULT_URL
from culture_cloud.db import utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.fields import PlanContext, RunValues, Slots
from culture_cloud.graphql.sql.objects import fields_of, response_key
from culture_cloud.graphql.sql.planner import inline_fragments
from culture_cloud.reviews.sql_fields import reviewable_fields
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings

DOCUMENT = """
query EventReviews($id: ID!, $reviewsAfter: String) {
  node(id: $id) {
    ... on Event {
      ratingSummary { count average distribution { score count }
                      dimensions { dimension label average count } }
      reviews(first: 10, after: $reviewsAfter) {
        pageInfo { hasNextPage endCursor }
        edges { node { id overall text authorName isVerified isDesignatedReviewer helpfulCount
                       createdAt editedAt
                       scores { facilities service content tourismService guideExplanation }
                       reply { text createdAt organization { name } } } }
      }
    }
  }
}
"""

_FIXTURE = """
WITH users AS (
  INSERT INTO app_user (kind, openid, nickname, is_designated_reviewer, is_active, created_at)
  SELECT 'resident', 'bench-review-' || i, '评价者' || i, false, true, now()
  FROM generate_series(1, $1::int) i RETURNING id),
events AS (
  (SELECT id FROM event WHERE status = 'published' ORDER BY id LIMIT 1)
  UNION ALL SELECT 1000000 + i FROM generate_series(1, $2::int - 1) i)
INSERT INTO review (user_id, target_kind, target_id, overall, content, service, facilities,
  text, images, image_count, status, flagged_words, is_verified, by_designated_reviewer,
  helpful_count, open_reports, edit_count, created_at)
SELECT u.id, 'event', e.id, 1 + (u.id + e.id) % 5, 1 + u.id % 5,
  CASE WHEN u.id % 3 = 0 THEN NULL ELSE 1 + e.id % 5 END, NULL,
  repeat('讲解生动，场馆干净整洁，值得一去。', 1 + u.id % 4), '[]', 0, 'approved', '[]',
  u.id % 2 = 0, u.id % 7 = 0, u.id % 9, 0, 0,
  now() - (u.id * interval '37 minutes') - (e.id * interval '1 second')
FROM users u CROSS JOIN events e
"""

_AGGREGATES = """
INSERT INTO rating_aggregate
SELECT target_kind, target_id, count(*), sum(overall),
  count(*) FILTER (WHERE overall = 1), count(*) FILTER (WHERE overall = 2),
  count(*) FILTER (WHERE overall = 3), count(*) FILTER (WHERE overall = 4),
  count(*) FILTER (WHERE overall = 5),
  coalesce(sum(facilities), 0), count(facilities), coalesce(sum(service), 0), count(service),
  coalesce(sum(content), 0), count(content), 0, 0, 0, 0
FROM review WHERE status = 'approved' AND deleted_at IS NULL GROUP BY target_kind, target_id
ON CONFLICT DO NOTHING
"""

_REPLIES = """
INSERT INTO review_reply (review_id, organization_id, author_user_id, text, created_at, updated_at)
SELECT r.id, e.organization_id, r.user_id, '感谢您的评价！', r.created_at + interval '1 day',
  r.created_at + interval '1 day'
FROM review r JOIN event e ON e.id = r.target_id
WHERE r.target_kind = 'event' AND r.target_id = $1::int AND r.id % 3 = 0
"""


def _expressions(text: str = DOCUMENT) -> tuple[dict[str, Any], Any, Any]:
    """The fields' planned templates, by response key; the schema and the operation."""
    schema = create_schema(Settings())._schema
    document = parse(text)
    operation = inline_fragments(document.definitions[0], document)  # type: ignore[arg-type]
    node = operation.selection_set.selections[0]
    assert isinstance(node, FieldNode) and node.selection_set is not None
    on_event = node.selection_set.selections[0]
    assert isinstance(on_event, InlineFragmentNode)
    event_type: Any = schema.get_type("Event")
    planners = reviewable_fields("Event")
    templates = {}
    for field in fields_of(on_event.selection_set, event_type, schema):
        ctx = PlanContext(schema, Slots())
        name = field.name.value
        sql = planners[name](ctx, "n", field, event_type.fields[name])
        templates[response_key(field)] = ctx.slots.template(sql)
    return templates, schema, operation


def _statement(
    templates: dict[str, Any], keys: list[str], values: RunValues, event_id: int
) -> tuple[str, list[Any]]:
    params = Params()
    target = params.add(event_id, "int4")
    pairs = ", ".join(f"'{key}', {templates[key].render(params, values)}" for key in keys)
    sql = (
        f"SELECT convert_to(json_build_object({pairs})::text, 'UTF8') "
        f"FROM event n WHERE n.id = {target}"
    )
    return sql, params.values


async def _times(conn: asyncpg.Connection, sql: str, params: list[Any], runs: int) -> str:
    """Median planning and execution time of the statement prepared once and run `runs` times
    (as asyncpg runs it: plan_cache_mode decides custom or generic plans)."""
    await conn.execute(f"PREPARE review_fields AS {sql}")
    # EXECUTE takes no bound parameters: the values as literals, quoted by the server.
    literals = [
        "NULL"
        if value is None
        else await conn.fetchval("SELECT quote_literal($1::text)", str(value))
        for value in params
    ]
    planning, execution = [], []
    for _ in range(runs):
        plan = await conn.fetchval(
            f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE review_fields({', '.join(literals)})"
        )
        found = re.search(r'"Planning Time": ([0-9.]+).*"Execution Time": ([0-9.]+)', plan, re.S)
        assert found is not None
        planning.append(float(found.group(1)))
        execution.append(float(found.group(2)))
    await conn.execute("DEALLOCATE review_fields")
    return (
        f"median planning {statistics.median(planning):.3f} ms, "
        f"execution {statistics.median(execution):.3f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reviews", type=int, default=50, help="reviews of the measured event")
    parser.add_argument(
        "--events", type=int, default=2000, help="targets each resident reviews (the table's size)"
    )
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("CULTURE_CLOUD_BENCH_DATABASE_URL", DEFAULT_URL)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute(_FIXTURE, args.reviews, args.events)
        event_id = await conn.fetchval(
            "SELECT id FROM event WHERE status = 'published' ORDER BY id LIMIT 1"
        )
        await conn.execute(_REPLIES, event_id)
        await conn.execute(_AGGREGATES)
        await conn.execute(
            "ANALYZE review; ANALYZE review_reply; ANALYZE rating_aggregate; ANALYZE app_user"
        )
        total = await conn.fetchval("SELECT count(*) FROM review")
        print(f"event {event_id}: {args.reviews} reviews; {total} reviews in all\n")
        templates, schema, operation = _expressions()
        variables = get_variable_values(
            schema, operation.variable_definitions, {"id": to_global_id("Event", event_id)}
        )
        assert not isinstance(variables, list)
        for keys in (["ratingSummary"], ["reviews"], ["ratingSummary", "reviews"]):
            sql, params = _statement(templates, keys, RunValues(variables, utcnow()), event_id)
            plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", *params)
            print(f"== {' + '.join(keys)}")
            print("\n".join(row[0] for row in plan))
            for mode in ("force_custom_plan", "force_generic_plan"):
                await conn.execute(f"SET LOCAL plan_cache_mode = {mode}")
                print(f"{mode}: {await _times(conn, sql, params, args.runs)}")
            await conn.execute("RESET plan_cache_mode")
            print()
    finally:
        await transaction.rollback()
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
