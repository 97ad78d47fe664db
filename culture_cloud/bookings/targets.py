"""What a booking books: an event or a venue slot. Both have a capacity and a `booked_seats`
counter, so one code path (service.py) serves both; the differences live here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Select, Table, Update, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings.models import BOOKING_TABLE, VENUE_SLOT_TABLE
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE, EventStatus
from culture_cloud.timeutil import local_day_start, local_today, to_local


class TargetKind(StrEnum):
    EVENT = "event"
    VENUE_SLOT = "venue_slot"

    @property
    def table(self) -> Table:
        return EVENT_TABLE if self is TargetKind.EVENT else VENUE_SLOT_TABLE

    @property
    def booking_column(self) -> Column[Any]:
        """The booking column that points at this kind of target."""
        return (
            BOOKING_TABLE.c.event_id if self is TargetKind.EVENT else BOOKING_TABLE.c.venue_slot_id
        )

    @property
    def end_column(self) -> Column[Any]:
        table = self.table
        return table.c.end_at if self is TargetKind.EVENT else table.c.ends_at


@dataclass(frozen=True, slots=True)
class TargetRef:
    kind: TargetKind
    id: int

    @classmethod
    def of(cls, booking: Any) -> TargetRef:
        if booking.event_id is not None:
            return cls(TargetKind.EVENT, booking.event_id)
        return cls(TargetKind.VENUE_SLOT, booking.venue_slot_id)


@dataclass(frozen=True, slots=True)
class Target:
    ref: TargetRef
    title: str
    organization_id: int | None
    venue_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    booked_seats: int
    status: EventStatus
    booking_required: bool
    allow_waitlist: bool
    real_name_required: bool
    opens_at: datetime | None
    closes_at: datetime

    @property
    def is_event(self) -> bool:
        return self.ref.kind is TargetKind.EVENT

    @property
    def remaining(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.booked_seats)

    def describe(self) -> str:
        """「title」 and the local start, for messages."""
        return f"「{self.title}」（{to_local(self.starts_at):%m月%d日 %H:%M}）"


EVENT_TARGET_COLUMNS = tuple(
    EVENT_TABLE.c[name]
    for name in (
        "title",
        "organization_id",
        "venue_id",
        "start_at",
        "end_at",
        "capacity",
        "booked_seats",
        "status",
        "booking_required",
        "allow_waitlist",
        "real_name_required",
        "booking_opens_at",
        "booking_closes_at",
    )
)


def event_target(ref: TargetRef, row: Any) -> Target | None:
    """The Target of an event row with EVENT_TARGET_COLUMNS; None for drafts (not bookable,
    and not to be revealed)."""
    if row.status == EventStatus.DRAFT:
        return None
    return Target(
        ref=ref,
        title=row.title,
        organization_id=row.organization_id,
        venue_id=row.venue_id,
        starts_at=row.start_at,
        ends_at=row.end_at,
        capacity=row.capacity,
        booked_seats=row.booked_seats,
        status=EventStatus(row.status),
        booking_required=row.booking_required,
        allow_waitlist=row.allow_waitlist,
        real_name_required=row.real_name_required,
        opens_at=row.booking_opens_at,
        closes_at=min(row.booking_closes_at or row.start_at, row.end_at),
    )


async def load_target(
    session: AsyncSession, ref: TargetRef, rules: BookingRules, *, lock: bool = False
) -> Target | None:
    """The target as committed now; `lock` takes its row lock (see `lock_target`)."""
    if ref.kind is TargetKind.EVENT:
        stmt = select(*EVENT_TARGET_COLUMNS).where(EVENT_TABLE.c.id == ref.id)
        if lock:
            stmt = stmt.with_for_update(key_share=True)
        row = (await session.execute(stmt)).one_or_none()
        return None if row is None else event_target(ref, row)
    stmt = (
        select(VENUE_SLOT_TABLE, VENUE_TABLE.c.name, VENUE_TABLE.c.organization_id)
        .join(VENUE_TABLE, VENUE_TABLE.c.id == VENUE_SLOT_TABLE.c.venue_id)
        .where(VENUE_SLOT_TABLE.c.id == ref.id)
    )
    if lock:
        stmt = stmt.with_for_update(of=VENUE_SLOT_TABLE, key_share=True)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return None
    first_day = local_today(row.starts_at) - timedelta(days=rules.slot_booking_days_ahead)
    return Target(
        ref=ref,
        title=row.name,
        organization_id=row.organization_id,
        venue_id=row.venue_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        booked_seats=row.booked_seats,
        # A closed slot refuses reservations as a cancelled event does (checks.check_target).
        status=EventStatus.PUBLISHED if row.closed_at is None else EventStatus.CANCELLED,
        booking_required=True,
        # Entry slots are short and many: a full one sends people to the next, not to a queue.
        allow_waitlist=False,
        real_name_required=row.real_name_required,
        opens_at=local_day_start(first_day),
        # Entry is possible until the slot ends.
        closes_at=row.ends_at,
    )


def lock_target(ref: TargetRef) -> Select[Any]:
    """The row lock every path that changes the target's seats or waitlist takes first.

    FOR NO KEY UPDATE, not FOR UPDATE: transactions that have just inserted a booking hold a
    KEY SHARE lock on the target (the foreign-key check) until they commit, and FOR UPDATE
    would wait for them while they wait for us - a deadlock under a booking rush. It still
    excludes every other seat change, since UPDATEs of the counter take the same lock.
    No-op on SQLite, which serialises writers anyway.
    """
    table = ref.kind.table
    return select(table.c.id).where(table.c.id == ref.id).with_for_update(key_share=True)


def take_seats(ref: TargetRef, seats: int, *, require_published: bool = True) -> Update:
    """The hot-row statement: adds `seats` only if they fit (and the event is still published).
    No row back means they do not fit; nothing else decides whether a seat is sold.
    Promotion passes require_published=False: a postponed event keeps its waitlist moving."""
    return take_seats_of(ref.kind, ref.id, seats, require_published=require_published)


def take_seats_of(
    kind: TargetKind, target_id: Any, seats: Any, *, require_published: bool = True
) -> Update:
    """`take_seats` for values or bind parameters (a statement built once: hot_path.py)."""
    table = kind.table
    conditions = [
        table.c.id == target_id,
        or_(table.c.capacity.is_(None), table.c.booked_seats + seats <= table.c.capacity),
    ]
    if require_published and kind is TargetKind.EVENT:
        conditions.append(table.c.status == EventStatus.PUBLISHED)
    if kind is TargetKind.VENUE_SLOT:
        # A slot closed after the checks read it takes no more seats (closeVenueSlot).
        conditions.append(table.c.closed_at.is_(None))
    return (
        update(table)
        .where(*conditions)
        .values(booked_seats=table.c.booked_seats + seats)
        .returning(table.c.booked_seats, table.c.capacity)
    )


def release_seats(ref: TargetRef, seats: int) -> Update:
    table = ref.kind.table
    return (
        update(table)
        .where(table.c.id == ref.id)
        .values(booked_seats=table.c.booked_seats - seats)
        .returning(table.c.booked_seats, table.c.capacity)
    )


def remaining_of(row: Any) -> int | None:
    """Remaining seats from a (booked_seats, capacity) row returned by the statements above."""
    return None if row.capacity is None else max(0, row.capacity - row.booked_seats)
