"""Staff cancel an event (publishing's cancelEvent): all its bookings are cancelled and every
booker is notified in the same transaction; a postponement tells bookers the new time."""

from __future__ import annotations

from datetime import timedelta

from culture_cloud.bookings import cancellation, transactions
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.catalog.models import Event
from culture_cloud.identity import StaffRole
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid

CANCEL_EVENT = """
mutation CancelEvent($id: ID!, $reason: String!) {
  cancelEvent(id: $id, reason: $reason) { __typename ... on UserError { code } }
}
"""

POSTPONE_EVENT = """
mutation Postpone($id: ID!, $reason: String!, $start: DateTime) {
  postponeEvent(id: $id, reason: $reason, newStartAt: $start) {
    __typename ... on UserError { code }
  }
}
"""


async def test_cancel_event__bookings_cancelled_and_every_booker_told(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, capacity=3, allow_waitlist=True)
    confirmed = [await f.book(db, await add_user(db), event, seats=s) for s in (1, 2)]
    waiting = await f.book(db, await add_user(db), event)
    editor = await f.add_checker(db, place, StaffRole.EDITOR)

    async with graphql_client(db) as api:
        data = await api.data(
            CANCEL_EVENT,
            {"id": gid("Event", event.id), "reason": "暴雨预警"},
            token=await token_for(db, editor),
        )

    assert data["cancelEvent"]["__typename"] == "CancelEventSuccess", data
    rows = await f.bookings_of(db, event.id)
    assert {row.status for row in rows} == {BookingStatus.CANCELLED}
    assert {row.cancel_reason for row in rows} == {"暴雨预警"}
    assert await f.seats_of(db, event.id) == (0, 0)
    told = await f.notifications(db, NotificationKind.EVENT_CANCELLED)
    bookers = {r.booking.user_id for r in [*confirmed, waiting]}
    assert {n.user_id for n in told} == bookers and len(told) == 3
    assert all("暴雨预警" in n.body and n.title == "活动取消通知" for n in told)


async def test_cancel_event_bookings__run_twice__nothing_more(db: Database) -> None:
    event = await f.add_event(db, capacity=3)
    await f.book(db, await add_user(db), event)
    async with transactions.write_transaction(db.factory) as session:
        row = await session.get(Event, event.id)
        assert await cancellation.cancel_event_bookings(session, row, "场地维修") == 1
        assert await cancellation.cancel_event_bookings(session, row, "场地维修") == 0
    assert len(await f.notifications(db, NotificationKind.EVENT_CANCELLED)) == 1


async def test_postpone_event__bookings_kept_and_bookers_told(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, capacity=3)
    booked = await f.book(db, await add_user(db), event)
    editor = await f.add_checker(db, place, StaffRole.EDITOR)
    new_start = (event.start_at + timedelta(days=7)).isoformat()
    async with graphql_client(db) as api:
        data = await api.data(
            POSTPONE_EVENT,
            {"id": gid("Event", event.id), "reason": "演员临时生病", "start": new_start},
            token=await token_for(db, editor),
        )
    assert data["postponeEvent"]["__typename"] == "PostponeEventSuccess", data
    [row] = await f.bookings_of(db, event.id)
    assert row.status is BookingStatus.CONFIRMED
    [note] = await f.notifications(db, NotificationKind.EVENT_CHANGED)
    assert note.user_id == booked.booking.user_id and "演员临时生病" in note.body
