"""The website in a real chromium (Playwright) against a real server on the seeded database
(one server and one browser for the module): every reading page at a phone and a PC viewport
with axe-core finding no serious or critical violation and a screenshot in test-artifacts/;
finding 绵山 by typing pinyin into the search box; filtering events; 长辈模式 without JS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from culture_cloud.global_ids import from_global_id
from tests.live.conftest import Server
from tests.support.browser import (
    VIEWPORTS,
    assert_accessible,
    axe_violations,
    screenshot,
    viewport,
)

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
async def event_path(live_site: Server) -> str:
    query = "{ events(first: 1, orderBy: START_TIME, filter: { bookable: true }) { edges { node { id } } } }"
    async with httpx.AsyncClient(base_url=live_site.http, timeout=30) as http:
        body = (await http.post("/graphql", json={"query": query})).json()
    return f"/events/{from_global_id(body['data']['events']['edges'][0]['node']['id'])[1]}"


@pytest.fixture
async def page_at(browser: Any) -> AsyncIterator[Any]:
    contexts: list[Any] = []

    async def open_page(size: str) -> Any:
        context = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.problems = []
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        await context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_pages__phone_and_pc__accessible_with_screenshots(
    live_site: Server, event_path: str, page_at: Any, size: str
) -> None:
    page = await page_at(size)
    pages = {
        "home": "/",
        "search": "/search?q=mianshan",
        "events": "/events",
        "event": event_path,
        "nearby": "/nearby?lat=37.0269&lng=111.9169",
        "login": "/login",
        "not-found": "/no-such-page",
    }
    for name, path in pages.items():
        await page.goto(live_site.http + path)
        await assert_accessible(page, f"{path} at {size}")
        await screenshot(page, f"web-{name}-{size}.png", full_page=True)
    # 长辈模式 without JavaScript: a form post, remembered for the next pages.
    await page.goto(live_site.http + event_path)
    await page.click("button.toggle")
    await page.wait_for_url(live_site.http + event_path)
    assert await page.get_attribute("html", "class") == "elder"
    await assert_accessible(page, f"{event_path} in 长辈模式 at {size}")
    await screenshot(page, f"web-event-elder-{size}.png", full_page=True)
    await page.goto(live_site.http + "/")
    assert await page.get_attribute("html", "class") == "elder"
    await page.click("button.toggle")
    assert await page.get_attribute("html", "class") is None
    assert page.problems == []


async def test_search_box__pinyin__suggests_and_finds_mianshan(
    live_site: Server, page_at: Any
) -> None:
    page = await page_at("phone")
    await page.goto(live_site.http + "/")
    await page.fill("#home-q", "mianshan")
    suggestion = page.locator("#home-suggestions [role=option]").first
    await suggestion.wait_for()
    assert "绵山风景名胜区" in await suggestion.text_content()
    await assert_accessible(page, "/ with suggestions open")
    await screenshot(page, "web-search-suggestions-phone.png")
    await page.press("#home-q", "Enter")
    await page.wait_for_url("**/search?q=mianshan")
    first = page.locator(".cards .item h3 a").first
    assert await first.text_content() == "绵山风景名胜区"
    assert (await first.get_attribute("href") or "").startswith("/scenic-spots/")
    assert page.problems == []


async def test_events__filter_by_kind_and_price__only_matching_listed(
    live_site: Server, page_at: Any
) -> None:
    page = await page_at("pc")
    await page.goto(live_site.http + "/events")
    await page.select_option("#f-kind", "PERFORMANCE")
    await page.select_option("#f-free", "1")
    await page.click("form[action='/events'] button[type=submit]")
    await page.wait_for_url("**/events?*kind=PERFORMANCE*")
    cards = page.locator(".cards .item")
    count = await cards.count()
    assert count > 0
    for index in range(count):
        text = await cards.nth(index).text_content() or ""
        assert "演出" in text and "免费" in text
    await assert_accessible(page, "/events filtered")
    await screenshot(page, "web-events-filtered-pc.png", full_page=True)
    assert page.problems == []


async def test_axe_helper__page_with_violations__reports_them(browser: Any) -> None:
    """The accessibility checks above can fail: a page without a language and with an
    unlabelled image is reported."""
    page = await browser.new_page()
    try:
        await page.set_content("<html><body><img src='data:,'><input></body></html>")
        problems = await axe_violations(page)
    finally:
        await page.close()
    assert any("image-alt" in line for line in problems), problems
    assert any("html-has-lang" in line for line in problems), problems
