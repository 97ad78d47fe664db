"""The compiled executor's plans (compiled.py runs them): one `FieldPlan` per response key of
a selection on an object type, built once per document from the fields compiled_fields.py
collects."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    SelectionSetNode,
    is_abstract_type,
)

from culture_cloud.graphql.compiled_fields import NotCompilable, collect

DEFINITION_BACKREF = "strawberry-definition"


@dataclass(slots=True)
class FieldPlan:
    response_key: str
    node: FieldNode
    parent_type: GraphQLObjectType
    field_def: Any
    # "typename" | "basic" | "resolver"
    kind: str
    python_name: str = ""
    non_null: bool = False
    # For lists: whether items may be null; None when the field is not a list.
    list_item_non_null: bool | None = None
    serialize: Callable[[Any], Any] | None = None
    # Values of exactly this type are already serialised (str for String/ID, int for Int...).
    passthrough: type | None = None
    children: list[FieldPlan] = field(default_factory=list)
    # Set for plain `def f(self, info)` resolvers: called directly, skipping Strawberry's wrapper
    # (argument conversion, extensions), which has nothing to do for them.
    direct: Callable[..., Any] | None = None
    definition: Any = None
    # Every field node merged under this response key (info.field_nodes, as graphql-core).
    nodes: list[FieldNode] = field(default_factory=list)
    # @skip/@include on the field or the fragments around it (compiled_fields.included).
    conditions: tuple[DirectiveNode, ...] = ()
    # For an interface or union: the plans of each possible object type, by type name.
    abstract: GraphQLAbstractType | None = None
    by_type: dict[str, list[FieldPlan]] = field(default_factory=dict)


def _unwrap(
    type_: GraphQLOutputType,
) -> tuple[bool, bool | None, GraphQLOutputType]:
    non_null = isinstance(type_, GraphQLNonNull)
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    item_non_null: bool | None = None
    if isinstance(type_, GraphQLList):
        inner = type_.of_type
        item_non_null = isinstance(inner, GraphQLNonNull)
        if item_non_null:
            inner = inner.of_type
        if isinstance(inner, GraphQLList | GraphQLNonNull):
            raise NotCompilable("nested lists")
        type_ = inner
    return non_null, item_non_null, type_


def compile_selection(
    schema: GraphQLSchema,
    parent_type: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> list[FieldPlan]:
    plans: list[FieldPlan] = []
    for collected in collect(schema, parent_type, selection_sets, fragments):
        key = collected.key
        selection = collected.nodes[0]
        name = selection.name.value
        if name == "__typename":
            plans.append(
                FieldPlan(
                    key,
                    selection,
                    parent_type,
                    None,
                    "typename",
                    nodes=list(collected.nodes),
                    conditions=collected.conditions,
                )
            )
            continue
        if name.startswith("__"):
            raise NotCompilable("introspection")
        field_def = parent_type.fields.get(name)
        if field_def is None:
            raise NotCompilable(f"unknown field {name}")
        non_null, item_non_null, named = _unwrap(field_def.type)
        definition = (field_def.extensions or {}).get(DEFINITION_BACKREF)
        is_basic = (
            bool(getattr(field_def.resolve, "_is_default", False)) and not selection.arguments
        )
        plan = FieldPlan(
            response_key=key,
            node=selection,
            parent_type=parent_type,
            field_def=field_def,
            kind="basic" if is_basic and definition is not None else "resolver",
            python_name=definition.python_name if definition is not None else name,
            non_null=non_null,
            list_item_non_null=item_non_null,
            nodes=list(collected.nodes),
            conditions=collected.conditions,
        )
        if plan.kind == "resolver":
            plan.definition = definition
            plan.direct = _direct_callable(definition, field_def)
        sub_selections = collected.sub_selections()
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            if sub_selections:
                raise NotCompilable("selection on a leaf")
            plan.serialize = named.serialize
            plan.passthrough = _PASSTHROUGH.get(named.name)
        elif not sub_selections:
            raise NotCompilable("object without selection")
        elif isinstance(named, GraphQLObjectType):
            plan.children = compile_selection(schema, named, sub_selections, fragments)
        elif is_abstract_type(named):
            abstract = named
            plan.abstract = abstract
            plan.by_type = {
                possible.name: compile_selection(schema, possible, sub_selections, fragments)
                for possible in schema.get_possible_types(abstract)
            }
        else:  # pragma: no cover - every output type is one of the above
            raise NotCompilable(f"output type {named}")
        plans.append(plan)
    return plans


# Built-in scalars whose serialize returns a value of exactly this type unchanged. Not Int or
# Float: their serialize also checks the 32-bit range and finiteness.
_PASSTHROUGH: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


def _direct_callable(definition: Any, field_def: Any) -> Callable[..., Any] | None:
    """The resolver function itself, when calling it as f(source, info) is all Strawberry does."""
    resolver = getattr(definition, "base_resolver", None)
    if resolver is None or field_def.args or definition.extensions:
        return None
    if getattr(definition, "permission_classes", None):
        return None
    func = resolver.wrapped_func
    if not inspect.isfunction(func) or inspect.iscoroutinefunction(func):
        return None
    names = list(inspect.signature(func).parameters)
    if names == ["self", "info"]:
        return func
    if names == ["self"]:
        return lambda source, _info: func(source)
    return None
