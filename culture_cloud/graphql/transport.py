"""The HTTP side of /graphql, following the GraphQL-over-HTTP specification.

Two response media types:
- `application/graphql-response+json` when the client's Accept asks for it: a request that fails
  before execution (parse, validation, variable coercion) answers 4xx and has no `data` entry.
- `application/json` (no Accept, `*/*`, or asked for): the legacy contract, 200 with `errors`
  and `data: null` for those same failures, so existing clients keep working.

Requests refused before GraphQL runs (malformed JSON, no query, wrong method or content type,
a query over GET, ...) answer the same 4xx status in both, with a Chinese message and an English
`extensions.code`. Strawberry raises these as plain-text `HTTPException`s with English reasons;
`transport_error` turns them into typed answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
# Methods /graphql answers at all (GET: trusted query documents, and GraphiQL in development).
ALLOWED_METHODS: Final = "GET, POST"

# Codes of errors that mean "the request is wrong" rather than "the server failed".
_SERVER_CODES: Final = {"INTERNAL": 500, "SERVICE_UNAVAILABLE": 503}


@dataclass(frozen=True)
class TransportError:
    """The answer to a request refused before GraphQL runs."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


class Refused(Exception):
    def __init__(self, error: TransportError) -> None:
        super().__init__(error.code)
        self.error = error


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None if it accepts neither of ours.

    No Accept (or an empty one) means `application/json`, as the specification asks during
    its migration period; so do `*/*` and `application/*`. Between explicitly listed types the
    higher q wins, and on a tie `application/graphql-response+json`.
    """
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for part in accept.split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        quality = _quality(params)
        if quality <= 0:
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate, rank = GRAPHQL_RESPONSE_JSON, (quality, 1, 1)
        elif media == JSON:
            candidate, rank = JSON, (quality, 1, 0)
        elif media in ("*/*", "application/*"):
            candidate, rank = JSON, (quality, 0, 0)
        else:
            continue
        if best is None or rank > best:
            best, chosen = rank, candidate
    return chosen


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value.strip())))
            except ValueError:
                return 0.0
    return 1.0


def is_json_content_type(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == JSON


def transport_error(exc: HTTPException) -> TransportError:
    """Strawberry's refusal, typed and in Chinese. Unknown reasons still get a Chinese answer."""
    cause = exc.__cause__
    if isinstance(cause, InvalidOperationTypeError):
        return _operation_not_allowed(cause.operation_type)
    if isinstance(cause, CannotGetOperationTypeError):
        if cause.operation_name is None:
            return TransportError(
                400, "BAD_REQUEST", "文档中没有可执行的操作，或有多个操作却未指定 operationName"
            )
        return TransportError(400, "BAD_REQUEST", "文档中没有 operationName 所指定的操作")
    if isinstance(cause, MissingQueryError):
        return MISSING_QUERY
    if isinstance(cause, json.JSONDecodeError) or exc.reason == _REASON_BAD_JSON:
        return BAD_JSON
    if exc.status_code == 405:
        return METHOD_NOT_ALLOWED
    if exc.status_code == 404:
        return TransportError(404, "NOT_FOUND", "页面不存在")
    known = _BY_REASON.get(exc.reason)
    if known is not None:
        return known
    return TransportError(exc.status_code, "BAD_REQUEST", "请求无效")


def _operation_not_allowed(operation: OperationType) -> TransportError:
    if operation is OperationType.QUERY:
        # Our policy, not the specification's: queries over GET leak into logs and caches, so
        # only trusted documents (public, cacheable) may come that way (http_view).
        return TransportError(
            400,
            "BAD_REQUEST",
            "GET 只接受已登记文档（documentId）的查询，其他查询请用 POST 发送",
            {"Allow": "POST"},
        )
    if operation is OperationType.MUTATION:
        # The specification: a mutation over GET is 405.
        return TransportError(
            405, "METHOD_NOT_ALLOWED", "变更操作只能通过 POST 发送", {"Allow": "POST"}
        )
    return TransportError(400, "BAD_REQUEST", "订阅请通过 WebSocket（graphql-transport-ws）发起")


_REASON_BAD_JSON: Final = "Unable to parse request body as JSON"
BAD_JSON: Final = TransportError(400, "BAD_REQUEST", "请求体不是有效的 JSON")
NOT_AN_OBJECT: Final = TransportError(400, "BAD_REQUEST", "请求体须为 JSON 对象")
MISSING_QUERY: Final = TransportError(400, "BAD_REQUEST", "请求中缺少 query（GraphQL 文档）")
METHOD_NOT_ALLOWED: Final = TransportError(
    405,
    "METHOD_NOT_ALLOWED",
    "不支持该请求方法，请用 POST 发送 GraphQL 请求",
    {"Allow": ALLOWED_METHODS},
)
UNSUPPORTED_MEDIA_TYPE: Final = TransportError(
    415, "UNSUPPORTED_MEDIA_TYPE", "请求的 Content-Type 须为 application/json"
)
NOT_ACCEPTABLE: Final = TransportError(
    406,
    "NOT_ACCEPTABLE",
    "无法提供 Accept 所要求的格式，请接受 application/graphql-response+json 或 application/json",
)
BAD_OPERATION_NAME: Final = TransportError(400, "BAD_REQUEST", "operationName 须为字符串")
_BY_REASON: Final = {
    "Unsupported content type": UNSUPPORTED_MEDIA_TYPE,
    "The GraphQL operation's `query` must be a string or null, if provided.": TransportError(
        400, "BAD_REQUEST", "query 须为字符串"
    ),
    "The GraphQL operation's `variables` must be an object or null, if provided.": TransportError(
        400, "BAD_REQUEST", "variables 须为 JSON 对象"
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": TransportError(
        400, "BAD_REQUEST", "extensions 须为 JSON 对象"
    ),
    "Batching is not enabled": TransportError(400, "BAD_REQUEST", "不支持批量请求，请逐个发送"),
}


def error_response(error: TransportError, media_type: str | None) -> Response:
    body: dict[str, Any] = {
        "errors": [{"message": error.message, "extensions": {"code": error.code}}]
    }
    if media_type != GRAPHQL_RESPONSE_JSON:
        # The legacy contract always had a `data` entry; the new one has none for refusals.
        body = {"data": None, **body}
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=error.status,
        headers=error.headers,
        media_type=_content_type(media_type),
    )


def _content_type(media_type: str | None) -> str:
    if media_type == GRAPHQL_RESPONSE_JSON:
        return f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    return JSON


def request_error_status(data: object, errors: list[GraphQLError] | None) -> int | None:
    """4xx/5xx when the result is a request error (no execution happened), else None.

    Parse, validation and variable-coercion errors carry no `path`; a field error always has
    one, and a field error that nulls the whole result is still a 200 (`data` is present).
    """
    if data is not None or not errors or any(error.path for error in errors):
        return None
    codes = {str((error.extensions or {}).get("code")) for error in errors}
    for code, status in _SERVER_CODES.items():
        if code in codes:
            return status
    return 400


def finish(request: Request, response: Response) -> Response:
    """Sets the negotiated content type, and the status of a request error, on a result."""
    media_type = getattr(request.state, "graphql_media_type", JSON)
    if media_type != GRAPHQL_RESPONSE_JSON or response.media_type != JSON:
        return response
    response.headers["content-type"] = _content_type(media_type)
    status = getattr(request.state, "graphql_request_error_status", None)
    if status is not None:
        response.status_code = status
    return response
