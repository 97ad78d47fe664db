"""检票 in a real chromium at a phone's size, scanning real QR codes through chromium's fake
camera (a YUV4MPEG2 video of the booking's code, drawn with segno and Pillow): two checkers
at two doors of one event, one online and one that loses the network.

Door A scans 张三丰's code online: green, the count moves, and the same code seen again is red.
Door B downloaded the list before that, goes offline, scans 小李's code (green, answered from
the kept list and queued; the server has not heard of it) and sees it refused the second time;
typed in, 张三丰's code is green on B's stale list. Back online, the queue arrives: 小李 is
checked in, and 张三丰 is reported as already checked in at another door. A scan queued
offline survives closing the page and is sent by the next one. axe-core on every state;
screenshots in test-artifacts/door-*.png.

This chromium has no BarcodeDetector on Linux, so the scans go through the vendored jsQR."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from PIL import Image

from culture_cloud.accounts.models import User
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_staff, add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.live.conftest import Server
from tests.support.browser import PHONE, assert_accessible, screenshot, viewport
from tests.support.ids import gid

TIMEOUT_MS = 20_000
WIDTH, HEIGHT = 640, 480

DOOR_STATUSES = """
query($eventId: ID!) {
  doorList(eventId: $eventId) {
    checkedInSeats
    entries(first: 100) { edges { node { bookerName status } } }
  }
}
"""


def qr_video(code: str, path: Path, frames: int = 3) -> Path:
    """A short YUV4MPEG2 (4:2:0) video of `code` as a QR code on white, as a phone's screen
    held up to the camera; chromium plays it in a loop as the fake camera."""
    png = io.BytesIO()
    segno.make(code, error="m").save(png, kind="png", scale=8, border=4)
    png.seek(0)
    side = HEIGHT - 40
    qr = Image.open(png).convert("L").resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(qr, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    grey = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))  # no colour: U and V at the middle
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame.tobytes() + grey + grey)
    return path


@dataclass
class Door:
    event_id: int
    checkers: tuple[User, User]
    codes: dict[str, str]  # zhang, li, wang

    @property
    def path(self) -> str:
        return f"/console/door/event/{self.event_id}"


@pytest.fixture(scope="module")
async def door(live_database: Database) -> Door:
    db = live_database
    place = await f.add_place(db, "介休市博物馆（检票测试）")
    event = await f.add_event(
        db, place, title="晋剧经典折子戏专场", capacity=10, starts_in=timedelta(minutes=30)
    )
    codes = {}
    for name, values, seats in (
        ("zhang", {"real_name": "张三丰", "phone": "13800001234"}, 2),
        ("li", {"nickname": "小李", "phone": "13911115678"}, 1),
        ("wang", {"nickname": "老王", "phone": "13700002468"}, 1),
    ):
        booked = await f.book(db, await add_user(db, **values), event, seats)
        codes[name] = f.checkin_code(db, booked.booking)
    checkers = (
        await add_staff(db, place.organization_id, StaffRole.CHECKER, password=None),
        await add_staff(db, place.organization_id, StaffRole.CHECKER, password=None),
    )
    assert event.id is not None
    return Door(event.id, checkers, codes)


@pytest.fixture(scope="module")
async def cameras(
    chromium: Path, door: Door, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, Any]]:
    """One chromium per door, each camera showing one resident's code: A 张三丰's, B 小李's."""
    from playwright.async_api import async_playwright

    folder = tmp_path_factory.mktemp("door-camera")
    async with async_playwright() as playwright:
        launched = {}
        try:
            for door_name, resident in (("A", "zhang"), ("B", "li")):
                video = qr_video(door.codes[resident], folder / f"{resident}.y4m")
                launched[door_name] = await playwright.chromium.launch(
                    executable_path=str(chromium),
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--use-fake-ui-for-media-stream",
                        "--use-fake-device-for-media-stream",
                        f"--use-file-for-fake-video-capture={video}",
                    ],
                )
            yield launched
        finally:
            for browser in launched.values():
                await browser.close()


async def _statuses(server: Server, door: Door, token: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=server.http, timeout=10) as http:
        response = await http.post(
            "/graphql",
            json={"query": DOOR_STATUSES, "variables": {"eventId": gid("Event", door.event_id)}},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    edges = body["data"]["doorList"]["entries"]["edges"]
    return {edge["node"]["bookerName"]: edge["node"]["status"] for edge in edges}


async def _phone(browser: Any, server: Server, user: User, db: Database) -> Any:
    context = await browser.new_context(viewport=viewport(PHONE), locale="zh-CN")
    await context.add_cookies(
        [{"name": "cc_access", "value": await token_for(db, user), "url": server.http}]
    )
    return context


async def _open_door(context: Any, server: Server, door: Door, problems: list[str]) -> Any:
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    await page.goto(server.http + door.path)
    await page.wait_for_selector("[data-door][data-list-ready='1']")
    return page


async def _answer(page: Any, tone: str) -> str:
    await page.wait_for_selector(f"#door-answer.door-{tone}")
    return str(await page.inner_text("#door-answer"))


async def _check(page: Any, name: str) -> None:
    await assert_accessible(page, name)
    await screenshot(page, f"door-{name}.png", full_page=True)


async def test_door__camera_scans_online_and_offline__queue_arrives(
    live_site: Server, live_database: Database, door: Door, cameras: dict[str, Any]
) -> None:
    server, db = live_site, live_database
    api_token = await token_for(db, door.checkers[0])
    problems: list[str] = []
    phone_a = await _phone(cameras["A"], server, door.checkers[0], db)
    phone_b = await _phone(cameras["B"], server, door.checkers[1], db)
    try:
        # Door B opens first: its list says nobody is in yet. Then the network goes.
        b = await _open_door(phone_b, server, door, problems)
        assert "已签到 0 / 应到 4 座" in await b.inner_text(".door-count")
        await phone_b.set_offline(True)

        # Door A picks the event and scans 张三丰's code online.
        a = await phone_a.new_page()
        a.set_default_timeout(TIMEOUT_MS)
        a.on("pageerror", lambda exc: problems.append(str(exc)))
        await a.goto(server.http + "/console/door")
        await _check(a, "picker")
        await a.click("text=晋剧经典折子戏专场")
        await a.wait_for_selector("[data-door][data-list-ready='1']")
        await _check(a, "page")
        await a.click("#door-camera-start")
        green = await _answer(a, "pass")
        assert "通过" in green and "2 人 · 张**" in green
        assert "已签到 2 / 应到 4 座" in await a.inner_text(".door-count")
        await _check(a, "green")
        assert (await _statuses(server, door, api_token))["张**"] == "CHECKED_IN"
        # The camera keeps seeing the same code: a second scan, refused.
        red = await _answer(a, "fail")
        assert "已签到" in red and "2 人 · 张**" in red
        await _check(a, "red")
        await a.click("#door-camera-stop")

        # Door B, offline: 小李's code is answered from the kept list and queued.
        assert "离线" in await b.inner_text("#door-status")
        await b.click("#door-camera-start")
        offline = await _answer(b, "pass")
        assert "1 人 · 小李" in offline and "离线放行" in offline
        await b.wait_for_selector("#door-status[data-queued='1']")
        assert (await _statuses(server, door, api_token))["小李"] == "CONFIRMED"
        await _check(b, "offline-green")
        again = await _answer(b, "fail")
        assert "本机已于" in again
        await b.click("#door-camera-stop")
        # 张三丰's code, typed: B's list is from before door A let him in.
        await b.fill("#door-code", door.codes["zhang"])
        await b.click("#door-code-form button[type=submit]")
        await b.wait_for_selector("#door-status[data-queued='2']")
        assert "2 人 · 张**" in await _answer(b, "pass")
        await _check(b, "offline-queued")

        # Back online: the queue goes up; 小李 arrives, 张三丰 is reported as a second entry.
        await phone_b.set_offline(False)
        await b.wait_for_selector("#door-status[data-queued='0']")
        reports = await b.inner_text("#door-reports")
        assert "已上传：小李 1 人 签到成功" in reports
        assert re.search(r"注意：张\*\* 2 人 已在其他入口签到（\d\d:\d\d）", reports)
        assert "已签到 3 / 应到 4 座" in await b.inner_text(".door-count")
        await _check(b, "uploaded")
        statuses = await _statuses(server, door, api_token)
        assert (statuses["小李"], statuses["老王"]) == ("CHECKED_IN", "CONFIRMED")

        # A scan queued offline survives the page: close it, come back online, open it again.
        await phone_b.set_offline(True)
        await b.fill("#door-code", door.codes["wang"])
        await b.click("#door-code-form button[type=submit]")
        await b.wait_for_selector("#door-status[data-queued='1']")
        await b.close()
        await phone_b.set_offline(False)
        assert (await _statuses(server, door, api_token))["老王"] == "CONFIRMED"
        reopened = await _open_door(phone_b, server, door, problems)
        await reopened.wait_for_selector("#door-status[data-queued='0']")
        assert "已上传：老王 1 人 签到成功" in await reopened.inner_text("#door-reports")
        assert (await _statuses(server, door, api_token))["老王"] == "CHECKED_IN"
        assert problems == []
    finally:
        await phone_a.close()
        await phone_b.close()


async def test_door__no_camera_permission__typing_still_works(
    live_site: Server, live_database: Database, door: Door, browser: Any
) -> None:
    """The shared chromium has no fake camera: opening it fails, the page says so and the
    checker types the code (here one that is not this event's: red, in Chinese)."""
    context = await _phone(browser, live_site, door.checkers[0], live_database)
    problems: list[str] = []
    try:
        page = await _open_door(context, live_site, door, problems)
        await page.click("#door-camera-start")
        await page.wait_for_selector("#door-camera-note:has-text('无法使用摄像头')")
        assert await page.evaluate("document.activeElement.id") == "door-code"
        await page.fill("#door-code", "12.abcdefghijklmnopqrstuvwxyz012345.0123456789abcdefghijk")
        await page.keyboard.press("Enter")
        red = await _answer(page, "fail")
        assert "未通过" in red and "无效" in red
        await _check(page, "no-camera")
        assert problems == []
    finally:
        await context.close()
