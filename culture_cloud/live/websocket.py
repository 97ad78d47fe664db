"""graphql-transport-ws with our rules: subscriptions only, and a coded per-connection cap."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, OperationType, get_operation_ast, parse
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from culture_cloud.db import is_outage
from culture_cloud.errors import ErrorCode
from culture_cloud.live.feed import LiveOperation, SocketGone, current_operation

logger = logging.getLogger("culture_cloud.live")

SUBSCRIPTION_LIMIT_MESSAGE: Final = "同一连接上的订阅数已达上限"
SUBSCRIPTIONS_ONLY_MESSAGE: Final = "WebSocket 仅用于订阅；查询与变更请用 HTTP POST"


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends text frames. The view encodes JSON to bytes for HTTP (orjson), and the stock
    adapter would pass those on as binary frames, which graphql-ws clients do not read."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, None]):
    async def run_operation(self, operation: Operation[Any, None]) -> None:
        # Tells the eventSeats resolver (which runs in this task) which operation it serves
        # and how to write to its socket: after the first value, the process's hub writes
        # ready-made frames instead of a GraphQL execution per subscriber (live/hub.py).
        token = current_operation.set(
            LiveOperation(
                id=operation.id,
                query=operation.query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                send_text=self._send_text,
                close=self._close,
            )
        )
        try:
            await super().run_operation(operation)
        finally:
            current_operation.reset(token)

    async def _send_text(self, frame: str) -> None:
        assert isinstance(self.websocket, TextWebSocketAdapter)
        try:
            await self.websocket.ws.send_text(frame)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            # RuntimeError: starlette's "after sending websocket.close"; OSError: uvicorn's
            # ClientDisconnected.
            raise SocketGone from exc

    async def _close(self, code: int, reason: str) -> None:
        await self.websocket.close(code=code, reason=reason)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Exception as exc:
            # The token check reads the database. If it is away, the client should retry,
            # not conclude its token is bad (4403): 1013 "try again later", as for the
            # connection cap.
            if not is_outage(exc):
                raise
            logger.warning("subscription connect: database unavailable (%s)", type(exc).__name__)
            await self.websocket.close(code=1013, reason="Try again later")

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            if (
                self.max_subscriptions_per_connection is not None
                and len(self.operations) >= self.max_subscriptions_per_connection
            ):
                await self._refuse(message, SUBSCRIPTION_LIMIT_MESSAGE, ErrorCode.RATE_LIMITED)
                return
            if not _is_subscription(message):
                # Queries and mutations have their limits, logging and rate limits on the HTTP
                # side; a second door to them would need all of that again.
                await self._refuse(message, SUBSCRIPTIONS_ONLY_MESSAGE, ErrorCode.BAD_USER_INPUT)
                return
        # Everything else (not acknowledged -> 4401, duplicate id -> 4409, syntax errors ->
        # 4400) is the protocol's own behaviour.
        await super().handle_subscribe(message)

    async def _refuse(self, message: SubscribeMessage, text: str, code: ErrorCode) -> None:
        error = GraphQLError(text, extensions={"code": code.value})
        await self.send_message(
            {"id": message["id"], "type": "error", "payload": [error.formatted]}
        )


def _is_subscription(message: SubscribeMessage) -> bool:
    payload = message["payload"]
    try:
        document = parse(payload["query"])
    except (GraphQLSyntaxError, TypeError, KeyError):
        return True  # let strawberry answer bad documents the protocol's way
    operation = get_operation_ast(document, payload.get("operationName"))
    return operation is None or operation.operation is OperationType.SUBSCRIPTION
