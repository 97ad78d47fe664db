"""Staff cancel a menu delivery's event in the console: the order follows (cancelled with the
event's reason) and the township's budget gets the charge back, once."""

from __future__ import annotations

import uuid

from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import pk_of

CANCEL_EVENT = """mutation Cancel($id: ID!, $reason: String!) {
  cancelEvent(id: $id, reason: $reason) {
    __typename
    ... on CancelEventSuccess { event { status } }
    ... on UserError { code field message }
  }
}"""

ORDER = "query One($id: ID!) { menuOrder(id: $id) { id status reason } }"


async def _budget(world: World, period: str) -> tuple[float, int]:
    [budget] = await world.gql(f.MENU_BUDGETS, {"period": period}, "admin")
    return budget["spentYuan"], budget["orderCount"]


async def test_cancel_event__menu_delivery__order_cancelled_and_budget_refunded(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world)
    day = f.days_ahead(12)
    await f.set_budget(world, day)
    order = await f.scheduled_order(world, offering_id)
    period = order["chargedPeriods"][0]
    assert await _budget(world, period) == (8000.0, 1)
    event_id = order["event"]["id"]
    booked = await world.gql(
        f.BOOK_EVENT,
        {"input": {"eventId": event_id, "seats": 1, "idempotencyKey": uuid.uuid4().hex}},
        "resident",
    )
    assert booked["__typename"] == "BookingConfirmed", booked

    # The troupe cannot come after all and cancels its event in the staff console.
    cancelled = await world.gql(
        CANCEL_EVENT, {"id": event_id, "reason": "演员突发疾病，演出取消"}, "troupe"
    )

    assert cancelled["event"]["status"] == "CANCELLED", cancelled
    after = await world.gql(ORDER, {"id": order["id"]}, "manager")
    assert (after["status"], after["reason"]) == ("CANCELLED", "演员突发疾病，演出取消")
    assert await _budget(world, period) == (0.0, 0)
    actions = await f.audit_actions(world.db, "MenuOrder", pk_of(order["id"]))
    assert actions[-1] == "menu_order.event_cancelled"


async def test_cancel_order__scheduled_by_admin__refunded_once(world: World) -> None:
    """cancelOrder cancels the event itself; the console hook must not refund a second time."""
    offering_id = await f.approved_offering(world)
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, offering_id)
    period = order["chargedPeriods"][0]

    result = await world.gql(f.CANCEL_ORDER, {"id": order["id"], "reason": "场地临时征用"}, "admin")

    assert result["order"]["status"] == "CANCELLED", result
    assert await _budget(world, period) == (0.0, 0)
