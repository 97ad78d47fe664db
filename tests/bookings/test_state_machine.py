"""Property test: random sequences of book / cancel / check-in / capacity changes, run against
the functions production runs (the booking service, cancellation, check-in, and publishing's
updateEvent for the capacity) and against a small reference model of the rules. After every step the database
must agree with the model (which encodes FIFO promotion of whole bookings) and keep the
invariants: booked_seats == seats of confirmed + checked-in bookings <= capacity; one active
booking per user."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select
from sqlmodel import col

from culture_cloud.actor import Actor
from culture_cloud.bookings import attendance, cancellation, service, transactions
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from culture_cloud.bookings.rules import BookingRules
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.catalog.models import Event, EventKind, EventStatus
from culture_cloud.db import (
    SessionFactory,
    create_engine,
    create_session_factory,
    transaction,
    utcnow,
)
from culture_cloud.errors import DomainError, ErrorCode
from culture_cloud.identity import StaffRole, Viewer
from culture_cloud.publishing.event_updates import EventChanges, update_event
from culture_cloud.settings import Settings
from tests.accounts.factories import add_residents
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.settings import shared_settings

T = TypeVar("T")
USERS = 6
# Cancelling allowed until 15 minutes before the start, check-in from an hour before: the
# machine acts 30 minutes before the start, where both are possible.
RULES = BookingRules(cancel_deadline_hours=0.25, checkin_opens_minutes_before=60)
SEATED = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


@dataclass
class ModelBooking:
    user: int
    seats: int
    status: BookingStatus


@dataclass
class Model:
    """The rules, plainly: seats fit -> confirmed, else waitlisted; a release promotes waiting
    bookings in arrival order, each one that fits whole."""

    capacity: int
    bookings: dict[int, ModelBooking] = field(default_factory=dict)

    @property
    def taken(self) -> int:
        return sum(b.seats for b in self.bookings.values() if b.status in SEATED)

    def active(self, user: int) -> int | None:
        return next(
            (i for i, b in self.bookings.items() if b.user == user and b.status in ACTIVE_STATUSES),
            None,
        )

    def promote(self) -> None:
        for booking in self.bookings.values():  # insertion order = arrival order
            free = self.capacity - self.taken
            if free == 0:
                return
            if booking.status is BookingStatus.WAITLISTED and booking.seats <= free:
                booking.status = BookingStatus.CONFIRMED


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    db: Database
    factory: SessionFactory
    settings: Settings
    organization_id: int
    users: list[int]
    checker: Viewer
    editor: Viewer
    start_at: datetime


def machine_for(world: World) -> type[RuleBasedStateMachine]:
    class BookingMachine(RuleBasedStateMachine):
        bookings = Bundle("bookings")

        def __init__(self) -> None:
            super().__init__()
            self.clock = itertools.count(1)
            self.model = Model(capacity=4)
            self.event_id = self.run(self._new_event())

        def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
            return world.loop.run_until_complete(coroutine)

        def now(self) -> datetime:
            # Strictly increasing, so the waitlist order is the order of the steps.
            return world.start_at - timedelta(minutes=30) + timedelta(seconds=next(self.clock))

        async def _new_event(self) -> int:
            async with transaction(world.factory) as session:
                event = Event(
                    title="状态机测试活动",
                    kind=EventKind.ACTIVITY,
                    organization_id=world.organization_id,
                    start_at=world.start_at,
                    end_at=world.start_at + timedelta(hours=2),
                    status=EventStatus.PUBLISHED,
                    capacity=self.model.capacity,
                    booking_required=True,
                    allow_waitlist=True,
                )
                session.add(event)
                await session.flush()
                assert event.id is not None
                return event.id

        @rule(target=bookings, user=st.integers(0, USERS - 1), seats=st.integers(1, 3))
        def book(self, user: int, seats: int) -> Any:
            try:
                result = self.run(
                    service.book(
                        world.factory,
                        world.settings,
                        actor=f.resident_actor(world.users[user], self.now()),
                        target=TargetRef(TargetKind.EVENT, self.event_id),
                        request=f.request(seats),
                        rules=RULES,
                    )
                )
            except BookingFailed as exc:
                assert exc.reason is Code.ALREADY_BOOKED
                assert self.model.active(user) is not None
                return multiple()
            assert self.model.active(user) is None
            fits = seats <= self.model.capacity - self.model.taken
            expected = BookingStatus.CONFIRMED if fits else BookingStatus.WAITLISTED
            assert result.booking.status is expected
            assert result.booking.id is not None
            self.model.bookings[result.booking.id] = ModelBooking(user, seats, expected)
            return result.booking.id

        @rule(booking_id=bookings)
        def cancel(self, booking_id: int) -> None:
            if self.model.bookings[booking_id].status not in (
                BookingStatus.CONFIRMED,
                BookingStatus.WAITLISTED,
            ):
                return
            self.run(self._cancel(booking_id))
            self.model.bookings[booking_id].status = BookingStatus.CANCELLED
            self.model.promote()

        async def _cancel(self, booking_id: int) -> None:
            async with transactions.write_transaction(world.factory) as session:
                await cancellation.cancel_booking(
                    session,
                    world.settings,
                    actor=f.resident_actor(
                        world.users[self.model.bookings[booking_id].user], self.now()
                    ),
                    booking_id=booking_id,
                    rules=RULES,
                )

        @rule(booking_id=bookings)
        def check_in(self, booking_id: int) -> None:
            if self.model.bookings[booking_id].status is not BookingStatus.CONFIRMED:
                return
            self.run(self._check_in(booking_id))
            self.model.bookings[booking_id].status = BookingStatus.CHECKED_IN

        async def _check_in(self, booking_id: int) -> None:
            async with world.factory() as session:
                booking = await session.get(Booking, booking_id)
            assert booking is not None
            code = f.checkin_code(world.db, booking)
            async with transactions.write_transaction(world.factory) as session:
                await attendance.check_in(
                    session,
                    world.settings,
                    actor=Actor(viewer=world.checker, ip=None, now=self.now()),
                    code=code,
                    rules=RULES,
                )

        @rule(capacity=st.integers(0, 8))
        def change_capacity(self, capacity: int) -> None:
            try:
                self.run(self._change_capacity(capacity))
            except DomainError as exc:
                assert (exc.code, exc.field) == (ErrorCode.CONFLICT, "capacity")
                assert capacity < self.model.taken
                return
            assert capacity >= self.model.taken
            self.model.capacity = capacity
            self.model.promote()

        async def _change_capacity(self, capacity: int) -> None:
            # updateEvent's own transaction (graphql/mutation.run_command): db.transaction.
            async with transaction(world.factory) as session:
                await update_event(
                    session,
                    actor=Actor(viewer=world.editor, ip=None, now=self.now()),
                    settings=world.settings,
                    event_id=self.event_id,
                    changes=EventChanges(capacity=capacity),
                )

        @invariant()
        def database_matches_model(self) -> None:
            booked, capacity, statuses = self.run(self._state())
            assert statuses == {i: b.status for i, b in self.model.bookings.items()}
            seated = sum(b.seats for b in self.model.bookings.values() if b.status in SEATED)
            assert booked == seated <= capacity == self.model.capacity
            active = [b.user for b in self.model.bookings.values() if b.status in ACTIVE_STATUSES]
            assert len(active) == len(set(active))

        async def _state(self) -> tuple[int, int, dict[int, BookingStatus]]:
            async with world.factory() as session:
                event = await session.get(Event, self.event_id)
                assert event is not None and event.capacity is not None
                rows = await session.execute(
                    select(Booking.id, Booking.status).where(col(Booking.event_id) == self.event_id)
                )
                return event.booked_seats, event.capacity, {i: s for i, s in rows.all()}

    return BookingMachine


async def _world(db: Database, loop: asyncio.AbstractEventLoop) -> World:
    place = await f.add_place(db)
    checker = await f.add_checker(db, place, StaffRole.CHECKER)
    editor = await f.add_checker(db, place, StaffRole.EDITOR)
    users = await add_residents(db, USERS)
    return World(
        loop=loop,
        db=db,
        factory=db.factory,
        settings=shared_settings(db),
        organization_id=place.organization_id,
        users=users,
        checker=await f.viewer_of(db, checker),
        editor=await f.viewer_of(db, editor),
        start_at=utcnow() + timedelta(days=10),
    )


def test_booking_state_machine__random_operations__invariants_hold(db: Database) -> None:
    # Hypothesis drives the machine synchronously; it runs its coroutines on a loop of its own,
    # with an engine whose connections belong to that loop.
    loop = asyncio.new_event_loop()
    engine = create_engine(Settings(database_url=db.url))
    own = Database(db.backend, db.url, engine, create_session_factory(engine))
    try:
        world = loop.run_until_complete(_world(own, loop))
        run_state_machine_as_test(
            machine_for(world),
            settings=settings(
                max_examples=30,
                stateful_step_count=30,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
