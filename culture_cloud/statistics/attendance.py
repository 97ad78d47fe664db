"""Events, bookings, check-ins and utilisation: read from the event rows (small) joined with the
`event_booking_stats` rollup, never from the booking rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.bookings.models import VenueSlot
from culture_cloud.catalog.models import Region
from culture_cloud.statistics.models import EventBookingStats
from culture_cloud.statistics.scope import EVENT, VENUE, Scope

STATS = EventBookingStats.__table__  # type: ignore[attr-defined]
SLOT = VenueSlot.__table__  # type: ignore[attr-defined]
REGION = Region.__table__  # type: ignore[attr-defined]


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
    has_capacity = EVENT.c.capacity.is_not(None)
    query = (
        select(
            bucket.c.idx,
            func.count(EVENT.c.id),
            _sum(case((EVENT.c.start_at <= scope.now, 1), else_=0)),
            _sum(STATS.c.bookings),
            _sum(STATS.c.seats),
            _sum(STATS.c.check_ins),
            _sum(STATS.c.no_shows),
            _sum(STATS.c.cancellations),
            _sum(EVENT.c.capacity),
            _sum(case((has_capacity, STATS.c.seats), else_=0)),
        )
        .select_from(
            bucket.join(
                EVENT, and_(EVENT.c.start_at >= bucket.c.lo, EVENT.c.start_at < bucket.c.hi)
            ).outerjoin(STATS, STATS.c.event_id == EVENT.c.id)
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
    in_period = and_(EVENT.c.start_at >= scope.start, EVENT.c.start_at < scope.end)
    events = (
        select(EVENT.c.venue_id, _sum(EVENT.c.capacity), _sum(STATS.c.seats))
        .select_from(EVENT.outerjoin(STATS, STATS.c.event_id == EVENT.c.id))
        .where(
            in_period,
            EVENT.c.venue_id.is_not(None),
            EVENT.c.capacity.is_not(None),
            *scope.event_conditions(),
        )
        .group_by(EVENT.c.venue_id)
    )
    slots = (
        select(SLOT.c.venue_id, _sum(SLOT.c.capacity), _sum(SLOT.c.booked_seats))
        .select_from(SLOT.join(VENUE, VENUE.c.id == SLOT.c.venue_id))
        .where(SLOT.c.starts_at >= scope.start, SLOT.c.starts_at < scope.end)
        .where(*scope.venue_conditions())
        .group_by(SLOT.c.venue_id)
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
            select(VENUE.c.id, VENUE.c.name).where(VENUE.c.id.in_(list(uses)))
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
                select(EVENT.c.region_id, func.max(EVENT.c.start_at))
                .where(EVENT.c.start_at <= scope.now, EVENT.c.region_id.is_not(None))
                .where(*scope.event_conditions())
                .group_by(EVENT.c.region_id)
            )
        ).all()
    )
    regions = select(REGION.c.id, REGION.c.name).order_by(REGION.c.id)
    if scope.region_ids:
        regions = regions.where(REGION.c.id.in_(scope.region_ids))
    since = scope.now - timedelta(days=inactive_days)
    return [
        CoverageGap(region_id, name, last.get(region_id))
        for region_id, name in (await conn.execute(regions)).all()
        if last.get(region_id) is None or last[region_id] < since
    ]
