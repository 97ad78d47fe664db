"""The website in a real chromium (Playwright) against a real server on the seeded database
(one server and one browser for the module): every reading page at a phone and a PC viewport
with axe-core finding no serious or critical violation and a screenshot in test-artifacts/;
finding 绵山 by typing pinyin into the search box; filtering events; 长辈模式 without JS; an
event page's journey: its facts and map links, the way to book for a visitor, and for a
resident the seats going down live on the page while they book in another tab."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.global_ids import from_global_id
from tests.accounts.factories import token_for
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.live.conftest import Server
from tests.support.browser import (
    VIEWPORTS,
    assert_accessible,
    axe_violations,
    screenshot,
    viewport,
)
from tests.web.support import add_resident

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
async def event_path(live_site: Server) -> str:
    query = "{ events(first: 1, orderBy: START_TIME, filter: { bookable: true }) { edges { node { id } } } }"
    async with httpx.AsyncClient(base_url=live_site.http, timeout=30) as http:
        body = (await http.post("/graphql", json={"query": query})).json()
    return f"/events/{from_global_id(body['data']['events']['edges'][0]['node']['id'])[1]}"


@pytest.fixture(scope="module")
async def journey_event(live_database: Database, live_site: Server) -> int:
    """A bookable event at a venue with a known point (demo rows, labelled as such)."""
    async with transaction(live_database.factory) as session:
        troupe = await catalog.add_organization(
            session, "【演示】浏览器测试剧团", kind=m.OrganizationKind.TROUPE, is_demo=True
        )
        venue = await catalog.add_venue(
            session,
            "【演示】浏览器测试剧场",
            organization_id=troupe.id,
            at=(37.0269, 111.9169),
            address="介休市（演示地址）",
            is_demo=True,
        )
        event = await catalog.add_event(
            session,
            "【演示】晋剧折子戏专场",
            utcnow() + timedelta(days=2),
            place=venue,
            kind=m.EventKind.PERFORMANCE,
            capacity=40,
            booking_required=True,
            is_demo=True,
        )
    assert event.id is not None
    return event.id


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


async def _seats_left(page: Any) -> int:
    return int(await page.get_attribute("[data-live-seats]", "data-remaining") or "")


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_event_page__journey__facts_maps_booking_and_live_seats(
    live_site: Server,
    live_database: Database,
    journey_event: int,
    browser: Any,
    page_at: Any,
    size: str,
) -> None:
    base, path = live_site.http, f"/events/{journey_event}"
    # A visitor: what, when, where (each map at its datum), the seats left and the way to book.
    page = await page_at(size)
    await page.goto(base + path)
    assert await page.text_content("h1") == "【演示】晋剧折子戏专场"
    facts = await page.inner_text(".facts")
    assert "【演示】浏览器测试剧场" in facts and "介休市（演示地址）" in facts
    maps = page.locator(".map-links a")
    assert [await maps.nth(i).text_content() for i in range(await maps.count())] == [
        "高德地图",
        "腾讯地图",
        "百度地图",
    ]
    assert "剩余名额" in await page.inner_text(".booking-panel")
    assert 'content="noindex"' in await page.content()  # a demo row
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert await page.evaluate(fits), f"{path} scrolls sideways at {size}"
    await assert_accessible(page, f"{path} at {size}")
    await screenshot(page, f"web-event-journey-visitor-{size}.png", full_page=True)
    await page.click(".booking-panel a.button")
    await page.wait_for_url(f"{base}{path}/book")
    assert "登录后预约" in await page.inner_text("main")
    await assert_accessible(page, f"{path}/book signed out at {size}")
    assert page.problems == []

    # A resident: the page follows the seats live (the socket) while they book in another tab.
    resident = await add_resident(live_database, nickname=f"浏览器访客{size}")
    context = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    try:
        token = await token_for(live_database, resident)
        await context.add_cookies([{"name": "cc_access", "value": token, "url": base}])
        watching = await context.new_page()
        watching.set_default_timeout(TIMEOUT_MS)
        problems: list[str] = []
        watching.on("pageerror", lambda exc: problems.append(str(exc)))
        await watching.goto(base + path)
        await watching.wait_for_selector("[data-live-seats][data-live='socket']")
        before = await _seats_left(watching)
        await assert_accessible(watching, f"{path} signed in at {size}")
        booking = await context.new_page()
        booking.set_default_timeout(TIMEOUT_MS)
        await booking.goto(base + path)
        await booking.click(".booking-panel a.button")
        await booking.wait_for_url(f"{base}{path}/book")
        await booking.select_option("#f-seats", "2")
        await booking.click("text=确认预约")
        await booking.wait_for_url(re.compile(r"/me/bookings/\d+$"))
        await watching.wait_for_selector(f"[data-live-seats][data-remaining='{before - 2}']")
        assert f"{before - 2} 个" in await watching.inner_text("[data-seats-text]")
        await assert_accessible(watching, f"{path} after the live update at {size}")
        await screenshot(watching, f"web-event-journey-live-{size}.png", full_page=True)
        assert problems == []
    finally:
        await context.close()


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
