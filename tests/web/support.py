"""The website under test: an in-process HTTP client that behaves like a browser (keeps
cookies, reads the CSRF token from the page it posts from), and a live server for chromium."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from typing import TYPE_CHECKING, Any

import httpx

from culture_cloud.accounts.models import User
from culture_cloud.app import create_app, flush_search_log
from culture_cloud.db import utcnow
from culture_cloud.settings import Settings
from tests.accounts.factories import PASSWORD, add_user, token_for
from tests.support.settings import settings_for, shared_settings

if TYPE_CHECKING:
    from tests.conftest import Database

BASE = "http://test"
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class WebClient:
    """A browser's view of the site: cookies kept, redirects not followed (tests look at them)."""

    def __init__(self, http: httpx.AsyncClient, transport: httpx.ASGITransport) -> None:
        self.http = http
        self.transport = transport

    @asynccontextmanager
    async def another_browser(self) -> AsyncIterator[WebClient]:
        """A second browser on the same app: its own cookies."""
        async with httpx.AsyncClient(transport=self.transport, base_url=BASE) as http:
            yield WebClient(http, self.transport)

    async def flush_search_log(self) -> None:
        await flush_search_log(self.transport.app)  # type: ignore[arg-type]

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(url, **kwargs)

    async def csrf_token(self, page: str = "/login") -> str:
        """The token a form on `page` carries (fetching the page sets the CSRF cookie)."""
        response = await self.http.get(page)
        match = _CSRF.search(response.text)
        assert match, f"no CSRF token on {page}: {response.status_code}"
        return match.group(1)

    async def post_form(
        self,
        url: str,
        data: dict[str, str],
        *,
        page: str = "/login",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A form post as the browser sends it from `page`: with that page's CSRF token and
        Origin/Referer of this site."""
        token = await self.csrf_token(page)
        sent = {"Origin": BASE, "Referer": BASE + page, **(headers or {})}
        return await self.http.post(url, data={"csrf_token": token, **data}, headers=sent)

    async def sign_in(self, username: str, password: str = PASSWORD, next_url: str = "/") -> None:
        response = await self.post_form(
            "/login", {"username": username, "password": password, "next": next_url}
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"] == next_url

    def sign_in_with_token(self, access_token: str) -> None:
        """A session as sign-in leaves it (the access cookie), from a token the test minted
        (tests.accounts.factories.token_for): residents sign in by SMS or WeChat, not here."""
        self.http.cookies.set("cc_access", access_token, domain="test.local", path="/")

    def cookie(self, name: str) -> str | None:
        return self.http.cookies.get(name)

    def drop_cookie(self, name: str) -> None:
        self.http.cookies.delete(name)

    def replace_cookie(self, name: str, value: str) -> None:
        """Change a cookie the site set, where the site set it."""
        (domain,) = {c.domain for c in self.http.cookies.jar if c.name == name}
        self.http.cookies.set(name, value, domain=domain)


async def add_resident(db: Database, **values: Any) -> User:
    """A resident who has accepted the privacy notice in force (as after a first sign-in)."""
    values.setdefault("privacy_notice_version", shared_settings(db).privacy_notice_version)
    values.setdefault("privacy_consented_at", utcnow())
    return await add_user(db, **values)


async def signed_in_resident(db: Database, site: WebClient, **values: Any) -> int:
    """A consenting resident, signed in on `site` (the session cookie of a minted token)."""
    user = await add_resident(db, **values)
    site.sign_in_with_token(await token_for(db, user))
    assert user.id is not None
    return user.id


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags and scripts removed, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers of a response by cookie name (the whole header line)."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


@asynccontextmanager
async def web_client(
    db: Database,
    settings: Settings | None = None,
    *,
    client_ip: str = "127.0.0.1",
    base_url: str = BASE,
) -> AsyncIterator[WebClient]:
    app = create_app(settings or settings_for(db))
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=base_url) as http,
    ):
        yield WebClient(http, transport)
