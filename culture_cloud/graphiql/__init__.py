"""GraphiQL for development, served entirely from this package: government intranets have no
internet, so nothing may come from a CDN. Production registers none of it (see app.py)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

HERE = Path(__file__).parent
STATIC = HERE / "static"
ASSET_PREFIX = "/graphiql"

# Everything from this origin: a page that tried to load from a CDN would fail here too, in
# any browser, not only on an intranet. GraphiQL sets inline styles (editor sizes), and the
# WebSocket for subscriptions goes to this host (CSP3 counts same-origin ws: as 'self').
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _page() -> str:
    return (HERE / "page.html").read_text(encoding="utf-8")


def page_response() -> Response:
    return HTMLResponse(_page(), headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


class _Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        return response


def routes() -> list[BaseRoute]:
    return [Mount(ASSET_PREFIX, app=_Assets(directory=STATIC), name="graphiql")]
