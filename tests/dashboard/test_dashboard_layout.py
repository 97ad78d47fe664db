"""What the dashboard looks like on a phone (390×844) and a laptop (1366×768): figures that do
not exist say so instead of showing 0, charts follow their box, nothing sticks out sideways,
and an empty-state note never sits on a chart. Screenshots go to test-artifacts/.

These tests look at the page, not at the data path (test_dashboard_browser.py compares every
figure with the API on both databases), so one SQLite database and one server serve the whole
module: starting them per test would cost more than the tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from culture_cloud.db import create_engine, create_session_factory, transaction
from culture_cloud.migrations import upgrade
from culture_cloud.seeding.jiexiu import load_jiexiu
from culture_cloud.settings import Settings
from tests.accounts.factories import add_admin
from tests.conftest import Database
from tests.dashboard.support import TIMEOUT_MS, add_activity, screenshot, sign_in
from tests.live.conftest import serve_in_process

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(LAPTOP, id="laptop")]
CHARTS = ["chart-trend", "chart-regions", "chart-radar", "chart-complaints"]
# No spaces, so nothing can wrap it for free: the header must make room for it on a phone.
LONG_USERNAME = "culture-and-tourism-bureau-administrator"

RECT = """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                   return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                           width: r.width, height: r.height}; }"""


@dataclass
class Site:
    url: str
    username: str


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    path: Path = tmp_path_factory.mktemp("dashboard-layout") / "layout.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(Settings(database_url=url))
    db = Database("sqlite", url, engine, create_session_factory(engine))
    try:
        async with transaction(db.factory) as session:
            await load_jiexiu(session)
        await add_activity(db)
        await add_admin(db, username=LONG_USERNAME)
        async with serve_in_process(db.settings) as server:
            yield Site(server.http, LONG_USERNAME)
    finally:
        await engine.dispose()


@pytest.fixture
async def open_page(browser: Any) -> AsyncIterator[Any]:
    """Opens a page at a viewport in a fresh context (own sessionStorage); closes them all."""
    contexts: list[Any] = []

    async def open_at(viewport: dict[str, int]) -> Any:
        context = await browser.new_context(viewport=viewport)
        contexts.append(context)
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.problems = problems
        return page

    yield open_at
    for context in contexts:
        await context.close()


async def rect(page: Any, selector: str) -> dict[str, float]:
    box: dict[str, float] = await page.evaluate(RECT, selector)
    return box


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


async def canvas_and_box_widths(page: Any, chart_id: str) -> tuple[float, float]:
    """The width ECharts drew at, and the width of the box it should fill."""
    widths: list[float] = await page.evaluate(
        """id => { const box = document.getElementById(id);
                   const canvas = box.querySelector('canvas');
                   return [canvas.getBoundingClientRect().width, box.clientWidth]; }""",
        chart_id,
    )
    return widths[0], widths[1]


async def charts_fit_their_boxes(page: Any) -> dict[str, tuple[float, float]]:
    """Waits (ResizeObserver callbacks run after layout) until every chart fills its box;
    returns the last widths seen, so a failure shows them."""
    widths: dict[str, tuple[float, float]] = {}
    for _ in range(TIMEOUT_MS // 50):
        widths = {c: await canvas_and_box_widths(page, c) for c in CHARTS}
        if all(abs(drawn - box) <= 1 for drawn, box in widths.values()):
            break
        await asyncio.sleep(0.05)
    return widths


async def filter_by(page: Any, kind: str) -> None:
    await page.select_option("#kind", kind)
    await page.click("#filters button[type=submit]")
    await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)


async def tooltip_text(page: Any, chart_id: str, series_name: str) -> str:
    """Shows the tooltip of one radar polygon (as hovering it does) and reads it."""
    await page.evaluate(
        """([id, name]) => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            const data = chart.getOption().series[0].data;
            const index = data.findIndex(d => d.name === name);
            chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: index});
        }""",
        [chart_id, series_name],
    )
    text = ""
    for _ in range(TIMEOUT_MS // 50):
        # The canvas holds no text: what the chart's box reads is the tooltip.
        text = await page.inner_text(f"#{chart_id}")
        if series_name in text:
            break
        await asyncio.sleep(0.05)
    return text


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_dashboard__kind_without_reviews__rating_and_radar_say_no_data(
    site: Site, open_page: Any, viewport: dict[str, int]
) -> None:
    page = await open_page(viewport)
    await sign_in(page, site.url, site.username)
    await filter_by(page, "LIBRARY")  # the activity reviewed three other kinds only

    assert await page.text_content("#tile-reviews") == "0"
    assert await page.text_content("#tile-rating") == "暂无数据"  # was "–"; never "0.00"
    assert await page.is_visible("#radar-empty")
    assert await page.text_content("#radar-empty") == "所选时段暂无评价"
    assert not await page.is_visible("#chart-radar")  # no empty web of axes under the note

    note = await rect(page, "#radar-empty")
    card = await rect(page, ".chart-card:has(#radar-empty)")
    assert card["left"] <= note["left"] and note["right"] <= card["right"]
    assert card["top"] <= note["top"] and note["bottom"] <= card["bottom"]
    for chart in ("chart-trend", "chart-regions", "chart-complaints"):
        assert not overlap(note, await rect(page, f"#{chart}")), chart

    size = f"{viewport['width']}x{viewport['height']}"
    await screenshot(page, f"dashboard-no-reviews-{size}.png", full_page=True)
    assert page.problems == []


async def test_dashboard__dimension_nobody_scored__radar_says_no_data_not_zero(
    site: Site, open_page: Any
) -> None:
    page = await open_page(LAPTOP)
    await sign_in(page, site.url, site.username)

    # The village centre's reviews scored service (5) and guiding (4) only.
    tip = await tooltip_text(page, "chart-radar", "村（社区）文化中心")
    lines = tip.split("\n")
    assert "服务质量：5.00" in lines and "讲解导览：4.00" in lines
    assert "设施环境：暂无数据" in lines and "活动内容：暂无数据" in lines
    assert not any(line.endswith("：0.00") for line in lines), lines

    notes = await page.locator("#radar-notes li").all_text_contents()
    assert "村（社区）文化中心暂无评分：设施环境、活动内容、旅游服务" in notes
    assert "暂无评价：图书馆、文化馆、文艺院团、文物保护单位" in notes
    await page.locator("#chart-radar").scroll_into_view_if_needed()
    card = await rect(page, ".chart-card:has(#chart-radar)")
    clip = {"x": card["left"], "y": card["top"], "width": card["width"], "height": card["height"]}
    await screenshot(page, "dashboard-radar-no-data-tooltip.png", clip=clip)
    assert page.problems == []


async def test_dashboard__window_resized__charts_follow_the_new_width(
    site: Site, open_page: Any
) -> None:
    page = await open_page(LAPTOP)
    await sign_in(page, site.url, site.username)
    wide = await charts_fit_their_boxes(page)
    assert all(abs(drawn - box) <= 1 for drawn, box in wide.values()), wide

    await page.set_viewport_size(PHONE)  # the window narrows (or the phone turns)
    narrow = await charts_fit_their_boxes(page)
    assert all(abs(drawn - box) <= 1 for drawn, box in narrow.values()), narrow
    assert all(narrow[c][0] < wide[c][0] for c in CHARTS), (wide, narrow)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await page.set_viewport_size(LAPTOP)
    again = await charts_fit_their_boxes(page)
    assert {c: round(w[0]) for c, w in again.items()} == {c: round(w[0]) for c, w in wide.items()}

    # The boxes narrow with no window resize at all (a scrollbar or a side panel appears):
    # the charts follow their boxes, not only the window.
    await page.evaluate("document.querySelector('main').style.paddingRight = '300px'")
    squeezed = await charts_fit_their_boxes(page)
    assert all(abs(drawn - box) <= 1 for drawn, box in squeezed.values()), squeezed
    assert all(squeezed[c][0] < again[c][0] for c in CHARTS), (again, squeezed)
    assert page.problems == []


async def test_dashboard__phone__header_and_filters_fit_the_screen(
    site: Site, open_page: Any
) -> None:
    page = await open_page(PHONE)
    await sign_in(page, site.url, site.username)
    width = PHONE["width"]

    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    parts = [".top h1", "#who-name", "#logout", "#scope"] + [
        f"#filters {tag}" for tag in ("#from", "#to", "#region", "#kind", "button")
    ]
    for selector in parts:
        box = await rect(page, selector)
        assert box["width"] > 0, selector
        assert box["left"] >= 0 and box["right"] <= width, (selector, box)
    # The sign-out button reads on one line, and nothing in the header sits on the title.
    logout = await rect(page, "#logout")
    assert logout["height"] < 40 and logout["width"] > logout["height"] * 1.5, logout
    title = await rect(page, ".top h1")
    assert not overlap(title, await rect(page, "#who")), "the user's name covers the title"
    assert site.username in (await page.text_content("#who-name") or "")
    for tile in ("tile-events", "tile-rating", "complaints-hours"):
        box = await rect(page, f"#{tile}")
        assert box["right"] <= width, (tile, box)

    await screenshot(page, "dashboard-phone-390x844.png", full_page=True)
    assert page.problems == []


# Each coverage-gap item, and whether all of it shows inside the list's visible area (inside the
# list's scroll box and inside its card), without anyone scrolling the list.
GAP_ITEMS = """() => {
    const list = document.getElementById('gaps');
    const card = list.closest('.card').getBoundingClientRect();
    const box = list.getBoundingClientRect();
    const top = Math.max(box.top + list.clientTop, card.top);
    const bottom = Math.min(box.top + list.clientTop + list.clientHeight, card.bottom);
    return [...list.querySelectorAll('li')].map(li => {
        const r = li.getBoundingClientRect();
        return {text: li.textContent, shown: r.height > 0 && r.top >= top - 0.5
                                             && r.bottom <= bottom + 0.5};
    });
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
async def test_dashboard__coverage_gaps__every_gap_the_tile_counts_is_visible(
    site: Site, open_page: Any, viewport: dict[str, int]
) -> None:
    page = await open_page(viewport)
    await sign_in(page, site.url, site.username)
    await filter_by(page, "LIBRARY")  # no library held an event: every township is a gap

    figure = int(await page.get_attribute("#tile-gaps", "data-value") or "0")
    # More townships than the old 320 px list showed (11): otherwise this proves nothing.
    assert figure > 11, "every seeded township should be a gap for libraries"
    items = page.locator("#gaps li")
    assert await items.count() == figure
    for index in range(figure):
        assert await items.nth(index).is_visible(), index
    shown = [item["text"] for item in await page.evaluate(GAP_ITEMS) if item["shown"]]
    assert len(shown) == figure, f"{figure} gaps counted, {len(shown)} visible: {shown}"

    await page.locator("#gaps").scroll_into_view_if_needed()
    card = await rect(page, ".chart-card:has(#gaps)")
    clip = {"x": card["left"], "y": card["top"], "width": card["width"], "height": card["height"]}
    size = f"{viewport['width']}x{viewport['height']}"
    await screenshot(page, f"dashboard-coverage-gaps-{size}.png", clip=clip)
    assert page.problems == []
