"""Projections for `node(id:)`: the selection an abstract field asks of one object type, and
the plan (columns and joins, as for a list page's rows) that fetches it in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)
from strawberry.types.base import get_object_definition

from culture_cloud.catalog.projection import Plan, Projection, Source

_MAX_CACHED_PLANS = 1024
_node_plans: dict[tuple[int, int], tuple[Any, Plan | None]] = {}


def object_selection(
    selection: SelectionSetNode,
    fragments: dict[str, Any],
    schema: GraphQLSchema,
    type_name: str,
) -> SelectionSetNode | None:
    """What a selection on an abstract field (`node(id:)`) asks of one object type: its own
    fields and the fragments that apply to that type (`... on Event`, `... on Node`), flattened.
    None when a fragment carries arguments or the type is unknown (let the caller load rows)."""
    object_type = schema.get_type(type_name)
    if not isinstance(object_type, GraphQLObjectType):
        return None
    flat: list[Any] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            flat.append(node)
            continue
        fragment = (
            node
            if isinstance(node, InlineFragmentNode)
            else fragments.get(cast(FragmentSpreadNode, node).name.value)
        )
        if fragment is None:
            return None
        condition = fragment.type_condition
        if condition is not None:
            target = schema.get_type(condition.name.value)
            applies = target is object_type or (
                is_abstract_type(target) and schema.is_sub_type(target, object_type)
            )
            if not applies:
                continue
        inner = object_selection(fragment.selection_set, fragments, schema, type_name)
        if inner is None:
            return None
        flat.extend(inner.selections)
    return SelectionSetNode(selections=tuple(flat))


def plan_for_node(
    projection: Projection,
    field_node: FieldNode,
    fragments: dict[str, Any],
    schema: GraphQLSchema,
    always: Sequence[Source] = (),
) -> Plan | None:
    """The plan for an abstract field's selection (`node(id:)`) when it returns this
    projection's type, plus the `always` sources the caller checks itself (an event's status,
    say); cached per parsed document like plan_for_connection."""
    key = (id(projection), id(field_node))
    hit = _node_plans.get(key)
    if hit is not None and hit[0] is field_node:
        return hit[1]
    plan = None
    if field_node.selection_set is not None:
        selection = object_selection(
            field_node.selection_set,
            fragments,
            schema,
            get_object_definition(projection.type_, strict=True).name,
        )
        plan = None if selection is None else projection.plan(selection, fragments)
    if plan is not None:
        plan = Plan(projection, list(dict.fromkeys([*plan.sources, *always])), plan.joins)
    if len(_node_plans) >= _MAX_CACHED_PLANS:
        _node_plans.clear()
    _node_plans[key] = (field_node, plan)
    return plan
