"""Idempotency keys: a retried request returns the first answer and creates nothing; the same
key with another payload is refused; keys expire after 24 hours; concurrent duplicates make
one booking."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from culture_cloud.bookings import idempotency
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import Booking, IdempotencyRecord, IdempotentOutcome
from culture_cloud.db import transaction, utcnow
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.bookings.test_book_event import BOOK_EVENT
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid


async def _count(db: Database, model: type) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_idempotency__same_key_and_payload__original_result_nothing_new(
    db: Database,
) -> None:
    event = await f.add_event(db, capacity=10)
    resident = await add_user(db)
    variables = {
        "input": {"eventId": gid("Event", event.id), "seats": 2, "idempotencyKey": f.key()}
    }
    async with graphql_client(db) as api:
        token = await token_for(db, resident)
        first = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]
        again = (await api.data(BOOK_EVENT, variables, token=token))["bookEvent"]

    assert (first["__typename"], first["replayed"]) == ("BookingConfirmed", False)
    assert (again["__typename"], again["replayed"]) == ("BookingConfirmed", True)
    assert again["booking"]["id"] == first["booking"]["id"]
    assert again["booking"]["checkInCode"] == first["booking"]["checkInCode"]
    assert await _count(db, Booking) == 1
    assert len(await f.notifications(db)) == 1
    assert await f.seats_of(db, event.id) == (2, 2)


async def test_idempotency__waitlisted_then_replayed_after_sellout__still_waitlisted(
    db: Database,
) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    await f.book(db, await add_user(db), event)
    resident = await add_user(db)
    key = f.key()
    first = await f.book(db, resident, event, idempotency_key=key)
    again = await f.book(db, resident, event, idempotency_key=key)
    assert (first.outcome, again.outcome) == (IdempotentOutcome.WAITLISTED,) * 2
    assert (first.booking.id, again.replayed) == (again.booking.id, True)


async def test_idempotency__same_key_other_payload__conflict(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    other = await f.add_event(db, capacity=10)
    resident = await add_user(db)
    key = f.key()
    await f.book(db, resident, event, seats=1, idempotency_key=key)

    for target, seats in ((event, 2), (other, 1)):
        with pytest.raises(BookingFailed) as failure:
            await f.book(db, resident, target, seats=seats, idempotency_key=key)
        assert (failure.value.reason, failure.value.field) == (
            Code.IDEMPOTENCY_CONFLICT,
            "idempotencyKey",
        )
    assert await _count(db, Booking) == 1


async def test_idempotency__same_key_other_user__independent(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    key = f.key()
    a = await f.book(db, await add_user(db), event, idempotency_key=key)
    b = await f.book(db, await add_user(db), event, idempotency_key=key)
    assert a.booking.id != b.booking.id
    assert not b.replayed


async def test_idempotency__after_24_hours__key_usable_again(db: Database) -> None:
    event = await f.add_event(db, capacity=10, starts_in=timedelta(days=5))
    resident = await add_user(db)
    key = f.key()
    now = utcnow()
    first = await f.book(db, resident, event, idempotency_key=key, now=now)
    await f.cancel(db, first.booking, now=now + timedelta(hours=1))

    within = await f.book(db, resident, event, idempotency_key=key, now=now + timedelta(hours=23))
    assert within.replayed and within.booking.id == first.booking.id

    later = await f.book(db, resident, event, idempotency_key=key, now=now + timedelta(hours=25))
    assert not later.replayed
    assert later.booking.id != first.booking.id
    assert await _count(db, IdempotencyRecord) == 1


async def test_idempotency__purge__removes_expired_records_only(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    now = utcnow()
    await f.book(db, await add_user(db), event, now=now - timedelta(hours=30))
    await f.book(db, await add_user(db), event, now=now)
    async with transaction(db.factory) as session:
        assert await idempotency.purge_expired_idempotency_records(session, now) == 1
    assert await _count(db, IdempotencyRecord) == 1


async def test_idempotency__concurrent_duplicates__one_booking(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    resident = await add_user(db)
    key = f.key()
    results = await asyncio.gather(
        *(f.book(db, resident, event, seats=2, idempotency_key=key) for _ in range(6))
    )
    assert len({r.booking.id for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 5
    assert await _count(db, Booking) == 1
    assert await f.seats_of(db, event.id) == (2, 2)
