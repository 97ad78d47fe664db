"""Waitlist promotion: released seats go to the waitlist in FIFO order in the cancelling
transaction, whole bookings only, each booking at most once."""

from __future__ import annotations

from datetime import timedelta

from culture_cloud.bookings import requests
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.bookings.test_cancel_booking import CANCEL_BOOKING
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

MY_BOOKINGS = "{ myBookings { edges { node { id status checkInCode } } } }"
RAISE_CAPACITY = """
mutation RaiseCapacity($id: ID!, $capacity: Int) {
  updateEvent(id: $id, input: { capacity: $capacity }) {
    __typename
    ... on UserError { code field message }
  }
}
"""


async def _waitlist(db: Database, event_id: int, sizes: list[int]) -> list[requests.BookingResult]:
    start = utcnow()
    results = []
    for i, seats in enumerate(sizes):
        results.append(
            await f.book(db, await add_user(db), event_id, seats, now=start + timedelta(seconds=i))
        )
    assert {r.booking.status for r in results} == {BookingStatus.WAITLISTED}
    return results


async def test_waitlist__seat_released__first_in_line_promoted_and_told(db: Database) -> None:
    event = await f.add_event(db, capacity=2, allow_waitlist=True)
    holder = await add_user(db)
    held = await f.book(db, holder, event, seats=2)
    first, second = await _waitlist(db, event.id, [1, 1])

    async with graphql_client(db) as api:
        cancelled = await api.data(
            CANCEL_BOOKING,
            {"id": gid("Booking", held.booking.id)},
            token=await token_for(db, holder),
        )
        assert cancelled["cancelBooking"]["booking"]["status"] == "CANCELLED"
        mine = await api.data(MY_BOOKINGS, token=await token_for(db, first.booking.user_id))

    statuses = {b.id: b.status for b in await f.bookings_of(db, event.id)}
    assert statuses[first.booking.id] is BookingStatus.CONFIRMED
    assert statuses[second.booking.id] is BookingStatus.CONFIRMED
    assert await f.seats_of(db, event.id) == (2, 2)
    [node] = [e["node"] for e in mine["myBookings"]["edges"]]
    # The promoted booking now has its own check-in code.
    assert node["status"] == "CONFIRMED" and node["checkInCode"]
    promoted = await f.notifications(db, NotificationKind.PROMOTED_FROM_WAITLIST)
    assert sorted(n.user_id for n in promoted) == sorted(
        [first.booking.user_id, second.booking.user_id]
    )


async def test_waitlist__fifo__earlier_entries_first(db: Database) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    held = await f.book(db, await add_user(db), event)
    queue = await _waitlist(db, event.id, [1, 1, 1])

    await f.cancel(db, held.booking)
    statuses = {b.id: b.status for b in await f.bookings_of(db, event.id)}
    assert [statuses[r.booking.id] for r in queue] == [
        BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED,
        BookingStatus.WAITLISTED,
    ]

    await f.cancel(db, queue[0].booking)
    statuses = {b.id: b.status for b in await f.bookings_of(db, event.id)}
    assert [statuses[r.booking.id] for r in queue[1:]] == [
        BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED,
    ]
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_waitlist__only_whole_bookings__larger_entry_keeps_its_place(
    db: Database,
) -> None:
    event = await f.add_event(db, capacity=3, allow_waitlist=True)
    small = await f.book(db, await add_user(db), event, seats=1)
    await f.book(db, await add_user(db), event, seats=2)
    family, single = await _waitlist(db, event.id, [3, 1])

    await f.cancel(db, small.booking)
    statuses = {b.id: b.status for b in await f.bookings_of(db, event.id)}
    assert statuses[family.booking.id] is BookingStatus.WAITLISTED
    assert statuses[single.booking.id] is BookingStatus.CONFIRMED
    assert await f.seats_of(db, event.id) == (3, 3)


async def test_waitlist__leaving_the_waitlist__no_seat_change(db: Database) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    await f.book(db, await add_user(db), event)
    [waiting] = await _waitlist(db, event.id, [1])
    left = await f.cancel(db, waiting.booking, now=event.start_at - timedelta(minutes=5))
    assert left.status is BookingStatus.CANCELLED
    assert await f.seats_of(db, event.id) == (1, 1)
    assert await f.notifications(db, NotificationKind.PROMOTED_FROM_WAITLIST) == []


async def test_waitlist__capacity_raised_by_staff__promotes_at_once(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, capacity=1, allow_waitlist=True)
    await f.book(db, await add_user(db), event)
    queue = await _waitlist(db, event.id, [1, 1, 1])
    editor = await f.add_checker(db, place, StaffRole.EDITOR)

    async with graphql_client(db) as api:
        data = await api.data(
            RAISE_CAPACITY,
            {"id": gid("Event", event.id), "capacity": 3},
            token=await token_for(db, editor),
        )

    assert data["updateEvent"]["__typename"] == "UpdateEventSuccess", data
    statuses = [b.status for b in await f.bookings_of(db, event.id)]
    assert statuses.count(BookingStatus.CONFIRMED) == 3
    assert {b.id: b.status for b in await f.bookings_of(db, event.id)}[
        queue[2].booking.id
    ] is BookingStatus.WAITLISTED
    assert await f.seats_of(db, event.id) == (3, 3)
