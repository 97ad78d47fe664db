"""Abstract types in the SQL compiler: the node of a row whose kind column names its type.

A union (or interface) field is planned per concrete type: the fields graphql-core would
collect for that type (plain fields, and inline fragments whose condition is the type or an
abstract type it belongs to, in document order) become that type's `json_build_object`, read
by a correlated subquery on the type's table (its relations LEFT JOINed inside it), chosen by
the row's kind. A row no table holds (an index entry left behind) has no node (NULL), and the
connection drops its edge as the resolvers do. Named fragments are inlined by the planner;
`@include`/`@skip` with literal conditions apply (objects.collect).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    GraphQLAbstractType,
    GraphQLObjectType,
    GraphQLSchema,
    SelectionNode,
    SelectionSetNode,
)

from culture_cloud.graphql.sql.objects import Joins, SqlObject, Unsupported, collect, object_json
from culture_cloud.graphql.sql.values import identifier, literal


@dataclass(frozen=True, slots=True)
class Member:
    """A concrete type of the abstract field: its table and its kind value in the rows."""

    obj: SqlObject
    kind: str


def selection_for(
    schema: GraphQLSchema, concrete: GraphQLObjectType, selection_set: SelectionSetNode | None
) -> SelectionSetNode:
    """The selection one concrete type gets (repeated keys: `fields_of` refuses them)."""
    if selection_set is None:
        raise Unsupported("abstract type without selection")
    out: list[SelectionNode] = []
    collect(selection_set, concrete, schema, out)
    return SelectionSetNode(selections=tuple(out))


class UnionNode:
    """Planned once per document: every concrete type's part of the selection."""

    def __init__(
        self,
        schema: GraphQLSchema,
        abstract: GraphQLAbstractType,
        selection_set: SelectionSetNode | None,
        members: Mapping[str, Member],
    ) -> None:
        self.parts: list[tuple[Member, GraphQLObjectType, SelectionSetNode]] = []
        for concrete in schema.get_possible_types(abstract):
            member = members.get(concrete.name)
            if member is None:
                raise Unsupported(f"{concrete.name} is not compiled")
            selection = selection_for(schema, concrete, selection_set)
            object_json(member.obj, concrete, "x", selection, Joins())  # checked at plan time
            self.parts.append((member, concrete, selection))

    def render(self, row: str, kind_column: str, id_column: str) -> str:
        """The node's JSON as one correlated subquery per member (NULL when no table holds
        the row's object), for a page of a few rows. PostgreSQL plans each small subquery on
        its own, where LEFT JOINs of every member's table and relations onto the page make one
        large join problem (~1.2 ms of planning per execution of a custom plan)."""
        branches: list[str] = []
        for member, concrete, selection in self.parts:
            joins = Joins()
            expr = object_json(member.obj, concrete, "n", selection, joins)
            lookup = (
                f"SELECT {expr} FROM {identifier(member.obj.table)} n {joins.sql()} "
                f"WHERE n.id = {row}.{identifier(id_column)}"
            )
            branches.append(f"WHEN {literal(member.kind)} THEN ({lookup})")
        return f"(CASE {row}.{identifier(kind_column)} {' '.join(branches)} END)"
