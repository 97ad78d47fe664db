"""updateEvent: partial updates of the organisation's own events; moving an event re-copies
its place's columns; bookings protect the announced date and the seats already taken."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.publishing.factories import (
    ANNEX_AT,
    DAY,
    UPDATE_EVENT,
    World,
    at,
    events_found,
    events_in_list,
    iso,
    set_booked_seats,
)
from tests.support.ids import gid, pk_of


async def _update(world: World, username: str, event_id: str, **changes: Any) -> dict[str, Any]:
    data = await world.api.data(
        UPDATE_EVENT, {"id": event_id, "input": changes}, token=await world.token(username)
    )
    result: dict[str, Any] = data["updateEvent"]
    return result


async def _codes(world: World, username: str, event_id: str, **changes: Any) -> list[str]:
    return await world.api.error_codes(
        UPDATE_EVENT, {"id": event_id, "input": changes}, token=await world.token(username)
    )


async def test_update_event__editor_own_event__changes_given_fields_only(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _update(
        world,
        "museum-editor",
        event["id"],
        title="介休窑古陶瓷讲座",
        tags=["陶瓷"],
        capacity=None,
        description=None,
    )

    assert result["__typename"] == "UpdateEventSuccess", result
    updated = result["event"]
    assert (updated["title"], updated["tags"], updated["capacity"]) == (
        "介休窑古陶瓷讲座",
        ["陶瓷"],
        None,
    )
    assert updated["description"] is None
    # Untouched fields stay.
    assert (updated["startAt"], updated["kind"], updated["status"]) == (
        event["startAt"],
        "LECTURE",
        "PUBLISHED",
    )
    # Tag rows and search terms follow the change.
    assert event["id"] in await events_in_list(world.api, tags=["陶瓷"])
    assert event["id"] not in await events_in_list(world.api, tags=["琉璃"])
    assert event["id"] in await events_found(world.api, "古陶瓷")
    assert event["id"] not in await events_found(world.api, "琉璃艺术")


async def test_update_event__move_to_own_other_venue__copies_its_place(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    updated = (await _update(world, "museum-editor", event["id"], venueId=world.museum_annex))[
        "event"
    ]

    assert updated["venue"]["id"] == world.museum_annex
    assert updated["region"]["id"] == world.region_mountain
    assert (updated["location"]["lat"], updated["location"]["lng"]) == ANNEX_AT


async def test_update_event__move_to_other_org_venue__forbidden(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    codes = await _codes(world, "museum-editor", event["id"], venueId=world.library_venue)

    assert codes == ["FORBIDDEN"]


async def test_update_event__move_to_other_org_scenic_spot__forbidden(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    assert await _codes(world, "museum-editor", event["id"], scenicSpotId=world.spot) == [
        "FORBIDDEN"
    ]


async def test_update_event__other_org_published_event__forbidden(world: World) -> None:
    event = await world.published_event("library-editor", place=world.library_venue)

    assert await _codes(world, "museum-editor", event["id"], title="改名") == ["FORBIDDEN"]


async def test_update_event__other_org_draft__not_found(world: World) -> None:
    draft = (await world.create_event("library-editor", place=world.library_venue))["event"]

    result = await _update(world, "museum-editor", draft["id"], title="改名")

    # The same answer as for an id that does not exist: the draft's existence is private.
    assert (result["code"], result["field"]) == ("NOT_FOUND", "id")
    missing = await _update(world, "museum-editor", gid("Event", 99_999), title="改名")
    assert missing["code"] == "NOT_FOUND"


async def test_update_event__checker__forbidden(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    assert await _codes(world, "museum-checker", event["id"], title="改名") == ["FORBIDDEN"]


async def test_update_event__admin__edits_any_organizations_event(world: World) -> None:
    event = await world.published_event("library-editor", place=world.library_venue)

    result = await _update(world, "bureau-admin", event["id"], title="少儿阅读推广讲座")

    assert result["event"]["title"] == "少儿阅读推广讲座"


async def test_update_event__admin_moves_event__owner_follows_venue(world: World) -> None:
    event = (await world.create_event("library-editor", place=world.library_venue))["event"]

    result = await _update(world, "bureau-admin", event["id"], venueId=world.museum_venue)

    assert result["event"]["organization"]["id"] == world.museum_org
    # Now the museum's: its editor may edit it, the library's may not even see the draft.
    assert (await _update(world, "museum-editor", event["id"], title="x"))["event"]["title"] == "x"
    assert (await _update(world, "library-editor", event["id"], title="y"))["code"] == "NOT_FOUND"


async def test_update_event__published_with_bookings_date_change__conflict(
    world: World, db: Database
) -> None:
    event = await world.published_event("museum-editor")
    await set_booked_seats(db, event["id"], 5)

    moved = await _update(
        world, "museum-editor", event["id"], startAt=iso(DAY, 14), endAt=iso(DAY, 15)
    )
    longer = await _update(world, "museum-editor", event["id"], endAt=iso(DAY, 12))

    assert (moved["code"], moved["field"]) == ("CONFLICT", "startAt")
    assert (longer["code"], longer["field"]) == ("CONFLICT", "endAt")
    # Other changes, and restating the same time, are fine.
    same = await _update(
        world, "museum-editor", event["id"], startAt=event["startAt"], title="讲座（更新）"
    )
    assert same["__typename"] == "UpdateEventSuccess", same


async def test_update_event__published_without_bookings__date_change_allowed(
    world: World,
) -> None:
    event = await world.published_event("museum-editor")

    result = await _update(
        world,
        "museum-editor",
        event["id"],
        startAt=iso(DAY, 14),
        endAt=iso(DAY, 15),
        bookingClosesAt=iso(DAY, 13),
    )

    assert result["event"]["startAt"] == iso(DAY, 14)


async def test_update_event__capacity_below_booked_seats__conflict(
    world: World, db: Database
) -> None:
    event = await world.published_event("museum-editor")
    await set_booked_seats(db, event["id"], 12)

    below = await _update(world, "museum-editor", event["id"], capacity=11)
    equal = await _update(world, "museum-editor", event["id"], capacity=12)

    assert (below["code"], below["field"]) == ("CONFLICT", "capacity")
    assert equal["event"]["capacity"] == 12 and equal["event"]["remainingSeats"] == 0


async def test_update_event__result_invalid_with_stored_values__bad_input(world: World) -> None:
    # Only the end is given; it is checked against the stored start.
    event = (await world.create_event("museum-editor"))["event"]

    result = await _update(world, "museum-editor", event["id"], endAt=iso(DAY, 9, 59))

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "endAt")


async def test_update_event__null_for_required_field__bad_input(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    result = await _update(world, "museum-editor", event["id"], title=None)

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "title")


async def test_update_event__row_not_made_through_api__same_rules(
    world: World, db: Database
) -> None:
    # Rows that did not come through createEvent (seed, imports) follow the same rules.
    async with transaction(db.factory) as session:
        venue = await session.get(catalog.m.Venue, pk_of(world.museum_venue))
        row = await catalog.add_event(
            session, "琉璃展开幕", at(DAY, 9), place=venue, duration=timedelta(hours=2)
        )

    result = await _update(world, "museum-editor", gid("Event", row.id), priceYuan=19.9)

    assert result["event"]["priceYuan"] == 19.9
