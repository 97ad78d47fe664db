"""The menu loop closed by real reviews: attendees of a delivered performance rate it with
`submitReview` (not a simulated rating signal), and the offering's and the troupe's scores and
the menu's order follow; a review held for moderation counts only once approved."""

from __future__ import annotations

import uuid
from typing import Any

from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import pk_of

SUBMIT = """mutation Submit($input: SubmitReviewInput!) {
  submitReview(input: $input) {
    __typename
    ... on SubmitReviewSuccess { review { id status } }
    ... on ReviewError { code field message }
  }
}"""

MODERATE = """mutation M($id: ID!) {
  moderateReview(id: $id, decision: APPROVE) { __typename }
}"""


async def _review(world: World, who: str, event_id: str, overall: int, text: str) -> Any:
    await world.resident(who)
    result = await world.gql(
        SUBMIT, {"input": {"targetId": event_id, "overall": overall, "text": text}}, who
    )
    assert result["__typename"] == "SubmitReviewSuccess", result
    return result["review"]


async def _offering(world: World) -> dict[str, Any]:
    [offering] = [
        e["node"]
        for e in (await world.gql(f.OFFERINGS, {"orderBy": "RATING"}, "resident"))["edges"]
    ]
    return offering  # type: ignore[no-any-return]


async def test_menu_loop__attendees_review_the_delivery__troupe_scores_move(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world)
    await f.set_budget(world, f.days_ahead(12))
    order = await f.scheduled_order(world, offering_id)
    event_id = order["event"]["id"]
    booked = await world.gql(
        f.BOOK_EVENT,
        {"input": {"eventId": event_id, "seats": 1, "idempotencyKey": uuid.uuid4().hex}},
        "resident",
    )
    assert booked["__typename"] == "BookingConfirmed", booked
    await f.move_event_to_past(world.db, pk_of(event_id))

    await _review(world, "观众甲", event_id, 5, "演员功底扎实，唱腔地道，村里老人都说好。")
    await _review(world, "观众乙", event_id, 3, "演出不错，但场地音响有些杂音。")
    offering = await _offering(world)
    assert (offering["rating"], offering["ratingCount"]) == (4.0, 2)
    assert (offering["supplier"]["rating"], offering["supplier"]["ratingCount"]) == (4.0, 2)

    # A review with a listed word waits for moderation and moves nothing until approved.
    held = await _review(world, "观众丙", event_id, 5, "加微信领票，精彩演出！")
    assert held["status"] == "PENDING"
    assert (await _offering(world))["ratingCount"] == 2
    approved = await world.gql(MODERATE, {"id": held["id"]}, "admin")
    assert approved["__typename"] == "ModerateReviewSuccess", approved
    offering = await _offering(world)
    assert (offering["rating"], offering["ratingCount"]) == (round(13 / 3, 2), 3)
