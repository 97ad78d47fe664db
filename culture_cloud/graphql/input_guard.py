"""The input guard: every string a client sends through GraphQL is checked once, at the boundary.

Refused anywhere (argument literal, input-object field, list item, variable, variable default):
C0 control characters other than tab, newline and carriage return (PostgreSQL refuses NUL in
text, SQLite would store it, and none of them belongs in a title or a name), lone UTF-16
surrogates (they cannot be encoded for the database) and strings longer than
`Settings.max_input_string_length`. Field-specific limits (a title's 100 characters) stay with
the services; this cap only keeps megabyte strings away from hashing, tokenising, WeChat and SQL.

Why here and not in the String/ID scalars: literals are checked by a validation rule, so the check
is cached with the rest of validation and costs nothing on a repeated document; variables are one
walk over the decoded JSON, whatever their GraphQL type (custom scalars and enums included), and
the error can name the input field (`input.title`) instead of a variable-coercion message that
echoes the value.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    Node,
    ObjectFieldNode,
    StringValueNode,
    ValidationRule,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)

from culture_cloud.errors import ErrorCode

_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

CONTROL_MESSAGE = "输入内容包含不允许的控制字符"


def too_long_message(max_length: int) -> str:
    return f"输入内容过长，最多 {max_length} 个字符"


def string_problem(value: str, max_length: int) -> str | None:
    """The user-facing reason `value` is refused, or None."""
    if len(value) > max_length:
        return too_long_message(max_length)
    if _REFUSED.search(value) is not None:
        return CONTROL_MESSAGE
    return None


def input_error(message: str, field: str, nodes: list[Node] | None = None) -> GraphQLError:
    return GraphQLError(
        message, nodes, extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": field}
    )


def _names(ancestors: list[Any]) -> list[str]:
    """Argument and input-field names on the way from the document root to a value."""
    names: list[str] = []
    for node in ancestors:
        if isinstance(node, ArgumentNode | ObjectFieldNode):
            names.append(node.name.value)
        elif isinstance(node, VariableDefinitionNode):
            names.append(node.variable.name.value)
    return names


def string_literal_rule(max_length: int) -> type[ValidationRule]:
    """A validation rule refusing bad string literals; one class per schema keeps the
    validation cache (keyed on the rule classes) warm."""

    class StringLiteralGuard(ValidationRule):
        def enter_string_value(
            self, node: StringValueNode, _key: Any, parent: Any, _path: Any, ancestors: Any
        ) -> None:
            message = string_problem(node.value, max_length)
            if message is not None:
                names = _names([*ancestors, parent])
                self.report_error(input_error(message, ".".join(names) or "query", [node]))

    return StringLiteralGuard


def _first_problem(value: Any, max_length: int) -> tuple[str, list[str]] | None:
    """Walks decoded JSON (iteratively: it may be nested deeper than Python's recursion limit).
    Returns the reason and the object keys leading to the first refused string."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        current, keys = stack.pop()
        if isinstance(current, str):
            message = string_problem(current, max_length)
            if message is not None:
                return message, keys
        elif isinstance(current, dict):
            for key, item in current.items():
                stack.append((item, [*keys, str(key)]))
        elif isinstance(current, list):
            for item in current:
                stack.append((item, keys))
    return None


def _usage(document: DocumentNode, variable: str) -> list[str]:
    """Argument and input-field names where `$variable` is first used in the document."""
    found: list[str] = []

    class FindUsage(Visitor):
        def enter_variable(
            self, node: VariableNode, _key: Any, parent: Any, _path: Any, ancestors: Any
        ) -> Any:
            if node.name.value == variable and not isinstance(parent, VariableDefinitionNode):
                found.extend(_names([*ancestors, parent]))
                return Visitor.BREAK
            return None

    visit(document, FindUsage())
    return found


def check_variables(
    variables: dict[str, Any], document: DocumentNode | None, max_length: int
) -> GraphQLError | None:
    """The error for the first refused string among the request's variables, or None."""
    for name, value in variables.items():
        problem = _first_problem(value, max_length)
        if problem is None:
            continue
        message, keys = problem
        usage = _usage(document, name) if document is not None else []
        return input_error(message, ".".join([*(usage or [name]), *keys]))
    return None


def variable_path(document: DocumentNode | None, variable: str) -> str:
    """`extensions.field` for an error about `$variable`: where it is used, else its name."""
    usage = _usage(document, variable) if document is not None else []
    return ".".join(usage) or variable
