"""A capacity cut racing a booking (PostgreSQL): the event row is locked before booked_seats
is checked, so the cut sees the booking or the booking sees the cut, never neither. With a
control run without the lock, which ends with more seats booked than the capacity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts.models import User
from culture_cloud.actor import Actor
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.errors import DomainError
from culture_cloud.identity import UserKind, Viewer
from culture_cloud.publishing.event_updates import EventChanges, update_event
from tests.conftest import Database
from tests.publishing.factories import World, set_booked_seats
from tests.support.ids import pk_of

# What culture_cloud.bookings does for one seat: a conditional increment.
BOOK_ONE_SEAT = text(
    "UPDATE event SET booked_seats = booked_seats + 1 "
    "WHERE id = :id AND (capacity IS NULL OR booked_seats + 1 <= capacity)"
)


@pytest.fixture
def postgres_only(db: Database) -> None:
    if db.backend != "postgres":
        pytest.skip("SQLite serialises writers; row locks are a PostgreSQL matter")


@pytest.fixture
async def booked_event(world: World, db: Database) -> AsyncIterator[int]:
    event = await world.published_event("museum-editor", capacity=10)
    await set_booked_seats(db, event["id"], 5)
    yield pk_of(event["id"])


async def _cut_capacity_during_booking(db: Database, event_id: int, viewer: Viewer) -> str:
    """A booking holds its row update open while the capacity is cut to the seats booked
    before it; then the booking commits. Returns the cut's outcome."""
    async with db.engine.connect() as booking:
        await booking.begin()
        assert (await booking.execute(BOOK_ONE_SEAT, {"id": event_id})).rowcount == 1

        async def cut() -> str:
            try:
                async with transaction(db.factory) as session:
                    await update_event(
                        session,
                        actor=Actor(viewer=viewer, ip=None, now=utcnow()),
                        settings=db.settings,
                        event_id=event_id,
                        changes=EventChanges(capacity=5),
                    )
            except DomainError as exc:
                return exc.code.value
            return "cut"

        task = asyncio.create_task(cut())
        await asyncio.sleep(0.3)  # the cut is now waiting for the booking's row lock
        await booking.commit()
        return await task


async def _state(db: Database, event_id: int) -> tuple[int | None, int]:
    async with db.factory() as session:
        row = await session.get(m.Event, event_id)
        assert row is not None
        return row.capacity, row.booked_seats


async def _viewer(db: Database) -> Viewer:
    async with db.factory() as session:
        admin = (
            await session.execute(select(User).where(col(User.kind) == UserKind.ADMIN))
        ).scalar_one()
    assert admin.id is not None
    return Viewer(admin.id, admin.kind, None, None, False, "test-session")


async def test_update_event__capacity_cut_racing_a_booking__conflict(
    postgres_only: None, db: Database, booked_event: int
) -> None:
    outcome = await _cut_capacity_during_booking(db, booked_event, await _viewer(db))

    assert outcome == "CONFLICT"
    assert await _state(db, booked_event) == (10, 6)


async def test_update_event__without_the_row_lock__race_would_be_caught(
    postgres_only: None,
    db: Database,
    booked_event: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unlocked_get = AsyncSession.get

    async def get_without_lock(self: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("with_for_update", None)
        return await unlocked_get(self, *args, **kwargs)

    monkeypatch.setattr(AsyncSession, "get", get_without_lock)

    outcome = await _cut_capacity_during_booking(db, booked_event, await _viewer(db))

    # The check read 5 booked seats from before the booking: 6 booked, capacity 5.
    assert outcome == "cut"
    assert await _state(db, booked_event) == (5, 6)
