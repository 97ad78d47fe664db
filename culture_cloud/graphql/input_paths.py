"""Which argument a value refused during input coercion sits in, as an error's `field`.

A scalar parser sees a bare value. When it refuses one (a date out of range), graphql-core
reports the error at a variable definition or at a literal, not at an argument; this finds the
argument path the client wrote, in the API's convention: `period.from`, `filter.dateTo`,
`newStartAt`, and for a mutation's `input` the path inside it (`startAt`, `recurrence.until`),
as the mutations' own errors name their fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    Node,
    ObjectValueNode,
    SelectionSetNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)

Path = tuple[str | int, ...]

# graphql-core's variable error: f"Variable '${name}' has invalid value{path}: {inner}", the
# path printed as " at .period.to" / " at [0]" (graphql.pyutils.print_path_list).
_SEGMENT = re.compile(r"\.([_A-Za-z][_0-9A-Za-z]*)|\[(\d+)\]")


def field_of(error: GraphQLError, document: DocumentNode | None) -> str | None:
    """The field an input coercion error is about, or None when it is not one we can place."""
    if document is None or not error.nodes or error.path is not None:
        return None  # errors during execution carry their own field
    node = error.nodes[0]
    if isinstance(node, VariableDefinitionNode):
        name = node.variable.name.value
        usage = _variable_usage(document, name)
        return None if usage is None else _render(usage + _inner_path(error, name))
    for path, candidate in _argument_values(document):
        if _same(candidate, node):
            return _render(path)
    for definition in _variable_definitions(document):
        default = definition.default_value
        if default is None:
            continue
        for inner, candidate in _walk(default, ()):
            if _same(candidate, node):
                usage = _variable_usage(document, definition.variable.name.value)
                return None if usage is None else _render(usage + inner)
    return None


def _inner_path(error: GraphQLError, name: str) -> Path:
    inner = error.original_error
    prefix = f"Variable '${name}' has invalid value"
    if not isinstance(inner, GraphQLError) or not error.message.startswith(prefix):
        return ()
    suffix = f": {inner.message}"
    if not error.message.endswith(suffix):
        return ()
    text = error.message[len(prefix) : len(error.message) - len(suffix)].removeprefix(" at ")
    segments = list(_SEGMENT.finditer(text))
    if "".join(m.group(0) for m in segments) != text:
        return ()
    return tuple(m.group(1) if m.group(1) else int(m.group(2)) for m in segments)


def _render(path: Path) -> str:
    if len(path) > 1 and path[0] == "input":
        path = path[1:]
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}"
    return text.lstrip(".")


def _same(candidate: Node, target: Node) -> bool:
    if candidate is target:
        return True
    return (
        candidate.loc is not None
        and target.loc is not None
        and (candidate.loc.start, candidate.loc.end) == (target.loc.start, target.loc.end)
    )


def _variable_usage(document: DocumentNode, name: str) -> Path | None:
    for path, value in _argument_values(document):
        if isinstance(value, VariableNode) and value.name.value == name:
            return path
    return None


def _variable_definitions(document: DocumentNode) -> Iterator[VariableDefinitionNode]:
    for definition in document.definitions:
        yield from getattr(definition, "variable_definitions", None) or ()


def _argument_values(document: DocumentNode) -> Iterator[tuple[Path, ValueNode]]:
    """Every value inside every argument of the document, with its argument path."""
    for definition in document.definitions:
        selection_set = getattr(definition, "selection_set", None)
        if isinstance(selection_set, SelectionSetNode):
            yield from _selections(selection_set)


def _selections(selection_set: SelectionSetNode) -> Iterator[tuple[Path, ValueNode]]:
    for selection in selection_set.selections:
        arguments: tuple[ArgumentNode, ...] = ()
        if isinstance(selection, FieldNode):
            arguments = tuple(selection.arguments or ())
        directives: tuple[DirectiveNode, ...] = tuple(selection.directives or ())
        for argument in arguments + tuple(a for d in directives for a in d.arguments or ()):
            yield from _walk(argument.value, (argument.name.value,))
        nested = getattr(selection, "selection_set", None)
        if isinstance(nested, SelectionSetNode):
            yield from _selections(nested)


def _walk(value: ValueNode, path: Path) -> Iterator[tuple[Path, ValueNode]]:
    yield path, value
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _walk(field.value, (*path, field.name.value))
    elif isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            yield from _walk(item, (*path, index))
