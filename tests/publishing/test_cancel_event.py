"""cancelEvent: published events become CANCELLED with a reason; they stay listed and
searchable so people who planned to go find out. The bookings hook runs in the transaction."""

from __future__ import annotations

from typing import Any

import pytest

from culture_cloud.publishing import event_hooks
from tests.conftest import Database
from tests.publishing.factories import (
    AUDIT_LOG,
    CANCEL_EVENT,
    NODE,
    World,
    events_found,
    events_in_list,
)


async def _cancel(world: World, username: str, event_id: str, reason: str) -> dict[str, Any]:
    data = await world.api.data(
        CANCEL_EVENT, {"id": event_id, "reason": reason}, token=await world.token(username)
    )
    result: dict[str, Any] = data["cancelEvent"]
    return result


async def test_cancel_event__published__cancelled_and_still_public(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _cancel(world, "museum-editor", event["id"], "讲解员临时有事")

    assert result["__typename"] == "CancelEventSuccess", result
    assert result["event"]["status"] == "CANCELLED"
    assert event["id"] in await events_in_list(world.api)
    assert event["id"] in await events_found(world.api, "琉璃艺术讲座")
    node = (await world.api.data(NODE, {"id": event["id"]}))["node"]
    assert node["status"] == "CANCELLED"


async def test_cancel_event__reason__recorded_in_audit_log(world: World) -> None:
    event = await world.published_event("museum-editor")
    await _cancel(world, "museum-editor", event["id"], "  暴雨预警，暂停户外活动 ")

    log = await world.api.data(
        AUDIT_LOG, {"targetType": "Event", "first": 1}, token=await world.token("bureau-admin")
    )

    entry = log["auditLog"]["edges"][0]["node"]
    assert entry["action"] == "event.cancel"
    assert entry["targetId"] == event["id"]
    assert entry["after"]["reason"] == "暴雨预警，暂停户外活动"
    assert (entry["before"]["status"], entry["after"]["status"]) == ("published", "cancelled")


async def test_cancel_event__hook__runs_inside_the_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = await world.published_event("museum-editor")
    calls: list[tuple[str, str]] = []

    async def failing_hook(session: Any, row: Any, reason: str, **_: Any) -> None:
        calls.append((row.status.value, reason))
        raise RuntimeError("bookings could not be cancelled")

    monkeypatch.setattr(event_hooks, "on_event_cancelled", failing_hook)

    codes = await world.api.error_codes(
        CANCEL_EVENT,
        {"id": event["id"], "reason": "场馆维修"},
        token=await world.token("museum-editor"),
    )

    assert codes == ["INTERNAL"]
    assert calls == [("cancelled", "场馆维修")]
    # The hook failed, so the cancellation did not happen either.
    assert (await world.api.data(NODE, {"id": event["id"]}))["node"]["status"] == "PUBLISHED"


async def test_cancel_event__draft__conflict(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    result = await _cancel(world, "museum-editor", draft["id"], "不办了")

    # Cancelling would publish the draft as CANCELLED.
    assert (result["code"], result["field"]) == ("CONFLICT", "id")
    assert draft["id"] not in await events_in_list(world.api)


async def test_cancel_event__twice__conflict(world: World) -> None:
    event = await world.published_event("museum-editor")
    await _cancel(world, "museum-editor", event["id"], "讲解员临时有事")

    again = await _cancel(world, "museum-editor", event["id"], "讲解员临时有事")

    assert again["code"] == "CONFLICT"


async def test_cancel_event__blank_reason__bad_input(world: World) -> None:
    event = await world.published_event("museum-editor")

    result = await _cancel(world, "museum-editor", event["id"], "   ")

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "reason")


async def test_cancel_event__other_org__forbidden(world: World, db: Database) -> None:
    event = await world.published_event("library-editor", place=world.library_venue)

    codes = await world.api.error_codes(
        CANCEL_EVENT,
        {"id": event["id"], "reason": "x"},
        token=await world.token("museum-manager"),
    )

    assert codes == ["FORBIDDEN"]


async def test_cancel_event__checker__forbidden(world: World) -> None:
    event = await world.published_event("museum-editor")

    codes = await world.api.error_codes(
        CANCEL_EVENT,
        {"id": event["id"], "reason": "x"},
        token=await world.token("museum-checker"),
    )

    assert codes == ["FORBIDDEN"]
