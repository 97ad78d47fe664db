"""Events, bookings, check-ins and utilisation: read from the event rows (small) joined with the
`event_booking_stats` rollup, never from the booking rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.bookings.models import VENUE_SLOT_TABLE
from culture_cloud.catalog.models import EVENT_TABLE, REGION_TABLE, VENUE_TABLE
from culture_cloud.statistics.models import EVENT_BOOKING_STATS_TABLE
from culture_cloud.statistics.scope import Scope


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


@dataclass
class AttendanceCounts:
    events: int = 0
    events_held: int = 0
    bookings: int = 0
    seats: int = 0
    check_ins: int = 0
    no_shows: int = 0
    cancellations: int = 0
    capacity: int = 0
    seats_in_capacity: int = 0

    def add(self, other: AttendanceCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def attendance_rate(self) -> float | None:
        return ratio(self.check_ins, self.check_ins + self.no_shows)

    @property
    def no_show_rate(self) -> float | None:
        return ratio(self.no_shows, self.check_ins + self.no_shows)

    @property
    def capacity_utilisation(self) -> float | None:
        return ratio(self.seats_in_capacity, self.capacity)


@dataclass
class AttendanceFigures:
    per_bucket: list[AttendanceCounts]
    totals: AttendanceCounts = field(default_factory=AttendanceCounts)


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0)


async def attendance(conn: AsyncConnection, scope: Scope) -> AttendanceFigures:
    bucket = scope.bucket_table()
    has_capacity = EVENT_TABLE.c.capacity.is_not(None)
    query = (
        select(
            bucket.c.idx,
            func.count(EVENT_TABLE.c.id),
            _sum(case((EVENT_TABLE.c.start_at <= scope.now, 1), else_=0)),
            _sum(EVENT_BOOKING_STATS_TABLE.c.bookings),
            _sum(EVENT_BOOKING_STATS_TABLE.c.seats),
            _sum(EVENT_BOOKING_STATS_TABLE.c.check_ins),
            _sum(EVENT_BOOKING_STATS_TABLE.c.no_shows),
            _sum(EVENT_BOOKING_STATS_TABLE.c.cancellations),
            _sum(EVENT_TABLE.c.capacity),
            _sum(case((has_capacity, EVENT_BOOKING_STATS_TABLE.c.seats), else_=0)),
        )
        .select_from(
            bucket.join(
                EVENT_TABLE,
                and_(EVENT_TABLE.c.start_at >= bucket.c.lo, EVENT_TABLE.c.start_at < bucket.c.hi),
            ).outerjoin(
                EVENT_BOOKING_STATS_TABLE, EVENT_BOOKING_STATS_TABLE.c.event_id == EVENT_TABLE.c.id
            )
        )
        .where(*scope.event_conditions())
        .group_by(bucket.c.idx)
    )
    per_bucket = [AttendanceCounts() for _ in scope.buckets]
    for idx, *values in (await conn.execute(query)).all():
        per_bucket[idx] = AttendanceCounts(*(int(v) for v in values))
    figures = AttendanceFigures(per_bucket)
    for counts in per_bucket:
        figures.totals.add(counts)
    return figures


@dataclass
class VenueUse:
    venue_id: int
    name: str
    event_capacity: int = 0
    event_seats: int = 0
    slot_capacity: int = 0
    slot_seats: int = 0

    @property
    def utilisation(self) -> float | None:
        return ratio(self.event_seats + self.slot_seats, self.event_capacity + self.slot_capacity)


async def venue_utilisation(conn: AsyncConnection, scope: Scope, *, first: int) -> list[VenueUse]:
    in_period = and_(EVENT_TABLE.c.start_at >= scope.start, EVENT_TABLE.c.start_at < scope.end)
    events = (
        select(
            EVENT_TABLE.c.venue_id,
            _sum(EVENT_TABLE.c.capacity),
            _sum(EVENT_BOOKING_STATS_TABLE.c.seats),
        )
        .select_from(
            EVENT_TABLE.outerjoin(
                EVENT_BOOKING_STATS_TABLE, EVENT_BOOKING_STATS_TABLE.c.event_id == EVENT_TABLE.c.id
            )
        )
        .where(
            in_period,
            EVENT_TABLE.c.venue_id.is_not(None),
            EVENT_TABLE.c.capacity.is_not(None),
            *scope.event_conditions(),
        )
        .group_by(EVENT_TABLE.c.venue_id)
    )
    slots = (
        select(
            VENUE_SLOT_TABLE.c.venue_id,
            _sum(VENUE_SLOT_TABLE.c.capacity),
            _sum(VENUE_SLOT_TABLE.c.booked_seats),
        )
        .select_from(
            VENUE_SLOT_TABLE.join(VENUE_TABLE, VENUE_TABLE.c.id == VENUE_SLOT_TABLE.c.venue_id)
        )
        .where(
            VENUE_SLOT_TABLE.c.starts_at >= scope.start, VENUE_SLOT_TABLE.c.starts_at < scope.end
        )
        .where(*scope.venue_conditions())
        .group_by(VENUE_SLOT_TABLE.c.venue_id)
    )
    uses: dict[int, VenueUse] = {}
    for venue_id, capacity, seats in (await conn.execute(events)).all():
        use = uses.setdefault(venue_id, VenueUse(venue_id, ""))
        use.event_capacity, use.event_seats = int(capacity), int(seats)
    for venue_id, capacity, seats in (await conn.execute(slots)).all():
        use = uses.setdefault(venue_id, VenueUse(venue_id, ""))
        use.slot_capacity, use.slot_seats = int(capacity), int(seats)
    if uses:
        names = await conn.execute(
            select(VENUE_TABLE.c.id, VENUE_TABLE.c.name).where(VENUE_TABLE.c.id.in_(list(uses)))
        )
        for venue_id, name in names.all():
            uses[venue_id].name = name
    ranked = sorted(uses.values(), key=lambda u: (-(u.utilisation or 0.0), u.venue_id))
    return ranked[:first]


@dataclass
class CoverageGap:
    region_id: int
    name: str
    last_event_at: datetime | None


async def coverage_gaps(
    conn: AsyncConnection, scope: Scope, *, inactive_days: int
) -> list[CoverageGap]:
    """Regions where no held event in scope started in the last `inactive_days` days."""
    last: dict[int, datetime] = dict(
        (
            await conn.execute(
                select(EVENT_TABLE.c.region_id, func.max(EVENT_TABLE.c.start_at))
                .where(EVENT_TABLE.c.start_at <= scope.now, EVENT_TABLE.c.region_id.is_not(None))
                .where(*scope.event_conditions())
                .group_by(EVENT_TABLE.c.region_id)
            )
        ).all()
    )
    regions = select(REGION_TABLE.c.id, REGION_TABLE.c.name).order_by(REGION_TABLE.c.id)
    if scope.region_ids:
        regions = regions.where(REGION_TABLE.c.id.in_(scope.region_ids))
    since = scope.now - timedelta(days=inactive_days)
    return [
        CoverageGap(region_id, name, last.get(region_id))
        for region_id, name in (await conn.execute(regions)).all()
        if last.get(region_id) is None or last[region_id] < since
    ]
