"""Turns exceptions into GraphQL errors with a stable `extensions.code`; masks the unexpected."""

from __future__ import annotations

import logging
import uuid

from graphql import DocumentNode, GraphQLError, VariableDefinitionNode, print_ast
from strawberry.extensions import MaskErrors

from culture_cloud.db import is_outage
from culture_cloud.errors import DomainError, ErrorCode
from culture_cloud.graphql.input_guard import variable_path
from culture_cloud.graphql.input_paths import field_of
from culture_cloud.logsafe import format_safely
from culture_cloud.request_ids import request_id

logger = logging.getLogger("culture_cloud.graphql")

INTERNAL_MESSAGE = "服务器内部错误，请稍后重试"
UNAVAILABLE_MESSAGE = "系统繁忙，请稍后重试"


def _with_extensions(
    error: GraphQLError, message: str, extensions: dict[str, object]
) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def _cause(error: GraphQLError) -> Exception | None:
    """What was raised: input coercion wraps a scalar's exception in one or two GraphQLErrors
    (variable, then value), so look through them."""
    cause = error.original_error
    while isinstance(cause, GraphQLError) and cause.original_error is not None:
        cause = cause.original_error
    return cause


def is_expected(error: GraphQLError) -> bool:
    return error.original_error is None or isinstance(_cause(error), DomainError)


class CodedErrors(MaskErrors):
    """Every error leaves with a code: ours keep their message, anything else is masked."""

    def __init__(self) -> None:
        super().__init__()

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._format(error) for error in errors]

    def _document(self) -> DocumentNode | None:
        context = getattr(self, "execution_context", None)  # unset when used outside a request
        return None if context is None else context.graphql_document

    def _format(self, error: GraphQLError) -> GraphQLError:
        cause = _cause(error)
        if isinstance(cause, DomainError):
            extensions: dict[str, object] = {"code": cause.code.value}
            # A scalar refusing a value (graphql/scalars.py) cannot know where it sits.
            field = cause.field or field_of(error, self._document())
            if field:
                extensions["field"] = field
            return _with_extensions(error, cause.message, extensions)
        original = error.original_error
        if original is None and error.extensions and "code" in error.extensions:
            return error  # ours, or already formatted (Schema.execute formats again)
        if (
            error.path is None
            and error.nodes
            and isinstance(error.nodes[0], VariableDefinitionNode)
        ):
            return self._variable_error(error, error.nodes[0])
        if original is None:
            # Parse and validation errors: the client's document is wrong.
            code = (
                "GRAPHQL_PARSE_FAILED"
                if "Syntax Error" in error.message
                else ("GRAPHQL_VALIDATION_FAILED")
            )
            return _with_extensions(error, error.message, {"code": code})
        if isinstance(original, GraphQLError) and not error.path:
            # graphql-core's verdict on the request itself, before execution: a variable value
            # that does not coerce (a scalar's or an input type's own check). The client's
            # input is wrong, exactly like the variable errors that carry no original error.
            return _with_extensions(error, error.message, {"code": "GRAPHQL_VALIDATION_FAILED"})
        if is_outage(original):
            # The database is away or refused under contention: nothing was committed (one
            # transaction per mutation), so the client may retry. An incident, not a bug.
            logger.warning("database unavailable at %s: %s", error.path, type(original).__name__)
            outage: dict[str, object] = {"code": ErrorCode.SERVICE_UNAVAILABLE.value}
            rid = request_id()
            if rid is not None:  # residents call during outages: the id finds their request
                outage["requestId"] = rid
            return _with_extensions(error, UNAVAILABLE_MESSAGE, outage)
        # The request's id (also in X-Request-Id and on every log line of the request), so
        # one number finds the answer, the log and the proxy's record; a fresh one outside.
        error_id = request_id() or uuid.uuid4().hex
        # Not exc_info: a database error's message quotes the values of the failed row.
        logger.error("unexpected error %s at %s\n%s", error_id, error.path, format_safely(original))
        return _with_extensions(
            error,
            INTERNAL_MESSAGE,
            # requestId: the name operators look up; errorId: the name clients already read.
            {"code": ErrorCode.INTERNAL.value, "errorId": error_id, "requestId": error_id},
        )

    def _variable_error(self, error: GraphQLError, node: VariableDefinitionNode) -> GraphQLError:
        """A variable of the wrong type, or a required one missing: the client's input is wrong.
        graphql-core's message echoes the value (a password, a phone number) in English."""
        name = node.variable.name.value
        context = getattr(self, "execution_context", None)
        field = variable_path(getattr(context, "graphql_document", None), name)
        message = f"变量 ${name} 的值无效：需要 {print_ast(node.type)} 类型的值"
        return _with_extensions(
            error, message, {"code": ErrorCode.BAD_USER_INPUT.value, "field": field}
        )
