"""Abstract types in the SQL compiler: the node of a row whose kind column names its type.

A union (or interface) field is planned per concrete type: the fields graphql-core would
collect for that type (plain fields, and inline fragments whose condition is the type or an
abstract type it belongs to, in document order) become that type's `json_build_object`, read
by a correlated subquery on the type's table (its relations LEFT JOINed inside it), chosen by
the row's kind. A row no table holds (an index entry left behind) has no node (NULL), and the
connection drops its edge as the resolvers do. Named fragments and directives are not compiled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
)

from culture_cloud.graphql.sql.objects import Joins, SqlObject, Unsupported, object_json
from culture_cloud.graphql.sql.values import identifier, literal


@dataclass(frozen=True, slots=True)
class Member:
    """A concrete type of the abstract field: its table and its kind value in the rows."""

    obj: SqlObject
    kind: str


def _collect(
    schema: GraphQLSchema,
    concrete: GraphQLObjectType,
    selection_set: SelectionSetNode | None,
    out: list[SelectionNode],
) -> None:
    if selection_set is None:
        raise Unsupported("abstract type without selection")
    for selection in selection_set.selections:
        if selection.directives:
            raise Unsupported("directives")
        if isinstance(selection, FieldNode):
            out.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None:
                named = schema.get_type(condition.name.value)
                applies = named is concrete or (
                    isinstance(named, GraphQLAbstractType) and schema.is_sub_type(named, concrete)
                )
                if not applies:
                    continue
            _collect(schema, concrete, selection.selection_set, out)
        else:
            raise Unsupported("named fragments")


def selection_for(
    schema: GraphQLSchema, concrete: GraphQLObjectType, selection_set: SelectionSetNode | None
) -> SelectionSetNode:
    """The selection one concrete type gets (repeated keys: `fields_of` refuses them)."""
    out: list[SelectionNode] = []
    _collect(schema, concrete, selection_set, out)
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
