"""The database connection dies in the middle of a booking: the client gets a retryable error,
nothing half-written remains, and the retry with the same idempotency key books once."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings import hot_path, service
from culture_cloud.bookings.models import Booking, IdempotencyRecord
from culture_cloud.bookings.targets import TargetRef
from culture_cloud.notifications.models import Notification
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.bookings.test_book_event import BOOK_EVENT
from tests.conftest import Database, _asyncpg_dsn
from tests.support.graphql import graphql_client
from tests.support.ids import gid

pytestmark = pytest.mark.postgres_only


async def _count(db: Database, model: type) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _kill_backend(session: AsyncSession, url: str) -> int:
    pid = int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
    admin = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    return pid


async def _assert_nothing_written(db: Database, event_id: int, seats: tuple[int, int]) -> None:
    assert await _count(db, IdempotencyRecord) == 0
    assert await _count(db, Notification) == 0
    assert await f.seats_of(db, event_id) == seats


async def test_book_event__connection_killed_before_the_booking_statement__retry_books_once(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-statement path: the checks have passed and the booking's id is drawn, then the
    connection dies as the statement that writes everything is sent."""
    event = await f.add_event(pg, capacity=5)
    resident = await add_user(pg)
    variables = {
        "input": {"eventId": gid("Event", event.id), "seats": 2, "idempotencyKey": f.key()}
    }
    write_batch = hot_path.write_batch
    killed: list[int] = []

    async def killed_before_writing(session: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        killed.append(await _kill_backend(session, pg.url))
        return await write_batch(session, *args, **kwargs)

    async with graphql_client(pg) as api:
        token = await token_for(pg, resident)
        monkeypatch.setattr(hot_path, "write_batch", killed_before_writing)
        body = await api.execute(BOOK_EVENT, variables, token=token)
        monkeypatch.setattr(hot_path, "write_batch", write_batch)

        assert killed, "the fault was not injected"
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "idempotencyKey" in error["message"]
        assert await _count(pg, Booking) == 0
        await _assert_nothing_written(pg, event.id, (0, 0))

        retry = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]
        again = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]

    assert (retry["__typename"], retry["replayed"]) == ("BookingConfirmed", False)
    assert (again["__typename"], again["replayed"]) == ("BookingConfirmed", True)
    assert again["booking"]["id"] == retry["booking"]["id"]
    assert await _count(pg, Booking) == 1
    assert await f.seats_of(pg, event.id) == (2, 2)


async def test_book_event__connection_killed_mid_waitlist_transaction__retry_waitlists_once(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transactional path (a full event with a waitlist): the booking and its idempotency
    record are written but not committed when the connection dies, the worst moment."""
    event = await f.add_event(pg, capacity=2, allow_waitlist=True)
    holder = await f.book(pg, await add_user(pg), event, seats=2)
    resident = await add_user(pg)
    variables = {
        "input": {"eventId": gid("Event", event.id), "seats": 1, "idempotencyKey": f.key()}
    }
    take_seats = service._take_seats
    killed: list[int] = []

    async def killed_before_taking_seats(session: AsyncSession, ref: TargetRef, seats: int) -> Any:
        killed.append(await _kill_backend(session, pg.url))
        return await take_seats(session, ref, seats)

    before = {
        "records": await _count(pg, IdempotencyRecord),
        "notifications": await _count(pg, Notification),
    }
    async with graphql_client(pg) as api:
        token = await token_for(pg, resident)
        monkeypatch.setattr(service, "_take_seats", killed_before_taking_seats)
        body = await api.execute(BOOK_EVENT, variables, token=token)
        monkeypatch.setattr(service, "_take_seats", take_seats)

        assert killed, "the fault was not injected"
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert [b.id for b in await f.bookings_of(pg, event.id)] == [holder.booking.id]
        assert await _count(pg, IdempotencyRecord) == before["records"]
        assert await _count(pg, Notification) == before["notifications"]

        retry = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]
        again = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]

    assert retry["__typename"] == again["__typename"] == "BookingWaitlisted"
    assert again["booking"]["id"] == retry["booking"]["id"]
    assert len(await f.bookings_of(pg, event.id)) == 2
    assert await f.seats_of(pg, event.id) == (2, 2)
