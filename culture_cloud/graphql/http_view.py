"""Strawberry's ASGI view with the HTTP contract of culture_cloud.graphql.transport, trusted
documents (culture_cloud.graphql.trusted), cacheable GETs (culture_cloud.graphql.http_cache) and
the offline GraphiQL page; app.GraphQLView adds the context and WebSocket handling."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Final

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from culture_cloud import graphiql
from culture_cloud.graphql import http_cache, transport, trusted
from culture_cloud.graphql.context import Context
from culture_cloud.graphql.trusted import TrustedDocuments

# Whether this request's GET may run a query: only a trusted document's (set per request, read by
# Strawberry through `allow_queries_via_get` in the same task).
_GET_QUERY_ALLOWED: ContextVar[bool] = ContextVar("get_query_allowed", default=False)

TRUSTED_DOCUMENT_REQUIRED: Final = transport.TransportError(
    403,
    "TRUSTED_DOCUMENT_REQUIRED",
    "未登录时只能执行已登记的文档：请发送 documentId，或先登录",
)


class ContractView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: Any,
        *,
        trusted_documents: TrustedDocuments | None = None,
        trusted_documents_only: bool = False,
        cache_policy: http_cache.CachePolicy | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, **kwargs)
        self.trusted_documents = trusted_documents or TrustedDocuments()
        self.trusted_documents_only = trusted_documents_only
        self.cache_policy = cache_policy or http_cache.CachePolicy(10, 30)

    @property
    def allow_queries_via_get(self) -> bool:
        # Queries over GET leak into logs and caches: only trusted ones, which are public anyway.
        return _GET_QUERY_ALLOWED.get()

    @allow_queries_via_get.setter
    def allow_queries_via_get(self, value: bool) -> None:
        del value  # Strawberry's __init__ assigns it; the rule above is ours

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson.JSONDecodeError subclasses json.JSONDecodeError, so bad bodies still get 400.
        decoded = orjson.loads(data)
        if not isinstance(decoded, dict | list):
            # Strawberry would call .get() on it and answer 500.
            raise transport.Refused(transport.NOT_AN_OBJECT)
        return decoded

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET that names a document is a request, not a visit to GraphiQL's page.
        params = request.query_params
        if params.get("documentId") is not None or params.get("extensions") is not None:
            return False
        return super().should_render_graphql_ide(request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page_response()

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket) or not isinstance(request, Request):
            return await super().run(request, context, root_value)
        media_type = transport.negotiate(request.headers.get("accept"))
        request.state.graphql_media_type = media_type
        try:
            self._check_headers(request, media_type)
            response = await super().run(request, context, root_value)
        except HTTPException as exc:
            return _refusal(request, transport.transport_error(exc), media_type)
        except transport.Refused as refused:
            return _refusal(request, refused.error, media_type)
        response = transport.finish(request, response)
        if request.method == "GET" and hasattr(request.state, "trusted_document"):
            # A GET that ran (GraphiQL's page has no trusted_document on its state).
            return http_cache.apply(request, response, self.cache_policy)
        return response

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        allowed = _GET_QUERY_ALLOWED.set(False)
        try:
            if isinstance(request_data, GraphQLRequestData):
                await self._admit(request, request_data, context)
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        finally:
            _GET_QUERY_ALLOWED.reset(allowed)

    async def _admit(self, request: Request, data: GraphQLRequestData, context: Context) -> None:
        """Resolves a document id to its text, records whether the document is trusted on
        `request.state.trusted_document` (its id, or None) and applies the policies."""
        document_id = None
        if data.query is None:
            # Only an id-only request needs the raw fields Strawberry drops (the body is
            # cached by Starlette; decoding a small one again costs microseconds).
            raw = (
                request.query_params
                if request.method == "GET"
                else orjson.loads(await request.body())
            )
            document_id = raw.get("documentId")
        id_ = trusted.requested_id(document_id, data.extensions)
        data.query, document = trusted.resolve(self.trusted_documents, data.query, id_)
        request.state.trusted_document = document.id if document else None
        _GET_QUERY_ALLOWED.set(document is not None)
        # Anonymous callers may run only what the project ships; a signed-in caller (a token
        # that still verifies, not just any Authorization header) is unaffected.
        if (
            document is None
            and self.trusted_documents_only
            and data.query is not None
            and await context.viewer() is None
        ):
            raise transport.Refused(TRUSTED_DOCUMENT_REQUIRED)

    def _check_headers(self, request: Request, media_type: str | None) -> None:
        if request.method not in ("GET", "POST"):
            raise transport.Refused(transport.METHOD_NOT_ALLOWED)
        if request.method == "POST" and not transport.is_json_content_type(
            request.headers.get("content-type")
        ):
            raise transport.Refused(transport.UNSUPPORTED_MEDIA_TYPE)
        if media_type is None and not self.should_render_graphql_ide(
            self.request_adapter_class(request)
        ):
            raise transport.Refused(transport.NOT_ACCEPTABLE)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        request.state.graphql_had_errors = bool(result.errors)
        if getattr(request.state, "graphql_media_type", None) == transport.GRAPHQL_RESPONSE_JSON:
            status = transport.request_error_status(result.data, result.errors)
            if status is not None:
                request.state.graphql_request_error_status = status
                response.pop("data", None)
        return response


def _refusal(request: Request, error: transport.TransportError, media_type: str | None) -> Response:
    response = transport.error_response(error, media_type)
    if request.method == "GET":
        # A refusal must not outlive its cause in a cache (or be remembered by a browser).
        response.headers["cache-control"] = http_cache.NO_STORE
    return response
