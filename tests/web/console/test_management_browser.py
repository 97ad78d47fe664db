"""The management pages in a real chromium against a real server (both databases), at a phone
and a PC viewport: a museum's manager signs in, finds a resident's complaint in the inbox,
accepts it and answers it, then picks the museum's location with a click on the place form's
map (its tiles unreachable, as without network) and saves it; an administrator creates a
staff account and finds its creation in the audit log. axe-core finds no serious or critical violation on any page visited, and
every page leaves a screenshot in test-artifacts/console-admin-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from culture_cloud.geo import CoordSystem, LatLng, to_wgs84
from culture_cloud.identity import StaffRole
from tests.accounts.factories import PASSWORD, add_admin, add_staff
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.live.conftest import Server, serve_in_process
from tests.support.browser import VIEWPORTS, assert_accessible, screenshot, viewport
from tests.support.settings import settings_for
from tests.web.console.admin_support import complaint_about

TIMEOUT_MS = 20_000
# No tile server answers here (a closed port on loopback): the place form's map says its tiles
# are unavailable, as it does without network, and a click on it still picks a point.
NO_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
async def live_site(live_database: Database) -> AsyncIterator[Server]:
    settings = settings_for(live_database, console_map_tile_url=NO_TILES)
    async with serve_in_process(settings) as server:
        yield server


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
        # A refused tile would also show "tiles unavailable": the policy must not be the cause.
        page.on("console", lambda message: _policy_refusal(page, message))
        return page

    yield open_page
    for context in contexts:
        await context.close()


def _policy_refusal(page: Any, message: Any) -> None:
    if "Content Security Policy" in message.text:
        page.problems.append(message.text)


async def _checked(page: Any, name: str, size: str) -> None:
    """axe-core on the page as it is, and its screenshot."""
    await assert_accessible(page, f"{name} at {size}")
    await screenshot(page, f"console-admin-{name}-{size}.png", full_page=True)


async def _sign_in(page: Any, server: Server, username: str) -> None:
    await page.goto(server.http + "/console/login")
    await page.fill("#f-username", username)
    await page.fill("#f-password", PASSWORD)
    await page.click("form[action='/console/login'] button[type=submit]")
    await page.wait_for_url(server.http + "/console/")


async def _open_from_nav(page: Any, label: str) -> None:
    await page.click(f"nav.console-nav >> text={label}")
    await page.wait_for_load_state()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_console__manager_answers_complaint__admin_creates_account_and_audits(
    live_site: Server, live_database: Database, page_at: Any, size: str
) -> None:
    db = live_database
    place = await bookings.add_place(db, f"【演示】浏览器测试博物馆 {size}")
    manager = await add_staff(db, place.organization_id, StaffRole.MANAGER, nickname="馆长")
    admin = await add_admin(db, nickname="文旅局管理员")
    number = await complaint_about(db, place.venue_id)

    # ---- the manager answers the complaint --------------------------------------------
    page = await page_at(size)
    await page.goto(live_site.http + "/console/login")
    await _checked(page, "login", size)
    await _sign_in(page, live_site, str(manager.username))
    await _checked(page, "manager-home", size)
    await _open_from_nav(page, "投诉")
    assert page.url.startswith(live_site.http + "/console/feedback")
    await _checked(page, "feedback-inbox", size)
    await page.click(f"a[href='/console/feedback/{number}']")
    await page.wait_for_url(f"{live_site.http}/console/feedback/{number}")
    await _checked(page, "feedback-item", size)
    await page.click("form:has(input[name=status][value=ACCEPTED]) button")
    await page.wait_for_url(f"{live_site.http}/console/feedback/{number}?done=1")
    assert "办理中" in await page.inner_text("main")
    # An answer is required: the browser's form is not validated by the browser (novalidate),
    # the server names the field.
    await page.click("form:has(input[name=status][value=RESOLVED]) button")
    await page.wait_for_selector("#f-response-error")
    await _checked(page, "feedback-answer-missing", size)
    answer = "已与讲解员沟通，今后准时到岗，感谢您的监督。"
    await page.fill("#f-response", answer)
    await page.click("form:has(input[name=status][value=RESOLVED]) button")
    await page.wait_for_url(f"{live_site.http}/console/feedback/{number}?done=1")
    text = await page.inner_text("main")
    assert "已办结" in text and answer in text
    await _checked(page, "feedback-answered", size)

    # ---- the manager picks the museum's location on the place form's map ----------------
    await _open_from_nav(page, "场馆/景区")
    edit = f"/console/places/venue/{place.venue_id}/edit"
    await page.click(f"a[href='{edit}']")
    await page.wait_for_url(live_site.http + edit)
    await page.wait_for_selector("#place-map-tiles", state="visible")  # no tile server here
    await _checked(page, "place-form-map", size)
    box = page.locator("[data-place-map]")
    centre = [float(await box.get_attribute(f"data-{name}") or "nan") for name in ("lat", "lng")]
    await page.locator("#place-map").click()  # the middle of the map is its centre
    clicked = [float(await page.input_value(f"#f-{name}")) for name in ("lat", "lng")]
    assert clicked == pytest.approx(centre, abs=1e-3)  # within a pixel or two
    assert await page.input_value("#f-system") == "GCJ02"
    await page.click("form.place-form button[type=submit]")
    await page.wait_for_url(f"{live_site.http}{edit}?done=saved")
    saved = to_wgs84(LatLng(*clicked), CoordSystem.GCJ02)  # the form shows WGS84 back
    assert float(await page.input_value("#f-lat")) == pytest.approx(saved.lat, abs=1e-6)
    assert float(await page.input_value("#f-lng")) == pytest.approx(saved.lng, abs=1e-6)
    await page.click("header form[action='/console/logout'] button")
    await page.wait_for_url(live_site.http + "/console/login")

    # ---- the administrator creates an account and finds it in the audit log ------------
    await _sign_in(page, live_site, str(admin.username))
    await page.goto(live_site.http + f"/console/staff?org={place.organization_id}")
    await _checked(page, "staff-list", size)
    await page.click("a[href^='/console/staff/new']")
    await page.wait_for_load_state()
    await _checked(page, "staff-new", size)
    username = f"ticket-{size}"
    await page.select_option("#f-organizationId", str(place.organization_id))
    await page.fill("#f-username", username)
    await page.fill("#f-password", "a-long-enough-password")
    await page.select_option("#f-role", "CHECKER")
    await page.click("form[action='/console/staff/new'] button[type=submit]")
    await page.wait_for_url("**/console/staff/*?done=created")
    assert username in await page.inner_text("main")
    await _checked(page, "staff-created", size)
    await _open_from_nav(page, "审计日志")
    await _checked(page, "audit", size)
    await page.fill("#f-type", "User")
    await page.click("form[action='/console/audit'] button[type=submit]")
    await page.wait_for_url("**/console/audit?*type=User*")
    entry = page.locator("li.item", has_text="user.create_staff").first
    await entry.locator("summary").click()
    assert username in await entry.inner_text()
    await _checked(page, "audit-filtered", size)
    assert page.problems == []
