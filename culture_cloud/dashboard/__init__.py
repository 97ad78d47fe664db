"""The statistics dashboard (/dashboard): static files only; every figure comes from the
`statistics` GraphQL query with the signed-in user's token, so the page holds no data."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"

# No inline scripts or styles, nothing from other origins; the page talks to /graphql only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_MESSAGES = {404: ("NOT_FOUND", "页面不存在"), 405: ("METHOD_NOT_ALLOWED", "不支持该请求方法")}


def _secure(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


class DashboardFiles(StaticFiles):
    """StaticFiles with the security headers, and typed JSON errors instead of plain text."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            code, message = _MESSAGES.get(exc.status_code, ("BAD_REQUEST", "请求无效"))
            response = JSONResponse({"code": code, "message": message}, exc.status_code)
        if path in ("", ".", "index.html"):
            # The page changes with each release; the assets are revalidated by ETag.
            response.headers["Cache-Control"] = "no-cache"
        return _secure(response)


async def _to_slash(request: Request) -> Response:
    return _secure(RedirectResponse("/dashboard/", status_code=308))


def routes() -> list[BaseRoute]:
    return [
        Route("/dashboard", _to_slash, methods=["GET", "HEAD"]),
        Mount("/dashboard", app=DashboardFiles(directory=STATIC, html=True), name="dashboard"),
    ]
