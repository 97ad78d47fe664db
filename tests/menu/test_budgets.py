"""Budgets and quotas per region and period: approval refuses what does not fit, with its
code, and changes nothing; month and quarter rows are charged together."""

from __future__ import annotations

from typing import Any

from culture_cloud.db import transaction
from tests.catalog import factories as catalog
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import gid


def _quarter(day: Any) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _budget(world: World, period: str, yuan: float, max_orders: int) -> dict[str, Any]:
    region = gid("Region", world.region_id)
    return {
        "input": {"period": period, "regionId": region, "budgetYuan": yuan, "maxOrders": max_orders}
    }


async def test_approve_order__budget_too_small__budget_exceeded_and_nothing_changed(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world, costYuan=8000)
    day = f.days_ahead(12)
    await f.set_budget(world, day, yuan=7999.99, max_orders=5)
    order_id = await f.accepted_order(world, offering_id)

    result = await world.gql(f.APPROVE_ORDER, {"id": order_id}, "admin")

    assert result["code"] == "BUDGET_EXCEEDED"
    assert "7999.99" in result["message"]
    assert (await world.gql(f.MENU_ORDER, {"id": order_id}, "admin"))["status"] == "ACCEPTED"
    [budget] = await world.gql(f.MENU_BUDGETS, {"period": _quarter(day)}, "admin")
    assert (budget["spentYuan"], budget["orderCount"]) == (0.0, 0)
    events = await world.gql(
        f.EVENTS, {"filter": {"venueId": gid("Venue", world.venue_id)}}, "admin"
    )
    assert events["edges"] == []


async def test_approve_order__quota_reached__quota_exceeded(world: World) -> None:
    offering_id = await f.approved_offering(world, costYuan=100)
    await f.set_budget(world, f.days_ahead(12), yuan=100_000, max_orders=2)
    for _ in range(2):
        await f.scheduled_order(world, offering_id)
    order_id = await f.accepted_order(world, offering_id)
    result = await world.gql(f.APPROVE_ORDER, {"id": order_id}, "admin")
    assert result["code"] == "QUOTA_EXCEEDED"


async def test_approve_order__no_budget_for_the_period__no_budget(world: World) -> None:
    order_id = await f.accepted_order(world, await f.approved_offering(world))
    result = await world.gql(f.APPROVE_ORDER, {"id": order_id}, "admin")
    assert result["code"] == "NO_BUDGET"


async def test_approve_order__month_and_quarter_rows__both_charged_and_both_bind(
    world: World,
) -> None:
    offering_id = await f.approved_offering(world, costYuan=1000)
    day = f.days_ahead(12)
    await f.set_budget(world, day, yuan=100_000, max_orders=10)  # the quarter: generous
    await f.set_budget(world, day, yuan=1500, max_orders=10, quarter=False)  # the month: tight

    order = await f.scheduled_order(world, offering_id)
    assert order["chargedPeriods"] == sorted([f"{day:%Y-%m}", _quarter(day)])
    refused = await world.gql(
        f.APPROVE_ORDER, {"id": await f.accepted_order(world, offering_id)}, "admin"
    )
    assert refused["code"] == "BUDGET_EXCEEDED"
    [quarter] = await world.gql(f.MENU_BUDGETS, {"period": _quarter(day)}, "admin")
    [month] = await world.gql(f.MENU_BUDGETS, {"period": f"{day:%Y-%m}"}, "admin")
    assert (quarter["spentYuan"], month["spentYuan"]) == (1000.0, 1000.0)


async def test_set_menu_budget__below_what_is_approved__conflict(world: World) -> None:
    offering_id = await f.approved_offering(world, costYuan=5000)
    day = f.days_ahead(12)
    await f.set_budget(world, day, yuan=10_000, max_orders=3)
    await f.scheduled_order(world, offering_id)

    lower = await world.gql(f.SET_MENU_BUDGET, _budget(world, _quarter(day), 4000, 3), "admin")
    assert (lower["code"], lower["field"]) == ("CONFLICT", "budgetYuan")
    fewer = await world.gql(f.SET_MENU_BUDGET, _budget(world, _quarter(day), 10_000, 0), "admin")
    assert (fewer["code"], fewer["field"]) == ("CONFLICT", "maxOrders")
    raised = await world.gql(f.SET_MENU_BUDGET, _budget(world, _quarter(day), 20_000, 5), "admin")
    assert raised["budget"]["remainingYuan"] == 15_000.0
    assert raised["budget"]["remainingOrders"] == 4
    actions = await f.audit_actions(world.db, "MenuBudget", 1)
    assert actions == ["menu_budget.set", "menu_budget.set"]


async def test_set_menu_budget__bad_period_or_amount__bad_input(world: World) -> None:
    for period, yuan, field in (
        ("2026-13", 1, "period"),
        ("Q4-2026", 1, "period"),
        ("2026-Q4", -1, "budgetYuan"),
        ("2026-11", 0.001, "budgetYuan"),
    ):
        result = await world.gql(f.SET_MENU_BUDGET, _budget(world, period, yuan, 1), "admin")
        assert (result["code"], result["field"]) == ("BAD_USER_INPUT", field), period


async def test_set_menu_budget__not_an_administrator__forbidden_and_budgets_for_managers_only(
    world: World,
) -> None:
    for who in ("manager", "troupe", "resident"):
        codes = await world.codes(f.SET_MENU_BUDGET, _budget(world, "2026-Q4", 1, 1), who)
        assert codes == ["FORBIDDEN"], who
    for who in ("troupe", "checker", "resident"):
        codes = await world.codes(f.MENU_BUDGETS, {"period": "2026-Q4"}, who)
        assert codes == ["FORBIDDEN"], who


async def test_menu_budgets__managers__only_townships_of_their_venues(world: World) -> None:
    async with transaction(world.db.factory) as session:
        third = await catalog.add_region(session, "第三镇")
    regions = {"here": world.region_id, "there": world.other_region_id, "third": third.id}
    for region in regions.values():
        variables = _budget(world, "2026-Q4", 50_000, 6)
        variables["input"]["regionId"] = gid("Region", region)
        done = await world.gql(f.SET_MENU_BUDGET, variables, "admin")
        assert done["__typename"] == "MenuBudgetSuccess", done

    async def seen(who: str) -> set[str]:
        rows = await world.gql(f.MENU_BUDGETS, {"period": "2026-Q4"}, who)
        return {row["region"]["id"] for row in rows}

    everywhere = {gid("Region", region) for region in regions.values()}
    assert await seen("admin") == everywhere
    # The centre's manager has venues in two townships: those two, not the third.
    assert await seen("manager") == everywhere - {gid("Region", third.id)}
    # Managers of organisations with no venue see no township's budget.
    assert await seen("other_troupe") == set()
    assert await seen("bureau") == set()
