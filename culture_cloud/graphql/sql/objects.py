"""How a GraphQL object type reads from one table, and a selection set -> one JSON expression.

A domain describes each type it wants compiled as a `SqlObject`: its leaves (scalar fields, as
SQL over the table's alias) and its relations (a foreign key to another `SqlObject`, joined
with LEFT JOIN). `object_json` turns a selection set into `json_build_object(...)` with the
keys in selection order, as graphql-core orders a response. Anything the description does not
cover (arguments, fragments, directives, a field it does not know) raises `Unsupported`, and
the document is left to the general executor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graphql import (
    BooleanValueNode,
    FieldNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
)
from graphql import GraphQLList as _GraphQLList

from culture_cloud.graphql.compiled_fields import fragment_applies
from culture_cloud.graphql.sql.values import identifier, literal

if TYPE_CHECKING:
    from culture_cloud.graphql.sql.fields import FieldPlanner, PlanContext

# json_build_object takes at most 100 arguments: 50 keys.
MAX_KEYS = 50


class Unsupported(Exception):
    """The document uses something the SQL compiler does not handle."""


@dataclass(frozen=True, slots=True)
class Leaf:
    """A scalar field: `sql(alias)` is its value; `columns` are the table's columns it reads."""

    sql: Callable[[str], str]
    columns: tuple[str, ...]


def column(name: str) -> Leaf:
    return Leaf(lambda alias: f"{alias}.{identifier(name)}", (name,))


def computed(columns: tuple[str, ...], sql: Callable[[str], str]) -> Leaf:
    return Leaf(sql, columns)


@dataclass(frozen=True, slots=True)
class Relation:
    """A to-one relation: the parent's `fk` column points at the target's `id`."""

    fk: str
    target: Callable[[], SqlObject]  # a function: types refer to each other


@dataclass(frozen=True, slots=True)
class SqlObject:
    type_name: str
    table: str
    leaves: dict[str, Leaf]
    relations: dict[str, Relation] = field(default_factory=dict)
    # Fields with arguments or lists of their own (fields.py), planned once per document.
    fields: dict[str, FieldPlanner] = field(default_factory=dict)

    def with_fields(self, **planners: FieldPlanner) -> SqlObject:
        """The same description with more planned fields (domains above the catalogue add
        theirs: reviews, ratings)."""
        return SqlObject(
            self.type_name, self.table, self.leaves, self.relations, {**self.fields, **planners}
        )


class Joins:
    """The LEFT JOINs one statement needs, with aliases j0, j1, ..."""

    def __init__(self) -> None:
        self.clauses: list[str] = []

    def add(self, table: str, parent_alias: str, fk: str, also: str | None = None) -> str:
        """`also`: a further condition of the join (SQL of our own, never client text)."""
        alias = f"j{len(self.clauses)}"
        on = f"{alias}.id = {parent_alias}.{identifier(fk)}"
        self.clauses.append(
            f"LEFT JOIN {identifier(table)} {alias} ON {on}{f' AND {also}' if also else ''}"
        )
        return alias

    def sql(self) -> str:
        return " ".join(self.clauses)


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def fields_of(
    selection_set: SelectionSetNode | None,
    concrete: GraphQLObjectType | None = None,
    schema: GraphQLSchema | None = None,
) -> list[FieldNode]:
    """The fields graphql-core would collect for the selection: plain fields, and with
    `concrete` (and `schema`) the fields of inline fragments that apply to that type. Named
    fragments are inlined by the planner first. `@include`/`@skip` with a literal condition are
    applied; with a variable (known only per request), and repeated keys, are not compiled."""
    if selection_set is None:
        raise Unsupported("object without selection")
    collected: list[SelectionNode] = []
    collect(selection_set, concrete, schema, collected)
    nodes: list[FieldNode] = []
    seen: set[str] = set()
    for selection in collected:
        assert isinstance(selection, FieldNode)
        key = response_key(selection)
        if key in seen:
            raise Unsupported("merged fields")
        seen.add(key)
        nodes.append(selection)
    return nodes


def included(selection: SelectionNode) -> bool:
    """Whether `@include`/`@skip` with literal conditions keep the selection."""
    keep = True
    for directive in selection.directives or ():
        name = directive.name.value
        if name not in ("include", "skip") or len(directive.arguments or ()) != 1:
            raise Unsupported(f"directive @{name}")
        value = directive.arguments[0].value  # type: ignore[index]
        if not isinstance(value, BooleanValueNode):
            raise Unsupported("a directive's condition from a variable")
        keep = keep and (value.value if name == "include" else not value.value)
    return keep


def collect(
    selection_set: SelectionSetNode,
    concrete: GraphQLObjectType | None,
    schema: GraphQLSchema | None,
    out: list[SelectionNode],
) -> None:
    """The selections of `selection_set` graphql-core collects for `concrete`, into `out`."""
    for selection in selection_set.selections:
        if not included(selection):
            continue
        if isinstance(selection, FieldNode):
            out.append(selection)
            continue
        if not isinstance(selection, InlineFragmentNode) or concrete is None or schema is None:
            raise Unsupported("fragments")
        if fragment_applies(schema, selection, concrete):
            collect(selection.selection_set, concrete, schema, out)


def build_object(pairs: list[tuple[str, str]]) -> str:
    if len(pairs) > MAX_KEYS:
        raise Unsupported("too many fields for json_build_object")
    return "json_build_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"


def named_object_type(type_: object) -> GraphQLObjectType:
    while isinstance(type_, GraphQLNonNull | _GraphQLList):
        type_ = type_.of_type
    if not isinstance(type_, GraphQLObjectType):
        raise Unsupported("abstract types")
    return type_


def object_json(
    obj: SqlObject,
    gql_type: GraphQLObjectType,
    alias: str,
    selection_set: SelectionSetNode | None,
    joins: Joins,
    columns: set[str] | None = None,
    ctx: PlanContext | None = None,
) -> str:
    """`json_build_object` of the selection on the row `alias` of `obj`'s table.

    `columns` (for the root table of a page) collects the columns the expression reads. `ctx`:
    the document is planned once (fields.py), so fields with arguments of their own can be
    compiled; without it they are not.
    """
    if gql_type.name != obj.type_name:
        raise Unsupported(f"{gql_type.name} is not described by {obj.type_name}")
    pairs: list[tuple[str, str]] = []
    schema = ctx.schema if ctx is not None else None
    for node in fields_of(selection_set, gql_type, schema):
        key, name = response_key(node), node.name.value
        if name == "__typename":
            pairs.append((key, literal(obj.type_name)))
            continue
        planner = obj.fields.get(name)
        if planner is not None:
            if ctx is None:
                raise Unsupported(f"{obj.type_name}.{name} needs a document planned once")
            pairs.append((key, planner(ctx, alias, node, gql_type.fields[name])))
            continue
        if node.arguments:
            raise Unsupported("field arguments")
        leaf = obj.leaves.get(name)
        if leaf is not None:
            if node.selection_set is not None:
                raise Unsupported("selection on a leaf")
            if columns is not None:
                columns.update(leaf.columns)
            pairs.append((key, leaf.sql(alias)))
            continue
        relation = obj.relations.get(name)
        if relation is None:
            raise Unsupported(f"{obj.type_name}.{name} is not compiled")
        target = relation.target()
        target_type = named_object_type(gql_type.fields[name].type)
        if columns is not None:
            columns.add(relation.fk)
        joined = joins.add(target.table, alias, relation.fk)
        inner = object_json(target, target_type, joined, node.selection_set, joins, ctx=ctx)
        pairs.append((key, f"(CASE WHEN {joined}.id IS NULL THEN NULL ELSE {inner} END)"))
    return build_object(pairs)
