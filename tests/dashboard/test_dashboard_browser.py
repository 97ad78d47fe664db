"""The dashboard in a real browser (Debian's chromium driven by Playwright) against a real
uvicorn server on the seeded database: sign in through the form, wait for the charts, compare
what the page shows with what the `statistics` query answers, save a screenshot."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlmodel import col

from culture_cloud.accounts.models import StaffRole, UserKind
from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.feedback.models import Feedback, FeedbackCategory, FeedbackStatus
from culture_cloud.reviews.models import Review, ReviewStatus, ReviewTargetKind
from culture_cloud.timeutil import local_today
from tests.accounts.factories import PASSWORD, add_admin, add_staff, add_user
from tests.bookings.factories import add_residents
from tests.catalog.factories import add_event, shanghai
from tests.conftest import IN_CI, Database
from tests.live.conftest import serve_in_process
from tests.notifications.factories import token_for
from tests.statistics.factories import rollup

CHROMIUM = Path(os.environ.get("CULTURE_CLOUD_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 20_000  # a loaded CI machine; the page is ready in well under a second here
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


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.exists() or shutil.which(str(CHROMIUM)):
        return CHROMIUM
    message = (
        f"chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "(Debian/Ubuntu) or point CULTURE_CLOUD_TEST_CHROMIUM at a Chromium binary"
    )
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            await launched.close()


async def _activity(db: Database) -> int:
    """Events of the last days at seeded venues of three kinds in three townships, with
    bookings in every status and dimension-scored reviews, so every chart has figures.
    Returns the organisation of the museum (two of the four events)."""
    today = local_today(utcnow())
    async with transaction(db.factory) as session:
        venues: list[m.Venue] = []
        for kind in (
            m.VenueKind.MUSEUM,
            m.VenueKind.TOWNSHIP_CULTURE_STATION,
            m.VenueKind.VILLAGE_CULTURE_CENTER,
        ):
            venue = (
                await session.execute(
                    select(m.Venue)
                    .where(col(m.Venue.kind) == kind, col(m.Venue.region_id).is_not(None))
                    .order_by(col(m.Venue.id))
                    .limit(1)
                )
            ).scalar_one()
            venues.append(venue)
        events = []
        for days_ago, venue in ((6, venues[0]), (3, venues[1]), (1, venues[2]), (1, venues[0])):
            event = await add_event(
                session,
                f"测试活动{days_ago}",
                shanghai(today - timedelta(days=days_ago), 10),
                place=venue,
                capacity=40,
                booking_required=True,
            )
            events.append(event.id)
    residents = await add_residents(db, 60)
    plan = [  # (event index, status, how many)
        (0, BookingStatus.CHECKED_IN, 7),
        (0, BookingStatus.NO_SHOW, 2),
        (1, BookingStatus.CHECKED_IN, 5),
        (1, BookingStatus.CANCELLED, 3),
        (2, BookingStatus.CHECKED_IN, 9),
        (2, BookingStatus.NO_SHOW, 4),
        (3, BookingStatus.CHECKED_IN, 3),
    ]
    made = utcnow() - timedelta(days=8)
    rows: list[dict[str, Any]] = []
    for index, status, many in plan:
        for _ in range(many):
            rows.append(
                {
                    "user_id": residents.pop(),
                    "event_id": events[index],
                    "seats": 1,
                    "status": status,
                    "attendees": [],
                    "created_at": made,
                    "checked_in_at": made if status is BookingStatus.CHECKED_IN else None,
                    "cancelled_at": made if status is BookingStatus.CANCELLED else None,
                }
            )
    async with transaction(db.factory) as session:
        await session.execute(insert(Booking), rows)
        scored: tuple[tuple[m.Venue, int, dict[str, Any]], ...] = (
            (venues[0], 5, {"facilities": 5, "service": 4, "content": 5}),
            (venues[0], 4, {"facilities": 4, "service": 4, "content": 3}),
            (venues[1], 3, {"facilities": 3, "service": 2, "content": 4}),
            (venues[2], 4, {"service": 5, "guide_explanation": 4}),
        )
        for venue, overall, scores in scored:
            session.add(
                Review(
                    user_id=residents.pop(),
                    target_kind=ReviewTargetKind.VENUE,
                    target_id=venue.id or 0,
                    organization_id=venue.organization_id,
                    overall=overall,
                    text="很好",
                    status=ReviewStatus.APPROVED,
                    created_at=utcnow() - timedelta(days=2),
                    **scores,
                )
            )
        # Complaints and suggestions: two answered (one late), one open.
        submitted = utcnow() - timedelta(days=5)
        for category, status, answered_after in (
            (FeedbackCategory.COMPLAINT, FeedbackStatus.RESOLVED, timedelta(hours=20)),
            (FeedbackCategory.COMPLAINT, FeedbackStatus.RESOLVED, timedelta(days=9)),
            (FeedbackCategory.SUGGESTION, FeedbackStatus.SUBMITTED, None),
        ):
            session.add(
                Feedback(
                    user_id=residents.pop(),
                    category=category,
                    organization_id=venues[0].organization_id,
                    topic="开放时间",
                    text="希望延长开放时间",
                    status=status,
                    deadline_at=submitted + timedelta(days=7),
                    resolved_at=None if answered_after is None else submitted + answered_after,
                    response=None if answered_after is None else "已研究，周末延长至晚八点",
                    created_at=submitted,
                    updated_at=submitted,
                )
            )
    await rollup(db)
    assert venues[0].organization_id is not None
    return venues[0].organization_id


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


async def _option(page: Any, element_id: str) -> dict[str, Any]:
    option: dict[str, Any] = await page.evaluate(
        "id => echarts.getInstanceByDom(document.getElementById(id)).getOption()", element_id
    )
    return option


async def _painted(page: Any, element_id: str) -> bool:
    """The chart's canvas has pixels that are not transparent."""
    painted: bool = await page.evaluate(
        """id => {
            const canvas = document.querySelector('#' + id + ' canvas');
            if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
            return false;
        }""",
        element_id,
    )
    return painted


async def test_dashboard__admin_signs_in__charts_show_the_statistics(
    seeded: Database, browser: Any
) -> None:
    await _activity(seeded)
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
        by_category = await _option(page, "chart-complaints")
        assert by_category["series"][0]["data"] == [c["count"] for c in complaints["byCategory"]]
        assert await _painted(page, "chart-complaints")

        trend = await _option(page, "chart-trend")
        buckets = expected["attendance"]["buckets"]
        assert trend["xAxis"][0]["data"] == [b["start"] for b in buckets]
        assert trend["series"][0]["data"] == [b["bookings"] for b in buckets]
        assert trend["series"][1]["data"] == [b["checkIns"] for b in buckets]

        bars = await _option(page, "chart-regions")
        assert bars["xAxis"][0]["data"] == [r["name"] for r in region_list]
        assert bars["series"][0]["data"] == [t["bookings"] for t in per_region]
        assert bars["series"][1]["data"] == [t["checkIns"] for t in per_region]
        assert sum(bars["series"][0]["data"]) == totals["bookings"]

        radar = await _option(page, "chart-radar")
        shown = {item["name"]: item["value"] for item in radar["series"][0]["data"]}
        assert set(shown) == {"博物馆", "乡镇综合文化站", "村（社区）文化中心"}
        museum = {d["dimension"]: d["average"] for d in per_kind["MUSEUM"]["dimensions"]}
        assert shown["博物馆"] == [round(museum.get(d) or 0, 2) for d in DIMENSIONS]

        gaps = await page.locator("#gaps li").all_text_contents()
        assert [g.split("（")[0] for g in gaps] == [g["name"] for g in expected["coverageGaps"]]

        for chart in ("chart-trend", "chart-regions", "chart-radar"):
            assert await _painted(page, chart), chart
        assert problems == []  # no script errors, no Content-Security-Policy violations

        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(
            path=str(ARTIFACTS / f"dashboard-{seeded.backend}.png"), full_page=True
        )

        # A filter narrows every figure: one township.
        first_busy = next(i for i, t in enumerate(per_region) if t["bookings"])
        await page.select_option("#region", region_list[first_busy]["id"])
        await page.click("#filters button[type=submit]")
        await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)
        assert await page.text_content("#tile-bookings") == str(per_region[first_busy]["bookings"])
        bars = await _option(page, "chart-regions")
        assert bars["xAxis"][0]["data"] == [region_list[first_busy]["name"]]


async def test_dashboard__staff__see_their_organisation_only(
    seeded: Database, browser: Any
) -> None:
    museum = await _activity(seeded)
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
        bars = await _option(page, "chart-regions")
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
