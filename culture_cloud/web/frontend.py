"""What a page handler works with: its front end's documents and templates, the visitor's
session, CSRF, assets. A handler runs one document and renders one template:

    async def event(request: Request, web: FrontEnd) -> Response:
        event = (await web.run(request, "event", {"id": gid})).node("node")
        return web.render(request, "event.html", {"event": event, "title": event["title"]})

and a form post starts with `form = await web.form(request)` (CSRF checked, or a 403 page).

The templates a front end lists in `cached_templates` are rendered through the render
cache (render_cache.py) for visitors without a session: the same inputs give the same HTML,
so it is rendered once and each visitor gets it with their own CSRF token put in.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from culture_cloud.db import utcnow
from culture_cloud.metrics import count_render
from culture_cloud.settings import Settings
from culture_cloud.timeutil import local_today
from culture_cloud.web.assets import Assets
from culture_cloud.web.cookies import cookie
from culture_cloud.web.csrf import CSRF_FIELD, Csrf
from culture_cloud.web.documents import Documents
from culture_cloud.web.gateway import Gateway
from culture_cloud.web.render_cache import RenderCache, Unkeyable, render_key
from culture_cloud.web.results import FormErrors, Result
from culture_cloud.web.sessions import Sessions

SHARED_TEMPLATES = Path(__file__).parent / "templates"
SHARED_DOCUMENTS = Path(__file__).parent / "documents"
ELDER_COOKIE = "cc_elder"
SITE_NAME = "介休文旅云"
MAX_NEXT_LENGTH = 2000
# What a cached page is rendered with in place of the visitor's CSRF token, then replaced by
# it: random per process, so no page's data can hold it by chance or design.
CSRF_PLACEHOLDER = secrets.token_hex(32)


@dataclass
class WebKit:
    """Built once per app, shared by the website and the console."""

    settings: Settings
    gateway: Gateway
    sessions: Sessions
    csrf: Csrf
    assets: Assets

    @classmethod
    def build(cls, settings: Settings, gateway: Gateway) -> WebKit:
        shared = Documents(SHARED_DOCUMENTS, gateway.schema._schema)
        return cls(
            settings=settings,
            gateway=gateway,
            sessions=Sessions(gateway, shared),
            csrf=Csrf(settings),
            assets=Assets(),
        )


def safe_next(value: object, default: str = "/") -> str:
    """A local path to go back to after a form: never another site (`//evil`, `https://`)."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_NEXT_LENGTH:
        return default
    if value.startswith(("//", "/\\")) or any(ch < " " or ch == "\\" for ch in value):
        return default
    parts = urlsplit(value)
    return default if parts.scheme or parts.netloc else value


def see_other(url: str) -> RedirectResponse:
    """Post → redirect → get."""
    return RedirectResponse(url, status_code=303)


class FrontEnd:
    def __init__(
        self,
        kit: WebKit,
        *,
        documents: Path,
        templates: Path,
        cached_templates: Collection[str] = (),
    ) -> None:
        """`cached_templates`: the pages every visitor without a session sees alike given
        the same values (no personal data; their templates read nothing but their values,
        the date and the environment's pure filters and globals): the render cache's."""
        self.kit = kit
        self.settings = kit.settings
        self.sessions = kit.sessions
        self.documents = Documents(documents, kit.gateway.schema._schema)
        environment = Environment(
            loader=ChoiceLoader([FileSystemLoader(templates), FileSystemLoader(SHARED_TEMPLATES)]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.globals.update(asset=kit.assets.url, site_name=SITE_NAME, csrf_field=CSRF_FIELD)
        self.templates = Jinja2Templates(env=environment)
        self.cached_templates = frozenset(cached_templates)
        self.render_cache = RenderCache(kit.settings.web_render_cache_bytes)

    # ---- data --------------------------------------------------------------------------------

    async def run(
        self,
        request: Request,
        name: str,
        variables: dict[str, Any] | None = None,
        *,
        log_searches: bool = True,
    ) -> Result:
        """The document `name` as the visitor (see results.py for what to do with the answer)."""
        return await self.sessions.run(
            request, self.documents[name], variables, log_searches=log_searches
        )

    async def data(
        self, request: Request, name: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return (await self.run(request, name, variables)).check()

    async def form(self, request: Request) -> FormData:
        return await self.kit.csrf.form(request)

    # ---- pages -------------------------------------------------------------------------------

    def public_url(self, request: Request, path: str) -> str:
        """An absolute URL for canonical links, Open Graph and the sitemap."""
        base = self.settings.web_public_url or str(request.base_url)
        return base.rstrip("/") + path

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        private: bool = False,
    ) -> Response:
        """The template's page. `private`: this render shows what is the visitor's own (their
        position, say) though its template is a cached one: it stays out of the cache."""
        values: dict[str, Any] = {
            "title": None,
            "description": None,
            "json_ld": None,
            "og_type": "website",
            "errors": FormErrors(),
            "values": {},
            **(context or {}),
        }
        canonical = values.pop("canonical_path", None) or request.url.path
        csrf_token = self.kit.csrf.token(request)  # always: it sets the cookie if missing
        values.update(
            csrf_token=csrf_token,
            elder=cookie(request, ELDER_COOKIE) == "1",
            signed_in=self.sessions.signed_in(request),
            current_path=request.url.path,
            here=_here(request),
            canonical=self.public_url(request, canonical),
        )
        if self._cacheable(request, template, private=private, signed_in=values["signed_in"]):
            page = self._cached_page(template, values, status_code)
            if page is not None:
                # The same response a TemplateResponse of that HTML would be.
                body = page.replace(CSRF_PLACEHOLDER, csrf_token)
                return HTMLResponse(body, status_code=status_code)
        return self.templates.TemplateResponse(request, template, values, status_code=status_code)

    def _cacheable(
        self, request: Request, template: str, *, private: bool, signed_in: bool
    ) -> bool:
        """Whether this page goes through the render cache: a cached template's GET, for a
        visitor without a session (whose pages hold nothing of their own), unless the handler
        says the page is private, the cache is off, or templates reload (development)."""
        return (
            template in self.cached_templates
            and not private
            and not signed_in
            and request.method in ("GET", "HEAD")
            and self.render_cache.max_bytes > 0
            and not self.templates.env.auto_reload
        )

    def _cached_page(self, template: str, values: dict[str, Any], status_code: int) -> str | None:
        """The page as every visitor without a session gets it (the placeholder for the CSRF
        token): from the cache, else rendered and kept; None when its values cannot be keyed.
        `request` is not among the values: a cached template must not read it (an error if
        it does, never a page of another request's)."""
        values = {**values, "csrf_token": CSRF_PLACEHOLDER}
        # The filters read the clock for today's season and this year (filters.when).
        today = local_today(utcnow())
        try:
            key = render_key(template, status_code, today, values)
        except Unkeyable:
            count_render("unkeyable")
            return None
        page = self.render_cache.get(key)
        if page is not None:
            count_render("hit")
            return page
        count_render("miss")
        page = self.templates.get_template(template).render(values)
        if local_today(utcnow()) == today:  # else rendered for a day its key does not name
            self.render_cache.put(key, page)
        return page

    def route(
        self,
        path: str,
        handler: Callable[[Request, FrontEnd], Awaitable[Response]],
        *,
        methods: list[str] | None = None,
        name: str | None = None,
    ) -> Route:
        """A Starlette route calling `handler(request, self)`."""

        async def endpoint(request: Request) -> Response:
            return await handler(request, self)

        return Route(path, endpoint, methods=methods or ["GET", "HEAD"], name=name)


def _here(request: Request) -> str:
    query = request.url.query
    return safe_next(request.url.path + (f"?{query}" if query else ""))
