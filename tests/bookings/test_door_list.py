"""doorList and doorSearch: what a checker's phone holds to answer green or red without a
network, and how a visitor without their phone is found. No raw code ever leaves the
server; names and phones are masked as everywhere else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.bookings import crypto
from culture_cloud.catalog.models import EventStatus
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_staff, add_user
from tests.bookings import factories as f
from tests.bookings.door import DOOR_LIST, DOOR_SEARCH, device_verifier, door_world
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix


def _entries(door_list: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in door_list["entries"]["edges"]]


async def test_door_list__checker__masked_entries_and_verifiers_a_phone_can_check(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    waiting = await f.add_event(db, door.place, capacity=1, allow_waitlist=True)
    await f.book(db, await add_user(db), waiting)
    cancelled = await f.book(
        db,
        await add_user(db, phone="13700009999"),
        door.event,
        attendees=(f.requests.AttendeeInput(name="赵六"),),
    )
    # Cancelled while cancelling was still allowed (two hours before the start).
    await f.cancel(db, cancelled.booking, now=utcnow() - timedelta(hours=3))

    body = await api.execute(DOOR_LIST, {"eventId": door.event_id, "first": 100}, user=door.checker)

    assert "errors" not in body, body
    listed = body["data"]["doorList"]
    entries = _entries(listed)
    assert [(e["bookerName"], e["bookerPhone"], e["seats"]) for e in entries] == [
        ("张**", "138****1234", 2),
        ("小李", "139****5678", 1),
    ]
    assert entries[0]["attendeeNames"] == ["张**", "王*"]
    assert (listed["bookedSeats"], listed["checkedInSeats"], listed["capacity"]) == (3, 0, 10)
    # The phone computes each scanned code's verifier from the key alone and finds its entry.
    verifiers = {e["verifier"]: e for e in entries}
    for booking, code in (door.zhang, door.li):
        found = verifiers[device_verifier(listed["verifierKey"], code)]
        assert found["bookingId"] == gid("Booking", booking.id)
    # A code with a guessed token is red offline too.
    booking_id, _, mac = door.zhang[1].split(".")
    forged = f"{booking_id}.{crypto.new_checkin_token()}.{mac}"
    assert device_verifier(listed["verifierKey"], forged) not in verifiers
    # No code and no token is anywhere in the answer.
    text = str(body)
    for _, code in (door.zhang, door.li):
        assert code not in text and code.split(".")[1] not in text


async def test_door_list__paged__every_entry_once(db: Database, api: GraphQLClient) -> None:
    door = await door_world(db)
    first = (await api.data(DOOR_LIST, {"eventId": door.event_id, "first": 1}, user=door.checker))[
        "doorList"
    ]["entries"]
    rest = (
        await api.data(
            DOOR_LIST,
            {"eventId": door.event_id, "first": 1, "after": first["pageInfo"]["endCursor"]},
            user=door.checker,
        )
    )["doorList"]["entries"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    names = [e["node"]["bookerName"] for e in first["edges"] + rest["edges"]]
    assert names == ["张**", "小李"] and not rest["pageInfo"]["hasNextPage"]


async def test_door_list__slot__its_own_bookings_and_key(db: Database, api: GraphQLClient) -> None:
    door = await door_world(db)
    slot = await f.add_slot(db, door.place)
    visitor = await add_user(db, phone="13600002468")
    assert slot.id is not None and visitor.id is not None
    booked = await f.service.book(
        db.factory,
        db.settings,
        actor=f.resident_actor(visitor.id),
        target=f.TargetRef(f.TargetKind.VENUE_SLOT, slot.id),
        request=f.request(),
    )
    event_list = await api.data(DOOR_LIST, {"eventId": door.event_id}, user=door.checker)
    slot_list = (
        await api.data(DOOR_LIST, {"slotId": gid("VenueSlot", slot.id)}, user=door.checker)
    )["doorList"]

    assert slot_list["title"] == "测试博物馆" and slot_list["venueSlot"]["id"]
    [entry] = _entries(slot_list)
    assert entry["bookerPhone"] == "136****2468"
    code = f.checkin_code(db, booked.booking)
    assert entry["verifier"] == device_verifier(slot_list["verifierKey"], code)
    # Another target, another key: the event's list cannot vouch for the slot's codes.
    assert event_list["doorList"]["verifierKey"] != slot_list["verifierKey"]


async def test_door_list__who_may__checkers_and_managers_of_the_organisation(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    other = await f.add_place(db, "介休市图书馆")
    cast = await cast_of(db, door.place.organization_id, other.organization_id)

    assert await matrix(api, DOOR_LIST, {"eventId": door.event_id}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }


async def test_door_list__bad_target__typed_errors(db: Database, api: GraphQLClient) -> None:
    door = await door_world(db)
    draft = await f.add_event(db, door.place, status=EventStatus.DRAFT)
    other = await f.add_place(db, "介休市图书馆")
    other_checker = await add_staff(db, other.organization_id, StaffRole.CHECKER)

    async def codes(variables: dict[str, Any], user: Any) -> list[str]:
        return await api.error_codes(DOOR_LIST, variables, user=user)

    assert await codes({}, door.checker) == ["BAD_USER_INPUT"]
    both = {"eventId": door.event_id, "slotId": gid("VenueSlot", 1)}
    assert await codes(both, door.checker) == ["BAD_USER_INPUT"]
    assert await codes({"eventId": gid("Event", 999_999)}, door.checker) == ["NOT_FOUND"]
    assert await codes({"eventId": gid("Venue", 1)}, door.checker) == ["INVALID_ID"]
    # Another organisation's draft does not exist for them; their own is an empty list.
    assert await codes({"eventId": gid("Event", draft.id)}, other_checker) == ["NOT_FOUND"]
    own = await api.data(DOOR_LIST, {"eventId": gid("Event", draft.id)}, user=door.checker)
    assert own["doorList"]["entries"]["edges"] == []


async def test_door_search__last_four_digits_or_two_characters_of_a_name(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)

    async def search(text: str) -> list[tuple[str, int]]:
        found = await api.data(
            DOOR_SEARCH, {"eventId": door.event_id, "text": text}, user=door.checker
        )
        return [(e["bookerName"], e["seats"]) for e in found["doorSearch"]]

    assert await search("5678") == [("小李", 1)]
    assert await search(" 1234 ") == [("张**", 2)]
    assert await search("0000") == []
    assert await search("王五") == [("张**", 2)]  # an attendee of 张三丰's booking
    assert await search("三丰") == [("张**", 2)]
    assert await search("小李") == [("小李", 1)]
    one_character = await api.execute(
        DOOR_SEARCH, {"eventId": door.event_id, "text": "张"}, user=door.checker
    )
    assert one_character["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert one_character["errors"][0]["extensions"]["field"] == "text"


async def test_door_search__who_may__as_the_door_list(db: Database, api: GraphQLClient) -> None:
    door = await door_world(db)
    other = await f.add_place(db, "介休市图书馆")
    cast = await cast_of(db, door.place.organization_id, other.organization_id)
    variables = {"eventId": door.event_id, "text": "1234"}
    assert await matrix(api, DOOR_SEARCH, variables, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
