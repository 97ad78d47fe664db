"""`send_reminders`: confirmed bookings of published events and of venue slots starting tomorrow
(Asia/Shanghai), once each however often the job runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.bookings.reminders import send_reminders
from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction
from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.timeutil import SHANGHAI
from tests.accounts.factories import add_user, token_for
from tests.bookings.factories import add_place, add_slot
from tests.catalog.factories import add_event
from tests.conftest import Database
from tests.notifications.factories import all_notifications
from tests.support.graphql import graphql_client

# 20:00 in Jiexiu on 23 November: "tomorrow" is the 24th, although in UTC it is still noon.
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=SHANGHAI)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


async def _book(db: Database, event_id: int, user_id: int, status: BookingStatus) -> int:
    async with transaction(db.factory) as session:
        row = Booking(user_id=user_id, event_id=event_id, seats=2, status=status, created_at=NOW)
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def _event(db: Database, title: str, start: datetime, **values: Any) -> int:
    async with transaction(db.factory) as session:
        row = await add_event(session, title, start, capacity=50, **values)
        assert row.id is not None
        return row.id


async def _run(db: Database, now: datetime) -> int:
    async with transaction(db.factory) as session:
        return await send_reminders(session, now)


async def test_reminders__tomorrow_confirmed_only__once_however_often_run(db: Database) -> None:
    users = [await add_user(db, openid=f"o-remind-{i}") for i in range(4)]
    ids = [u.id for u in users if u.id is not None]
    assert len(ids) == len(users)
    morning = await _event(db, "绵山寒食节开幕式", local(24, 10))
    late = await _event(db, "张壁古堡夜游", local(24, 23, 30))
    today = await _event(db, "今晚的秧歌", local(23, 21))
    after = await _event(db, "后天的讲座", local(25, 0, 0))
    cancelled = await _event(db, "已取消的展演", local(24, 9), status=catalog.EventStatus.CANCELLED)
    a = await _book(db, morning, ids[0], BookingStatus.CONFIRMED)
    await _book(db, morning, ids[1], BookingStatus.WAITLISTED)
    await _book(db, morning, ids[2], BookingStatus.CANCELLED)
    b = await _book(db, late, ids[1], BookingStatus.CONFIRMED)
    await _book(db, today, ids[3], BookingStatus.CONFIRMED)
    await _book(db, after, ids[3], BookingStatus.CONFIRMED)
    await _book(db, cancelled, ids[3], BookingStatus.CONFIRMED)

    first = await _run(db, NOW)
    second = await _run(db, NOW + timedelta(hours=1))

    assert (first, second) == (2, 0)
    rows = await all_notifications(db)
    assert [(r.user_id, r.kind) for r in rows] == [
        (ids[0], NotificationKind.REMINDER),
        (ids[1], NotificationKind.REMINDER),
    ]
    assert rows[0].data == {
        "eventId": to_global_id("Event", morning),
        "bookingId": to_global_id("Booking", a),
    }
    assert rows[0].title == "明天活动提醒：绵山寒食节开幕式"
    assert "11月24日 10:00" in rows[0].body and "共 2 人" in rows[0].body
    assert rows[1].data["bookingId"] == to_global_id("Booking", b)


async def test_reminders__event_moved_to_another_day__reminded_again(db: Database) -> None:
    user = await add_user(db, openid="o-remind-9")
    assert user.id is not None
    event = await _event(db, "介休干调演出", local(24, 19, 30))
    await _book(db, event, user.id, BookingStatus.CONFIRMED)
    assert await _run(db, NOW) == 1

    async with transaction(db.factory) as session:
        await session.execute(
            update(catalog.Event)
            .where(col(catalog.Event.id) == event)
            .values(start_at=local(26, 19, 30), end_at=local(26, 21))
        )

    assert await _run(db, NOW) == 0  # nothing tomorrow any more
    assert await _run(db, NOW + timedelta(days=2)) == 1  # the day before the new date
    assert await _run(db, NOW + timedelta(days=2)) == 0
    assert len(await all_notifications(db)) == 2


async def _book_slot(db: Database, slot_id: int, user_id: int, status: BookingStatus) -> int:
    async with transaction(db.factory) as session:
        row = Booking(
            user_id=user_id, venue_slot_id=slot_id, seats=3, status=status, created_at=NOW
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def test_reminders__venue_slot_tomorrow__reminded_once_however_often_run(
    db: Database,
) -> None:
    place = await add_place(db, "介休市博物馆")
    users = [await add_user(db, openid=f"o-visit-{i}", phone=f"1380000000{i}") for i in range(4)]
    ids = [u.id for u in users if u.id is not None]
    tomorrow = await add_slot(db, place, start_at=local(24, 9, 30))
    today = await add_slot(db, place, start_at=local(23, 21))
    later = await add_slot(db, place, start_at=local(25, 9))
    assert tomorrow.id is not None and today.id is not None and later.id is not None
    visit = await _book_slot(db, tomorrow.id, ids[0], BookingStatus.CONFIRMED)
    await _book_slot(db, tomorrow.id, ids[1], BookingStatus.CANCELLED)
    await _book_slot(db, today.id, ids[2], BookingStatus.CONFIRMED)
    await _book_slot(db, later.id, ids[3], BookingStatus.CONFIRMED)

    first = await _run(db, NOW)
    second = await _run(db, NOW + timedelta(minutes=5))

    assert (first, second) == (1, 0)
    [row] = await all_notifications(db)
    assert (row.user_id, row.kind) == (ids[0], NotificationKind.REMINDER)
    assert row.title == "明天参观提醒：介休市博物馆"
    assert "11月24日 09:30–10:30" in row.body and "共 3 人" in row.body
    assert not any(u.phone and u.phone in row.body for u in users)
    assert row.data == {
        "venueId": to_global_id("Venue", place.venue_id),
        "venueSlotId": to_global_id("VenueSlot", tomorrow.id),
        "bookingId": to_global_id("Booking", visit),
    }
    token = await token_for(db, users[0])
    async with graphql_client(db) as client:
        data = await client.data(
            "{ myNotifications { edges { node { kind title } } } }", token=token
        )
    assert data["myNotifications"]["edges"] == [
        {"node": {"kind": "REMINDER", "title": "明天参观提醒：介休市博物馆"}}
    ]
