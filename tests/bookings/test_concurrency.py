"""Races on PostgreSQL, through the service on separate sessions spread over several engines
(one pool each, as separate server processes have): no oversell, one release per cancel,
FIFO promotion while people book and cancel at once. Each with the numbers it measured."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import update

from culture_cloud.bookings import hot_statements
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.db import create_engine, create_session_factory, utcnow
from tests.accounts.factories import add_residents, add_user
from tests.bookings import factories as f
from tests.conftest import Database

pytestmark = pytest.mark.postgres_only

ATTEMPTS = 200
CAPACITY = 50
CONTROL_RUSHES = 5


# Each with its own engine and pool, as server processes have: requests of one process share
# batched statements (batching.py), so the races that matter are between processes.
PROCESSES = 4


@asynccontextmanager
async def _processes(db: Database) -> AsyncIterator[list[Database]]:
    engines = [create_engine(db.settings) for _ in range(PROCESSES)]
    try:
        yield [replace(db, engine=e, factory=create_session_factory(e)) for e in engines]
    finally:
        for engine in engines:
            await engine.dispose()


async def _rush(db: Database, event_id: int, user_ids: list[int]) -> list[str]:
    async with _processes(db) as processes:

        async def attempt(i: int, user_id: int) -> str:
            try:
                result = await f.book(processes[i % PROCESSES], user_id, event_id)
            except BookingFailed as exc:
                return exc.reason.value
            return result.outcome.value

        return list(await asyncio.gather(*(attempt(i, u) for i, u in enumerate(user_ids))))


async def test_book_event__200_concurrent_against_50__exactly_50_confirmed(pg: Database) -> None:
    event = await f.add_event(pg, capacity=CAPACITY, allow_waitlist=True)
    users = await add_residents(pg, ATTEMPTS)

    started = time.perf_counter()
    outcomes = await _rush(pg, event.id, users)
    elapsed = time.perf_counter() - started

    assert outcomes.count("confirmed") == CAPACITY
    assert outcomes.count("waitlisted") == ATTEMPTS - CAPACITY
    assert await f.seats_of(pg, event.id) == (CAPACITY, CAPACITY)
    print(f"\n{ATTEMPTS} concurrent bookings, capacity {CAPACITY}: {elapsed:.2f}s")


async def test_book_event__200_concurrent_no_waitlist__rest_sold_out(pg: Database) -> None:
    event = await f.add_event(pg, capacity=CAPACITY)
    outcomes = await _rush(pg, event.id, await add_residents(pg, ATTEMPTS))
    assert outcomes.count("confirmed") == CAPACITY
    assert outcomes.count("SOLD_OUT") == ATTEMPTS - CAPACITY
    assert await f.seats_of(pg, event.id) == (CAPACITY, CAPACITY)


async def test_book_event__protection_disabled__control_run_oversells(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check-then-increment: the booking's read compares the remaining seats in Python and
    the write adds its seats unconditionally. The same rush must catch the oversell that the
    conditional UPDATE prevents, or the tests above prove nothing."""

    def unconditional_take_seats_of(kind: Any, target_id: Any, seats: Any, **_: Any) -> Any:
        table = kind.table
        return (
            update(table)
            .where(table.c.id == target_id)
            .values(booked_seats=table.c.booked_seats + seats)
            .returning(table.c.booked_seats, table.c.capacity)
        )

    statements = (
        hot_statements.confirmed_booking_statement,
        hot_statements.confirmed_batch_statement,
    )
    monkeypatch.setattr(hot_statements, "take_seats_of", unconditional_take_seats_of)
    for statement in statements:
        statement.cache_clear()
    # Whether four pools' requests interleave closely enough to race is up to the scheduler:
    # about one rush in four here runs in lockstep and sells exactly the capacity. A few fresh
    # rushes make the control deterministic enough without weakening it: one oversold rush
    # proves the rush can catch what the conditional UPDATE prevents.
    runs: list[int] = []
    try:
        for _ in range(CONTROL_RUSHES):
            event = await f.add_event(pg, capacity=CAPACITY, allow_waitlist=True)
            outcomes = await _rush(pg, event.id, await add_residents(pg, ATTEMPTS))
            runs.append(outcomes.count("confirmed"))
            if runs[-1] > CAPACITY:
                break
    finally:
        for statement in statements:
            statement.cache_clear()

    print(f"\ncontrol runs without the conditional UPDATE: {runs} confirmed of {CAPACITY}")
    assert max(runs) > CAPACITY


async def test_cancel_booking__concurrent_double_cancel__released_once(pg: Database) -> None:
    event = await f.add_event(pg, capacity=10)
    target = await f.book(pg, await add_user(pg), event, seats=3)
    await f.book(pg, await add_user(pg), event, seats=2)

    results = await asyncio.gather(*(f.cancel(pg, target.booking) for _ in range(10)))

    assert {r.status for r in results} == {BookingStatus.CANCELLED}
    assert await f.seats_of(pg, event.id) == (2, 2)
    assert len(await f.notifications(pg, f.NotificationKind.BOOKING_CANCELLED)) == 1


async def test_cancel_book_promote__concurrently__within_capacity_and_fifo(pg: Database) -> None:
    capacity, leaving, queued, newcomers = 10, 6, 20, 20
    event = await f.add_event(pg, capacity=capacity, allow_waitlist=True)
    holders = [await f.book(pg, u, event) for u in await add_residents(pg, capacity)]
    queue = [await f.book(pg, u, event) for u in await add_residents(pg, queued)]
    assert {r.booking.status for r in queue} == {BookingStatus.WAITLISTED}
    late_users = await add_residents(pg, newcomers)

    await asyncio.gather(
        *(f.cancel(pg, h.booking) for h in holders[:leaving]),
        *(f.book(pg, u, event, now=utcnow()) for u in late_users),
    )

    rows = {row.id: row for row in await f.bookings_of(pg, event.id)}
    seated = [r for r in rows.values() if r.status is BookingStatus.CONFIRMED]
    assert sum(r.seats for r in seated) == capacity
    assert await f.seats_of(pg, event.id) == (capacity, capacity)
    # FIFO: exactly the first `leaving` of the queue moved up; nobody who came later did.
    promoted = [rows[r.booking.id].status is BookingStatus.CONFIRMED for r in queue]
    assert promoted == [True] * leaving + [False] * (queued - leaving)
    late = [r for r in rows.values() if r.user_id in set(late_users)]
    assert {r.status for r in late} == {BookingStatus.WAITLISTED}
    # Each person at most once: one active booking per user.
    active = [r.user_id for r in rows.values() if r.status is not BookingStatus.CANCELLED]
    assert len(active) == len(set(active))
