"""checkIn: a checker of the owning organisation marks attendance once; a second scan is
refused with the first time; forged or foreign codes are refused, forged ones before any
database lookup."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from culture_cloud.actor import Actor
from culture_cloud.bookings import attendance, crypto, transactions
from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import BookingStatus
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_user, token_for
from tests.bookings import factories as f
from tests.conftest import Database
from tests.support.graphql import graphql_client

CHECK_IN = """
mutation CheckIn($code: String!) {
  checkIn(code: $code) {
    __typename
    ... on CheckInSuccess { title booking { status checkedInAt checkInCode seats
                                            attendees { name idNumber } } }
    ... on BookingError { code field message checkedInAt }
  }
}
"""

MY_CODE = "{ myBookings { edges { node { checkInCode } } } }"


async def _soon_event(db: Database, place: f.Place, **values: Any) -> Any:
    return await f.add_event(db, place, starts_in=timedelta(minutes=30), **values)


async def test_check_in__checker_of_organisation__once_then_already_checked_in(
    db: Database,
) -> None:
    place = await f.add_place(db)
    event = await _soon_event(db, place, real_name_required=True)
    resident = await add_user(db)
    attendee = f.requests.AttendeeInput(name="张三", id_number=f.id_number())
    await f.book(db, resident, event, attendees=(attendee,), consent=True)
    checker = await f.add_checker(db, place)
    async with graphql_client(db) as api:
        mine = await api.data(MY_CODE, token=await token_for(db, resident))
        code = mine["myBookings"]["edges"][0]["node"]["checkInCode"]
        token = await token_for(db, checker)
        first = (await api.data(CHECK_IN, {"code": code}, token=token))["checkIn"]
        second = (await api.data(CHECK_IN, {"code": code}, token=token))["checkIn"]

    assert first["__typename"] == "CheckInSuccess", first
    assert first["title"] == "皮影戏专场"
    booking = first["booking"]
    assert booking["status"] == "CHECKED_IN" and booking["checkedInAt"]
    # The checker sees the attendee masked and no code.
    assert booking["attendees"] == [
        {"name": "张*", "idNumber": "1411**********" + f.id_number()[-4:]}
    ]
    assert booking["checkInCode"] is None
    assert (second["code"], second["checkedInAt"]) == ("ALREADY_CHECKED_IN", booking["checkedInAt"])
    assert await f.seats_of(db, event.id) == (1, 1)


async def test_check_in__concurrent_scans__one_wins(db: Database) -> None:
    place = await f.add_place(db)
    event = await _soon_event(db, place)
    booked = await f.book(db, await add_user(db), event)
    checker = await f.add_checker(db, place)

    async def scan() -> str:
        try:
            await f.check_in(db, checker, booked, now=utcnow())
        except BookingFailed as exc:
            return exc.reason.value
        return "OK"

    assert sorted(await asyncio.gather(*(scan() for _ in range(4)))) == [
        "ALREADY_CHECKED_IN",
        "ALREADY_CHECKED_IN",
        "ALREADY_CHECKED_IN",
        "OK",
    ]


def _forgeries(code: str) -> list[str]:
    booking_id, token, mac = code.split(".")
    other_token = crypto.new_checkin_token()
    return [
        f"{booking_id}.{token}.{'A' * 22}",  # wrong MAC
        f"{int(booking_id) + 1}.{token}.{mac}",  # another booking's id
        f"{booking_id}.{other_token}.{mac}",  # guessed token
        "not a code",
        "",
    ]


async def test_check_in__forged_code__refused_before_any_lookup(
    db: Database, count_statements: Any
) -> None:
    place = await f.add_place(db)
    event = await _soon_event(db, place)
    booked = await f.book(db, await add_user(db), event)
    viewer = await f.viewer_of(db, await f.add_checker(db, place))
    code = f.checkin_code(db, booked.booking)

    for forged in _forgeries(code):
        count_statements.clear()
        with pytest.raises(BookingFailed) as failure:
            async with transactions.write_transaction(db.factory) as session:
                await attendance.check_in(
                    session,
                    db.settings,
                    actor=Actor(viewer=viewer, ip=None, now=utcnow()),
                    code=forged,
                )
        assert failure.value.reason is Code.INVALID_CODE
        assert count_statements.statements == []
    async with db.factory() as session:
        row = await session.get(f.Booking, booked.booking.id)
    assert row is not None and row.status is BookingStatus.CONFIRMED


async def test_check_in__code_signed_with_another_secret__refused(db: Database) -> None:
    place = await f.add_place(db)
    booked = await f.book(db, await add_user(db), await _soon_event(db, place))
    other = db.settings.model_copy(update={"secret_key": "another-secret-of-32-characters!!"})
    token = crypto.decrypt(db.settings, booked.booking.checkin_token_enc or "")
    assert token is not None and booked.booking.id is not None
    forged = crypto.checkin_code(other, booked.booking.id, token)
    assert crypto.parse_checkin_code(db.settings, forged) is None


async def test_check_in__other_organisation__forbidden(db: Database) -> None:
    place = await f.add_place(db)
    other = await f.add_place(db, "介休市图书馆")
    booked = await f.book(db, await add_user(db), await _soon_event(db, place))
    code = f.checkin_code(db, booked.booking)
    async with graphql_client(db) as api:
        foreign = await api.error_codes(
            CHECK_IN, {"code": code}, token=await token_for(db, await f.add_checker(db, other))
        )
        editor = await api.error_codes(
            CHECK_IN,
            {"code": code},
            token=await token_for(db, await f.add_checker(db, place, StaffRole.EDITOR)),
        )
        resident = await api.error_codes(
            CHECK_IN, {"code": code}, token=await token_for(db, booked.booking.user_id)
        )
    assert foreign == editor == resident == ["FORBIDDEN"]


async def test_check_in__manager_of_organisation__allowed(db: Database) -> None:
    place = await f.add_place(db)
    booked = await f.book(db, await add_user(db), await _soon_event(db, place))
    manager = await f.add_checker(db, place, StaffRole.MANAGER)
    done = await f.check_in(db, manager, booked, now=utcnow())
    assert done.booking.status is BookingStatus.CHECKED_IN
    assert done.booking.checked_in_by == manager.id


async def test_check_in__too_early_or_cancelled__refused(db: Database) -> None:
    place = await f.add_place(db)
    checker = await f.add_checker(db, place)
    later = await f.book(db, await add_user(db), await f.add_event(db, place))
    with pytest.raises(BookingFailed) as early:
        await f.check_in(db, checker, later, now=utcnow())
    assert early.value.reason is Code.CHECK_IN_NOT_OPEN

    await f.cancel(db, later.booking)
    with pytest.raises(BookingFailed) as cancelled:
        await f.check_in(db, checker, later, now=utcnow())
    assert cancelled.value.reason is Code.BOOKING_CANCELLED


async def test_check_in__after_the_end__closed_then_no_show_not_confirmed(db: Database) -> None:
    place = await f.add_place(db)
    event = await _soon_event(db, place)
    booked = await f.book(db, await add_user(db), event)
    checker = await f.add_checker(db, place)

    with pytest.raises(BookingFailed) as late:
        await f.check_in(db, checker, booked, now=event.end_at)
    assert late.value.reason is Code.CHECK_IN_CLOSED

    async with transactions.write_transaction(db.factory) as session:
        await attendance.mark_no_shows(session, event.end_at)
    with pytest.raises(BookingFailed) as missed:
        await f.check_in(db, checker, booked, now=event.end_at)
    assert missed.value.reason is Code.NOT_CONFIRMED
