"""An editor's journey in a real chromium against a real server, at a phone and a PC size: sign
in at /console/login, create a weekly series, upload a poster (a generated JPEG) from the edit
page, publish the whole series, then edit it as a series (new title, afternoon times); a
resident books the first date in ANOTHER browser context on the website; the editor's booking
list, open meanwhile, shows the seats go down live and, once reloaded, the booking (masked).
axe-core runs on every console page on the way; screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from culture_cloud.identity import StaffRole
from culture_cloud.media.storage import storage_for
from tests.accounts.factories import PASSWORD, add_staff, token_for
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.live.conftest import Server, serve_in_process
from tests.media.factories import jpeg
from tests.support.browser import VIEWPORTS, assert_accessible, screenshot, viewport
from tests.support.settings import settings_for
from tests.web.console.support import at, local_day
from tests.web.support import add_resident

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
async def console_site(live_database: Database, tmp_path_factory: Any) -> AsyncIterator[Server]:
    media = tmp_path_factory.mktemp("media")
    settings = settings_for(live_database, media_local_dir=media)
    async with serve_in_process(settings) as server:
        # Uploaded images are addressed on this server (its port is known only now), as
        # `make serve` addresses them on 127.0.0.1:8000: the pages' CSP allows 'self' only.
        public = settings.model_copy(update={"media_public_base_url": f"{server.http}/media"})
        assert server.app is not None
        server.app.state.media_storage = storage_for(public)
        yield server


async def _check(page: Any, name: str, size: str) -> None:
    await assert_accessible(page, f"console {name} at {size}")
    await screenshot(page, f"console-editor-{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_editor_journey__series_poster_publish_and_a_booking(
    console_site: Server, live_database: Database, browser: Any, size: str
) -> None:
    db, server = live_database, console_site
    place = await bookings.add_place(db, f"浏览器测试文化馆（{size}）")
    username = f"browser-editor-{size}"
    await add_staff(db, place.organization_id, StaffRole.EDITOR, username=username)
    resident = await add_resident(db, real_name="李小红")
    first = local_day(8)
    title = f"周六非遗剪纸课（{size}）"

    editor = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    visitor = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    problems: list[str] = []
    try:
        page = await editor.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: problems.append(str(exc)))

        await page.goto(f"{server.http}/console/")
        await page.wait_for_url(re.compile(r"/console/login\?next="))
        await _check(page, "login", size)
        await page.fill("#f-username", username)
        await page.fill("#f-password", PASSWORD)
        await page.click("button:text-is('登录')")
        await page.wait_for_url(f"{server.http}/console/")
        assert "工作台" in await page.inner_text("main")
        nav = await page.inner_text("nav.console-nav")
        assert "活动" in nav and "预约名单" in nav and "员工" not in nav
        await _check(page, "home", size)

        # A weekly series: every Saturday for three weeks from the first date.
        await page.goto(f"{server.http}/console/events/new")
        await _check(page, "new", size)
        await page.fill("#f-title", title)
        await page.select_option("#f-kind", "TRAINING")
        await page.fill("#f-description", "介休剪纸传承人现场教学，材料免费提供。")
        await page.fill("#f-startAt", at(first, 9, 30))
        await page.fill("#f-endAt", at(first, 11))
        await page.check(f"input[name=recurrence-weekdays][value='{first.isoweekday()}']")
        await page.fill("#f-recurrence-until", (first + timedelta(days=14)).isoformat())
        await page.fill("#f-capacity", "20")
        await page.fill("#f-priceYuan", "0")
        await page.click("button:text-is('保存为草稿')")
        await page.wait_for_url(re.compile(r"/console/events/\d+\?done=created&n=3$"))
        event_path = page.url.removeprefix(server.http).split("?")[0]
        number = int(event_path.rsplit("/", 1)[1])
        assert "共 3 场" in await page.inner_text("main")
        await _check(page, "event-draft", size)

        # The poster, from the edit page.
        await page.click("a:text-is('编辑')")
        await page.wait_for_url(f"{server.http}{event_path}/edit")
        await page.set_input_files(
            "#f-file",
            files=[{"name": "poster.jpg", "mimeType": "image/jpeg", "buffer": jpeg((1600, 1200))}],
        )
        await page.click("button:text-is('上传')")
        await page.wait_for_url(re.compile(r"/edit\?done=uploaded#images$"))
        poster = page.locator("#images img").first
        await poster.wait_for()
        assert await poster.evaluate("img => img.complete && img.naturalWidth > 0")
        await _check(page, "edit-with-poster", size)

        # Publish the whole series.
        await page.goto(f"{server.http}{event_path}")
        await page.check("#f-wholeSeries")
        await page.click("button:text-is('发布')")
        await page.wait_for_url(re.compile(r"\?done=published&n=3$"))
        assert "已发布" in await page.inner_text("main")
        await _check(page, "event-published", size)

        # The series moves to the afternoon and gets a new title, as a series.
        await page.click("a:text-is('编辑')")
        await page.wait_for_url(f"{server.http}{event_path}/edit")
        title = f"周六非遗剪纸课·下午场（{size}）"
        await page.fill("#f-title", title)
        await page.fill("#f-startAt", at(first, 14))
        await page.fill("#f-endAt", at(first, 15, 30))
        await page.check("input[name=scope][value=series]")
        await _check(page, "edit-series", size)
        await page.click("button:text-is('保存修改')")
        await page.wait_for_url(re.compile(r"\?done=saved&n=3$"))
        assert "14:00–15:30" in await page.inner_text("main")

        # The booking list, open while a resident books in another browser.
        await page.goto(f"{server.http}{event_path}/bookings")
        await page.wait_for_selector("[data-live-seats][data-live='socket']")
        assert await page.get_attribute("[data-live-seats]", "data-remaining") == "20"
        await _check(page, "bookings-empty", size)

        await visitor.add_cookies(
            [{"name": "cc_access", "value": await token_for(db, resident), "url": server.http}]
        )
        booking = await visitor.new_page()
        booking.set_default_timeout(TIMEOUT_MS)
        await booking.goto(f"{server.http}/events/{number}")
        assert title in await booking.inner_text("main")
        await booking.goto(f"{server.http}/events/{number}/book")
        await booking.select_option("#f-seats", "2")
        await booking.click("text=确认预约")
        await booking.wait_for_url(re.compile(r"/me/bookings/\d+$"))

        await page.wait_for_selector("[data-live-seats][data-remaining='18']")
        await page.reload()
        listing = await page.inner_text("main")
        assert "李*" in listing and "李小红" not in listing and "共 1 条预约" in listing
        await _check(page, "bookings", size)

        await page.goto(f"{server.http}/console/events?q=剪纸")
        assert (await page.inner_text("main")).count(title) == 3
        await _check(page, "events", size)
        await page.goto(f"{server.http}/console/uploads")
        await _check(page, "uploads", size)
        await page.goto(f"{server.http}/console/password")
        await _check(page, "password", size)
        assert problems == []
    finally:
        await editor.close()
        await visitor.close()
