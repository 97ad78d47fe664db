"""Field collection for the compiled executor (compiled.py): which fields a selection asks of
one object type, as graphql-core's `collect_fields` decides it, but once per document.

Fragments (inline and named) are flattened where their type condition applies to the object
type; `@include` and `@skip` cannot be decided without the variables, so they travel with each
field as conditions the runner checks per request (`included`). What this does not reproduce
exactly is refused (`NotCompilable`) and the operation runs through graphql-core instead: other
directives, fragment variables, a named fragment spread twice, and a response key collected
twice when either occurrence is conditional (graphql-core decides those per occurrence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution.values import get_argument_values

_CONDITIONAL = {GraphQLSkipDirective.name, GraphQLIncludeDirective.name}


class NotCompilable(Exception):
    """The selection uses something the compiled path does not handle."""


@dataclass(frozen=True, slots=True)
class Collected:
    """One response key: every field node merged under it, and its @skip/@include (its own
    and those of the fragments around it); all must let it through."""

    key: str
    nodes: tuple[FieldNode, ...]
    conditions: tuple[DirectiveNode, ...]

    def sub_selections(self) -> list[SelectionSetNode]:
        return [node.selection_set for node in self.nodes if node.selection_set is not None]


def collect(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    selection_sets: Sequence[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
) -> list[Collected]:
    """The fields `selection_sets` select on `object_type`, in graphql-core's order."""
    grouped: dict[str, list[tuple[FieldNode, tuple[DirectiveNode, ...]]]] = {}
    visited: set[str] = set()
    for selection_set in selection_sets:
        _visit(schema, object_type, selection_set, fragments, (), grouped, visited)
    out: list[Collected] = []
    for key, entries in grouped.items():
        if len(entries) > 1 and any(conditions for _, conditions in entries):
            raise NotCompilable("a conditional field merged with another")
        out.append(Collected(key, tuple(node for node, _ in entries), entries[0][1]))
    return out


def _visit(
    schema: GraphQLSchema,
    object_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    inherited: tuple[DirectiveNode, ...],
    grouped: dict[str, list[tuple[FieldNode, tuple[DirectiveNode, ...]]]],
    visited: set[str],
) -> None:
    for selection in selection_set.selections:
        conditions = inherited + _conditions(selection.directives)
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            grouped.setdefault(key, []).append((selection, conditions))
            continue
        if isinstance(selection, FragmentSpreadNode):
            if getattr(selection, "arguments", None):
                raise NotCompilable("fragment arguments")
            name = selection.name.value
            if name in visited:
                raise NotCompilable("a fragment spread twice")
            visited.add(name)
            fragment: FragmentDefinitionNode | InlineFragmentNode = fragments[name]
        elif isinstance(selection, InlineFragmentNode):
            fragment = selection
        else:  # pragma: no cover - graphql-core has no other selection kinds
            raise NotCompilable(type(selection).__name__)
        if fragment_applies(schema, fragment, object_type):
            _visit(
                schema,
                object_type,
                fragment.selection_set,
                fragments,
                conditions,
                grouped,
                visited,
            )


def _conditions(directives: Sequence[DirectiveNode] | None) -> tuple[DirectiveNode, ...]:
    if not directives:
        return ()
    for directive in directives:
        if directive.name.value not in _CONDITIONAL:
            raise NotCompilable(f"@{directive.name.value}")
    return tuple(directives)


def fragment_applies(
    schema: GraphQLSchema,
    fragment: FragmentDefinitionNode | InlineFragmentNode,
    object_type: GraphQLObjectType,
) -> bool:
    """graphql-core's does_fragment_condition_match."""
    condition = fragment.type_condition
    if condition is None:
        return True
    target = schema.get_type(condition.name.value)
    if target is object_type:
        return True
    return is_abstract_type(target) and schema.is_sub_type(target, object_type)


def included(conditions: tuple[DirectiveNode, ...], variable_values: Any) -> bool:
    """Whether @skip/@include let a field through with this request's variables (graphql-core's
    should_include_node, for every directive on the way to the field)."""
    for directive in conditions:
        definition = (
            GraphQLSkipDirective
            if directive.name.value == GraphQLSkipDirective.name
            else GraphQLIncludeDirective
        )
        value = get_argument_values(definition, directive, variable_values)["if"]
        if value is (definition is GraphQLSkipDirective):
            return False
    return True
