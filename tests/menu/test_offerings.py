"""The menu: suppliers submit, administrators approve; the public sees approved offerings
only, filtered and sorted, page by page."""

from __future__ import annotations

from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid, pk_of


async def test_submit_offering__troupe_editor__pending_and_hidden_until_approved(
    world: World,
) -> None:
    periods = [{"startDate": f.days_ahead(30).isoformat(), "endDate": f.days_ahead(5).isoformat()}]
    bad = await world.gql(
        f.SUBMIT_OFFERING, {"input": f.offering_input(availablePeriods=periods)}, "troupe"
    )
    assert (bad["code"], bad["field"]) == ("BAD_USER_INPUT", "availablePeriods.0.endDate")

    submitted = await world.gql(
        f.SUBMIT_OFFERING,
        {"input": f.offering_input(regionIds=[gid("Region", world.region_id)])},
        "troupe",
    )
    offering = submitted["offering"]
    assert (offering["status"], offering["costYuan"], offering["servesAllRegions"]) == (
        "PENDING_REVIEW",
        8000.0,
        False,
    )
    assert offering["regionsServed"] == [{"id": gid("Region", world.region_id), "name": "测试镇"}]
    assert offering["requirements"] == {
        "stage": True,
        "power": "220V 10kW",
        "space": "室外平地 20m×10m",
    }
    assert offering["supplier"]["organization"]["id"] == gid("Organization", world.troupe_org_id)

    assert (await world.gql(f.OFFERINGS, None, "resident"))["edges"] == []
    assert await world.gql(f.OFFERING, {"id": offering["id"]}, "resident") is None
    assert (await world.gql(f.OFFERING, {"id": offering["id"]}, "troupe"))[
        "status"
    ] == "PENDING_REVIEW"
    pending = {"filter": {"status": "PENDING_REVIEW"}}
    assert (await world.gql(f.OFFERINGS, pending, "admin"))["totalCount"] == 1
    assert await world.codes(f.OFFERINGS, pending, "resident") == ["FORBIDDEN"]
    own = {
        "filter": {
            "status": "PENDING_REVIEW",
            "supplierId": gid("Organization", world.troupe_org_id),
        }
    }
    assert (await world.gql(f.OFFERINGS, own, "troupe"))["totalCount"] == 1
    assert await world.codes(f.OFFERINGS, own, "other_troupe") == ["FORBIDDEN"]

    approved = await world.gql(f.REVIEW_OFFERING, {"id": offering["id"], "approve": True}, "admin")
    assert approved["offering"]["status"] == "APPROVED"
    assert (await world.gql(f.OFFERINGS, None, "resident"))["totalCount"] == 1
    assert await f.audit_actions(world.db, "Offering", pk_of(offering["id"])) == [
        "menu_offering.submit",
        "menu_offering.approve",
    ]


async def test_review_offering__reject_needs_reason_then_no_second_review(world: World) -> None:
    submitted = await world.gql(f.SUBMIT_OFFERING, {"input": f.offering_input()}, "troupe")
    offering_id = submitted["offering"]["id"]
    no_reason = await world.gql(f.REVIEW_OFFERING, {"id": offering_id, "approve": False}, "admin")
    assert (no_reason["code"], no_reason["field"]) == ("BAD_USER_INPUT", "reason")
    rejected = await world.gql(
        f.REVIEW_OFFERING, {"id": offering_id, "approve": False, "reason": "费用偏高"}, "admin"
    )
    assert rejected["offering"]["rejectionReason"] == "费用偏高"
    again = await world.gql(f.REVIEW_OFFERING, {"id": offering_id, "approve": True}, "admin")
    assert (again["code"], again["state"]) == ("INVALID_TRANSITION", "REJECTED")
    assert await world.codes(f.REVIEW_OFFERING, {"id": offering_id, "approve": True}, "troupe") == [
        "FORBIDDEN"
    ]


async def test_submit_offering__not_a_supplier__refused_by_who_and_what(world: World) -> None:
    # A resident: not a supplier's person (FORBIDDEN). A bureau manager: an organisation that
    # is not a supplier kind (NOT_SUPPLIER). A troupe's checker: not an editor or manager.
    resident = await world.gql(f.SUBMIT_OFFERING, {"input": f.offering_input()}, "resident")
    assert (resident["code"], resident["field"]) == ("BAD_USER_INPUT", "supplierId")
    named = {"input": f.offering_input(supplierId=gid("Organization", world.troupe_org_id))}
    assert await world.codes(f.SUBMIT_OFFERING, named, "resident") == ["FORBIDDEN"]
    assert await world.codes(f.SUBMIT_OFFERING, named, "troupe_checker") == ["FORBIDDEN"]
    assert await world.codes(f.SUBMIT_OFFERING, named, "other_troupe") == ["FORBIDDEN"]
    bureau = await world.gql(f.SUBMIT_OFFERING, {"input": f.offering_input()}, "bureau")
    assert (bureau["code"], bureau["field"]) == ("NOT_SUPPLIER", "supplierId")


async def test_retire_offering__by_another_troupe__not_found_and_twice__invalid(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world)
    assert await world.codes(f.RETIRE_OFFERING, {"id": offering_id}, "other_troupe") == [
        "FORBIDDEN"
    ]
    assert (await world.gql(f.RETIRE_OFFERING, {"id": offering_id}, "troupe"))["offering"][
        "status"
    ] == "RETIRED"
    again = await world.gql(f.RETIRE_OFFERING, {"id": offering_id}, "admin")
    assert (again["code"], again["state"]) == ("INVALID_TRANSITION", "RETIRED")
    assert (await world.gql(f.OFFERINGS, None, "resident"))["edges"] == []


async def test_offerings__filters__kind_region_and_rating(world: World) -> None:
    everywhere = await f.approved_offering(world, title="【演示】全市讲座", kind="LECTURE")
    local = await f.approved_offering(
        world, title="【演示】本镇演出", regionIds=[gid("Region", world.region_id)]
    )
    await f.approved_offering(
        world, title="【演示】他镇演出", regionIds=[gid("Region", world.other_region_id)]
    )

    async def titles(filter: dict[str, object]) -> set[str]:
        page = await world.gql(f.OFFERINGS, {"filter": filter}, "resident")
        return {e["node"]["id"] for e in page["edges"]}

    assert await titles({"regionId": gid("Region", world.region_id)}) == {everywhere, local}
    assert await titles({"kind": "LECTURE"}) == {everywhere}
    assert await titles({"minRating": 0.5}) == set()
    bad = await world.api.execute(
        f.OFFERINGS, {"filter": {"minRating": 6}}, token=world.token("resident")
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_offerings__orders_sort__most_ordered_first_and_pages_are_stable(
    world: World,
) -> None:
    ids = [await f.approved_offering(world, title=f"【演示】项目{i}") for i in range(4)]
    for _ in range(2):
        await f.placed_order(world, ids[2])
    await f.placed_order(world, ids[0])

    seen: list[str] = []
    after = None
    while True:
        page = await world.gql(
            f.OFFERINGS, {"orderBy": "ORDERS", "first": 3, "after": after}, "resident"
        )
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [ids[2], ids[0], ids[1], ids[3]]
    newest = await world.gql(f.OFFERINGS, {"orderBy": "NEWEST"}, "resident")
    assert [e["node"]["id"] for e in newest["edges"]] == list(reversed(ids))
    wrong_cursor = await world.api.execute(
        f.OFFERINGS, {"orderBy": "RATING", "after": after}, token=world.token("resident")
    )
    assert wrong_cursor["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
