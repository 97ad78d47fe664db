"""updateEvent meets bookings: more seats go to the waitlist first; a real-name requirement
set by staff is shown on the event and enforced at booking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.bookings.errors import BookingErrorCode
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.global_ids import from_global_id
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as bookings
from tests.bookings.test_book_event import BOOK_EVENT
from tests.conftest import Database
from tests.publishing.factories import UPDATE_EVENT, World


async def _bookable_event(world: World, **overrides: Any) -> tuple[str, int]:
    event = await world.published_event(
        "museum-editor", bookingOpensAt=None, allowWaitlist=True, **overrides
    )
    return event["id"], from_global_id(event["id"])[1]


async def test_update_event__capacity_raised__waitlist_promoted_in_order(
    world: World, db: Database
) -> None:
    event_gid, event_id = await _bookable_event(world, capacity=2)
    await bookings.book(db, await add_user(db), event_id, seats=2)
    start = utcnow()
    queue = [
        await bookings.book(db, await add_user(db), event_id, 1, now=start + timedelta(seconds=i))
        for i in range(3)
    ]
    assert {r.booking.status for r in queue} == {BookingStatus.WAITLISTED}

    data = await world.api.data(
        UPDATE_EVENT,
        {"id": event_gid, "input": {"capacity": 4}},
        token=await world.token("museum-editor"),
    )

    event = data["updateEvent"]["event"]
    assert (event["capacity"], event["remainingSeats"]) == (4, 0)
    statuses = {b.id: b.status for b in await bookings.bookings_of(db, event_id)}
    assert [statuses[r.booking.id] for r in queue] == [
        BookingStatus.CONFIRMED,
        BookingStatus.CONFIRMED,
        BookingStatus.WAITLISTED,
    ]
    assert await bookings.seats_of(db, event_id) == (4, 4)
    told = await bookings.notifications(db, NotificationKind.PROMOTED_FROM_WAITLIST)
    assert sorted(n.user_id for n in told) == sorted(r.booking.user_id for r in queue[:2])


async def test_update_event__capacity_unchanged__waitlist_stays(world: World, db: Database) -> None:
    event_gid, event_id = await _bookable_event(world, capacity=1)
    await bookings.book(db, await add_user(db), event_id)
    waiting = await bookings.book(db, await add_user(db), event_id)

    await world.api.data(
        UPDATE_EVENT,
        {"id": event_gid, "input": {"title": "介休琉璃艺术讲座（加场）"}},
        token=await world.token("museum-editor"),
    )

    [row] = [b for b in await bookings.bookings_of(db, event_id) if b.id == waiting.booking.id]
    assert row.status is BookingStatus.WAITLISTED
    assert await bookings.notifications(db, NotificationKind.PROMOTED_FROM_WAITLIST) == []


async def test_real_name_required__set_by_staff__shown_and_enforced(
    world: World, db: Database
) -> None:
    event_gid, _ = await _bookable_event(world, capacity=10)
    data = await world.api.data(
        UPDATE_EVENT,
        {"id": event_gid, "input": {"realNameRequired": True}},
        token=await world.token("museum-editor"),
    )
    assert data["updateEvent"]["event"]["realNameRequired"] is True

    resident = await add_user(db)
    token = await token_for(db, resident)
    without = await world.api.data(
        BOOK_EVENT,
        {"input": {"eventId": event_gid, "seats": 1, "idempotencyKey": bookings.key()}},
        token=token,
    )
    with_names = await world.api.data(
        BOOK_EVENT,
        {
            "input": {
                "eventId": event_gid,
                "seats": 1,
                "idempotencyKey": bookings.key(),
                "attendees": [{"name": "王小明"}],
            }
        },
        token=token,
    )

    refused = without["bookEvent"]
    assert (refused["code"], refused["field"]) == (
        BookingErrorCode.BAD_USER_INPUT.value,
        "attendees",
    )
    assert with_names["bookEvent"]["__typename"] == "BookingConfirmed"
    assert with_names["bookEvent"]["booking"]["attendees"] == [{"name": "王小明"}]


async def test_real_name_required__create_event_input__stored(world: World) -> None:
    created = await world.create_event("museum-editor", realNameRequired=True)
    assert created["event"]["realNameRequired"] is True
