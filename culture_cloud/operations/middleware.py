"""The outermost middleware: gives each HTTP request its id, returns it in X-Request-Id, writes
one access log line and counts the request for /metrics.

The access line replaces uvicorn's, which carries the query string (search terms, what a
visitor typed) and the client's address; here: method, path, status, time and the id. The
address stays out of the log: it is personal data, and the audit log keeps it where needed.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from culture_cloud import metrics
from culture_cloud.request_ids import (
    REQUEST_ID_HEADER,
    accept_request_id,
    current_request_id,
    new_request_id,
)

access_log = logging.getLogger("culture_cloud.access")

# First path segment -> the handler label of the HTTP metrics (bounded: anything else is "site").
_HANDLERS = {
    "graphql": "graphql",
    "console": "console",
    "dashboard": "dashboard",
    "exports": "exports",
    "media": "media",
    "assets": "assets",
    "static": "assets",
    "healthz": "health",
    "readyz": "health",
    "metrics": "metrics",
}


def handler_of(path: str) -> str:
    return _HANDLERS.get(path.split("/", 2)[1] if path.count("/") else "", "site")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, *, trust_header: bool) -> None:
        """`trust_header`: a proxy in front (CULTURE_CLOUD_TRUSTED_PROXIES) sets X-Request-Id;
        without one the header is the client's and is ignored."""
        self.app = app
        self.trust_header = trust_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = None
        if self.trust_header:
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    given = value.decode("latin-1")
                    break
        rid = accept_request_id(given) if self.trust_header else new_request_id()
        token = current_request_id.set(rid)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, rid)
        finally:
            current_request_id.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), rid.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            path = scope.get("path", "")
            metrics.observe_http(handler_of(path), status, seconds)
            access_log.info(
                "%s %s %s %.1fms",
                scope.get("method", "-"),
                path,
                status,
                seconds * 1000,
                extra={"status": status, "duration_ms": round(seconds * 1000, 2)},
            )
