"""Outbox rows and live seat counts commit with the booking change they report, and vanish
with it when the transaction fails."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, literal_column, select
from sqlalchemy.exc import DBAPIError

from culture_cloud.bookings import hot_statements, signals
from culture_cloud.bookings.models import Booking, BookingStatus, IdempotencyRecord
from culture_cloud.live.seats import CHANNEL, SeatsChanged, decode, local_broker
from culture_cloud.notifications.models import Notification, NotificationKind
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.conftest import Database, _asyncpg_dsn


class Boom(Exception):
    pass


async def _count(db: Database, model: type) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


def _fail_last_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """The live-seat signal, the last step of every seat change, fails: everything before it
    (booking, idempotency record, outbox message, counter) must roll back with it."""

    async def publish(*args: Any, **kwargs: Any) -> None:
        raise Boom

    monkeypatch.setattr(signals, "publish_seats_changed", publish)


async def test_book_event__fails_after_enqueue__booking_and_message_rolled_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await f.add_event(db, capacity=5)
    resident = await add_user(db)
    if db.backend == "postgres":
        # Event bookings are one statement there (bookings/hot_statements.py): its last part, the
        # live-seat signal, fails inside the database.
        def failing_notify(*args: Any) -> Any:
            return literal_column("1 / (booked_seats - booked_seats)")

        monkeypatch.setattr(hot_statements, "pg_notify_remaining", failing_notify)
        hot_statements.confirmed_booking_statement.cache_clear()
        try:
            with pytest.raises(DBAPIError, match="division by zero"):
                await f.book(db, resident, event)
        finally:
            hot_statements.confirmed_booking_statement.cache_clear()
    else:
        _fail_last_step(monkeypatch)
        with pytest.raises(Boom):
            await f.book(db, resident, event)
    assert await _count(db, Booking) == 0
    assert await _count(db, Notification) == 0
    assert await _count(db, IdempotencyRecord) == 0
    assert await f.seats_of(db, event.id) == (0, 0)


async def test_cancel_booking__fails_after_promotion__everything_rolled_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    held = await f.book(db, await add_user(db), event)
    await f.book(db, await add_user(db), event)
    before = await _count(db, Notification)
    _fail_last_step(monkeypatch)
    with pytest.raises(Boom):
        await f.cancel(db, held.booking)
    assert await f.statuses(db, event.id) == {
        BookingStatus.CONFIRMED: 1,
        BookingStatus.WAITLISTED: 1,
    }
    assert await _count(db, Notification) == before
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_book_event__seats_change__published_on_commit(db: Database) -> None:
    event = await f.add_event(db, capacity=5)
    assert event.id is not None
    if db.backend == "postgres":
        received: asyncio.Queue[SeatsChanged] = asyncio.Queue()
        listener = await asyncpg.connect(_asyncpg_dsn(db.url))
        await listener.add_listener(CHANNEL, lambda *args: received.put_nowait(decode(args[-1])))
    else:
        received = local_broker.subscribe(event.id)
    try:
        booked = await f.book(db, await add_user(db), event, seats=2)
        assert await asyncio.wait_for(received.get(), 5) == SeatsChanged(event.id, 3)
        await f.cancel(db, booked.booking)
        assert await asyncio.wait_for(received.get(), 5) == SeatsChanged(event.id, 5)
    finally:
        if db.backend == "postgres":
            await listener.close()
        else:
            local_broker.unsubscribe(event.id, received)
    assert [n.kind for n in await f.notifications(db)] == [
        NotificationKind.BOOKING_CONFIRMED,
        NotificationKind.BOOKING_CANCELLED,
    ]
