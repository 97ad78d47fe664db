"""Every publishing mutation leaves an audit entry (who, what, before/after) that an
administrator reads through `auditLog`; refused attempts leave none."""

from __future__ import annotations

from tests.conftest import Database
from tests.publishing.factories import (
    AUDIT_LOG,
    CANCEL_EVENT,
    DAY,
    POSTPONE_EVENT,
    UPDATE_EVENT,
    UPDATE_SCENIC_SPOT,
    UPDATE_VENUE,
    World,
    iso,
    set_booked_seats,
)


async def test_audit_log__every_publishing_mutation__one_entry_each(
    world: World, db: Database
) -> None:
    editor = await world.token("museum-editor")
    event = await world.published_event("museum-editor")  # event.create + event.publish
    await world.api.data(
        UPDATE_EVENT, {"id": event["id"], "input": {"title": "新标题"}}, token=editor
    )
    await set_booked_seats(db, event["id"], 3)
    await world.api.data(
        POSTPONE_EVENT,
        {"id": event["id"], "reason": "设备检修", "newStartAt": iso(DAY, 15)},
        token=editor,
    )
    await world.api.data(CANCEL_EVENT, {"id": event["id"], "reason": "场馆停电"}, token=editor)
    await world.api.data(
        UPDATE_VENUE,
        {"id": world.museum_venue, "input": {"phone": "0354-7000000"}},
        token=await world.token("museum-manager"),
    )
    await world.api.data(
        UPDATE_SCENIC_SPOT,
        {"id": world.spot, "input": {"address": "绵山镇"}},
        token=await world.token("spot-manager"),
    )
    # A refused attempt leaves nothing.
    await world.api.error_codes(
        UPDATE_EVENT,
        {"id": event["id"], "input": {"title": "x"}},
        token=await world.token("library-editor"),
    )

    log = await world.api.data(AUDIT_LOG, {"first": 50}, token=await world.token("bureau-admin"))

    entries = [e["node"] for e in log["auditLog"]["edges"]]
    assert [(e["action"], e["targetType"], e["actor"]["username"]) for e in entries] == [
        ("scenic_spot.update", "ScenicSpot", "spot-manager"),
        ("venue.update", "Venue", "museum-manager"),
        ("event.cancel", "Event", "museum-editor"),
        ("event.postpone", "Event", "museum-editor"),
        ("event.update", "Event", "museum-editor"),
        ("event.publish", "Event", "museum-editor"),
        ("event.create", "Event", "museum-editor"),
    ]
    by_action = {e["action"]: e for e in entries}
    assert by_action["event.create"]["before"] is None
    assert by_action["event.create"]["after"]["status"] == "draft"
    assert by_action["event.update"]["before"]["title"] == "介休琉璃艺术讲座"
    assert by_action["event.update"]["after"]["title"] == "新标题"
    assert by_action["venue.update"]["after"]["phone"] == "0354-7000000"
    assert by_action["venue.update"]["targetId"] == world.museum_venue
    assert by_action["scenic_spot.update"]["targetId"] == world.spot
    assert {e["targetId"] for e in entries if e["targetType"] == "Event"} == {event["id"]}
    assert all(e["ip"] == "127.0.0.1" for e in entries)


async def test_audit_log__recurring_create__one_entry_per_occurrence(world: World) -> None:
    created = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6], "until": "2030-05-18"}
    )

    log = await world.api.data(
        AUDIT_LOG, {"targetType": "Event", "first": 50}, token=await world.token("bureau-admin")
    )

    targets = [e["node"]["targetId"] for e in log["auditLog"]["edges"]]
    assert sorted(targets) == sorted(o["id"] for o in created["occurrences"])
    assert len(targets) == 3
