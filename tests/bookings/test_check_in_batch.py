"""checkInBatch: check-ins a door phone queued offline arrive later, are applied once however
often they are sent, and each gets its own answer; a bad item never stops the batch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from culture_cloud.bookings import attendance, transactions
from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_staff, add_user
from tests.bookings import factories as f
from tests.bookings.door import CHECK_IN, CHECK_IN_BATCH, door_world, scan
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix


async def _batch(
    api: GraphQLClient, user: Any, items: list[dict[str, Any]], **scope: str
) -> dict[str, Any]:
    data = await api.data(CHECK_IN_BATCH, {"items": items, **scope}, user=user)
    result: dict[str, Any] = data["checkInBatch"]
    return result


def _outcomes(batch: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(r["outcome"], r["reason"]) for r in batch["results"]]


async def _booking(db: Database, booking_id: int | None) -> Booking:
    async with db.factory() as session:
        row = await session.get(Booking, booking_id)
    assert row is not None
    return row


async def test_check_in_batch__queued_scans__applied_once_however_often_sent(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    scanned_at = utcnow() - timedelta(minutes=3)  # while the phone was offline
    items = [scan(door.zhang[1], at=scanned_at), scan(door.li[1], at=scanned_at)]

    first = await _batch(api, door.checker, items, eventId=door.event_id)
    again = await _batch(api, door.checker, items, eventId=door.event_id)

    assert _outcomes(first) == [("CHECKED_IN", None), ("CHECKED_IN", None)]
    assert first["checkedInSeats"] == 3
    assert [r["clientRef"] for r in first["results"]] == [i["clientRef"] for i in items]
    assert first["results"][0]["entry"]["bookerName"] == "张**"
    assert first["results"][0]["entry"]["status"] == "CHECKED_IN"
    # Sent again (the answer was lost): reported as done, by this very scan, nothing changes.
    assert _outcomes(again) == [("ALREADY_CHECKED_IN", "ALREADY_CHECKED_IN")] * 2
    assert [(r["replayed"], r["byAnotherChecker"]) for r in again["results"]] == [(True, False)] * 2
    assert again["checkedInSeats"] == 3
    row = await _booking(db, door.zhang[0].id)
    # The scan's own time is the check-in time; when it reached the server is kept too.
    assert row.checked_in_at == scanned_at.replace(microsecond=row.checked_in_at.microsecond)
    assert abs(row.checked_in_at - scanned_at) < timedelta(seconds=1)
    assert row.checkin_received_at is not None and row.checkin_received_at > row.checked_in_at
    assert row.checked_in_by == door.checker.id
    assert await f.seats_of(db, door.event.id) == (3, 3)


async def test_check_in_batch__same_code_twice__second_is_already_done(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    batch = await _batch(api, door.checker, [scan(door.li[1]), scan(door.li[1])])
    assert _outcomes(batch) == [("CHECKED_IN", None), ("ALREADY_CHECKED_IN", "ALREADY_CHECKED_IN")]
    second = batch["results"][1]
    assert (second["replayed"], second["byAnotherChecker"]) == (False, False)
    assert second["checkedInAt"] == batch["results"][0]["checkedInAt"]


async def test_check_in_batch__code_used_at_another_door__says_so(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    other_door = await f.add_checker(db, door.place)
    online = await api.data(CHECK_IN, {"code": door.li[1]}, user=other_door)
    assert online["checkIn"]["__typename"] == "CheckInSuccess"

    batch = await _batch(api, door.checker, [scan(door.li[1])])

    [result] = batch["results"]
    assert (result["outcome"], result["byAnotherChecker"], result["replayed"]) == (
        "ALREADY_CHECKED_IN",
        True,
        False,
    )
    assert "其他核验员" in result["message"] and result["checkedInAt"]
    # And the other way round: the single checkIn sees the batch's check-in.
    await _batch(api, door.checker, [scan(door.zhang[1])])
    again = await api.data(CHECK_IN, {"code": door.zhang[1]}, user=other_door)
    assert again["checkIn"]["code"] == "ALREADY_CHECKED_IN"


async def test_check_in_batch__bad_items__each_answered_the_rest_applied(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    tomorrow = await f.add_event(db, door.place, starts_in=timedelta(days=1))
    tomorrow_booking = await f.book(db, await add_user(db), tomorrow)
    library = await f.add_place(db, "介休市图书馆")
    theirs = await f.book(
        db, await add_user(db), await f.add_event(db, library, starts_in=timedelta(minutes=30))
    )
    cancelled = await f.book(
        db, await add_user(db), door.event, attendees=(f.requests.AttendeeInput(name="赵六"),)
    )
    await f.cancel(db, cancelled.booking, now=utcnow() - timedelta(hours=3))
    booking_id, token, _ = door.zhang[1].split(".")
    items = [
        scan(f"{booking_id}.{token}.{'A' * 22}"),  # forged
        scan("not a code"),
        scan(f.checkin_code(db, theirs.booking)),  # another organisation's event
        scan(f.checkin_code(db, tomorrow_booking.booking)),  # our event, but tomorrow's
        scan(f.checkin_code(db, cancelled.booking)),
        scan(door.zhang[1], at=utcnow() + timedelta(hours=1)),  # the phone's clock is ahead
        scan(door.zhang[1], at=utcnow() - timedelta(days=2)),  # before the event's day
        {**scan(door.zhang[1]), "clientRef": " "},
        {**scan(door.zhang[1]), "bookingId": gid("Booking", door.zhang[0].id)},  # both
        scan(door.li[1], at=utcnow() + timedelta(minutes=2)),  # a little ahead: fine
    ]

    batch = await _batch(api, door.checker, items, eventId=door.event_id)

    assert [(r["outcome"], r["reason"], r["field"]) for r in batch["results"]] == [
        ("INVALID_CODE", "INVALID_CODE", "code"),
        ("INVALID_CODE", "INVALID_CODE", "code"),
        ("NOT_CHECKABLE", "WRONG_EVENT", None),
        ("NOT_CHECKABLE", "WRONG_EVENT", None),
        ("NOT_CHECKABLE", "BOOKING_CANCELLED", None),
        ("NOT_CHECKABLE", "BAD_USER_INPUT", "scannedAt"),
        ("NOT_CHECKABLE", "CHECK_IN_NOT_OPEN", None),
        ("INVALID_CODE", "BAD_USER_INPUT", "clientRef"),
        ("INVALID_CODE", "BAD_USER_INPUT", "code"),
        ("CHECKED_IN", None, None),
    ]
    results = batch["results"]
    # Another organisation's booking is not shown; our own other event's is, with its date.
    assert results[2]["entry"] is None
    assert results[3]["entry"]["seats"] == 1 and "不是本场" in results[3]["message"]
    assert all(r["message"] for r in results)
    assert batch["checkedInSeats"] == 1
    # Without the door's event, tomorrow's booking is still not checkable today.
    unscoped = await _batch(api, door.checker, [scan(f.checkin_code(db, tomorrow_booking.booking))])
    assert _outcomes(unscoped) == [("NOT_CHECKABLE", "CHECK_IN_NOT_OPEN")]
    for booking in (door.zhang[0], tomorrow_booking.booking, theirs.booking):
        assert (await _booking(db, booking.id)).status is BookingStatus.CONFIRMED


async def test_check_in_batch__scanned_before_the_end_arrives_after__checked_in(
    db: Database, api: GraphQLClient
) -> None:
    """The phone was offline until after the event: scans made during it still count; a scan
    made after the end does not."""
    door = await door_world(db, starts_in=timedelta(hours=-2))  # started 2 h ago, ran 1 h
    during = door.event.start_at + timedelta(minutes=10)
    after_end = door.event.end_at + timedelta(minutes=1)

    batch = await _batch(
        api, door.checker, [scan(door.zhang[1], at=during), scan(door.li[1], at=after_end)]
    )

    assert _outcomes(batch) == [("CHECKED_IN", None), ("NOT_CHECKABLE", "CHECK_IN_CLOSED")]


async def test_check_in_batch__after_the_no_show_job__checked_in_and_seats_restored(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db, starts_in=timedelta(hours=-2))
    async with transactions.write_transaction(db.factory) as session:
        report = await attendance.mark_no_shows(session, utcnow())
    assert report.no_shows == 2 and await f.seats_of(db, door.event.id) == (0, 0)
    during = door.event.start_at + timedelta(minutes=5)
    item = scan(door.zhang[1], at=during)

    batch = await _batch(api, door.checker, [item])
    again = await _batch(api, door.checker, [item])

    assert _outcomes(batch) == [("CHECKED_IN", None)]
    assert "未到场" in batch["results"][0]["message"]
    assert _outcomes(again) == [("ALREADY_CHECKED_IN", "ALREADY_CHECKED_IN")]
    assert again["results"][0]["replayed"] is True
    row = await _booking(db, door.zhang[0].id)
    assert (row.status, row.no_show_at) == (BookingStatus.CHECKED_IN, None)
    # The counter again equals the seated bookings: 张三丰's two seats are back.
    assert await f.seats_of(db, door.event.id) == (2, 2)
    async with db.factory() as session:
        actions = (await session.execute(select(AuditLog.action, AuditLog.target_id))).all()
    assert ("booking.check_in_after_no_show", door.zhang[0].id) in actions


async def test_check_in_batch__found_without_a_code__checked_in_and_audited(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    library = await f.add_place(db, "介休市图书馆")
    theirs = await f.book(
        db, await add_user(db), await f.add_event(db, library, starts_in=timedelta(minutes=30))
    )

    batch = await _batch(
        api,
        door.checker,
        [
            scan(booking_id=gid("Booking", door.li[0].id)),
            scan(booking_id=gid("Booking", theirs.booking.id)),
            scan(booking_id="not an id"),
        ],
    )

    assert _outcomes(batch) == [
        ("CHECKED_IN", None),
        ("INVALID_CODE", "NOT_FOUND"),  # another organisation's id reveals nothing
        ("INVALID_CODE", "NOT_FOUND"),
    ]
    async with db.factory() as session:
        entry = (
            await session.execute(
                select(AuditLog).where(AuditLog.action == "booking.check_in_by_id")
            )
        ).scalar_one()
    assert (entry.actor_user_id, entry.target_type, entry.target_id) == (
        door.checker.id,
        "Booking",
        door.li[0].id,
    )
    assert entry.after is not None and entry.after["status"] == "checked_in"


async def test_check_in_batch__too_many_items__input_error(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    batch = await _batch(api, door.checker, [scan(door.li[1]) for _ in range(201)])
    assert (batch["__typename"], batch["code"], batch["field"]) == (
        "InputError",
        "BAD_USER_INPUT",
        "items",
    )
    assert (await _booking(db, door.li[0].id)).status is BookingStatus.CONFIRMED


async def test_check_in_batch__who_may__checkers_and_managers_their_own_codes_only(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    other = await f.add_place(db, "介休市图书馆")
    cast = await cast_of(db, door.place.organization_id, other.organization_id)
    # A code nobody checks in successfully, so every caller sees the same booking state.
    cancelled = await f.book(
        db, await add_user(db), door.event, attendees=(f.requests.AttendeeInput(name="赵六"),)
    )
    await f.cancel(db, cancelled.booking, now=utcnow() - timedelta(hours=3))
    items = [scan(f.checkin_code(db, cancelled.booking))]

    assert await matrix(api, CHECK_IN_BATCH, {"items": items}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "ok",  # allowed to call; the code is not theirs (below)
        "admin": "ok",
    }
    theirs = await _batch(api, cast["other_manager"], items)
    assert _outcomes(theirs) == [("NOT_CHECKABLE", "WRONG_EVENT")]
    assert theirs["results"][0]["entry"] is None
    ours = await _batch(api, cast["checker"], items)
    assert _outcomes(ours) == [("NOT_CHECKABLE", "BOOKING_CANCELLED")]
    # Naming another organisation's event as the door's is refused outright.
    assert await api.error_codes(
        CHECK_IN_BATCH, {"items": items, "eventId": door.event_id}, user=cast["other_manager"]
    ) == ["FORBIDDEN"]


async def test_check_in_batch__editor_of_the_organisation__forbidden(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    editor = await add_staff(db, door.place.organization_id, StaffRole.EDITOR, password=None)
    codes = await api.error_codes(CHECK_IN_BATCH, {"items": [scan(door.li[1])]}, user=editor)
    assert codes == ["FORBIDDEN"]
    assert (await _booking(db, door.li[0].id)).status is BookingStatus.CONFIRMED
