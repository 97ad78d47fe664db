"""The website in a real chromium (Playwright) against a real server on the seeded database:
each page at a phone and a PC viewport, axe-core finding no serious or critical violation, a
screenshot of each in test-artifacts/. One server and one browser for the module."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live.conftest import Server
from tests.support.browser import (
    VIEWPORTS,
    assert_accessible,
    axe_violations,
    screenshot,
    viewport,
)

PAGES = {"home": "/", "login": "/login", "not-found": "/no-such-page"}


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_pages__phone_and_pc__accessible_with_screenshots(
    live_site: Server, browser: Any, size: str
) -> None:
    context = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        for name, path in PAGES.items():
            await page.goto(live_site.http + path)
            await assert_accessible(page, f"{path} at {size}")
            await screenshot(page, f"web-{name}-{size}.png", full_page=True)
        # 长辈模式 without JavaScript: a form post, remembered for the next page.
        await page.goto(live_site.http + "/login")
        await page.click("button.toggle")
        await page.wait_for_url(live_site.http + "/login")
        assert await page.get_attribute("html", "class") == "elder"
        await assert_accessible(page, f"/login in 长辈模式 at {size}")
        await screenshot(page, f"web-login-elder-{size}.png", full_page=True)
        await page.click("button.toggle")
        assert await page.get_attribute("html", "class") is None
        # 404 pages from the server are expected console errors; nothing else is.
        assert [p for p in problems if "404" not in p] == []
    finally:
        await context.close()


async def test_axe_helper__page_with_violations__reports_them(browser: Any) -> None:
    """The check above can fail: a page without a language and with an unlabelled image."""
    page = await browser.new_page()
    try:
        await page.set_content("<html><body><img src='data:,'><input></body></html>")
        problems = await axe_violations(page)
    finally:
        await page.close()
    assert any("image-alt" in line for line in problems), problems
    assert any("html-has-lang" in line for line in problems), problems
