"""The dashboard in a real browser (Debian's chromium driven by Playwright) against a real
uvicorn server on the seeded database: sign in through the form, wait for the charts, compare
what the page shows with what the `statistics` query answers, save a screenshot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.timeutil import local_today
from tests.accounts.factories import PASSWORD, add_admin, add_staff, add_user, token_for
from tests.conftest import Database
from tests.dashboard.support import (
    TIMEOUT_MS,
    add_activity,
    chart_option,
    painted,
    screenshot,
)
from tests.live.conftest import serve_in_process

KINDS = [
    "MUSEUM",
    "LIBRARY",
    "CULTURE_HALL",
    "TOWNSHIP_CULTURE_STATION",
    "VILLAGE_CULTURE_CENTER",
    "ART_TROUPE",
    "HERITAGE_SITE",
]
DIMENSIONS = ["FACILITIES", "SERVICE", "CONTENT", "TOURISM_SERVICE", "GUIDE_EXPLANATION"]

STATISTICS = """
query($period: StatisticsPeriod!, $filter: StatisticsFilter) {
  statistics(period: $period, filter: $filter) {
    attendance { buckets { start bookings checkIns }
                 totals { events bookings checkIns attendanceRate capacityUtilisation } }
    ratings { totals { reviews overallAverage dimensions { dimension average } } }
    coverageGaps(inactiveDays: 30) { name }
    complaints { total byCategory { category count } onTimeShare averageHandlingHours }
  }
}
"""


def _period() -> dict[str, str]:
    today = local_today(utcnow())  # the page's default: the last 30 days, today included
    return {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}


async def _statistics(http: httpx.AsyncClient, token: str, **filter: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": STATISTICS, "variables": {"period": _period(), "filter": filter}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["statistics"]
    return result


async def test_dashboard__admin_signs_in__charts_show_the_statistics(
    seeded: Database, browser: Any
) -> None:
    await add_activity(seeded)
    admin = await add_admin(seeded)
    async with serve_in_process(seeded.settings) as server:
        token = await token_for(seeded, admin)
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:
            expected = await _statistics(http, token)
            regions = await http.post("/graphql", json={"query": "{ regions { id name } }"})
            region_list = regions.json()["data"]["regions"]
            per_region = [
                (await _statistics(http, token, regionIds=[r["id"]]))["attendance"]["totals"]
                for r in region_list
            ]
            per_kind = {
                kind: (await _statistics(http, token, venueKinds=[kind]))["ratings"]["totals"]
                for kind in KINDS
            }
        assert len(region_list) == 14
        totals = expected["attendance"]["totals"]
        assert totals["bookings"] == 30 and totals["checkIns"] == 24  # the data is there

        page = await browser.new_page(viewport={"width": 1400, "height": 1300})
        problems: list[str] = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        await page.goto(f"{server.http}/dashboard")
        await page.fill("#username", admin.username or "")
        await page.fill("#password", PASSWORD)
        await page.click("#login-form button[type=submit]")
        await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)

        tiles = {
            "tile-events": totals["events"],
            "tile-bookings": totals["bookings"],
            "tile-checkins": totals["checkIns"],
            "tile-reviews": expected["ratings"]["totals"]["reviews"],
            "tile-gaps": len(expected["coverageGaps"]),
        }
        for tile, value in tiles.items():
            assert await page.text_content(f"#{tile}") == f"{value:,}", tile
        rate = totals["attendanceRate"]
        assert await page.text_content("#tile-attendance-rate") == f"{rate * 100:.1f}%"
        average = expected["ratings"]["totals"]["overallAverage"]
        assert await page.text_content("#tile-rating") == f"{average:.2f}"

        complaints = expected["complaints"]
        assert complaints["total"] == 3  # the data is there
        assert await page.text_content("#complaints-total") == "3"
        on_time = complaints["onTimeShare"]
        assert await page.text_content("#complaints-on-time") == f"{on_time * 100:.1f}%"
        hours = complaints["averageHandlingHours"]
        assert await page.text_content("#complaints-hours") == f"{hours:.1f}"
        by_category = await chart_option(page, "chart-complaints")
        assert by_category["series"][0]["data"] == [c["count"] for c in complaints["byCategory"]]
        assert await painted(page, "chart-complaints")

        trend = await chart_option(page, "chart-trend")
        buckets = expected["attendance"]["buckets"]
        assert trend["xAxis"][0]["data"] == [b["start"] for b in buckets]
        assert trend["series"][0]["data"] == [b["bookings"] for b in buckets]
        assert trend["series"][1]["data"] == [b["checkIns"] for b in buckets]

        bars = await chart_option(page, "chart-regions")
        assert bars["xAxis"][0]["data"] == [r["name"] for r in region_list]
        assert bars["series"][0]["data"] == [t["bookings"] for t in per_region]
        assert bars["series"][1]["data"] == [t["checkIns"] for t in per_region]
        assert sum(bars["series"][0]["data"]) == totals["bookings"]

        radar = await chart_option(page, "chart-radar")
        shown = {item["name"]: item["value"] for item in radar["series"][0]["data"]}
        assert set(shown) == {"博物馆", "乡镇综合文化站", "村（社区）文化中心"}
        museum = {d["dimension"]: d["average"] for d in per_kind["MUSEUM"]["dimensions"]}
        # A dimension nobody scored is ECharts' missing value, not a 0 on the radar.
        assert shown["博物馆"] == [
            "-" if museum.get(d) is None else round(museum[d], 2) for d in DIMENSIONS
        ]

        gaps = await page.locator("#gaps li").all_text_contents()
        assert [g.split("（")[0] for g in gaps] == [g["name"] for g in expected["coverageGaps"]]

        for chart in ("chart-trend", "chart-regions", "chart-radar"):
            assert await painted(page, chart), chart
        assert problems == []  # no script errors, no Content-Security-Policy violations

        await screenshot(page, f"dashboard-{seeded.backend}.png", full_page=True)

        # A filter narrows every figure: one township.
        first_busy = next(i for i, t in enumerate(per_region) if t["bookings"])
        await page.select_option("#region", region_list[first_busy]["id"])
        await page.click("#filters button[type=submit]")
        await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)
        assert await page.text_content("#tile-bookings") == str(per_region[first_busy]["bookings"])
        bars = await chart_option(page, "chart-regions")
        assert bars["xAxis"][0]["data"] == [region_list[first_busy]["name"]]


async def test_dashboard__staff__see_their_organisation_only(
    seeded: Database, browser: Any
) -> None:
    museum = await add_activity(seeded)
    staff = await add_staff(seeded, museum, StaffRole.EDITOR)
    async with serve_in_process(seeded.settings) as server:
        token = await token_for(seeded, staff)
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as http:
            own = (await _statistics(http, token))["attendance"]["totals"]
        assert own["bookings"] == 12  # the museum's two events, not the city's 30
        page = await browser.new_page()
        await page.goto(f"{server.http}/dashboard/")
        await page.fill("#username", staff.username or "")
        await page.fill("#password", PASSWORD)
        await page.click("#login-form button[type=submit]")
        await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)
        assert await page.text_content("#tile-bookings") == "12"
        assert await page.text_content("#tile-checkins") == str(own["checkIns"])
        assert await page.text_content("#scope") == "统计范围：本单位"
        bars = await chart_option(page, "chart-regions")
        assert sum(bars["series"][0]["data"]) == 12


async def test_dashboard__resident__sees_no_permission(seeded: Database, browser: Any) -> None:
    resident = await add_user(seeded, kind=UserKind.RESIDENT)
    async with serve_in_process(seeded.settings) as server:
        token = await token_for(seeded, resident)
        page = await browser.new_page()
        await page.goto(f"{server.http}/dashboard/")
        await page.wait_for_selector("body[data-state=login]", timeout=TIMEOUT_MS)
        assert await page.is_visible("#login-form")
        await page.evaluate(
            "t => sessionStorage.setItem('culture-cloud.dashboard.token', t)", token
        )
        await page.reload()
        await page.wait_for_selector("body[data-state=denied]", timeout=TIMEOUT_MS)
        assert await page.is_visible("#denied")
        assert "无权限" in (await page.text_content("#denied") or "")
        assert not await page.is_visible("#board")
        assert await page.text_content("#tile-bookings") == "–"  # no figure ever arrived


async def test_dashboard__wrong_password__stays_signed_out(seeded: Database, browser: Any) -> None:
    admin = await add_admin(seeded)
    async with serve_in_process(seeded.settings) as server:
        page = await browser.new_page()
        await page.goto(f"{server.http}/dashboard/")
        await page.fill("#username", admin.username or "")
        await page.fill("#password", "wrong-password-123")
        await page.click("#login-form button[type=submit]")
        from playwright.async_api import expect

        # (wait_for_function evaluates a string: the page's CSP forbids that, as it should)
        await expect(page.locator("#login-error")).to_have_text(
            "用户名或密码错误", timeout=TIMEOUT_MS
        )
        assert await page.is_visible("#login-form")
        assert not await page.is_visible("#board")
        stored = await page.evaluate("sessionStorage.getItem('culture-cloud.dashboard.token')")
        assert stored is None
