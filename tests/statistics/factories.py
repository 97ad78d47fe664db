"""A small world for the statistics tests: two organisations with a venue each in two regions,
events around a week in the past, and booking, review and feedback rows written directly with
the statuses a test needs. Expected figures come from plain SQL over these rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, text
from sqlmodel import col

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog import models as m
from culture_cloud.db import UTCDateTime, transaction, utcnow
from culture_cloud.feedback.models import Feedback, FeedbackCategory, FeedbackStatus
from culture_cloud.reviews.models import Review, ReviewStatus, ReviewTargetKind
from culture_cloud.statistics.rollup import RollupReport, run_rollup
from culture_cloud.timeutil import SHANGHAI, local_today
from tests.accounts.factories import add_residents
from tests.catalog import factories as catalog
from tests.conftest import Database


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class World:
    first_day: date  # a 7-day period ending two weeks ago
    regions: list[int] = field(default_factory=list)
    organizations: list[int] = field(default_factory=list)
    venues: list[int] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)
    users: list[int] = field(default_factory=list)
    _next_user: int = 0

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=6)

    def user(self) -> int:
        self._next_user += 1
        return self.users[self._next_user - 1]


async def build_world(db: Database) -> World:
    world = World(local_today(utcnow()) - timedelta(days=20))
    async with transaction(db.factory) as session:
        for name in ("义安镇", "连福镇", "龙凤镇"):
            region = await catalog.add_region(session, name)
            world.regions.append(region.id)  # type: ignore[arg-type]
        places = []
        for name, region, kind in (
            ("测试博物馆", world.regions[0], m.VenueKind.MUSEUM),
            ("测试图书馆", world.regions[1], m.VenueKind.LIBRARY),
        ):
            org = await catalog.add_organization(session, name)
            venue = await catalog.add_venue(
                session, name, organization_id=org.id, region_id=region, kind=kind
            )
            world.organizations.append(org.id)  # type: ignore[arg-type]
            world.venues.append(venue.id)  # type: ignore[arg-type]
            places.append(venue)
        day = world.first_day
        # Half past midnight in Shanghai is the evening before in UTC: it belongs to `day`.
        for key, place, start, capacity in (
            ("museum-first", places[0], local(day, 0, 30), 10),
            ("museum-open", places[0], local(day + timedelta(days=2), 14), None),
            ("library", places[1], local(day + timedelta(days=2), 19), 5),
            ("before", places[1], local(day - timedelta(days=1), 23, 30), 8),
            ("after", places[0], local(day + timedelta(days=7), 0, 0), 8),
        ):
            event = await catalog.add_event(
                session, key, start, place=place, capacity=capacity, booking_required=True
            )
            world.events[key] = event.id  # type: ignore[assignment]
        cancelled = await catalog.add_event(
            session,
            "cancelled",
            local(day + timedelta(days=1), 10),
            place=places[0],
            capacity=10,
            status=m.EventStatus.CANCELLED,
        )
        world.events["cancelled"] = cancelled.id  # type: ignore[assignment]
        postponed = await catalog.add_event(
            session,
            "postponed",
            local(day + timedelta(days=4), 10),
            place=places[1],
            capacity=None,
            status=m.EventStatus.POSTPONED,
        )
        world.events["postponed"] = postponed.id  # type: ignore[assignment]
    world.users = await add_residents(db, 60)
    return world


async def add_bookings(
    db: Database,
    world: World,
    event: str,
    *specs: tuple[BookingStatus, int],
    created_at: datetime | None = None,
) -> list[int]:
    """One booking per (status, seats), each by a new resident, made (by default) two days
    before the period: long before the rollup's watermark."""
    now = created_at or local(world.first_day - timedelta(days=2), 12)
    rows: list[dict[str, Any]] = []
    for status, seats in specs:
        rows.append(
            {
                "user_id": world.user(),
                "event_id": world.events[event],
                "seats": seats,
                "status": status,
                "attendees": [],
                "created_at": now,
                "checked_in_at": now if status is BookingStatus.CHECKED_IN else None,
                "cancelled_at": now if status is BookingStatus.CANCELLED else None,
            }
        )
    async with transaction(db.factory) as session:
        result = await session.execute(insert(Booking).returning(col(Booking.id)), rows)
        return list(result.scalars())


async def rollup(db: Database, *, full: bool = False, now: datetime | None = None) -> RollupReport:
    async with db.engine.begin() as conn:
        return await run_rollup(conn, now=now or utcnow(), full=full)


async def add_review(
    db: Database,
    world: World,
    venue: int,
    created_at: datetime,
    overall: int,
    *,
    status: ReviewStatus = ReviewStatus.APPROVED,
    deleted: bool = False,
    **scores: int,
) -> None:
    async with transaction(db.factory) as session:
        organization = (await session.get(m.Venue, venue)).organization_id  # type: ignore[union-attr]
        session.add(
            Review(
                user_id=world.user(),
                target_kind=ReviewTargetKind.VENUE,
                target_id=venue,
                organization_id=organization,
                overall=overall,
                text="很好",
                status=status,
                created_at=created_at,
                deleted_at=created_at if deleted else None,
                **scores,
            )
        )


async def add_feedback(
    db: Database,
    world: World,
    category: FeedbackCategory,
    created_at: datetime,
    *,
    organization_id: int | None,
    deadline: timedelta,
    answered_after: timedelta | None = None,
) -> None:
    answered = None if answered_after is None else created_at + answered_after
    async with transaction(db.factory) as session:
        session.add(
            Feedback(
                user_id=world.user(),
                category=category,
                topic="测试",
                organization_id=organization_id,
                text="测试反馈",
                status=FeedbackStatus.SUBMITTED if answered is None else FeedbackStatus.RESOLVED,
                deadline_at=created_at + deadline,
                resolved_at=answered,
                created_at=created_at,
                updated_at=created_at,
            )
        )


async def sql_one(db: Database, sql: str, **params: Any) -> Any:
    """A row of plain SQL; datetime parameters are bound as stored (UTC, naive on SQLite)."""
    statement = text(sql).bindparams(
        *(
            bindparam(k, type_=UTCDateTime) if isinstance(v, datetime) else bindparam(k)
            for k, v in params.items()
        )
    )
    async with db.engine.connect() as conn:
        return (await conn.execute(statement, params)).one()
