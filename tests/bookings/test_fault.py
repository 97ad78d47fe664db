"""The database connection dies in the middle of a booking: the client gets a retryable error,
nothing half-written remains, and the retry with the same idempotency key books once."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.bookings import service
from culture_cloud.bookings.models import Booking, IdempotencyRecord
from culture_cloud.bookings.targets import TargetRef
from culture_cloud.notifications.models import Notification
from tests.accounts.factories import gid
from tests.bookings import factories as f
from tests.bookings.test_book_event import BOOK_EVENT
from tests.conftest import Database, _asyncpg_dsn

pytestmark = pytest.mark.postgres_only


async def _count(db: Database, model: type) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_book_event__connection_killed_mid_transaction__retryable_then_books_once(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await f.add_event(pg, capacity=5)
    resident = await f.add_resident(pg)
    variables = {
        "input": {"eventId": gid("Event", event.id), "seats": 2, "idempotencyKey": f.key()}
    }
    take_seats = service._take_seats
    killed: list[int] = []

    async def killed_before_taking_seats(session: AsyncSession, ref: TargetRef, seats: int) -> Any:
        # The booking and its idempotency record are written but not committed: the worst
        # moment to lose the connection.
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(_asyncpg_dsn(pg.url))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        killed.append(pid)
        return await take_seats(session, ref, seats)

    async with f.api(pg) as api:
        token = await f.token_for(pg, resident)
        monkeypatch.setattr(service, "_take_seats", killed_before_taking_seats)
        body = await api.execute(BOOK_EVENT, variables, token=token)
        monkeypatch.setattr(service, "_take_seats", take_seats)

        assert killed, "the fault was not injected"
        [error] = body["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "idempotencyKey" in error["message"]
        assert await _count(pg, Booking) == 0
        assert await _count(pg, IdempotencyRecord) == 0
        assert await _count(pg, Notification) == 0
        assert await f.seats_of(pg, event.id) == (0, 0)

        retry = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]
        again = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]

    assert (retry["__typename"], retry["replayed"]) == ("BookingConfirmed", False)
    assert (again["__typename"], again["replayed"]) == ("BookingConfirmed", True)
    assert again["booking"]["id"] == retry["booking"]["id"]
    assert await _count(pg, Booking) == 1
    assert await f.seats_of(pg, event.id) == (2, 2)
