"""bookingList: an event's or entry slot's bookings for its organisation's staff, paged, with
names and phones masked, the seat counts, and the CSV/XLSX downloads of the same list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_user
from tests.bookings import factories as f
from tests.bookings.door import CHECK_IN, door_world
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix

BOOKING_LIST = """
query List($eventId: ID, $slotId: ID, $first: Int, $after: String, $status: BookingStatus) {
  bookingList(eventId: $eventId, slotId: $slotId) {
    title capacity bookedSeats remainingSeats checkedInSeats waitlistedSeats csvUrl xlsxUrl
    event { id title } venueSlot { id }
    bookings(first: $first, after: $after, status: $status) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { bookingId status seats bookerName bookerPhone
                     attendees { name idNumber } createdAt checkedInAt cancelledAt } }
    }
  }
}
"""


def _nodes(listing: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in listing["bookings"]["edges"]]


async def _editor_world(db: Database) -> tuple[Any, Any]:
    """The door world (two bookings, three seats) and an editor of its museum."""
    door = await door_world(db)
    editor = await f.add_checker(db, door.place, StaffRole.EDITOR)
    return door, editor


async def test_booking_list__editor__every_booking_masked_with_seat_counts(
    db: Database, api: GraphQLClient
) -> None:
    door, editor = await _editor_world(db)
    early = door.event.start_at - timedelta(days=1)
    gone = await f.book(
        db,
        await add_user(db, real_name="赵六六", phone="13512340000"),
        door.event,
        attendees=(f.requests.AttendeeInput(name="赵六六", id_number=f.id_number()),),
        consent=True,
        now=early,
    )
    await f.cancel(db, gone.booking, now=early)
    await api.data(CHECK_IN, {"code": door.li[1]}, user=door.checker)

    listing = (await api.data(BOOKING_LIST, {"eventId": door.event_id, "first": 10}, user=editor))[
        "bookingList"
    ]

    assert (
        listing["title"],
        listing["capacity"],
        listing["bookedSeats"],
        listing["remainingSeats"],
        listing["checkedInSeats"],
        listing["waitlistedSeats"],
    ) == ("皮影戏专场", 10, 3, 7, 1, 0)
    assert listing["event"] == {"id": door.event_id, "title": "皮影戏专场"}
    assert [
        (n["status"], n["bookerName"], n["bookerPhone"], n["seats"]) for n in _nodes(listing)
    ] == [
        ("CONFIRMED", "张**", "138****1234", 2),
        ("CHECKED_IN", "小李", "139****5678", 1),
        ("CANCELLED", "赵**", "135****0000", 1),
    ]
    cancelled = _nodes(listing)[2]
    assert cancelled["attendees"] == [
        {"name": "赵**", "idNumber": "1411**********" + f.id_number()[-4:]}
    ]
    assert cancelled["cancelledAt"] and _nodes(listing)[1]["checkedInAt"]
    assert listing["bookings"]["totalCount"] == 3
    # Full names, phones and ID numbers are nowhere in the answer.
    for secret in ("张三丰", "13800001234", "13512340000", f.id_number()):
        assert secret not in str(listing)


async def test_booking_list__paged_and_filtered(db: Database, api: GraphQLClient) -> None:
    door, editor = await _editor_world(db)
    await api.data(CHECK_IN, {"code": door.zhang[1]}, user=door.checker)
    first = (await api.data(BOOKING_LIST, {"eventId": door.event_id, "first": 1}, user=editor))[
        "bookingList"
    ]["bookings"]
    rest = (
        await api.data(
            BOOKING_LIST,
            {"eventId": door.event_id, "first": 5, "after": first["pageInfo"]["endCursor"]},
            user=editor,
        )
    )["bookingList"]["bookings"]
    checked_in = (
        await api.data(
            BOOKING_LIST, {"eventId": door.event_id, "status": "CHECKED_IN"}, user=editor
        )
    )["bookingList"]["bookings"]

    assert first["pageInfo"]["hasNextPage"] and not rest["pageInfo"]["hasNextPage"]
    assert [e["node"]["bookerName"] for e in first["edges"] + rest["edges"]] == ["张**", "小李"]
    assert checked_in["totalCount"] == 1
    assert [e["node"]["bookerName"] for e in checked_in["edges"]] == ["张**"]


async def test_booking_list__waitlist__counted_and_listed(db: Database, api: GraphQLClient) -> None:
    place = await f.add_place(db)
    event = await f.add_event(db, place, capacity=1, allow_waitlist=True)
    await f.book(db, await add_user(db), event)
    await f.book(db, await add_user(db), event, 2)
    editor = await f.add_checker(db, place, StaffRole.EDITOR)
    listing = (await api.data(BOOKING_LIST, {"eventId": gid("Event", event.id)}, user=editor))[
        "bookingList"
    ]
    assert (listing["remainingSeats"], listing["waitlistedSeats"]) == (0, 2)
    assert [n["status"] for n in _nodes(listing)] == ["CONFIRMED", "WAITLISTED"]


async def test_booking_list__downloads__the_same_list_as_csv_for_events_and_slots(
    db: Database, api: GraphQLClient
) -> None:
    door, editor = await _editor_world(db)
    slot = await f.add_slot(db, door.place)
    visitor = await add_user(db, nickname="老王", phone="13600002468")
    assert slot.id is not None and visitor.id is not None
    await f.service.book(
        db.factory,
        db.settings,
        actor=f.resident_actor(visitor.id),
        target=f.TargetRef(f.TargetKind.VENUE_SLOT, slot.id),
        request=f.request(),
    )
    token = await api.token_of(editor)
    downloads = {}
    for variables in ({"eventId": door.event_id}, {"slotId": gid("VenueSlot", slot.id)}):
        listing = (await api.data(BOOKING_LIST, variables, user=editor))["bookingList"]
        response = await api.http.get(
            listing["csvUrl"], headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        downloads[next(iter(variables))] = response.content.decode("utf-8-sig")
        xlsx = await api.http.get(listing["xlsxUrl"], headers={"Authorization": f"Bearer {token}"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    assert "张**（138****1234）" in downloads["eventId"] and "老王" not in downloads["eventId"]
    assert "老王（136****2468）" in downloads["slotId"] and "小李" not in downloads["slotId"]
    assert "13600002468" not in downloads["slotId"]


async def test_booking_list__slot_download__other_organisation_refused(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    slot = await f.add_slot(db, door.place)
    other = await f.add_place(db, "介休市图书馆")
    stranger = await f.add_checker(db, other, StaffRole.MANAGER)
    url = f"/exports/bookings.csv?slotId={gid('VenueSlot', slot.id)}"
    headers = {"Authorization": f"Bearer {await api.token_of(stranger)}"}
    refused = await api.http.get(url, headers=headers)
    missing = await api.http.get(
        f"/exports/bookings.csv?slotId={gid('VenueSlot', 999_999)}", headers=headers
    )
    mixed = await api.http.get(url + f"&eventId={door.event_id}", headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    assert (missing.status_code, missing.json()["field"]) == (404, "slotId")
    assert (mixed.status_code, mixed.json()["code"]) == (400, "BAD_USER_INPUT")


async def test_booking_list__who_may__the_organisation_staff_and_administrators(
    db: Database, api: GraphQLClient
) -> None:
    door = await door_world(db)
    other = await f.add_place(db, "介休市图书馆")
    cast = await cast_of(db, door.place.organization_id, other.organization_id)
    assert await matrix(api, BOOKING_LIST, {"eventId": door.event_id}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "ok",
        "editor": "ok",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
    assert await api.error_codes(
        BOOKING_LIST, {"eventId": gid("Event", 999_999)}, user=cast["admin"]
    ) == ["NOT_FOUND"]
