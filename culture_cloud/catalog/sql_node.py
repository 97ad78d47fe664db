"""`node(id:)` and an event's `seriesDates` in the SQL compiler (culture_cloud/graphql/sql).

The website's event page (web/site/documents/event.graphql) asks `node(id:)` for one event with
its place, three datums of its location, its reviews and rating summary, and its series' other
dates. Planned once per document (graphql/sql/fields.py), it is one statement per request: the
object's JSON is a scalar subquery on its table by primary key.

The rules are the resolvers' (catalog/queries.py `visible_event`, graphql/nodes.py
`fetch_node`): a malformed id is the general path's coded error; an id of a type this plan does
not compile takes the general path; a draft is answered as no object (null), which is what an
anonymous caller sees — the plan depends on the viewer, so only anonymous requests run it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLSchema

from culture_cloud.catalog import models
from culture_cloud.catalog.service import PUBLIC_EVENT_STATUSES
from culture_cloud.catalog.types import MAX_SERIES_DATES
from culture_cloud.errors import BadInput
from culture_cloud.global_ids import from_global_id
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.fields import (
    FieldPlanner,
    PlanContext,
    RunValues,
    Slots,
    SqlTemplate,
)
from culture_cloud.graphql.sql.objects import (
    Joins,
    SqlObject,
    Unsupported,
    named_object_type,
    object_json,
)
from culture_cloud.graphql.sql.planner import ReadRun, RootCompiler
from culture_cloud.graphql.sql.values import identifier, literal

_PK = "node_pk"
_PUBLIC = ", ".join(literal(status.value) for status in PUBLIC_EVENT_STATUSES)


@dataclass(frozen=True, slots=True)
class NodeMember:
    """A type `node` answers by SQL: its description and the condition (SQL over the row alias
    `n`) under which an anonymous caller sees the row; otherwise the answer is null."""

    obj: SqlObject
    visible: str = "TRUE"


EVENT_VISIBLE = f"n.status <> {literal(models.EventStatus.DRAFT.value)}"


class NodePlan:
    """`node(id:)`: each member type's statement planned once; the id picks one per request."""

    # Drafts are visible to their organisation's staff: the answer depends on who asks.
    viewer_independent = False

    def __init__(
        self,
        schema: GraphQLSchema,
        field: GraphQLField,
        node: FieldNode,
        members: Mapping[str, NodeMember],
    ) -> None:
        del field
        self.templates: dict[str, SqlTemplate] = {}
        for type_name, member in members.items():
            gql_type = schema.get_type(type_name)
            assert isinstance(gql_type, GraphQLObjectType)
            slots = Slots()
            ctx = PlanContext(schema, slots)
            joins = Joins()
            try:
                expr = object_json(member.obj, gql_type, "n", node.selection_set, joins, ctx=ctx)
            except Unsupported:
                continue  # ids of this type take the general path
            pk = slots.add(lambda values: values.memo[_PK], "int8")
            self.templates[type_name] = slots.template(
                f"(SELECT {expr} FROM {identifier(member.obj.table)} n {joins.sql()} "
                f"WHERE n.id = {pk} AND {member.visible})"
            )
        if not self.templates:
            raise Unsupported("node: no member type's selection is compiled")

    async def render(self, arguments: dict[str, Any], params: Params, run: ReadRun) -> str:
        type_name, pk = from_global_id(arguments["id"])  # a bad id: the general path's error
        template = self.templates.get(type_name)
        if template is None or run.variables is None:
            raise Unsupported(f"node of type {type_name}")
        values = RunValues(run.variables, run.now)
        values.memo[_PK] = pk
        return template.render(params, values)


def node_compiler(members: Mapping[str, NodeMember]) -> RootCompiler:
    def compile_node(schema: GraphQLSchema, field: GraphQLField, node: FieldNode) -> NodePlan:
        return NodePlan(schema, field, node, members)

    return compile_node


def series_dates(event: Callable[[], SqlObject]) -> FieldPlanner:
    """`seriesDates(first)`: the series' other public occurrences that have not ended (the
    request's clock), in start order, at most `first` (0-50; outside: the resolver's error).
    `event`: the Event description the dates are built with (a function: it includes this)."""

    def plan(ctx: PlanContext, alias: str, node: FieldNode, field_def: GraphQLField) -> str:
        def first(values: RunValues) -> int:
            value = values.arguments(field_def, node)["first"]
            if not 0 <= value <= MAX_SERIES_DATES:
                raise BadInput(f"first 须在 0 到 {MAX_SERIES_DATES} 之间", field="first")
            return int(value)

        limit = ctx.slots.add(first, "int4")
        now = ctx.slots.add(lambda values: values.now, "timestamptz")
        row = f"s{len(ctx.slots.getters)}"  # unique: a date's own dates would nest
        joins = Joins()
        item_type = named_object_type(field_def.type)
        expr = object_json(event(), item_type, row, node.selection_set, joins, ctx=ctx)
        return (
            f"(SELECT coalesce(json_agg(d.j ORDER BY d.start_at, d.id), '[]'::json) FROM "
            f"(SELECT {expr} AS j, {row}.start_at, {row}.id FROM event {row} {joins.sql()} "
            f"WHERE {row}.series_id = {alias}.series_id AND {row}.id <> {alias}.id "
            f"AND {row}.status IN ({_PUBLIC}) AND {row}.end_at > {now} "
            f"ORDER BY {row}.start_at, {row}.id LIMIT {limit}) d)"
        )

    return plan
