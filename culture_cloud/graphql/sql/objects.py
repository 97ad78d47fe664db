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

from graphql import FieldNode, GraphQLNonNull, GraphQLObjectType, SelectionSetNode
from graphql import GraphQLList as _GraphQLList

from culture_cloud.graphql.sql.values import identifier, literal

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


def fields_of(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The selection's fields; fragments, directives and repeated keys are not compiled."""
    if selection_set is None:
        raise Unsupported("object without selection")
    nodes: list[FieldNode] = []
    seen: set[str] = set()
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise Unsupported("fragments and directives")
        key = response_key(selection)
        if key in seen:
            raise Unsupported("merged fields")
        seen.add(key)
        nodes.append(selection)
    return nodes


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
) -> str:
    """`json_build_object` of the selection on the row `alias` of `obj`'s table.

    `columns` (for the root table of a page) collects the columns the expression reads.
    """
    if gql_type.name != obj.type_name:
        raise Unsupported(f"{gql_type.name} is not described by {obj.type_name}")
    pairs: list[tuple[str, str]] = []
    for node in fields_of(selection_set):
        key, name = response_key(node), node.name.value
        if name == "__typename":
            pairs.append((key, literal(obj.type_name)))
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
        inner = object_json(target, target_type, joined, node.selection_set, joins)
        pairs.append((key, f"(CASE WHEN {joined}.id IS NULL THEN NULL ELSE {inner} END)"))
    return build_object(pairs)
