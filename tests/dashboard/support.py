"""Shared by the dashboard's browser tests: activity that gives every chart figures, and
reading what the page shows (ECharts options, painted canvases, element boxes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import col

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.feedback.models import Feedback, FeedbackCategory, FeedbackStatus
from culture_cloud.reviews.models import Review, ReviewStatus, ReviewTargetKind
from culture_cloud.timeutil import local_today
from tests.accounts.factories import PASSWORD, add_residents
from tests.catalog.factories import add_event, shanghai
from tests.conftest import Database
from tests.statistics.factories import rollup
from tests.support.browser import screenshot as shared_screenshot

TIMEOUT_MS = 20_000  # a loaded CI machine; the page is ready in well under a second here


async def add_activity(db: Database) -> int:
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


async def chart_option(page: Any, element_id: str) -> dict[str, Any]:
    option: dict[str, Any] = await page.evaluate(
        "id => echarts.getInstanceByDom(document.getElementById(id)).getOption()", element_id
    )
    return option


async def painted(page: Any, element_id: str) -> bool:
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


async def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Through the form, as a person would; returns when the figures are on the page."""
    await page.goto(f"{base_url}/dashboard/")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("body[data-state=ready]", timeout=TIMEOUT_MS)


async def screenshot(page: Any, name: str, **options: Any) -> None:
    """Saves test-artifacts/<name> once the charts' 1 s transition has ended, so the picture
    shows the figures the page settled on, not old bars on their way to new ones."""
    await page.wait_for_timeout(1_200)
    await shared_screenshot(page, name, **options)
