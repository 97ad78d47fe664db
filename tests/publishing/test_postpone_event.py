"""postponeEvent: the way to move a published event that people have booked. Records the
reason, keeps the bookings, sets POSTPONED."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import Database
from tests.publishing.factories import (
    AUDIT_LOG,
    DAY,
    POSTPONE_EVENT,
    UPDATE_EVENT,
    World,
    events_in_list,
    iso,
    set_booked_seats,
)

NEXT_WEEK = DAY + timedelta(days=7)


async def _postpone(world: World, event_id: str, **variables: Any) -> dict[str, Any]:
    data = await world.api.data(
        POSTPONE_EVENT,
        {"id": event_id, "reason": "展厅漏水维修", **variables},
        token=await world.token("museum-editor"),
    )
    result: dict[str, Any] = data["postponeEvent"]
    return result


async def test_postpone_event__booked_event__update_refused_postpone_moves_it(
    world: World, db: Database
) -> None:
    event = await world.published_event("museum-editor")
    await set_booked_seats(db, event["id"], 7)
    new_dates = {"startAt": iso(NEXT_WEEK, 10), "endAt": iso(NEXT_WEEK, 11, 30)}

    refused = (
        await world.api.data(
            UPDATE_EVENT,
            {"id": event["id"], "input": new_dates},
            token=await world.token("museum-editor"),
        )
    )["updateEvent"]
    result = await _postpone(
        world, event["id"], newStartAt=new_dates["startAt"], newEndAt=new_dates["endAt"]
    )

    assert (refused["code"], refused["field"]) == ("CONFLICT", "startAt")
    assert result["__typename"] == "PostponeEventSuccess", result
    postponed = result["event"]
    assert postponed["status"] == "POSTPONED"
    assert (postponed["startAt"], postponed["endAt"]) == (new_dates["startAt"], new_dates["endAt"])
    assert postponed["remainingSeats"] == 40 - 7  # bookings stay
    # The deadline keeps its distance to the start; opening is unchanged.
    assert postponed["bookingClosesAt"] == iso(NEXT_WEEK, 9)
    assert postponed["bookingOpensAt"] == event["bookingOpensAt"]
    assert event["id"] in await events_in_list(world.api, dateFrom=NEXT_WEEK.isoformat())
    log = await world.api.data(
        AUDIT_LOG, {"targetType": "Event", "first": 1}, token=await world.token("bureau-admin")
    )
    entry = log["auditLog"]["edges"][0]["node"]
    assert entry["action"] == "event.postpone"
    assert entry["after"]["reason"] == "展厅漏水维修"
    assert entry["before"]["startAt"] != entry["after"]["startAt"]


async def test_postpone_event__new_start_only__keeps_duration(world: World) -> None:
    event = await world.published_event("museum-editor")

    postponed = (await _postpone(world, event["id"], newStartAt=iso(DAY, 15)))["event"]

    assert (postponed["startAt"], postponed["endAt"]) == (iso(DAY, 15), iso(DAY, 16, 30))


async def test_postpone_event__no_new_date__postponed_until_further_notice(
    world: World,
) -> None:
    event = await world.published_event("museum-editor")

    postponed = (await _postpone(world, event["id"]))["event"]

    assert postponed["status"] == "POSTPONED"
    assert postponed["startAt"] == event["startAt"]


async def test_postpone_event__earlier_start__bad_input(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _postpone(world, event["id"], newStartAt=iso(DAY, 8))

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "newStartAt")


async def test_postpone_event__end_before_new_start__bad_input(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _postpone(
        world, event["id"], newStartAt=iso(NEXT_WEEK, 10), newEndAt=iso(NEXT_WEEK, 9)
    )

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "newEndAt")


async def test_postpone_event__draft__conflict(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    result = await _postpone(world, draft["id"], newStartAt=iso(NEXT_WEEK, 10))

    assert (result["code"], result["field"]) == ("CONFLICT", "id")


async def test_postpone_event__blank_reason__bad_input(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _postpone(world, event["id"], reason="")

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "reason")


async def test_postpone_event__other_org__forbidden(world: World) -> None:
    event = await world.published_event("library-editor", place=world.library_venue)

    codes = await world.api.error_codes(
        POSTPONE_EVENT,
        {"id": event["id"], "reason": "x", "newStartAt": iso(NEXT_WEEK, 10)},
        token=await world.token("museum-editor"),
    )

    assert codes == ["FORBIDDEN"]
