"""The place, directory, township, wish and culture menu pages in a real chromium (Playwright)
against a real server on the seeded database: every page at a phone and a PC viewport with
axe-core finding no serious or critical violation and a screenshot in test-artifacts/, and a
wish posted by one resident and supported by another through the browser.

Residents sign in by SMS code or WeChat (other work); here a resident's browser is handed the
session cookie a sign-in sets, with a token from `token_for`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.web.sessions import ACCESS_COOKIE
from tests.accounts.factories import add_admin, add_staff, add_user, token_for
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.live.conftest import Server
from tests.menu import factories as menu
from tests.reviews import factories as reviews
from tests.support.browser import VIEWPORTS, assert_accessible, screenshot, viewport
from tests.support.graphql import graphql_client
from tests.support.ids import gid, pk_of
from tests.web.places_support import region_pk, seed_pk

POST_WISH = """
mutation Post($input: PostWishInput!) {
  postWish(input: $input) { __typename ... on PostWishSuccess { wish { id } } }
}
"""


@dataclass
class World:
    residents: list[User]
    pages: dict[str, str]  # screenshot name → path


@pytest.fixture(scope="module")
async def world(live_database: Database, live_site: Server) -> World:
    db = live_database
    museum = await seed_pk(db, m.Venue, "jiexiu-museum")
    residents = [await add_user(db, nickname=name) for name in ("张三", "李四", "王五")]
    async with transaction(db.factory) as session:
        troupe = await catalog.add_organization(
            session, "【演示】介休示例晋剧团", kind=m.OrganizationKind.TROUPE
        )
    assert troupe.id is not None
    editor = await add_staff(db, troupe.id, StaffRole.EDITOR)
    admin = await add_admin(db)
    async with graphql_client(db) as api:
        for who, (overall, text) in zip(
            residents[:2],
            [(5, "琉璃展很精彩，讲解细致。"), (4, "周一闭馆，来之前看好时间。")],
            strict=True,
        ):
            await reviews.submit_ok(
                api,
                reviews.Account(who, await token_for(db, who)),
                gid("Venue", museum),
                overall,
                text=text,
                scores={"facilities": 4, "service": 5, "content": overall},
            )
        submitted = await api.data(
            menu.SUBMIT_OFFERING, {"input": menu.offering_input()}, user=editor
        )
        offering = submitted["submitOffering"]["offering"]["id"]
        await api.data(menu.REVIEW_OFFERING, {"id": offering, "approve": True}, user=admin)
        wish = await api.data(
            POST_WISH,
            {
                "input": {
                    "title": "想看一场皮影戏",
                    "text": "孩子们没看过皮影戏，希望周末在文化馆演一场。",
                    "regionId": gid("Region", await region_pk(db, "beiguan")),
                }
            },
            user=residents[2],
        )
    pages = {
        "venues": "/venues",
        "venue": f"/venues/{museum}",
        "scenic-spots": "/scenic-spots?min_level=3",
        "scenic-spot": f"/scenic-spots/{await seed_pk(db, m.ScenicSpot, 'mianshan')}",
        "travel-agencies": "/travel-agencies",
        "travel-agency": f"/travel-agencies/{await seed_pk(db, m.TravelAgency, 'demo-agency-city')}",
        "guides": "/guides",
        "guide": f"/guides/{await seed_pk(db, m.Guide, 'demo-guide-wang')}",
        "townships": "/townships",
        "township": "/townships/beiguan",
        "wishes": "/wishes",
        "wish": f"/wishes/{pk_of(wish['postWish']['wish']['id'])}",
        "menu": "/menu",
        "offering": f"/menu/{pk_of(offering)}",
        "filter-error": "/venues?min_rating=9&lat=37",
    }
    return World(residents, pages)


async def _resident_context(
    browser: Any, server: Server, db: Database, user: User, size: str
) -> Any:
    context = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    token = await token_for(db, user)
    await context.add_cookies([{"name": ACCESS_COOKIE, "value": token, "url": server.http}])
    return context


def _watch(page: Any) -> list[str]:
    """Script errors, and responses that failed, other than a page answering 400 on purpose
    and the browser asking for a /favicon.ico the site does not have."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def failed(response: Any) -> None:
        if (
            response.status >= 400
            and response.request.resource_type != "document"
            and not response.url.endswith("/favicon.ico")
        ):
            problems.append(f"{response.status} {response.url}")

    page.on("response", failed)
    return problems


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_pages__phone_and_pc__accessible_with_screenshots(
    live_site: Server, live_database: Database, world: World, browser: Any, size: str
) -> None:
    # Signed in, so the wish pages show their forms and buttons to axe as well.
    context = await _resident_context(browser, live_site, live_database, world.residents[0], size)
    page = await context.new_page()
    problems = _watch(page)
    try:
        for name, path in world.pages.items():
            response = await page.goto(live_site.http + path)
            assert response is not None
            assert response.status == (400 if name == "filter-error" else 200), path
            await assert_accessible(page, f"{path} at {size}")
            await screenshot(page, f"web-places-{name}-{size}.png", full_page=True)
        # The venue page in 长辈模式 (large text, high contrast, one column).
        await page.goto(live_site.http + world.pages["venue"])
        await page.click("button.toggle")
        await page.wait_for_url(live_site.http + world.pages["venue"])
        assert await page.get_attribute("html", "class") == "elder"
        await assert_accessible(page, f"venue in 长辈模式 at {size}")
        await screenshot(page, f"web-places-venue-elder-{size}.png", full_page=True)
        await page.click("button.toggle")
        assert problems == []
    finally:
        await context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
async def test_wish__post_then_support_through_the_browser(
    live_site: Server, live_database: Database, world: World, browser: Any, size: str
) -> None:
    base = live_site.http
    title = f"想学剪纸（{size}）"
    # Anonymous: the form is not there, a sign-in link is, and it comes back to the form.
    anonymous = await browser.new_context(viewport=viewport(VIEWPORTS[size]), locale="zh-CN")
    page = await anonymous.new_page()
    await page.goto(base + "/wishes")
    assert await page.locator("#f-title").count() == 0
    await page.click("text=登录后发布心愿")
    assert page.url == base + "/login?next=/wishes%23post"
    await anonymous.close()

    author = await _resident_context(browser, live_site, live_database, world.residents[0], size)
    page = await author.new_page()
    problems = _watch(page)
    await page.goto(base + "/wishes")
    # First without a township: the message beside the field, what was typed kept.
    await page.fill("#f-title", title)
    await page.fill("#f-text", "希望文化馆开一期剪纸班，周末上课。")
    await page.click("form[action='/wishes#post'] button[type=submit]")
    assert await page.text_content("#f-regionId-error") == "请选择希望在哪个乡镇"
    assert await page.input_value("#f-title") == title
    await assert_accessible(page, f"wish form with an error at {size}")
    await screenshot(page, f"web-places-wish-form-error-{size}.png", full_page=True)
    await page.select_option("#f-regionId", label="北关街道")
    await page.click("form[action='/wishes#post'] button[type=submit]")
    await page.wait_for_url(re.compile(r".*/wishes/(\d+)#wish-\1$"))
    number = page.url.split("#")[0].rsplit("/", 1)[1]
    assert await page.text_content("h1") == title
    assert "1 人支持" in (await page.text_content(".support-count") or "")
    await author.close()

    supporter = await _resident_context(browser, live_site, live_database, world.residents[1], size)
    page = await supporter.new_page()
    problems += _watch(page)
    await page.goto(base + "/wishes?sort=newest")
    card = page.locator(f"#wish-{number}")
    await card.locator("button", has_text="支持").click()
    await page.wait_for_url(re.compile(rf".*/wishes\?sort=newest#wish-{number}$"))
    card = page.locator(f"#wish-{number}")
    assert "2 人支持" in (await card.locator(".support-count").text_content() or "")
    assert "您已支持" in (await card.text_content() or "")
    await assert_accessible(page, f"wishes after supporting at {size}")
    await screenshot(page, f"web-places-wish-supported-{size}.png", full_page=True)
    await supporter.close()
    assert problems == []
