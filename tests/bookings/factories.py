"""Builders for booking tests: organisations, venues, bookable events, residents, and shortcuts into the booking service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.actor import Actor
from culture_cloud.bookings import attendance, cancellation, crypto, requests, service, transactions
from culture_cloud.bookings.models import SEATED_STATUSES, Booking, BookingStatus, VenueSlot
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import StaffRole, UserKind, Viewer
from culture_cloud.notifications.models import Notification
from culture_cloud.notifications.models import NotificationKind as NotificationKind
from tests.accounts.factories import add_staff, add_user
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.settings import shared_settings

# Opening hours shaped like the seed's 介休市博物馆: closed on Mondays, last entry 16:00.
MUSEUM_HOURS: dict[str, Any] = {
    "weekly": {
        "mon": [],
        **{day: [["09:00", "17:00"]] for day in ("tue", "wed", "thu", "fri", "sat", "sun")},
    },
    "last_entry": "16:00",
}

RULES = BookingRules()


def key() -> str:
    return uuid.uuid4().hex


def request(
    seats: int = 1,
    *,
    idempotency_key: str | None = None,
    attendees: tuple[requests.AttendeeInput, ...] = (),
    consent: bool = False,
) -> requests.BookingRequest:
    return requests.BookingRequest(
        seats=seats,
        idempotency_key=idempotency_key or key(),
        attendees=attendees,
        id_number_consent=consent,
    )


def id_number(body: str = "14112119900101123") -> str:
    """A resident ID number with a valid check character for the 17-digit `body`."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass
class Place:
    organization_id: int
    venue_id: int


async def add_place(db: Database, name: str = "测试博物馆") -> Place:
    async with transaction(db.factory) as session:
        org = await catalog.add_organization(session, name)
        venue = await catalog.add_venue(
            session, name, organization_id=org.id, opening_hours=MUSEUM_HOURS
        )
    assert org.id is not None and venue.id is not None
    return Place(org.id, venue.id)


async def add_event(
    db: Database,
    place: Place | None = None,
    *,
    capacity: int | None = 10,
    allow_waitlist: bool = False,
    starts_in: timedelta = timedelta(days=3),
    start_at: datetime | None = None,
    **values: Any,
) -> m.Event:
    values.setdefault("booking_required", True)
    async with transaction(db.factory) as session:
        venue = None if place is None else await session.get(m.Venue, place.venue_id)
        event = await catalog.add_event(
            session,
            values.pop("title", "皮影戏专场"),
            start_at or utcnow() + starts_in,
            place=venue,
            capacity=capacity,
            allow_waitlist=allow_waitlist,
            **values,
        )
    assert event.id is not None
    return event


async def add_slot(
    db: Database,
    place: Place,
    *,
    starts_in: timedelta = timedelta(days=1),
    start_at: datetime | None = None,
    capacity: int = 5,
    **values: Any,
) -> VenueSlot:
    start = start_at or utcnow().replace(microsecond=0) + starts_in
    async with transaction(db.factory) as session:
        slot = VenueSlot(
            venue_id=place.venue_id,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=capacity,
            created_at=utcnow(),
            **values,
        )
        session.add(slot)
        await session.flush()
    return slot


async def resident_id(db: Database) -> int:
    user = await add_user(db)
    assert user.id is not None
    return user.id


async def add_checker(db: Database, place: Place, role: StaffRole = StaffRole.CHECKER) -> User:
    return await add_staff(db, place.organization_id, role)


async def book(
    db: Database,
    user: User | int,
    event: m.Event | int,
    seats: int = 1,
    *,
    now: datetime | None = None,
    rules: BookingRules | None = None,
    **kwargs: Any,
) -> requests.BookingResult:
    user_id = user if isinstance(user, int) else user.id
    event_id = event if isinstance(event, int) else event.id
    assert user_id is not None and event_id is not None
    return await service.book(
        db.factory,
        shared_settings(db),
        actor=resident_actor(user_id, now),
        target=TargetRef(TargetKind.EVENT, event_id),
        request=request(seats, **kwargs),
        rules=rules,
    )


def resident_actor(user_id: int, now: datetime | None = None) -> Actor:
    """The Actor of a resident's booking request: booking and cancelling need only the id."""
    viewer = Viewer(
        user_id=user_id,
        kind=UserKind.RESIDENT,
        organization_id=None,
        staff_role=None,
        is_designated_reviewer=False,
        session_id="test",
    )
    return Actor(viewer=viewer, ip=None, now=now or utcnow())


async def cancel(db: Database, booking: Booking, *, now: datetime | None = None) -> Booking:
    assert booking.id is not None
    async with transactions.write_transaction(db.factory) as session:
        return await cancellation.cancel_booking(
            session,
            shared_settings(db),
            actor=resident_actor(booking.user_id, now),
            booking_id=booking.id,
        )


async def seats_of(db: Database, event_id: int) -> tuple[int, int]:
    """(event.booked_seats, seats of its confirmed and checked-in bookings): always equal."""
    async with db.factory() as session:
        counter = (
            await session.execute(select(m.Event.booked_seats).where(col(m.Event.id) == event_id))
        ).scalar_one()
        seated = (
            await session.execute(
                select(func.coalesce(func.sum(Booking.seats), 0)).where(
                    col(Booking.event_id) == event_id, col(Booking.status).in_(SEATED_STATUSES)
                )
            )
        ).scalar_one()
    return int(counter), int(seated)


async def bookings_of(db: Database, event_id: int) -> list[Booking]:
    async with db.factory() as session:
        rows = await session.execute(
            select(Booking).where(col(Booking.event_id) == event_id).order_by(col(Booking.id))
        )
        return list(rows.scalars().all())


async def statuses(db: Database, event_id: int) -> dict[BookingStatus, int]:
    counts: dict[BookingStatus, int] = {}
    for row in await bookings_of(db, event_id):
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


async def notifications(db: Database, kind: NotificationKind | None = None) -> list[Notification]:
    async with db.factory() as session:
        stmt = select(Notification).order_by(col(Notification.id))
        if kind is not None:
            stmt = stmt.where(col(Notification.kind) == kind)
        return list((await session.execute(stmt)).scalars().all())


async def check_in(
    db: Database, checker: User, booked: requests.BookingResult | Booking, *, now: datetime
) -> attendance.CheckedIn:
    booking = booked.booking if isinstance(booked, requests.BookingResult) else booked
    code = checkin_code(db, booking)
    viewer = await viewer_of(db, checker)
    async with transactions.write_transaction(db.factory) as session:
        return await attendance.check_in(
            session, shared_settings(db), actor=Actor(viewer=viewer, ip=None, now=now), code=code
        )


def checkin_code(db: Database, booking: Booking) -> str:
    assert booking.id is not None and booking.checkin_token_enc is not None
    token = crypto.decrypt(shared_settings(db), booking.checkin_token_enc)
    assert token is not None
    return crypto.checkin_code(shared_settings(db), booking.id, token)


async def viewer_of(db: Database, user: User) -> Viewer:
    """The viewer the app would build from this user's access token."""
    assert user.id is not None
    return Viewer(
        user_id=user.id,
        kind=user.kind,
        organization_id=user.organization_id,
        staff_role=user.staff_role,
        is_designated_reviewer=False,
        session_id="test",
    )
