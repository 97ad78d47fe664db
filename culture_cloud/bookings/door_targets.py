"""What a checker can open at the door on a given day (Beijing time): the organisation's
published or postponed events that take bookings, and its venues' entry slots, that run on
that day. The door page's picker; `doorList` then loads one of them.

No Strawberry here: the GraphQL face is staff_types.DoorTarget / staff_api.doorTargets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import select

from culture_cloud.accounts.policy import ensure
from culture_cloud.bookings import policy
from culture_cloud.bookings.models import VENUE_SLOT_TABLE
from culture_cloud.bookings.staff_lists import ListedTarget
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.catalog.models import EVENT_TABLE, VENUE_TABLE, EventStatus
from culture_cloud.db import Executor
from culture_cloud.identity import StaffRole, Viewer
from culture_cloud.timeutil import local_date_range

# One day of one organisation is a handful of events and a few dozen slots; an administrator
# looking at every organisation at once gets the first ones by start time.
DOOR_TARGETS_LIMIT: Final = 200
CHECKABLE_EVENT_STATUSES: Final = (EventStatus.PUBLISHED, EventStatus.POSTPONED)


def door_scope(viewer: Viewer, organization_id: int | None) -> int | None:
    """Whose events and slots: checkers and managers their own organisation; administrators
    the one they name, or every organisation (None)."""
    if viewer.is_admin:
        return organization_id
    ensure(
        viewer.organization_id is not None
        and viewer.has_role(StaffRole.CHECKER, StaffRole.MANAGER),
        "当前岗位无权执行此操作",
    )
    if organization_id is not None:
        policy.ensure_can_check_in(viewer, organization_id)
    return viewer.organization_id


async def door_targets(
    conn: Executor, *, day: date, organization_id: int | None, opened_by: datetime | None = None
) -> list[ListedTarget]:
    """Events and entry slots running (at least partly) on `day`, by start time; at most
    DOOR_TARGETS_LIMIT. Drafts, cancelled events and events without booking are left out:
    nobody can be checked in to them.

    `opened_by`: also those starting before this moment even if that is after `day` — today's
    list at 23:40 holds the 00:10 show whose check-in has already opened."""
    start, end = local_date_range(day, day)
    if opened_by is not None:
        end = max(end, opened_by)
    events = (
        select(
            EVENT_TABLE.c.id,
            EVENT_TABLE.c.title,
            EVENT_TABLE.c.organization_id,
            EVENT_TABLE.c.start_at.label("starts_at"),
            EVENT_TABLE.c.end_at.label("ends_at"),
            EVENT_TABLE.c.capacity,
            EVENT_TABLE.c.booked_seats,
            EVENT_TABLE.c.status,
        )
        .where(
            EVENT_TABLE.c.status.in_(CHECKABLE_EVENT_STATUSES),
            EVENT_TABLE.c.booking_required.is_(True),
            EVENT_TABLE.c.start_at < end,
            EVENT_TABLE.c.end_at > start,
        )
        .order_by(EVENT_TABLE.c.start_at, EVENT_TABLE.c.id)
        .limit(DOOR_TARGETS_LIMIT)
    )
    slots = (
        select(
            VENUE_SLOT_TABLE.c.id,
            VENUE_TABLE.c.name.label("title"),
            VENUE_TABLE.c.organization_id,
            VENUE_SLOT_TABLE.c.starts_at,
            VENUE_SLOT_TABLE.c.ends_at,
            VENUE_SLOT_TABLE.c.capacity,
            VENUE_SLOT_TABLE.c.booked_seats,
        )
        .join(VENUE_TABLE, VENUE_TABLE.c.id == VENUE_SLOT_TABLE.c.venue_id)
        .where(VENUE_SLOT_TABLE.c.starts_at < end, VENUE_SLOT_TABLE.c.ends_at > start)
        .order_by(VENUE_SLOT_TABLE.c.starts_at, VENUE_SLOT_TABLE.c.id)
        .limit(DOOR_TARGETS_LIMIT)
    )
    if organization_id is not None:
        events = events.where(EVENT_TABLE.c.organization_id == organization_id)
        slots = slots.where(VENUE_TABLE.c.organization_id == organization_id)
    found = [
        _listed(TargetKind.EVENT, row, EventStatus(row.status))
        for row in (await conn.execute(events)).all()
    ]
    found += [
        _listed(TargetKind.VENUE_SLOT, row, EventStatus.PUBLISHED)
        for row in (await conn.execute(slots)).all()
    ]
    found.sort(key=lambda t: (t.starts_at, t.ref.kind is TargetKind.VENUE_SLOT, t.ref.id))
    return found[:DOOR_TARGETS_LIMIT]


def _listed(kind: TargetKind, row: Any, status: EventStatus) -> ListedTarget:
    return ListedTarget(
        ref=TargetRef(kind, row.id),
        title=row.title,
        organization_id=row.organization_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        booked_seats=row.booked_seats,
        status=status,
    )
