"""Concurrent event bookings in one process share statements (bookings/hot_path.py
CONFIRMED_WRITES and CONTEXT_READS, on PostgreSQL). These tests make sure the sharing really
happens, and that a batch never changes an answer: each booking gets exactly what it would
have got alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.bookings import hot_path
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.targets import TargetRef
from culture_cloud.notifications.models import Notification
from tests.accounts.factories import add_residents
from tests.bookings import factories as f
from tests.conftest import Database

pytestmark = pytest.mark.postgres_only


async def _attempt(db: Database, user_id: int, event_id: int, **kwargs: Any) -> str:
    try:
        result = await f.book(db, user_id, event_id, **kwargs)
    except BookingFailed as exc:
        return exc.reason.value
    return result.outcome.value


async def _messages_to(db: Database, user_ids: list[int]) -> int:
    async with db.factory() as session:
        query = select(func.count()).where(col(Notification.user_id).in_(user_ids))
        return int((await session.execute(query)).scalar_one())


@pytest.fixture
def write_batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of the write statements the bookings were sent in."""
    sizes: list[int] = []
    write_batch = hot_path.write_batch

    async def recording(
        session: AsyncSession, ref: TargetRef, batch: list[hot_path.PendingWrite]
    ) -> bool:
        sizes.append(len(batch))
        return await write_batch(session, ref, batch)

    monkeypatch.setattr(hot_path, "write_batch", recording)
    return sizes


async def test_book_event__60_concurrent_in_one_process__fewer_statements_than_bookings(
    pg: Database, write_batches: list[int]
) -> None:
    event = await f.add_event(pg, capacity=100)
    users = await add_residents(pg, 60)
    reads: list[int] = []
    read_contexts = hot_path.CONTEXT_READS._run

    async def recording_reads(requests: list[Any]) -> list[Any]:
        reads.append(len(requests))
        return await read_contexts(requests)

    hot_path.CONTEXT_READS._run = recording_reads
    try:
        outcomes = await asyncio.gather(*(_attempt(pg, u, event.id) for u in users))
    finally:
        hot_path.CONTEXT_READS._run = read_contexts

    assert outcomes == ["confirmed"] * 60
    assert await _messages_to(pg, users) == 60
    assert sum(write_batches) == 60 and len(write_batches) < 60, write_batches
    assert sum(reads) == 60 and len(reads) < 60, reads
    assert await f.seats_of(pg, event.id) == (60, 60)
    assert {b.user_id for b in await f.bookings_of(pg, event.id)} == set(users)
    print(f"\n60 bookings in {len(reads)} reads and {len(write_batches)} writes: {write_batches}")


async def test_book_event__batch_does_not_fit__each_tried_alone_and_exactly_capacity_sold(
    pg: Database, write_batches: list[int]
) -> None:
    event = await f.add_event(pg, capacity=7)
    users = await add_residents(pg, 30)

    outcomes = await asyncio.gather(*(_attempt(pg, u, event.id) for u in users))

    assert outcomes.count("confirmed") == 7
    assert outcomes.count("SOLD_OUT") == 23
    assert await f.seats_of(pg, event.id) == (7, 7)
    assert await _messages_to(pg, users) == 7


async def test_book_event__same_user_twice_in_one_batch__one_booked_others_unaffected(
    pg: Database, write_batches: list[int]
) -> None:
    """Two requests of one user with different keys share a batch: the unique index refuses
    the statement, each is retried alone, and only the duplicate is refused."""
    event = await f.add_event(pg, capacity=50)
    users = await add_residents(pg, 20)
    twice = users[0]

    outcomes = await asyncio.gather(
        *(_attempt(pg, u, event.id) for u in users), _attempt(pg, twice, event.id)
    )

    assert outcomes.count("confirmed") == 20
    assert outcomes.count("ALREADY_BOOKED") == 1
    booked = [b.user_id for b in await f.bookings_of(pg, event.id)]
    assert sorted(booked) == sorted(users)
    assert await f.seats_of(pg, event.id) == (20, 20)


async def test_book_event__same_key_retried_concurrently__booked_once_and_replayed(
    pg: Database, write_batches: list[int]
) -> None:
    """A phone retrying while its first request is still running: one booking, and every
    answer names it."""
    event = await f.add_event(pg, capacity=50)
    [user] = await add_residents(pg, 1)
    key = f.key()

    results = await asyncio.gather(
        *(f.book(pg, user, event.id, idempotency_key=key) for _ in range(5))
    )

    assert len({r.booking.id for r in results}) == 1
    assert [r.replayed for r in results].count(False) == 1
    assert await f.seats_of(pg, event.id) == (1, 1)
