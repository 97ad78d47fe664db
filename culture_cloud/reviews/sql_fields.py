"""The `Reviewable` fields (reviewable.py) for the SQL compiler: `ratingSummary` and
`reviews(first, after, orderBy, filter)` of a catalogue type as JSON expressions over its row,
byte for byte what the resolvers answer (culture_cloud/graphql/sql/fields.py explains planning
once). The catalogue's `SqlObject`s take them with `with_fields(**reviewable_fields(name))`.

`ratingSummary` reads the target's `rating_aggregate` row, as `RatingSummary.from_row` does:
approved reviews only (the aggregate counts nothing else), zeros and null averages when the
target has no row, the distribution 1 to 5, the dimensions in DIMENSIONS_BY_KIND's order, each
average `sum / count` as a float (PostgreSQL's float8 division is Python's, and
`float_json` writes it as Python's repr). The `reviews` list is in sql_review_list.py.

Nothing here depends on who asks: the summary is public, and the list compiles only fields
that are the same for every caller (see sql_review_list.py).
"""

from __future__ import annotations

from graphql import FieldNode, GraphQLField, GraphQLObjectType

from culture_cloud.graphql.sql.fields import FieldPlanner, PlanContext
from culture_cloud.graphql.sql.objects import (
    Unsupported,
    build_object,
    fields_of,
    named_object_type,
    response_key,
)
from culture_cloud.graphql.sql.values import float_json, identifier, literal
from culture_cloud.reviews.models import Dimension, ReviewTargetKind
from culture_cloud.reviews.sql_review_list import constant, reviews_planner
from culture_cloud.reviews.targets import DIMENSION_LABELS, DIMENSIONS_BY_KIND, kind_of_type

# The aggregate row's alias: distinct from any alias a parent row may have (t0, p, j0, ...).
_ROW = "rating_row"


def reviewable_fields(type_name: str) -> dict[str, FieldPlanner]:
    """The planners of `ratingSummary` and `reviews` on the catalogue type `type_name`."""
    kind = kind_of_type(type_name)
    if kind is None:
        raise ValueError(f"{type_name} is not a reviewable type")
    return {"ratingSummary": _rating_summary_planner(kind), "reviews": reviews_planner(kind)}


def _rating_summary_planner(kind: ReviewTargetKind) -> FieldPlanner:
    def plan(ctx: PlanContext, alias: str, node: FieldNode, field_def: GraphQLField) -> str:
        if node.arguments:
            raise Unsupported("ratingSummary takes no arguments")
        summary = _summary_json(ctx, kind, named_object_type(field_def.type), node)
        # One row, the aggregate's or all NULL: a target without reviews has no aggregate row.
        return (
            f"(SELECT {summary} FROM (SELECT 1) AS one LEFT JOIN rating_aggregate {_ROW} "
            f"ON {_ROW}.target_kind = {literal(kind.value)} "
            f"AND {_ROW}.target_id = {identifier(alias)}.id)"
        )

    return plan


def _counter(name: str) -> str:
    """An aggregate counter, 0 when the target has no row (RatingSummary.from_row's `value`)."""
    return f"coalesce({_ROW}.{identifier(name)}, 0)"


def _average(total: str, count: str) -> str:
    """`total / count if count else None`: int / int in Python is the float8 division of the
    two exact values; NULLIF leaves NULL (JSON null) for no row or a zero count."""
    return float_json(
        f"({_ROW}.{identifier(total)}::float8 / NULLIF({_ROW}.{identifier(count)}, 0))"
    )


def _summary_json(
    ctx: PlanContext, kind: ReviewTargetKind, summary_type: GraphQLObjectType, node: FieldNode
) -> str:
    pairs: list[tuple[str, str]] = []
    for field in fields_of(node.selection_set, summary_type, ctx.schema):
        key, name = response_key(field), field.name.value
        if name == "count":
            pairs.append((key, _counter("review_count")))
        elif name == "average":
            pairs.append((key, _average("overall_sum", "review_count")))
        elif name == "distribution":
            bucket = named_object_type(summary_type.fields[name].type)
            items = [_bucket_json(ctx, bucket, field, score) for score in range(1, 6)]
            pairs.append((key, f"json_build_array({', '.join(items)})"))
        elif name == "dimensions":
            rating = named_object_type(summary_type.fields[name].type)
            items = [_dimension_json(ctx, rating, field, d) for d in DIMENSIONS_BY_KIND[kind]]
            pairs.append((key, f"json_build_array({', '.join(items)})"))
        elif name == "__typename":
            pairs.append((key, literal(summary_type.name)))
        else:
            raise Unsupported(f"RatingSummary.{name} is not compiled")
    return build_object(pairs)


def _bucket_json(
    ctx: PlanContext, bucket_type: GraphQLObjectType, node: FieldNode, score: int
) -> str:
    pairs: list[tuple[str, str]] = []
    for field in fields_of(node.selection_set, bucket_type, ctx.schema):
        key, name = response_key(field), field.name.value
        if name == "score":
            pairs.append((key, str(score)))
        elif name == "count":
            pairs.append((key, _counter(f"score_{score}")))
        elif name == "__typename":
            pairs.append((key, literal(bucket_type.name)))
        else:
            raise Unsupported(f"RatingBucket.{name} is not compiled")
    return build_object(pairs)


def _dimension_json(
    ctx: PlanContext, rating_type: GraphQLObjectType, node: FieldNode, dimension: Dimension
) -> str:
    pairs: list[tuple[str, str]] = []
    for field in fields_of(node.selection_set, rating_type, ctx.schema):
        key, name = response_key(field), field.name.value
        if name == "dimension":
            pairs.append((key, literal(dimension.name)))  # the GraphQL enum name
        elif name == "label":
            pairs.append((key, constant(ctx, DIMENSION_LABELS[dimension])))
        elif name == "average":
            pairs.append((key, _average(f"{dimension.value}_sum", f"{dimension.value}_count")))
        elif name == "count":
            pairs.append((key, _counter(f"{dimension.value}_count")))
        elif name == "__typename":
            pairs.append((key, literal(rating_type.name)))
        else:
            raise Unsupported(f"DimensionRating.{name} is not compiled")
    return build_object(pairs)
