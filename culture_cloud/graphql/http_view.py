"""Strawberry's ASGI view with the HTTP contract of culture_cloud.graphql.transport and the
offline GraphiQL page; app.GraphQLView adds the context and WebSocket handling."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from culture_cloud import graphiql
from culture_cloud.graphql import transport
from culture_cloud.graphql.context import Context


class ContractView(GraphQL[Context, None]):
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # orjson.JSONDecodeError subclasses json.JSONDecodeError, so bad bodies still get 400.
        decoded = orjson.loads(data)
        if not isinstance(decoded, dict | list):
            # Strawberry would call .get() on it and answer 500.
            raise transport.Refused(transport.NOT_AN_OBJECT)
        return decoded

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
            return transport.error_response(transport.transport_error(exc), media_type)
        except transport.Refused as refused:
            return transport.error_response(refused.error, media_type)
        return transport.finish(request, response)

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
        if getattr(request.state, "graphql_media_type", None) == transport.GRAPHQL_RESPONSE_JSON:
            status = transport.request_error_status(result.data, result.errors)
            if status is not None:
                request.state.graphql_request_error_status = status
                response.pop("data", None)
        return response
