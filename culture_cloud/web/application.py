"""A front end as an ASGI app mounted by culture_cloud/app.py: its routes, friendly Chinese
error pages for everything under it (the API keeps its JSON errors: it is mounted before), the
security headers, and the cookies a request asked for."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from culture_cloud.logsafe import format_safely
from culture_cloud.request_ids import request_id
from culture_cloud.web.cookies import set_cookie_headers
from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import (
    CsrfFailed,
    InvalidInput,
    PageError,
    PageFailed,
    PageForbidden,
    PageNotFound,
    PageUnavailable,
    SignInRequired,
    TooManyRequests,
)

logger = logging.getLogger("culture_cloud.web")

# No inline script, nothing from elsewhere; JSON-LD blocks are data, not executed, so allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]

# status: (heading, what to tell the visitor)
ERROR_PAGES = {
    400: ("请求有误", "请检查输入后重试。"),
    403: ("无权访问", "您没有权限查看此页面。"),
    404: ("页面不存在", "您要找的页面不存在或已被删除。"),
    405: ("不支持该操作", "此页面不支持这种请求方式。"),
    429: ("操作太频繁", "请稍等片刻再试。"),
    500: ("服务器出错了", "很抱歉，页面出错了。我们已记录此问题，请稍后重试。"),
    503: ("系统繁忙", "系统暂时无法提供服务，请稍后重试。"),
}


def error_page(
    web: FrontEnd,
    request: Request,
    status: int,
    message: str | None = None,
    error_id: str | None = None,
) -> Response:
    heading, default = ERROR_PAGES.get(status, ERROR_PAGES[500])
    response = web.render(
        request,
        "error.html",
        {
            "title": heading,
            "heading": heading,
            "message": message or default,
            "error_id": error_id,
            "status": status,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _handlers(web: FrontEnd, sign_in_path: str) -> dict[Any, Any]:
    async def page_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, SignInRequired):
            if web.sessions.signed_in(request):
                web.sessions.forget(request)  # the API no longer honours them
            return _to_sign_in(request, sign_in_path)
        if isinstance(exc, CsrfFailed):
            return error_page(web, request, 403, exc.message)
        if isinstance(exc, PageForbidden):
            return error_page(web, request, 403, exc.shown)
        if isinstance(exc, PageNotFound):
            return error_page(web, request, 404)
        if isinstance(exc, TooManyRequests):
            return error_page(web, request, 429, exc.message)
        if isinstance(exc, PageUnavailable):
            return error_page(web, request, 503)
        if isinstance(exc, InvalidInput):
            return error_page(web, request, 400, exc.message)
        error_id = exc.error_id if isinstance(exc, PageFailed) else None
        if error_id is None:
            error_id = _log_unexpected(request, exc)
        return error_page(web, request, 500, error_id=error_id)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = error_page(web, request, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    return {PageError: page_error, HTTPException: http_error}


def _to_sign_in(request: Request, sign_in_path: str) -> Response:
    """To the sign-in page, coming back here afterwards (after a post: to the page it came
    from, which the browser names in Referer)."""
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        back = request.url.path + (f"?{query}" if query else "")
    else:
        referer = urlsplit(request.headers.get("referer") or "/")
        back = referer.path + (f"?{referer.query}" if referer.query else "")
    return see_other(sign_in_path + "?next=" + quote(safe_next(back), safe=""))


def _log_unexpected(request: Request, exc: BaseException) -> str:
    # The request's id: the number the visitor reads out is the one in every log line.
    error_id = request_id() or uuid.uuid4().hex
    # The path only: a query string can hold what the visitor typed.
    logger.error(
        "unexpected web error %s on %s %s\n%s",
        error_id,
        request.method,
        request.url.path,
        format_safely(exc),
    )
    return error_id


class WebMiddleware:
    """Security headers and pending cookies on every response; an unexpected exception becomes
    the 500 page with an error id (logged) instead of a bare 500 and a re-raise."""

    def __init__(self, app: ASGIApp, web: FrontEnd) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        secure = self.web.settings.secure_cookies

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {name for name, _ in headers}
                headers += [item for item in SECURITY_HEADERS if item[0] not in names]
                headers += set_cookie_headers(scope, secure=secure)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            request = Request(scope, receive)
            response = error_page(self.web, request, 500, error_id=_log_unexpected(request, exc))
            await response(scope, receive, send_with_headers)


class FrontEndMount(Mount):
    """Mounts a front end at a prefix (the website at `/`), leaving the paths other parts of
    the app own (the API, the dashboard, exports) to them, with their own 404 and 405 answers:
    a Mount matches every method, so without this a GET-only route's 405 became a page 404."""

    def __init__(self, path: str, app: ASGIApp, *, reserved: Sequence[str]) -> None:
        super().__init__(path, app=app)
        self.reserved = tuple(prefix.rstrip("/") for prefix in reserved)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if any(path == prefix or path.startswith(prefix + "/") for prefix in self.reserved):
            return Match.NONE, {}
        return super().matches(scope)


def web_app(
    web: FrontEnd, routes: Sequence[BaseRoute], *, sign_in_path: str = "/login"
) -> Starlette:
    """`sign_in_path`: where a page that needs a signed-in visitor sends the browser (the
    website's /login, the console's /console/login), with `?next=` back to the page."""
    return Starlette(
        routes=list(routes),
        middleware=[Middleware(WebMiddleware, web=web)],
        exception_handlers=_handlers(web, sign_in_path),
    )
