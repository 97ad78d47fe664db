"""Demand figures (wishes, menu orders, fulfilment, top searches) and top events by rating,
against plain SQL over the rows the test wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.menu.models import (
    MenuOffering,
    MenuOrder,
    MenuWish,
    OfferingKind,
    OfferingStatus,
    OrderStatus,
    WishStatus,
)
from culture_cloud.reviews.models import RatingAggregate
from culture_cloud.timeutil import local_day_start
from tests.accounts.factories import add_admin, add_staff, token_for
from tests.conftest import Database
from tests.statistics.factories import World, build_world, local, sql_one
from tests.statistics.test_statistics import period
from tests.support.graphql import graphql_client
from tests.support.ids import gid

DEMAND = """
query Demand($period: StatisticsPeriod!, $filter: StatisticsFilter) {
  statistics(period: $period, filter: $filter) {
    demand {
      wishesByRegion { regionId wishes supports }
      ordersByKindAndRegion { kind regionId orders }
      settledOrders fulfilledOrders fulfilmentRate
    }
    topEventsByRating { eventId reviews averageRating event { title } }
  }
}
"""


async def add_menu(db: Database, world: World) -> None:
    day = world.first_day
    museum_org, library_org = world.organizations
    async with transaction(db.factory) as session:
        offerings = []
        for kind in (OfferingKind.PERFORMANCE, OfferingKind.LECTURE):
            offering = MenuOffering(
                organization_id=library_org,
                title=f"{kind.value} 节目",
                kind=kind,
                duration_minutes=60,
                audience_min=10,
                audience_max=100,
                cost_fen=1000,
                status=OfferingStatus.APPROVED,
                submitted_by=world.user(),
                created_at=local(day, 8),
                updated_at=local(day, 8),
            )
            session.add(offering)
            offerings.append(offering)
        await session.flush()
        for offering, region, status, created in (
            (0, 0, OrderStatus.DELIVERED, local(day, 0, 5)),
            (0, 0, OrderStatus.RATED, local(day + timedelta(days=1), 9)),
            (0, 1, OrderStatus.DECLINED, local(day + timedelta(days=2), 9)),
            (1, 0, OrderStatus.REQUESTED, local(day + timedelta(days=3), 9)),
            (1, 1, OrderStatus.CANCELLED, local(day + timedelta(days=6), 23, 59)),
            (1, 1, OrderStatus.DELIVERED, local(day - timedelta(days=1), 23, 59)),
        ):
            session.add(
                MenuOrder(
                    offering_id=offerings[offering].id,  # type: ignore[arg-type]
                    supplier_organization_id=library_org,
                    venue_id=world.venues[0],
                    region_id=world.regions[region],
                    ordering_organization_id=museum_org,
                    ordered_by=world.user(),
                    preferred_from=day,
                    preferred_to=day + timedelta(days=30),
                    expected_audience=50,
                    status=status,
                    cost_fen=1000,
                    created_at=created,
                    updated_at=created,
                )
            )
        for region, supports, created in (
            (0, 3, local(day, 10)),
            (0, 1, local(day + timedelta(days=4), 10)),
            (1, 5, local(day + timedelta(days=5), 10)),
            (1, 9, local(day + timedelta(days=7), 0, 1)),
        ):
            session.add(
                MenuWish(
                    user_id=world.user(),
                    title="想看晋剧",
                    text="希望村里能演一场晋剧",
                    region_id=world.regions[region],
                    status=WishStatus.OPEN,
                    support_count=supports,
                    created_at=created,
                )
            )


async def demand(db: Database, token: str, world: World, **variables: Any) -> dict[str, Any]:
    async with graphql_client(db) as client:
        data = await client.data(DEMAND, {"period": period(world), **variables}, token=token)
    result: dict[str, Any] = data["statistics"]
    return result


def window(world: World) -> dict[str, Any]:
    return {
        "lo": local_day_start(world.first_day),
        "hi": local_day_start(world.last_day + timedelta(days=1)),
    }


async def test_demand__wishes_orders_and_fulfilment__equal_sql(db: Database) -> None:
    world = await build_world(db)
    await add_menu(db, world)
    token = await token_for(db, await add_admin(db))

    figures = (await demand(db, token, world))["demand"]

    for row in figures["wishesByRegion"]:
        region = world.regions[[gid("Region", r) for r in world.regions].index(row["regionId"])]
        wishes, supports = await sql_one(
            db,
            "SELECT count(*), sum(support_count) FROM menu_wish"
            " WHERE region_id = :region AND created_at >= :lo AND created_at < :hi",
            region=region,
            **window(world),
        )
        assert (row["wishes"], row["supports"]) == (wishes, supports)
    assert [r["wishes"] for r in figures["wishesByRegion"]] == [2, 1]
    total, performance_r0 = await sql_one(
        db,
        "SELECT count(*), sum(CASE WHEN f.kind = 'performance' AND o.region_id = :r0"
        " THEN 1 ELSE 0 END) FROM menu_order o JOIN menu_offering f ON f.id = o.offering_id"
        " WHERE o.created_at >= :lo AND o.created_at < :hi",
        r0=world.regions[0],
        **window(world),
    )
    assert sum(r["orders"] for r in figures["ordersByKindAndRegion"]) == total == 5
    assert {
        "kind": "PERFORMANCE",
        "regionId": gid("Region", world.regions[0]),
        "orders": performance_r0,
    } in figures["ordersByKindAndRegion"]
    settled, fulfilled = await sql_one(
        db,
        "SELECT sum(CASE WHEN status IN ('delivered', 'rated', 'declined', 'cancelled',"
        " 'rejected') THEN 1 ELSE 0 END),"
        " sum(CASE WHEN status IN ('delivered', 'rated') THEN 1 ELSE 0 END)"
        " FROM menu_order WHERE created_at >= :lo AND created_at < :hi",
        **window(world),
    )
    assert (figures["settledOrders"], figures["fulfilledOrders"]) == (settled, fulfilled)
    assert figures["fulfilmentRate"] == 0.5


async def test_demand__staff__count_orders_of_their_organization_only(db: Database) -> None:
    world = await build_world(db)
    await add_menu(db, world)
    outsider_org = world.organizations[1]
    async with transaction(db.factory) as session:
        from tests.catalog import factories as catalog

        other = await catalog.add_organization(session, "另一个单位")
    staff = await token_for(db, await add_staff(db, other.id, StaffRole.MANAGER))  # type: ignore[arg-type]
    supplier = await token_for(db, await add_staff(db, outsider_org, StaffRole.MANAGER))

    assert (await demand(db, staff, world))["demand"]["ordersByKindAndRegion"] == []
    supplied = (await demand(db, supplier, world))["demand"]["ordersByKindAndRegion"]
    assert sum(r["orders"] for r in supplied) == 5


async def test_top_events_by_rating__best_average_first(db: Database) -> None:
    world = await build_world(db)
    async with transaction(db.factory) as session:
        for event, count, total in (("museum-first", 2, 7), ("library", 3, 12), ("after", 1, 5)):
            session.add(
                RatingAggregate(
                    target_kind="event",
                    target_id=world.events[event],
                    review_count=count,
                    overall_sum=total,
                )
            )
    token = await token_for(db, await add_admin(db))

    ranked = (await demand(db, token, world))["topEventsByRating"]

    assert ranked == [
        {
            "eventId": gid("Event", world.events["library"]),
            "reviews": 3,
            "averageRating": 4.0,
            "event": {"title": "library"},
        },
        {
            "eventId": gid("Event", world.events["museum-first"]),
            "reviews": 2,
            "averageRating": 3.5,
            "event": {"title": "museum-first"},
        },
    ]
