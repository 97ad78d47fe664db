"""A size limit on the /graphql request body, enforced while it is read.

Strawberry reads the whole body into memory before looking at it; without a limit a client can
make the process buffer gigabytes. The body is read here instead, up to the limit, and handed on
whole: a declared Content-Length over the limit is answered at once, and a body that turns out
longer than declared (or is chunked) is refused as soon as it crosses the limit.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"


def too_large_response(max_bytes: int) -> JSONResponse:
    # No "data" key: the request failed before execution (GraphQL over HTTP).
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"请求内容过大，最多 {max_bytes} 字节",
                    "extensions": {"code": PAYLOAD_TOO_LARGE},
                }
            ]
        },
        status_code=413,
    )


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await too_large_response(self.max_bytes)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away; nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await too_large_response(self.max_bytes)(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()  # after the body: wait for the disconnect, as ASGI does
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
