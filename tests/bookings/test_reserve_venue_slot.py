"""reserveVenueSlot: the same rules, idempotency and guarantees as bookEvent (one code path);
slots have no waitlist and a per-venue-and-day seat limit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from culture_cloud.bookings import requests, service
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus, VenueSlot
from culture_cloud.bookings.targets import TargetKind, TargetRef
from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

RESERVE = """
mutation Reserve($input: ReserveVenueSlotInput!) {
  reserveVenueSlot(input: $input) {
    __typename
    ... on BookingConfirmed { booking { status seats venueSlot { id remainingSeats } event { id } } }
    ... on BookingError { code field }
  }
}
"""


async def test_reserve_venue_slot__seats_free__confirmed(db: Database) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, capacity=3)
    resident = await add_user(db)
    variables = {
        "input": {"slotId": gid("VenueSlot", slot.id), "seats": 2, "idempotencyKey": f.key()}
    }
    async with graphql_client(db) as api:
        data = await api.data(RESERVE, variables, token=await token_for(db, resident))
    result = data["reserveVenueSlot"]
    assert result["__typename"] == "BookingConfirmed", result
    assert result["booking"]["venueSlot"]["remainingSeats"] == 1
    assert result["booking"]["event"] is None


async def _reserve(
    db: Database, user_id: int, slot: VenueSlot, seats: int = 1, *, now: datetime | None = None
) -> requests.BookingResult:
    assert slot.id is not None
    return await service.book(
        db.factory,
        db.settings,
        actor=f.resident_actor(user_id, now),
        target=TargetRef(TargetKind.VENUE_SLOT, slot.id),
        request=f.request(seats),
    )


async def test_reserve_venue_slot__full__sold_out_no_waitlist(db: Database) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, capacity=2)
    await _reserve(db, await f.resident_id(db), slot, 2)
    with pytest.raises(BookingFailed) as failure:
        await _reserve(db, await f.resident_id(db), slot)
    assert failure.value.reason is Code.SOLD_OUT
    async with db.factory() as session:
        row = await session.get(VenueSlot, slot.id)
    assert row is not None and row.booked_seats == 2


async def test_reserve_venue_slot__same_venue_same_day__per_user_limit(db: Database) -> None:
    place = await f.add_place(db)
    tomorrow = local_today(utcnow()) + timedelta(days=1)
    morning = await f.add_slot(db, place, start_at=f.catalog.shanghai(tomorrow, 9), capacity=10)
    later = await f.add_slot(db, place, start_at=f.catalog.shanghai(tomorrow, 10), capacity=10)
    user_id = await f.resident_id(db)
    await _reserve(db, user_id, morning, 3)
    with pytest.raises(BookingFailed) as failure:
        await _reserve(db, user_id, later, 2)
    assert (failure.value.reason, failure.value.field) == (Code.LIMIT_EXCEEDED, "seats")
    assert (await _reserve(db, user_id, later, 1)).booking.status is BookingStatus.CONFIRMED
    with pytest.raises(BookingFailed) as again:
        await _reserve(db, user_id, later, 1)
    assert again.value.reason is Code.ALREADY_BOOKED


async def test_reserve_venue_slot__too_far_ahead__not_open(db: Database) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, starts_in=timedelta(days=9))
    with pytest.raises(BookingFailed) as failure:
        await _reserve(db, await f.resident_id(db), slot)
    assert failure.value.reason is Code.BOOKING_NOT_OPEN


async def test_reserve_venue_slot__cancelled__seats_back(db: Database) -> None:
    place = await f.add_place(db)
    slot = await f.add_slot(db, place, capacity=2)
    result = await _reserve(db, await f.resident_id(db), slot, 2)
    await f.cancel(db, result.booking)
    async with db.factory() as session:
        row = await session.get(VenueSlot, slot.id)
    assert row is not None and row.booked_seats == 0
