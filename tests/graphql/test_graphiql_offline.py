"""GraphiQL (development only) comes entirely from the package: government intranets have no
internet access, so the page may reference no other host."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from culture_cloud import graphiql
from culture_cloud.settings import Settings
from tests.conftest import IN_CI
from tests.live.conftest import serve_in_process

HTML = {"accept": "text/html"}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
TIMEOUT_MS = 20_000


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value and not value.startswith("data:"):
                self.urls.append(value)


async def _page_references(http: httpx.AsyncClient) -> list[str]:
    response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _References()
    parser.feed(response.text)
    return parser.urls


async def test_graphiql_page__development__references_only_this_server(
    dev: httpx.AsyncClient,
) -> None:
    response = await dev.get("/graphql", headers=HTML)
    urls = await _page_references(dev)
    assert len(urls) >= 6, urls  # react, react-dom, graphiql js+css, explorer js+css, ours
    assert all(url.startswith("/graphiql/") for url in urls), urls
    # Not even in the script: no CDN host anywhere in the page.
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", response.text), response.text
    # The browser enforces it too: nothing may load from another origin.
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy


async def test_graphiql_assets__development__served_with_their_content_types(
    dev: httpx.AsyncClient,
) -> None:
    for url in await _page_references(dev):
        response = await dev.get(url)
        assert response.status_code == 200, url
        expected = CONTENT_TYPES[Path(url).suffix]
        assert response.headers["content-type"].startswith(expected), (url, response.headers)
        packaged = graphiql.STATIC / url.removeprefix("/graphiql/")
        assert response.content == packaged.read_bytes(), url


async def test_graphiql_scripts__packaged__call_no_cdn(dev: httpx.AsyncClient) -> None:
    # GraphiQL can fetch extra code at run time (e.g. a CDN fallback); the vendored bundle
    # must not. Links in comments and licences are fine; a URL passed to fetch/import is not.
    for path in graphiql.STATIC.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(import\(|fetch\()\s*["'`]https?://""", text), path.name


@pytest.mark.parametrize(
    "url", ["/graphiql/graphiql.min.js", "/graphiql/react.production.min.js", "/graphiql/x.js"]
)
async def test_graphiql_assets__production__404(prod: httpx.AsyncClient, url: str) -> None:
    response = await prod.get(url)
    assert response.status_code == 404
    assert b"React" not in response.content and b"GraphiQL" not in response.content


async def test_graphiql_page__production__404(prod: httpx.AsyncClient) -> None:
    response = await prod.get("/graphql", headers=HTML)
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


# --- in a real browser, with every other host unreachable (needs chromium; skipped without) ---


@pytest.fixture(scope="module")
def chromium() -> Path:
    path = Path(os.environ.get("CULTURE_CLOUD_TEST_CHROMIUM", "/usr/bin/chromium"))
    if not (path.exists() or shutil.which(str(path))):
        message = f"chromium not found at {path}: `apt-get install -y chromium`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


async def test_graphiql__browser_offline__renders_and_runs_a_query(
    chromium: Path, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/graphiql.db")
    async with serve_in_process(settings) as server, async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page()
            elsewhere: list[str] = []
            failures: list[str] = []

            async def only_this_server(route: Any) -> None:
                if route.request.url.startswith(server.http):
                    await route.continue_()
                else:  # the intranet: no other host answers
                    elsewhere.append(route.request.url)
                    await route.abort("internetdisconnected")

            await page.route("**/*", only_this_server)
            page.on("pageerror", lambda error: failures.append(str(error)))
            # Content-Security-Policy refusals and failed loads are reported on the console.
            page.on(
                "console",
                lambda message: failures.append(message.text) if message.type == "error" else None,
            )
            await page.goto(f"{server.http}/graphql?q=%7B%20__typename%20%7D")
            # The schema arrived by introspection and the editor is interactive.
            await page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT_MS)
            await page.click(".graphiql-execute-button")
            result = page.locator(".result-window")
            await result.get_by_text('"Query"').wait_for(timeout=TIMEOUT_MS)
            assert elsewhere == []
            assert failures == []
        finally:
            await browser.close()
