"""A resident's journey in a real chromium against a real server (the seeded database, the fake
SMS server on loopback), at a phone and a PC size: sign in with the SMS code read from the fake
server and accept the privacy notice, book while a second browser watches the seats go down
live, see the QR code, get checked in through the API by a checker, review the visit, cancel
another booking, send a complaint, switch 长辈模式, download my data and delete my account.
axe-core runs on every page on the way; screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction, utcnow
from culture_cloud.testing import fake_sms
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from tests.accounts.factories import token_for
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.live.conftest import Server, serve_in_process
from tests.support.browser import VIEWPORTS, assert_accessible, screenshot, viewport
from tests.support.ids import gid
from tests.support.settings import settings_for
from tests.web.support import add_resident

PHONES = {"phone": "13900000001", "pc": "13900000002"}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
async def fake_sms_server() -> AsyncIterator[FakeSmsServer]:
    # The development defaults of the settings and of `python -m culture_cloud.testing.fake_sms`.
    state = FakeSms(
        access_key_id=fake_sms.DEV_ACCESS_KEY_ID,
        access_key_secret=fake_sms.DEV_ACCESS_KEY_SECRET,
        template_code=fake_sms.DEV_TEMPLATE_CODE,
    )
    async with FakeSmsServer(state) as server:
        yield server


@pytest.fixture(scope="module")
async def resident_site(
    live_database: Database, fake_sms_server: FakeSmsServer
) -> AsyncIterator[Server]:
    settings = settings_for(live_database, sms_base_url=fake_sms_server.base_url)
    async with serve_in_process(settings) as server:
        yield server


async def _check(page: Any, name: str, size: str) -> None:
    await assert_accessible(page, f"{name} at {size}")
    await screenshot(page, f"web-resident-{name}-{size}.png", full_page=True)


async def _api(server: Server, query: str, variables: dict[str, Any], token: str) -> Any:
    async with httpx.AsyncClient(base_url=server.http, timeout=10) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _session_token(context: Any) -> str:
    (access,) = [c["value"] for c in await context.cookies() if c["name"] == "cc_access"]
    return str(access)


async def _sign_in(
    page: Any, server: Server, sms: FakeSms, phone: str, back: str, size: str
) -> None:
    await page.goto(f"{server.http}/login?next={back}")
    await _check(page, "login", size)
    await page.fill("#f-phone", phone)
    await page.click("text=获取验证码")
    await page.wait_for_selector("#f-code")
    assert "验证码已发送" in await page.inner_text("main")
    await _check(page, "login-code", size)
    await page.fill("#f-code", sms.last_code(phone))
    await page.click("button:text-is('登录')")
    await page.wait_for_url(re.compile(r"/privacy\?next="))
    await _check(page, "privacy", size)
    await page.click("text=我已阅读并同意")
    await page.wait_for_url(f"{server.http}{back}")


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_resident_journey__phone_and_pc(
    resident_site: Server,
    live_database: Database,
    fake_sms_server: FakeSmsServer,
    browser: Any,
    size: str,
) -> None:
    db, server, sms = live_database, resident_site, fake_sms_server.state
    place = await bookings.add_place(db, f"浏览器测试剧场（{size}）")
    checker = await bookings.add_checker(db, place)
    event = await bookings.add_event(
        db, place, title="晋剧经典折子戏专场", capacity=10, starts_in=timedelta(minutes=40)
    )
    other = await bookings.add_event(db, place, title="琉璃烧制体验课", capacity=5)
    watcher = await add_resident(db, nickname="旁观者")
    back = f"/events/{event.id}/book"

    resident = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    second = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    problems: list[str] = []
    try:
        page = await resident.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        await _sign_in(page, server, sms, PHONES[size], back, size)
        await _check(page, "book", size)

        # A second browser watches the same event over the live socket (signed in).
        await second.add_cookies(
            [{"name": "cc_access", "value": await token_for(db, watcher), "url": server.http}]
        )
        watching = await second.new_page()
        await watching.goto(server.http + back)
        seats = watching.locator("[data-live-seats]")
        await watching.wait_for_selector("[data-live-seats][data-live='socket']")
        assert (await seats.get_attribute("data-remaining")) == "10"

        await page.select_option("#f-seats", "2")
        await page.click("text=确认预约")
        await page.wait_for_url(re.compile(r"/me/bookings/\d+$"))
        booking_path = page.url.removeprefix(server.http)
        assert await page.locator(".qr svg").count() == 1
        assert "预约成功" in await page.inner_text("main")
        await _check(page, "booking-qr", size)
        await watching.wait_for_selector("[data-live-seats][data-remaining='8']")
        assert "8 个" in await watching.inner_text("[data-seats-text]")

        # At the door: the checker scans the code (the API, as the door scanner would).
        booking_gid = gid("Booking", int(booking_path.rsplit("/", 1)[1]))
        mine = await _api(
            server,
            "query($id: ID!) { booking(id: $id) { checkInCode } }",
            {"id": booking_gid},
            await _session_token(resident),
        )
        checked = await _api(
            server,
            "mutation($c: String!) { checkIn(code: $c) { __typename } }",
            {"c": mine["booking"]["checkInCode"]},
            await token_for(db, checker),
        )
        assert checked["checkIn"]["__typename"] == "CheckInSuccess"
        async with transaction(db.factory) as session:  # the show has begun
            await session.execute(
                update(catalog.Event)
                .where(col(catalog.Event.id) == event.id)
                .values(start_at=utcnow() - timedelta(minutes=5))
            )
        await page.goto(server.http + booking_path)
        assert "已签到" in await page.inner_text("main")
        await page.click("text=写评价")
        await page.wait_for_url(re.compile(r"/reviews/new\?target="))
        await _check(page, "review-form", size)
        await page.check("input[name=overall][value='5']")
        await page.select_option("select[name='scores-content']", "4")
        await page.fill("#f-text", "演员唱腔饱满，现场秩序很好。")
        await page.click("text=提交评价")
        await page.wait_for_url(re.compile(r"/me/reviews\?sent=1$"))
        assert "演员唱腔饱满" in await page.inner_text("main")
        await _check(page, "my-reviews", size)

        # Book another event and cancel it.
        await page.goto(f"{server.http}/events/{other.id}/book")
        await page.click("text=确认预约")
        await page.wait_for_url(re.compile(r"/me/bookings/\d+$"))
        await page.click("text=取消预约")
        await _check(page, "cancel-confirm", size)
        await page.click("button:text-is('确定取消')")
        await page.wait_for_url(re.compile(r"/me/bookings/\d+$"))
        assert "已取消" in await page.inner_text("main")
        await page.goto(server.http + "/me")
        await _check(page, "me", size)

        # A complaint about the venue, from its feedback page.
        await page.goto(f"{server.http}/feedback/new?about={gid('Venue', place.venue_id)}")
        await _check(page, "complaint-form", size)
        await page.fill("#f-text", "检票口排队太久，无人引导。")
        await page.click("button:text-is('提交')")
        await page.wait_for_url(re.compile(r"/me/feedback\?sent=1$"))
        assert "检票口排队太久" in await page.inner_text("main")
        await _check(page, "my-feedback", size)

        # 长辈模式: larger text and higher contrast, remembered.
        await page.click("button.toggle")
        await page.wait_for_url(re.compile(r"/me/feedback"))
        assert await page.get_attribute("html", "class") == "elder"
        await page.goto(server.http + "/me")
        assert await page.get_attribute("html", "class") == "elder"
        await _check(page, "me-elder", size)
        await page.click("button.toggle")

        # My data: download it, then delete the account.
        await page.goto(server.http + "/me/data")
        await _check(page, "my-data", size)
        async with page.expect_download() as download_info:
            await page.click("text=下载我的数据")
        download = await download_info.value
        assert download.suggested_filename.startswith("jiexiu-my-data-")
        saved = await download.path()
        exported = json.loads(await asyncio.to_thread(Path(saved).read_text, encoding="utf-8"))
        assert PHONES[size] in json.dumps(exported, ensure_ascii=False)
        await page.fill("#f-confirm", "注销")
        await page.click("text=永久注销我的账号")
        assert "请输入「注销账号」" in await page.inner_text("main")
        await page.fill("#f-confirm", "注销账号")
        await page.click("text=永久注销我的账号")
        await page.wait_for_url(server.http + "/me/deleted")
        await _check(page, "account-deleted", size)
        await page.goto(server.http + "/me")
        assert "/login" in page.url
        assert problems == []
    finally:
        await resident.close()
        await second.close()
