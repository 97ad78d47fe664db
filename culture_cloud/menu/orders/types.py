"""GraphQL face of orders and budgets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Event, Organization, Region, Venue
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.menu import loaders as menu_loaders
from culture_cloud.menu import models
from culture_cloud.menu.common_types import MenuError, MenuOrderStatus, local, yuan
from culture_cloud.menu.offerings.types import MenuSupplier, Offering
from culture_cloud.timeutil import to_local


@strawberry.type(description="一笔点单：某文化站/文化中心向供给方点的一个菜单项目")
class MenuOrder(Node):
    _pk: strawberry.Private[int]
    _offering_id: strawberry.Private[int]
    _venue_id: strawberry.Private[int]
    _region_id: strawberry.Private[int]
    _event_id: strawberry.Private[int | None]
    _ordering_organization_id: strawberry.Private[int]
    _supplier_organization_id: strawberry.Private[int]
    status: MenuOrderStatus  # type: ignore[valid-type]
    preferred_from: date = strawberry.field(description="期望日期（起，北京时间）")
    preferred_to: date = strawberry.field(description="期望日期（止，含）")
    expected_audience: int
    note: str | None
    proposed_start_at: datetime | None = strawberry.field(
        description="供给方提议的开始时间（PROPOSED_DATE 时）"
    )
    start_at: datetime | None = strawberry.field(description="约定的开始时间（接单后）")
    end_at: datetime | None
    cost_yuan: float = strawberry.field(description="点单时该项目的费用（元），审批时计入预算")
    charged_periods: list[str] = strawberry.field(description="审批时扣减的预算周期")
    reason: str | None = strawberry.field(description="拒绝、驳回、取消或不接受改期的原因")
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    delivered_at: datetime | None
    rated_at: datetime | None

    @strawberry.field
    async def offering(self, info: Info) -> Offering | None:
        row = await menu_loaders.OfferingByIdLoader(info.context).load(self._offering_id)
        return None if row is None else Offering.from_row(row)

    @strawberry.field(description="送达地点")
    def venue(self, info: Info) -> Venue | None:
        return catalog_loaders.VenueByIdLoader(info.context).load(self._venue_id)  # type: ignore[return-value]

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        return catalog_loaders.RegionByIdLoader(info.context).load(self._region_id)  # type: ignore[return-value]

    @strawberry.field(description="点单单位（场馆所属单位）")
    def ordering_organization(self, info: Info) -> Organization | None:
        return catalog_loaders.OrganizationByIdLoader(info.context).load(
            self._ordering_organization_id
        )  # type: ignore[return-value]

    @strawberry.field
    async def supplier(self, info: Info) -> MenuSupplier:
        row = await menu_loaders.SupplierByOrganizationIdLoader(info.context).load(
            self._supplier_organization_id
        )
        return MenuSupplier.of(self._supplier_organization_id, row)

    @strawberry.field(description="审批后生成的可预约活动（bookEvent 预约）")
    def event(self, info: Info) -> Event | None:
        if self._event_id is None:
            return None
        return catalog_loaders.EventByIdLoader(info.context).load(self._event_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> MenuOrder:
        return cls(
            id=strawberry.ID(to_global_id("MenuOrder", row.id)),
            _pk=row.id,
            _offering_id=row.offering_id,
            _venue_id=row.venue_id,
            _region_id=row.region_id,
            _event_id=row.event_id,
            _ordering_organization_id=row.ordering_organization_id,
            _supplier_organization_id=row.supplier_organization_id,
            status=models.OrderStatus(row.status),
            preferred_from=row.preferred_from,
            preferred_to=row.preferred_to,
            expected_audience=row.expected_audience,
            note=row.note,
            proposed_start_at=local(row.proposed_start_at),
            start_at=local(row.start_at),
            end_at=local(row.end_at),
            cost_yuan=yuan(row.cost_fen),
            charged_periods=list(row.charged_periods),
            reason=row.reason,
            created_at=to_local(row.created_at),
            updated_at=to_local(row.updated_at),
            approved_at=local(row.approved_at),
            delivered_at=local(row.delivered_at),
            rated_at=local(row.rated_at),
        )


@strawberry.type(description="某乡镇某周期（月或季度）的点单预算与配额")
class MenuBudget:
    _region_id: strawberry.Private[int]
    period: str = strawberry.field(description="2026-11（月）或 2026-Q4（季度）")
    budget_yuan: float
    max_orders: int
    spent_yuan: float = strawberry.field(description="已审批订单占用的金额")
    order_count: int = strawberry.field(description="已审批的订单数")
    remaining_yuan: float
    remaining_orders: int

    @strawberry.field
    def region(self, info: Info) -> Region | None:
        return catalog_loaders.RegionByIdLoader(info.context).load(self._region_id)  # type: ignore[return-value]

    @classmethod
    def from_row(cls, row: Any) -> MenuBudget:
        return cls(
            _region_id=row.region_id,
            period=row.period,
            budget_yuan=yuan(row.budget_fen),
            max_orders=row.max_orders,
            spent_yuan=yuan(row.spent_fen),
            order_count=row.order_count,
            remaining_yuan=yuan(row.budget_fen - row.spent_fen),
            remaining_orders=row.max_orders - row.order_count,
        )


@strawberry.type
class MenuOrderSuccess:
    order: MenuOrder


@strawberry.type
class MenuBudgetSuccess:
    budget: MenuBudget


MenuOrderResult = Annotated[MenuOrderSuccess | MenuError, strawberry.union("MenuOrderResult")]
MenuBudgetResult = Annotated[MenuBudgetSuccess | MenuError, strawberry.union("MenuBudgetResult")]
