"""The whole loop, through the API: a village centre orders a troupe's performance, the troupe
proposes a date, the centre accepts it, the administrator approves within budget, the event
appears and is booked, it takes place, attendees rate it, and the troupe's scores move."""

from __future__ import annotations

import uuid

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid, pk_of


async def test_menu_loop__order_to_rating__scores_move_and_every_step_audited(
    world: World,
) -> None:
    # The troupe publishes; the administrator approves; the menu shows it.
    offering_id = await f.approved_offering(world)
    menu = await world.gql(
        f.OFFERINGS, {"filter": {"regionId": gid("Region", world.region_id)}}, "resident"
    )
    assert [e["node"]["id"] for e in menu["edges"]] == [offering_id]
    day = f.days_ahead(15)
    await f.set_budget(world, day, yuan=20_000, max_orders=3)

    # The village centre orders for its venue, preferring days 10-20 from now.
    order_id = await f.placed_order(world, offering_id)
    # The troupe cannot come then and proposes day 25 instead.
    proposed = f.at(f.days_ahead(25), 19, 30)
    answer = await world.gql(
        f.RESPOND_TO_ORDER,
        {
            "input": {
                "orderId": order_id,
                "response": "PROPOSE_DATE",
                "startAt": proposed.isoformat(),
                "reason": "十五日前档期已满",
            }
        },
        "troupe",
    )
    assert answer["order"]["status"] == "PROPOSED_DATE"
    accepted = await world.gql(f.ANSWER_ORDER_PROPOSAL, {"id": order_id, "accept": True}, "manager")
    assert accepted["order"]["status"] == "ACCEPTED"
    assert accepted["order"]["startAt"] == proposed.isoformat()
    await f.set_budget(world, f.days_ahead(25), yuan=20_000, max_orders=3)

    # The administrator approves: the budget is charged and the event exists, bookable.
    approved = await world.gql(f.APPROVE_ORDER, {"id": order_id}, "admin")
    order = approved["order"]
    assert order["status"] == "SCHEDULED", approved
    event = order["event"]
    assert event["status"] == "PUBLISHED" and event["bookingRequired"] is True
    assert event["capacity"] == 120 and event["startAt"] == proposed.isoformat()
    assert event["organization"]["id"] == gid("Organization", world.troupe_org_id)
    assert event["venue"]["id"] == gid("Venue", world.venue_id)
    quarter = f"{proposed.year}-Q{(proposed.month - 1) // 3 + 1}"
    assert order["chargedPeriods"] == [quarter]
    [budget] = await world.gql(f.MENU_BUDGETS, {"period": quarter}, "admin")
    assert (budget["spentYuan"], budget["orderCount"], budget["remainingYuan"]) == (
        8000.0,
        1,
        12000.0,
    )
    listed = await world.gql(
        f.EVENTS, {"filter": {"venueId": gid("Venue", world.venue_id)}}, "resident"
    )
    assert [e["node"]["id"] for e in listed["edges"]] == [event["id"]]
    assert "文化点单" in listed["edges"][0]["node"]["tags"]
    node = await world.gql(
        "query N($id: ID!) { node(id: $id) { ... on Event { id status } } }",
        {"id": event["id"]},
        "resident",
    )
    assert node == {"id": event["id"], "status": "PUBLISHED"}

    # Residents book it like any event.
    booked = await world.gql(
        f.BOOK_EVENT,
        {"input": {"eventId": event["id"], "seats": 2, "idempotencyKey": uuid.uuid4().hex}},
        "resident",
    )
    assert booked["__typename"] == "BookingConfirmed", booked
    assert booked["booking"]["event"]["remainingSeats"] == 118

    # It takes place; the centre confirms; two attendees rate it (5 and 4).
    event_pk = pk_of(event["id"])
    await f.move_event_to_past(world.db, event_pk)
    delivered = await world.gql(f.CONFIRM_DELIVERED, {"id": order_id}, "manager")
    assert delivered["order"]["status"] == "DELIVERED"
    await f.rate(world.db, event_pk, 5, 4)

    rated = await world.gql(
        f.MENU_ORDER.replace("id status", "id status ratedAt"), {"id": order_id}, "manager"
    )
    assert rated["status"] == "RATED" and rated["ratedAt"] is not None
    [offering] = [
        e["node"]
        for e in (await world.gql(f.OFFERINGS, {"orderBy": "RATING"}, "resident"))["edges"]
    ]
    assert (offering["rating"], offering["ratingCount"], offering["orderCount"]) == (4.5, 2, 1)
    assert offering["supplier"]["rating"] == 4.5
    assert offering["supplier"]["ratingCount"] == 2

    order_pk = pk_of(order_id)
    assert await f.audit_actions(world.db, "MenuOrder", order_pk) == [
        "menu_order.place",
        "menu_order.propose_date",
        "menu_order.accept_proposal",
        "menu_order.approve",
        "menu_order.deliver",
        "menu_order.rate",
    ]
    assert await f.audit_actions(world.db, "Event", event_pk) == ["event.create"]


async def test_rating__better_rated_offering__sorts_first_on_the_menu(world: World) -> None:
    plain = await f.approved_offering(world, title="【演示】秧歌表演")
    loved = await f.approved_offering(world, title="【演示】三弦书专场")
    await f.set_budget(world, f.days_ahead(12), yuan=100_000, max_orders=5)
    first = await f.scheduled_order(world, plain)
    second = await f.scheduled_order(world, loved)
    await f.rate(world.db, pk_of(first["event"]["id"]), 3, 4)
    await f.rate(world.db, pk_of(second["event"]["id"]), 5, 5)

    by_rating = await world.gql(f.OFFERINGS, {"orderBy": "RATING"}, "resident")
    assert [e["node"]["id"] for e in by_rating["edges"]] == [loved, plain]
    best = await world.gql(f.OFFERINGS, {"filter": {"minRating": 4.0}}, "resident")
    assert [e["node"]["id"] for e in best["edges"]] == [loved]
    # Both belong to the one troupe: its score is over all four ratings.
    assert by_rating["edges"][0]["node"]["supplier"]["rating"] == 4.25


async def test_rating__edited_and_withdrawn__scores_follow_the_deltas(world: World) -> None:
    offering_id = await f.approved_offering(world)
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, offering_id)
    event_pk = pk_of(order["event"]["id"])
    await f.rate(world.db, event_pk, 3, 5)
    await f.change_rating(world.db, event_pk, count=0, score_sum=2)  # an edit from 3 to 5
    [node] = [e["node"] for e in (await world.gql(f.OFFERINGS, None, "resident"))["edges"]]
    assert (node["rating"], node["ratingCount"]) == (5.0, 2)
    await f.change_rating(world.db, event_pk, count=-1, score_sum=-5)  # one taken down
    await f.change_rating(world.db, event_pk, count=-1, score_sum=-5)
    [node] = [e["node"] for e in (await world.gql(f.OFFERINGS, None, "resident"))["edges"]]
    assert (node["rating"], node["ratingCount"]) == (0.0, 0)
    assert (node["supplier"]["rating"], node["supplier"]["ratingCount"]) == (0.0, 0)


async def test_rating__event_not_from_the_menu__changes_nothing(world: World) -> None:
    offering_id = await f.approved_offering(world)
    async with transaction(world.db.factory) as session:
        venue = await session.get(m.Venue, world.venue_id)
        other = await catalog.add_event(session, "普通活动", f.at(f.days_ahead(3), 10), place=venue)
    assert other.id is not None
    await f.rate(world.db, other.id, 1)
    [node] = [e["node"] for e in (await world.gql(f.OFFERINGS, None, "resident"))["edges"]]
    assert node["id"] == offering_id and node["ratingCount"] == 0
