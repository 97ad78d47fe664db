"""Orders: each step only from its states and only by its actors; refusals are typed and
leave nothing behind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.menu.models import MenuOrder
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid, pk_of


def _respond(order_id: str, response: str, **values: Any) -> dict[str, Any]:
    return {"input": {"orderId": order_id, "response": response, **values}}


async def test_approve_order__still_requested__invalid_transition_naming_the_state(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world)
    await f.set_budget(world, f.days_ahead(12))
    order_id = await f.placed_order(world, offering_id)

    result = await world.gql(f.APPROVE_ORDER, {"id": order_id}, "admin")

    assert (result["code"], result["state"]) == ("INVALID_TRANSITION", "REQUESTED")
    assert "待接单" in result["message"]
    assert (await world.gql(f.MENU_ORDER, {"id": order_id}, "manager"))["status"] == "REQUESTED"


async def test_respond_to_order__already_declined__invalid_transition(world: World) -> None:
    order_id = await f.placed_order(world, await f.approved_offering(world))
    declined = await world.gql(
        f.RESPOND_TO_ORDER, _respond(order_id, "DECLINE", reason="演员外出巡演"), "troupe"
    )
    assert (declined["order"]["status"], declined["order"]["reason"]) == (
        "DECLINED",
        "演员外出巡演",
    )

    again = await world.gql(
        f.RESPOND_TO_ORDER,
        _respond(order_id, "ACCEPT", startAt=f.at(f.days_ahead(12), 19).isoformat()),
        "troupe",
    )
    assert (again["code"], again["state"]) == ("INVALID_TRANSITION", "DECLINED")


async def test_respond_to_order__decline_without_reason__bad_input_and_unchanged(
    world: World,
) -> None:
    order_id = await f.placed_order(world, await f.approved_offering(world))
    result = await world.gql(f.RESPOND_TO_ORDER, _respond(order_id, "DECLINE"), "troupe")
    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "reason")
    assert (await world.gql(f.MENU_ORDER, {"id": order_id}, "troupe"))["status"] == "REQUESTED"


async def test_respond_to_order__accept_outside_preferred_dates__bad_input(world: World) -> None:
    order_id = await f.placed_order(world, await f.approved_offering(world))
    late = f.at(f.days_ahead(30), 19).isoformat()
    result = await world.gql(
        f.RESPOND_TO_ORDER, _respond(order_id, "ACCEPT", startAt=late), "troupe"
    )
    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "startAt")


async def test_answer_order_proposal__refused__back_to_requested_then_declinable(
    world: World,
) -> None:
    order_id = await f.placed_order(world, await f.approved_offering(world))
    later = f.at(f.days_ahead(30), 19).isoformat()
    await world.gql(f.RESPOND_TO_ORDER, _respond(order_id, "PROPOSE_DATE", startAt=later), "troupe")

    refused = await world.gql(
        f.ANSWER_ORDER_PROPOSAL,
        {"id": order_id, "accept": False, "reason": "那时村里秋收"},
        "manager",
    )
    assert (refused["order"]["status"], refused["order"]["proposedStartAt"]) == ("REQUESTED", None)
    # The supplier may not take the centre's step.
    assert await world.codes(
        f.ANSWER_ORDER_PROPOSAL, {"id": order_id, "accept": True}, "troupe"
    ) == ["FORBIDDEN"]


async def test_order_steps__wrong_people__forbidden_or_not_found(world: World) -> None:
    offering_id = await f.approved_offering(world)
    order_input = {"input": f.order_input(world, offering_id)}
    # Field permissions: a resident, a checker and supplier editors cannot place orders...
    for who in ("resident", "checker", "troupe"):
        assert await world.codes(f.ORDER_OFFERING, order_input, who) == ["FORBIDDEN"], who
    # ...and a manager of another organisation cannot order for this centre's venue.
    refused = await world.api.execute(f.ORDER_OFFERING, order_input, token=world.token("bureau"))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    order_id = await f.placed_order(world, offering_id)
    start = f.at(f.days_ahead(12), 19).isoformat()
    # Another troupe does not see the order at all; the centre may not answer for the supplier.
    other = await world.gql(
        f.RESPOND_TO_ORDER, _respond(order_id, "ACCEPT", startAt=start), "other_troupe"
    )
    assert other["code"] == "NOT_FOUND"
    assert await world.codes(
        f.RESPOND_TO_ORDER, _respond(order_id, "ACCEPT", startAt=start), "manager"
    ) == ["FORBIDDEN"]
    await world.gql(f.RESPOND_TO_ORDER, _respond(order_id, "ACCEPT", startAt=start), "troupe")
    # Only administrators approve or reject.
    for who in ("manager", "troupe"):
        assert await world.codes(f.APPROVE_ORDER, {"id": order_id}, who) == ["FORBIDDEN"]
        assert await world.codes(f.REJECT_ORDER, {"id": order_id, "reason": "x"}, who) == [
            "FORBIDDEN"
        ]
    assert (await world.gql(f.MENU_ORDER, {"id": order_id}, "admin"))["status"] == "ACCEPTED"
    assert await world.codes(f.MENU_ORDER, {"id": order_id}, "other_troupe") == ["NOT_FOUND"]


async def test_order_offering__outside_service_area__typed_error(world: World) -> None:
    offering_id = await f.approved_offering(world, regionIds=[gid("Region", world.region_id)])
    result = await world.gql(
        f.ORDER_OFFERING,
        {"input": f.order_input(world, offering_id, venueId=gid("Venue", world.other_venue_id))},
        "manager",
    )
    assert (result["code"], result["field"]) == ("OUTSIDE_SERVICE_AREA", "venueId")


async def test_order_offering__bad_dates_and_audience__bad_input_per_field(world: World) -> None:
    offering_id = await f.approved_offering(
        world,
        availablePeriods=[
            {"startDate": f.days_ahead(5).isoformat(), "endDate": f.days_ahead(40).isoformat()}
        ],
    )
    cases: list[tuple[dict[str, Any], str]] = [
        ({"preferredFrom": f.days_ahead(1).isoformat()}, "preferredFrom"),
        ({"preferredTo": f.days_ahead(9).isoformat()}, "preferredTo"),
        (
            {
                "preferredFrom": f.days_ahead(50).isoformat(),
                "preferredTo": f.days_ahead(55).isoformat(),
            },
            "preferredFrom",
        ),
        ({"expectedAudience": 301}, "expectedAudience"),
        ({"expectedAudience": 10}, "expectedAudience"),
    ]
    for overrides, field in cases:
        result = await world.gql(
            f.ORDER_OFFERING, {"input": f.order_input(world, offering_id, **overrides)}, "manager"
        )
        assert (result["code"], result["field"]) == ("BAD_USER_INPUT", field), overrides
    async with world.db.factory() as session:
        assert (await session.execute(select(MenuOrder))).first() is None


async def test_order_offering__retired_offering__conflict(world: World) -> None:
    offering_id = await f.approved_offering(world)
    retired = await world.gql(f.RETIRE_OFFERING, {"id": offering_id}, "troupe")
    assert retired["offering"]["status"] == "RETIRED"
    result = await world.gql(
        f.ORDER_OFFERING, {"input": f.order_input(world, offering_id)}, "manager"
    )
    assert (result["code"], result["field"]) == ("CONFLICT", "offeringId")


async def test_cancel_order__scheduled__admin_cancels_event_and_refunds_budget(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world)
    day = f.days_ahead(12)
    await f.set_budget(world, day, yuan=10_000, max_orders=1)
    order = await f.scheduled_order(world, offering_id)
    resident = await world.resident("booker")
    del resident
    await world.gql(
        f.BOOK_EVENT,
        {"input": {"eventId": order["event"]["id"], "seats": 1, "idempotencyKey": "cancel-test-1"}},
        "booker",
    )
    # The centre may cancel only before approval.
    assert await world.codes(f.CANCEL_ORDER, {"id": order["id"], "reason": "改期"}, "manager") == [
        "FORBIDDEN"
    ]

    cancelled = await world.gql(f.CANCEL_ORDER, {"id": order["id"], "reason": "场地维修"}, "admin")

    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["event"]["status"] == "CANCELLED"
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    [budget] = await world.gql(f.MENU_BUDGETS, {"period": quarter}, "admin")
    assert (budget["spentYuan"], budget["orderCount"]) == (0.0, 0)
    async with world.db.factory() as session:
        statuses = (
            (
                await session.execute(
                    select(col(Booking.status)).where(
                        col(Booking.event_id) == pk_of(order["event"]["id"])
                    )
                )
            )
            .scalars()
            .all()
        )
    assert list(statuses) == [BookingStatus.CANCELLED]
    # The refunded quota takes the next order.
    assert (await f.scheduled_order(world, offering_id))["status"] == "SCHEDULED"


async def test_confirm_order_delivered__before_the_start__conflict(world: World) -> None:
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, await f.approved_offering(world))
    result = await world.gql(f.CONFIRM_DELIVERED, {"id": order["id"]}, "manager")
    assert (result["code"], result["field"]) == ("CONFLICT", "id")


async def test_my_orders__each_party__sees_its_own(world: World) -> None:
    mine = await f.placed_order(world, await f.approved_offering(world))
    other_offering = await f.approved_offering(world, who="other_troupe", title="【演示】讲座")
    theirs = await f.placed_order(world, other_offering)

    async def ids(who: str) -> list[str]:
        page = await world.gql(f.MY_ORDERS, None, who)
        return [e["node"]["id"] for e in page["edges"]]

    assert await ids("manager") == [theirs, mine]
    assert await ids("troupe") == [mine]
    assert await ids("other_troupe") == [theirs]
    assert await ids("bureau") == []
    assert await ids("admin") == [theirs, mine]
    assert await ids("resident") == []
    first_page = await world.gql(f.MY_ORDERS, {"first": 1}, "manager")
    second = await world.gql(
        f.MY_ORDERS, {"first": 1, "after": first_page["pageInfo"]["endCursor"]}, "manager"
    )
    assert [e["node"]["id"] for e in second["edges"]] == [mine]
    assert second["totalCount"] == 2
    await world.gql(f.RESPOND_TO_ORDER, _respond(mine, "DECLINE", reason="没有档期"), "troupe")
    declined = await world.gql(f.MY_ORDERS, {"status": "DECLINED"}, "manager")
    assert [e["node"]["id"] for e in declined["edges"]] == [mine]


async def test_staff_cancelled_the_event__order_cannot_be_delivered(world: World) -> None:
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, await f.approved_offering(world))
    async with transaction(world.db.factory) as session:
        event = await session.get(m.Event, pk_of(order["event"]["id"]))
        assert event is not None
        event.status = m.EventStatus.CANCELLED
    await f.move_event_to_past(world.db, pk_of(order["event"]["id"]))
    result = await world.gql(f.CONFIRM_DELIVERED, {"id": order["id"]}, "troupe")
    assert result["code"] == "CONFLICT"
    # The administrator closes it: cancelled, the budget given back.
    closed = await world.gql(
        f.CANCEL_ORDER, {"id": order["id"], "reason": "剧团因故未演出"}, "admin"
    )
    assert closed["order"]["status"] == "CANCELLED"
    day = f.days_ahead(12)
    [budget] = await world.gql(
        f.MENU_BUDGETS, {"period": f"{day.year}-Q{(day.month - 1) // 3 + 1}"}, "admin"
    )
    assert budget["orderCount"] == 0


async def test_cancel_order__scheduled_event_already_started__conflict(world: World) -> None:
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, await f.approved_offering(world))
    await f.move_event_to_past(world.db, pk_of(order["event"]["id"]))
    result = await world.gql(f.CANCEL_ORDER, {"id": order["id"], "reason": "太晚了"}, "admin")
    assert (result["code"], result["field"]) == ("CONFLICT", "id")
