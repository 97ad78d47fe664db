"""Demand: wishes (心愿) by region, menu orders (点单) by kind and region, order fulfilment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.catalog.models import VENUE_TABLE
from culture_cloud.menu.models import (
    MENU_OFFERING_TABLE,
    MENU_ORDER_TABLE,
    MENU_WISH_TABLE,
    OfferingKind,
    OrderStatus,
    WishStatus,
)
from culture_cloud.statistics.attendance import ratio
from culture_cloud.statistics.scope import Scope

FULFILLED = (OrderStatus.DELIVERED, OrderStatus.RATED)
SETTLED = (*FULFILLED, OrderStatus.DECLINED, OrderStatus.CANCELLED, OrderStatus.REJECTED)


@dataclass(frozen=True)
class WishCount:
    region_id: int
    wishes: int
    supports: int


@dataclass(frozen=True)
class OrderCount:
    kind: OfferingKind
    region_id: int
    orders: int


@dataclass
class DemandFigures:
    wishes: list[WishCount]
    orders: list[OrderCount]
    settled_orders: int
    fulfilled_orders: int

    @property
    def fulfilment_rate(self) -> float | None:
        return ratio(self.fulfilled_orders, self.settled_orders)


async def demand(conn: AsyncConnection, scope: Scope) -> DemandFigures:
    wishes = (
        select(
            MENU_WISH_TABLE.c.region_id,
            func.count(MENU_WISH_TABLE.c.id),
            func.sum(MENU_WISH_TABLE.c.support_count),
        )
        .where(
            MENU_WISH_TABLE.c.created_at >= scope.start,
            MENU_WISH_TABLE.c.created_at < scope.end,
            # A merged duplicate is the same wish again; its supports moved to the target.
            MENU_WISH_TABLE.c.status != WishStatus.MERGED,
        )
        .group_by(MENU_WISH_TABLE.c.region_id)
        .order_by(MENU_WISH_TABLE.c.region_id)
    )
    if scope.region_ids:
        wishes = wishes.where(MENU_WISH_TABLE.c.region_id.in_(scope.region_ids))
    order_conditions = [
        MENU_ORDER_TABLE.c.created_at >= scope.start,
        MENU_ORDER_TABLE.c.created_at < scope.end,
    ]
    if scope.region_ids:
        order_conditions.append(MENU_ORDER_TABLE.c.region_id.in_(scope.region_ids))
    if scope.venue_kinds:
        order_conditions.append(
            MENU_ORDER_TABLE.c.venue_id.in_(
                select(VENUE_TABLE.c.id).where(VENUE_TABLE.c.kind.in_(scope.venue_kinds))
            )
        )
    if scope.organization_id is not None:
        org = scope.organization_id
        order_conditions.append(
            or_(
                MENU_ORDER_TABLE.c.supplier_organization_id == org,
                MENU_ORDER_TABLE.c.ordering_organization_id == org,
            )
        )
    orders = (
        select(
            MENU_OFFERING_TABLE.c.kind,
            MENU_ORDER_TABLE.c.region_id,
            func.count(MENU_ORDER_TABLE.c.id),
        )
        .select_from(
            MENU_ORDER_TABLE.join(
                MENU_OFFERING_TABLE, MENU_OFFERING_TABLE.c.id == MENU_ORDER_TABLE.c.offering_id
            )
        )
        .where(*order_conditions)
        .group_by(MENU_OFFERING_TABLE.c.kind, MENU_ORDER_TABLE.c.region_id)
    )
    statuses = (
        select(MENU_ORDER_TABLE.c.status, func.count(MENU_ORDER_TABLE.c.id))
        .where(*order_conditions)
        .group_by(MENU_ORDER_TABLE.c.status)
    )
    by_status = {OrderStatus(s): int(n) for s, n in (await conn.execute(statuses)).all()}
    order_rows = sorted(
        (
            OrderCount(OfferingKind(k), int(r), int(n))
            for k, r, n in (await conn.execute(orders)).all()
        ),
        key=lambda o: (o.kind.value, o.region_id),
    )
    return DemandFigures(
        wishes=[
            WishCount(int(r), int(n), int(s or 0)) for r, n, s in (await conn.execute(wishes)).all()
        ],
        orders=order_rows,
        settled_orders=sum(by_status.get(s, 0) for s in SETTLED),
        fulfilled_orders=sum(by_status.get(s, 0) for s in FULFILLED),
    )
