"""Bookings are personal data: exportMyData lists them for their owner (ID numbers readable);
deleteMyAccount gives future seats back to the waitlist and erases attendees' names."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from culture_cloud.bookings.models import BookingStatus
from culture_cloud.catalog.models import Event
from culture_cloud.db import transaction, utcnow
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

EXPORT = "mutation { exportMyData { data } }"
DELETE = "mutation { deleteMyAccount { ok } }"


async def test_export_my_data__bookings__listed_with_own_id_numbers(db: Database) -> None:
    event = await f.add_event(db, capacity=5, title="介休博物馆琉璃讲座")
    resident = await add_user(db)
    attendee = f.requests.AttendeeInput(name="张三", id_number=f.id_number())
    booked = await f.book(db, resident, event, attendees=(attendee,), consent=True)
    other = await add_user(db)
    await f.book(db, other, event)

    async with graphql_client(db) as api:
        data = (await api.data(EXPORT, token=await token_for(db, resident)))["exportMyData"]

    [entry] = data["data"]["bookings"]
    assert entry["id"] == gid("Booking", booked.booking.id)
    assert (entry["eventTitle"], entry["seats"], entry["status"]) == (
        "介休博物馆琉璃讲座",
        1,
        "confirmed",
    )
    assert entry["attendees"] == [{"name": "张三", "idNumber": f.id_number()}]
    assert entry["idNumberConsentAt"] is not None


async def test_delete_my_account__future_booking__seat_goes_to_waitlist(db: Database) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    leaving = await add_user(db)
    held = await f.book(db, leaving, event, attendees=(f.requests.AttendeeInput(name="李四"),))
    waiting = await f.book(db, await add_user(db), event)
    assert waiting.booking.status is BookingStatus.WAITLISTED

    async with graphql_client(db) as api:
        assert await api.data(DELETE, token=await token_for(db, leaving)) == {
            "deleteMyAccount": {"ok": True}
        }

    rows = {b.id: b for b in await f.bookings_of(db, event.id)}
    assert rows[held.booking.id].status is BookingStatus.CANCELLED
    assert rows[held.booking.id].cancel_reason == "账号注销"
    assert rows[held.booking.id].attendees == []
    assert rows[waiting.booking.id].status is BookingStatus.CONFIRMED
    assert await f.seats_of(db, event.id) == (1, 1)
    # The waiting resident hears of the promotion; nobody writes to the deleted account.
    promoted = await f.notifications(db, NotificationKind.PROMOTED_FROM_WAITLIST)
    assert [n.user_id for n in promoted] == [waiting.booking.user_id]
    cancelled = await f.notifications(db, NotificationKind.BOOKING_CANCELLED)
    assert cancelled == []


async def test_delete_my_account__within_cancel_deadline__seat_still_released(
    db: Database,
) -> None:
    """The owner could no longer cancel an hour before the start; leaving still frees it."""
    event = await f.add_event(db, capacity=3, starts_in=timedelta(hours=1))
    leaving = await add_user(db)
    held = await f.book(db, leaving, event, seats=2)

    async with graphql_client(db) as api:
        await api.data(DELETE, token=await token_for(db, leaving))

    [row] = await f.bookings_of(db, event.id)
    assert row.id == held.booking.id and row.status is BookingStatus.CANCELLED
    assert await f.seats_of(db, event.id) == (0, 0)


async def test_delete_my_account__started_event__booking_kept_names_erased(
    db: Database,
) -> None:
    event = await f.add_event(db, capacity=3)
    leaving = await add_user(db)
    held = await f.book(db, leaving, event, attendees=(f.requests.AttendeeInput(name="王五"),))
    async with transaction(db.factory) as session:  # the event has begun since
        await session.execute(
            update(Event)
            .where(Event.id == event.id)  # type: ignore[arg-type]
            .values(start_at=utcnow() - timedelta(minutes=10))
        )

    async with graphql_client(db) as api:
        await api.data(DELETE, token=await token_for(db, leaving))

    [row] = await f.bookings_of(db, event.id)
    assert row.id == held.booking.id and row.status is BookingStatus.CONFIRMED
    assert row.attendees == [] and row.id_number_consent_at is None
    assert await f.seats_of(db, event.id) == (1, 1)
