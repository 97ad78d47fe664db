"""bookEvent: confirmed with a QR code, waitlisted when full, every refusal with its code and
nothing written; the seat counter always equals the booked rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus, IdempotencyRecord
from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole
from culture_cloud.notifications.models import NotificationKind
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.ids import gid, pk_of

BOOK_EVENT = """
mutation Book($input: BookEventInput!) {
  bookEvent(input: $input) {
    __typename
    ... on BookingConfirmed { replayed booking { id status seats checkInCode attendees { name }
                                                 event { title remainingSeats } } }
    ... on BookingWaitlisted { replayed booking { id status waitlistedAt checkInCode } }
    ... on BookingError { code field message blockedUntil }
  }
}
"""


def _input(event_id: int | None, seats: int = 1, **values: Any) -> dict[str, Any]:
    return {
        "input": {
            "eventId": gid("Event", event_id),
            "seats": seats,
            "idempotencyKey": f.key(),
            **values,
        }
    }


async def _book(api: Any, token: str, event_id: int | None, seats: int = 1, **values: Any) -> Any:
    data = await api.data(BOOK_EVENT, _input(event_id, seats, **values), token=token)
    return data["bookEvent"]


async def test_book_event__seats_free__confirmed_with_qr_code(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, capacity=10)
    resident = await add_user(db)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, resident), event.id, seats=2)

    assert result["__typename"] == "BookingConfirmed", result
    booking = result["booking"]
    assert (booking["status"], booking["seats"], result["replayed"]) == ("CONFIRMED", 2, False)
    assert booking["event"] == {"title": "皮影戏专场", "remainingSeats": 8}
    assert booking["checkInCode"].startswith(f"{pk_of(booking['id'])}.")
    assert await f.seats_of(db, event.id) == (2, 2)
    [note] = await f.notifications(db)
    assert (note.kind, note.user_id, note.title) == (
        NotificationKind.BOOKING_CONFIRMED,
        resident.id,
        "预约成功",
    )
    assert note.data["bookingId"] == booking["id"]


async def test_book_event__full_with_waitlist__waitlisted_without_code(db: Database) -> None:
    event = await f.add_event(db, capacity=1, allow_waitlist=True)
    first, second = await add_user(db), await add_user(db)
    await f.book(db, first, event)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, second), event.id)

    assert result["__typename"] == "BookingWaitlisted", result
    assert result["booking"]["status"] == "WAITLISTED"
    assert result["booking"]["waitlistedAt"] is not None
    assert result["booking"]["checkInCode"] is None
    assert await f.seats_of(db, event.id) == (1, 1)
    # Only confirmations are announced; a waitlist entry is the answer itself.
    assert len(await f.notifications(db)) == 1


async def test_book_event__full_without_waitlist__sold_out_and_nothing_written(
    db: Database,
) -> None:
    event = await f.add_event(db, capacity=1)
    await f.book(db, await add_user(db), event)
    latecomer = await add_user(db)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, latecomer), event.id)

    assert (result["__typename"], result["code"]) == ("BookingError", "SOLD_OUT")
    assert len(await f.bookings_of(db, event.id)) == 1
    assert len(await f.notifications(db)) == 1
    async with db.factory() as session:
        assert await session.get(IdempotencyRecord, 2) is None
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_book_event__unlimited_capacity__always_confirmed(db: Database) -> None:
    event = await f.add_event(db, capacity=None)
    results = [await f.book(db, await add_user(db), event, seats=4) for _ in range(3)]
    assert {r.booking.status for r in results} == {BookingStatus.CONFIRMED}
    assert await f.seats_of(db, event.id) == (12, 12)


async def test_book_event__before_window__booking_not_open(db: Database) -> None:
    event = await f.add_event(db, booking_opens_at=utcnow() + timedelta(days=1))
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, await add_user(db)), event.id)
    assert (result["code"], result["field"]) == ("BOOKING_NOT_OPEN", "eventId")
    assert "开放" in result["message"]


async def test_book_event__after_window__booking_closed(db: Database) -> None:
    event = await f.add_event(db, booking_closes_at=utcnow() - timedelta(minutes=1))
    resident = await add_user(db)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, resident), event.id)
    assert result["code"] == "BOOKING_CLOSED"


async def test_book_event__no_window_and_started__booking_closed(db: Database) -> None:
    event = await f.add_event(db, starts_in=timedelta(minutes=-5), duration=timedelta(hours=2))
    resident = await add_user(db)
    # Exactly at the start it is already too late; a minute before it is not.
    on_time = await f.book(db, resident, event, now=event.start_at - timedelta(minutes=1))
    assert on_time.booking.status is BookingStatus.CONFIRMED
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, await add_user(db)), event.id)
    assert result["code"] == "BOOKING_CLOSED"


async def test_book_event__too_many_seats__limit_exceeded(db: Database) -> None:
    event = await f.add_event(db, capacity=50)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, await add_user(db)), event.id, 5)
    assert (result["code"], result["field"]) == ("LIMIT_EXCEEDED", "seats")


async def test_book_event__per_user_limit__limit_exceeded(db: Database) -> None:
    event = await f.add_event(db, capacity=50)
    rules = f.BookingRules(max_seats_per_booking=4, max_seats_per_user=2)
    resident = await add_user(db)
    with pytest.raises(BookingFailed) as failure:
        await f.book(db, resident, event, seats=3, rules=rules)
    assert (failure.value.reason, failure.value.field) == (Code.LIMIT_EXCEEDED, "seats")
    assert await f.bookings_of(db, event.id) == []


async def test_book_event__second_booking_same_event__already_booked(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    resident = await add_user(db)
    await f.book(db, resident, event)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, resident), event.id)
    assert result["code"] == "ALREADY_BOOKED"
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_book_event__cancelled_event__event_cancelled(db: Database) -> None:
    event = await f.add_event(db, status=EventStatus.CANCELLED)
    async with graphql_client(db) as api:
        result = await _book(api, await token_for(db, await add_user(db)), event.id)
    assert result["code"] == "EVENT_CANCELLED"


async def test_book_event__draft_or_missing__not_found(db: Database) -> None:
    draft = await f.add_event(db, status=EventStatus.DRAFT)
    async with graphql_client(db) as api:
        token = await token_for(db, await add_user(db))
        assert (await _book(api, token, draft.id))["code"] == "NOT_FOUND"
        assert (await _book(api, token, 999_999))["code"] == "NOT_FOUND"
        bad_id = await api.data(
            BOOK_EVENT,
            {"input": {"eventId": gid("Venue", 1), "seats": 1, "idempotencyKey": f.key()}},
            token=token,
        )
    assert bad_id["bookEvent"]["code"] == "INVALID_ID"


async def test_book_event__bad_input__bad_user_input_with_field(db: Database) -> None:
    event = await f.add_event(db, capacity=10)
    async with graphql_client(db) as api:
        token = await token_for(db, await add_user(db))
        no_seats = await _book(api, token, event.id, seats=0)
        short_key = await api.data(
            BOOK_EVENT,
            {"input": {"eventId": gid("Event", event.id), "idempotencyKey": "abc"}},
            token=token,
        )
        wrong_count = await _book(api, token, event.id, seats=2, attendees=[{"name": "张三"}])
    assert (no_seats["code"], no_seats["field"]) == ("BAD_USER_INPUT", "seats")
    assert short_key["bookEvent"]["field"] == "idempotencyKey"
    assert (wrong_count["code"], wrong_count["field"]) == ("BAD_USER_INPUT", "attendees")
    assert await f.bookings_of(db, event.id) == []


async def test_book_event__real_name_required__names_needed(db: Database) -> None:
    event = await f.add_event(db, capacity=10, real_name_required=True)
    async with graphql_client(db) as api:
        token = await token_for(db, await add_user(db))
        missing = await _book(api, token, event.id, seats=2)
        given = await _book(
            api, token, event.id, seats=2, attendees=[{"name": "张三"}, {"name": "李四"}]
        )
    assert (missing["code"], missing["field"]) == ("BAD_USER_INPUT", "attendees")
    assert given["__typename"] == "BookingConfirmed", given
    assert given["booking"]["attendees"] == [{"name": "张三"}, {"name": "李四"}]


def _wrong_check_character(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


async def test_book_event__id_number_without_consent__refused(db: Database) -> None:
    event = await f.add_event(db, capacity=10, real_name_required=True)
    attendee = {"name": "张三", "idNumber": f.id_number()}
    async with graphql_client(db) as api:
        token = await token_for(db, await add_user(db))
        refused = await _book(api, token, event.id, attendees=[attendee])
        invalid = await _book(
            api,
            token,
            event.id,
            attendees=[{"name": "张三", "idNumber": _wrong_check_character(f.id_number())}],
            idNumberConsent=True,
        )
    assert (refused["code"], refused["field"]) == ("BAD_USER_INPUT", "idNumberConsent")
    assert (invalid["code"], invalid["field"]) == ("BAD_USER_INPUT", "attendees.0.idNumber")
    assert await f.bookings_of(db, event.id) == []


async def test_book_event__caller_not_resident__refused_top_level(db: Database) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place)
    checker = await f.add_checker(db, place, StaffRole.CHECKER)
    async with graphql_client(db) as api:
        anonymous = await api.error_codes(BOOK_EVENT, _input(event.id))
        staff = await api.error_codes(
            BOOK_EVENT, _input(event.id), token=await token_for(db, checker)
        )
    assert anonymous == ["UNAUTHENTICATED"]
    assert staff == ["FORBIDDEN"]
