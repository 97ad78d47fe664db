"""Ratings over time, most and least satisfying venues, top events, and complaint handling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE
from culture_cloud.feedback.models import FEEDBACK_TABLE, FeedbackCategory
from culture_cloud.reviews.models import (
    RATING_AGGREGATE_TABLE,
    REVIEW_TABLE,
    Dimension,
    ReviewStatus,
)
from culture_cloud.reviews.models import ReviewTargetKind as Kind
from culture_cloud.statistics.attendance import ratio
from culture_cloud.statistics.models import EVENT_BOOKING_STATS_TABLE
from culture_cloud.statistics.scope import Scope

DIMENSIONS = list(Dimension)


@dataclass
class RatingCounts:
    reviews: int = 0
    overall_sum: int = 0
    sums: dict[Dimension, int] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))
    counts: dict[Dimension, int] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))

    def add(self, other: RatingCounts) -> None:
        self.reviews += other.reviews
        self.overall_sum += other.overall_sum
        for d in DIMENSIONS:
            self.sums[d] += other.sums[d]
            self.counts[d] += other.counts[d]

    @property
    def overall_average(self) -> float | None:
        return ratio(self.overall_sum, self.reviews)

    def average(self, dimension: Dimension) -> float | None:
        return ratio(self.sums[dimension], self.counts[dimension])


def _review_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Approved, not deleted reviews; by organisation; by region and venue kind through the
    reviewed venue or event (reviews of other kinds of target drop out of such a filter)."""
    conditions: list[ColumnElement[bool]] = [
        REVIEW_TABLE.c.status == ReviewStatus.APPROVED,
        REVIEW_TABLE.c.deleted_at.is_(None),
    ]
    if scope.organization_id is not None:
        conditions.append(REVIEW_TABLE.c.organization_id == scope.organization_id)
    if scope.region_ids or scope.venue_kinds:
        place = Scope(scope.buckets, scope.bucket, scope.now, scope.region_ids, scope.venue_kinds)
        venues = select(VENUE_TABLE.c.id).where(*place.venue_conditions())
        events = select(EVENT_TABLE.c.id).where(*place.event_conditions(held=False))
        conditions.append(
            or_(
                and_(
                    REVIEW_TABLE.c.target_kind == Kind.VENUE, REVIEW_TABLE.c.target_id.in_(venues)
                ),
                and_(
                    REVIEW_TABLE.c.target_kind == Kind.EVENT, REVIEW_TABLE.c.target_id.in_(events)
                ),
            )
        )
    return conditions


@dataclass
class RatingFigures:
    per_bucket: list[RatingCounts]
    totals: RatingCounts = field(default_factory=RatingCounts)


async def ratings(conn: AsyncConnection, scope: Scope) -> RatingFigures:
    bucket = scope.bucket_table()
    columns = [REVIEW_TABLE.c[d.value] for d in DIMENSIONS]
    query = (
        select(
            bucket.c.idx,
            func.count(REVIEW_TABLE.c.id),
            func.sum(REVIEW_TABLE.c.overall),
            *(func.coalesce(func.sum(c), 0) for c in columns),
            *(func.count(c) for c in columns),
        )
        .select_from(
            bucket.join(
                REVIEW_TABLE,
                and_(
                    REVIEW_TABLE.c.created_at >= bucket.c.lo,
                    REVIEW_TABLE.c.created_at < bucket.c.hi,
                ),
            )
        )
        .where(*_review_conditions(scope))
        .group_by(bucket.c.idx)
    )
    per_bucket = [RatingCounts() for _ in scope.buckets]
    n = len(DIMENSIONS)
    for idx, reviews, overall, *rest in (await conn.execute(query)).all():
        per_bucket[idx] = RatingCounts(
            int(reviews),
            int(overall or 0),
            {d: int(rest[i]) for i, d in enumerate(DIMENSIONS)},
            {d: int(rest[n + i]) for i, d in enumerate(DIMENSIONS)},
        )
    figures = RatingFigures(per_bucket)
    for counts in per_bucket:
        figures.totals.add(counts)
    return figures


@dataclass(frozen=True)
class RatedVenue:
    venue_id: int
    reviews: int
    overall_sum: int

    @property
    def average(self) -> float:
        return self.overall_sum / self.reviews


async def rated_venues(
    conn: AsyncConnection, scope: Scope, *, best: bool, first: int, min_reviews: int
) -> list[RatedVenue]:
    """Venues by the average overall score of their reviews written in the period."""
    count = func.count(REVIEW_TABLE.c.id)
    total = func.sum(REVIEW_TABLE.c.overall)
    query = (
        select(REVIEW_TABLE.c.target_id, count, total)
        .where(
            REVIEW_TABLE.c.target_kind == Kind.VENUE,
            REVIEW_TABLE.c.created_at >= scope.start,
            REVIEW_TABLE.c.created_at < scope.end,
            *_review_conditions(scope),
        )
        .group_by(REVIEW_TABLE.c.target_id)
        .having(count >= min_reviews)
    )
    rows = [RatedVenue(int(v), int(c), int(s)) for v, c, s in (await conn.execute(query)).all()]
    sign = -1 if best else 1
    rows.sort(key=lambda r: (sign * r.overall_sum / r.reviews, -r.reviews, r.venue_id))
    return rows[:first]


@dataclass(frozen=True)
class RankedEvent:
    event_id: int
    bookings: int
    seats: int
    reviews: int
    overall_sum: int

    @property
    def average(self) -> float | None:
        return ratio(self.overall_sum, self.reviews)


async def top_events_by_bookings(
    conn: AsyncConnection, scope: Scope, *, first: int
) -> list[RankedEvent]:
    query = (
        select(
            EVENT_TABLE.c.id,
            EVENT_BOOKING_STATS_TABLE.c.bookings,
            EVENT_BOOKING_STATS_TABLE.c.seats,
        )
        .select_from(
            EVENT_TABLE.join(
                EVENT_BOOKING_STATS_TABLE, EVENT_BOOKING_STATS_TABLE.c.event_id == EVENT_TABLE.c.id
            )
        )
        .where(EVENT_TABLE.c.start_at >= scope.start, EVENT_TABLE.c.start_at < scope.end)
        .where(EVENT_BOOKING_STATS_TABLE.c.bookings > 0, *scope.event_conditions())
        .order_by(
            EVENT_BOOKING_STATS_TABLE.c.bookings.desc(),
            EVENT_BOOKING_STATS_TABLE.c.seats.desc(),
            EVENT_TABLE.c.id,
        )
        .limit(first)
    )
    return [RankedEvent(e, b, s, 0, 0) for e, b, s in (await conn.execute(query)).all()]


async def top_events_by_rating(
    conn: AsyncConnection, scope: Scope, *, first: int, min_reviews: int
) -> list[RankedEvent]:
    """Events of the period by the average of all their approved reviews (the rating
    aggregate, kept exact by the reviews domain)."""
    query = (
        select(
            EVENT_TABLE.c.id,
            RATING_AGGREGATE_TABLE.c.review_count,
            RATING_AGGREGATE_TABLE.c.overall_sum,
        )
        .select_from(
            EVENT_TABLE.join(
                RATING_AGGREGATE_TABLE,
                and_(
                    RATING_AGGREGATE_TABLE.c.target_kind == Kind.EVENT.value,
                    RATING_AGGREGATE_TABLE.c.target_id == EVENT_TABLE.c.id,
                ),
            )
        )
        .where(EVENT_TABLE.c.start_at >= scope.start, EVENT_TABLE.c.start_at < scope.end)
        .where(
            RATING_AGGREGATE_TABLE.c.review_count >= max(1, min_reviews), *scope.event_conditions()
        )
    )
    rows = [RankedEvent(e, 0, 0, int(c), int(s)) for e, c, s in (await conn.execute(query)).all()]
    rows.sort(key=lambda r: (-r.overall_sum / r.reviews, -r.reviews, r.event_id))
    return rows[:first]


@dataclass
class ComplaintFigures:
    by_category: dict[FeedbackCategory, int]
    due: int = 0
    answered: int = 0
    answered_on_time: int = 0
    handling_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    @property
    def on_time_share(self) -> float | None:
        return ratio(self.answered_on_time, self.due)

    @property
    def average_handling_hours(self) -> float | None:
        return None if not self.answered else self.handling_seconds / self.answered / 3600


async def complaints(conn: AsyncConnection, scope: Scope) -> ComplaintFigures:
    """Feedback items submitted in the period (organisation filter only: an item's region is
    not recorded). Answered = resolved or rejected; due = answered, or open past its deadline."""
    query = select(
        FEEDBACK_TABLE.c.category,
        FEEDBACK_TABLE.c.created_at,
        FEEDBACK_TABLE.c.deadline_at,
        func.coalesce(FEEDBACK_TABLE.c.resolved_at, FEEDBACK_TABLE.c.rejected_at),
    ).where(FEEDBACK_TABLE.c.created_at >= scope.start, FEEDBACK_TABLE.c.created_at < scope.end)
    if scope.organization_id is not None:
        query = query.where(FEEDBACK_TABLE.c.organization_id == scope.organization_id)
    figures = ComplaintFigures(dict.fromkeys(FeedbackCategory, 0))
    for category, created_at, deadline_at, answered_at in (await conn.execute(query)).all():
        figures.by_category[FeedbackCategory(category)] += 1
        answered: datetime | None = answered_at
        if answered is not None:
            figures.answered += 1
            figures.due += 1
            figures.handling_seconds += (answered - created_at).total_seconds()
            if answered <= deadline_at:
                figures.answered_on_time += 1
        elif deadline_at <= scope.now:
            figures.due += 1
    return figures
