"""cancelBooking: the owner alone, until the deadline; seats are released exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

CANCEL_BOOKING = """
mutation Cancel($id: ID!) {
  cancelBooking(id: $id) {
    __typename
    ... on CancelBookingSuccess { booking { id status cancelledAt checkInCode } }
    ... on BookingError { code field message }
  }
}
"""


async def test_cancel_booking__owner__cancelled_and_seats_released(db: Database) -> None:
    event = await f.add_event(db, capacity=5)
    resident = await add_user(db)
    booked = await f.book(db, resident, event, seats=3)
    async with graphql_client(db) as api:
        data = await api.data(
            CANCEL_BOOKING,
            {"id": gid("Booking", booked.booking.id)},
            token=await token_for(db, resident),
        )

    result = data["cancelBooking"]
    assert result["__typename"] == "CancelBookingSuccess", result
    assert result["booking"]["status"] == "CANCELLED"
    assert result["booking"]["cancelledAt"] is not None
    assert result["booking"]["checkInCode"] is None
    assert await f.seats_of(db, event.id) == (0, 0)
    kinds = [n.kind for n in await f.notifications(db)]
    assert kinds == [NotificationKind.BOOKING_CONFIRMED, NotificationKind.BOOKING_CANCELLED]


async def test_cancel_booking__someone_else__not_found_and_untouched(db: Database) -> None:
    event = await f.add_event(db, capacity=5)
    booked = await f.book(db, await add_user(db), event)
    stranger = await add_user(db)
    async with graphql_client(db) as api:
        data = await api.data(
            CANCEL_BOOKING,
            {"id": gid("Booking", booked.booking.id)},
            token=await token_for(db, stranger),
        )
    assert data["cancelBooking"]["code"] == "NOT_FOUND"
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_cancel_booking__after_deadline__refused(db: Database) -> None:
    event = await f.add_event(db, capacity=5, starts_in=timedelta(hours=1))
    booked = await f.book(db, await add_user(db), event)
    with pytest.raises(BookingFailed) as failure:
        await f.cancel(db, booked.booking)
    assert failure.value.reason is Code.CANCEL_DEADLINE_PASSED
    # Two hours and a minute before the start it was still possible.
    early = await f.cancel(db, booked.booking, now=event.start_at - timedelta(hours=2, minutes=1))
    assert early.status is BookingStatus.CANCELLED


async def test_cancel_booking__twice__answers_cancelled_releases_once(db: Database) -> None:
    event = await f.add_event(db, capacity=5)
    booked = await f.book(db, await add_user(db), event, seats=2)
    await f.book(db, await add_user(db), event, seats=2)
    first = await f.cancel(db, booked.booking)
    second = await f.cancel(db, booked.booking)
    assert (first.status, second.status) == (BookingStatus.CANCELLED,) * 2
    assert await f.seats_of(db, event.id) == (2, 2)
    cancelled = await f.notifications(db, NotificationKind.BOOKING_CANCELLED)
    assert len(cancelled) == 1


async def test_cancel_booking__checked_in__not_cancellable(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, starts_in=timedelta(minutes=30))
    booked = await f.book(db, await add_user(db), event)
    await f.check_in(db, await f.add_checker(db, place), booked, now=utcnow())
    with pytest.raises(BookingFailed) as failure:
        await f.cancel(db, booked.booking, now=event.start_at - timedelta(days=1))
    assert failure.value.reason is Code.NOT_CANCELLABLE
    assert await f.seats_of(db, event.id) == (1, 1)
