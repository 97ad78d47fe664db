"""Orders and budgets in the API."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from culture_cloud.errors import NotFound
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated, StaffRole
from culture_cloud.identity import StaffRole as Role
from culture_cloud.menu.common_types import MenuError
from culture_cloud.menu.models import OrderStatus
from culture_cloud.menu.orders import budgets, placing, reading, service
from culture_cloud.menu.orders.types import (
    MenuBudget,
    MenuBudgetResult,
    MenuBudgetSuccess,
    MenuOrder,
    MenuOrderResult,
    MenuOrderSuccess,
)

CENTRE_MANAGERS = StaffRole(Role.MANAGER)


@strawberry.enum(description="供给方的答复：ACCEPT 接单；DECLINE 拒绝；PROPOSE_DATE 提议改期")
class OrderResponse(Enum):
    ACCEPT = "accept"
    DECLINE = "decline"
    PROPOSE_DATE = "propose_date"


@strawberry.input(description="为本单位的文化站/文化中心点单")
class OrderOfferingInput:
    offering_id: strawberry.ID
    venue_id: strawberry.ID = strawberry.field(description="送达地点（本单位的场馆）")
    preferred_from: date = strawberry.field(description="期望日期（起，北京时间）")
    preferred_to: date = strawberry.field(description="期望日期（止，含）")
    expected_audience: int
    note: str | None = None

    def to_domain(self) -> placing.NewOrder:
        return placing.NewOrder(
            offering_id=expect_global_id(self.offering_id, "Offering", field="offeringId"),
            venue_id=expect_global_id(self.venue_id, "Venue", field="venueId"),
            preferred_from=self.preferred_from,
            preferred_to=self.preferred_to,
            expected_audience=self.expected_audience,
            note=self.note,
        )


@strawberry.input
class RespondToOrderInput:
    order_id: strawberry.ID
    response: OrderResponse
    start_at: datetime | None = strawberry.field(
        default=None,
        description="ACCEPT：期望日期内的开始时间；PROPOSE_DATE：提议的开始时间（须带时区）",
    )
    reason: str | None = strawberry.field(
        default=None, description="DECLINE 时必填；PROPOSE_DATE 时可附说明"
    )


@strawberry.input(description="设置某乡镇某周期的点单预算与订单数上限（不能低于已审批的数额）")
class SetMenuBudgetInput:
    period: str = strawberry.field(description="月份 2026-11 或季度 2026-Q4")
    region_id: strawberry.ID
    budget_yuan: float
    max_orders: int

    def to_domain(self) -> budgets.BudgetSetting:
        return budgets.BudgetSetting(
            period=self.period,
            region_id=expect_global_id(self.region_id, "Region", field="regionId"),
            budget_yuan=self.budget_yuan,
            max_orders=self.max_orders,
        )


@strawberry.type
class OrdersQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="与我有关的点单：本单位点的或本单位供给的（管理员：全部），最新在前",
    )
    async def my_orders(
        self,
        info: Info,
        status: OrderStatus | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[MenuOrder]:
        viewer = await info.context.require_viewer()
        async with info.context.read() as conn:
            page, stmt = await reading.list_orders(
                conn, viewer, status=status, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await reading.count_orders(conn, stmt)

        return make_connection(page, [MenuOrder.from_row(r) for r in page.items], total)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="按 ID 查看点单；仅双方与管理员可见，其他人得到 NOT_FOUND",
    )
    async def menu_order(self, info: Info, id: strawberry.ID) -> MenuOrder:
        await info.context.require_viewer()
        order = await visible_order(info, expect_global_id(id, "MenuOrder", field="id"))
        if order is None:
            raise NotFound(reading.NOT_FOUND_MESSAGE, field="id")
        return order

    @strawberry.field(
        permission_classes=[CENTRE_MANAGERS],
        description="某周期各乡镇的预算与使用情况：管理员看全部乡镇；单位负责人看本单位场馆"
        "所在乡镇的（点单时参考）",
    )
    async def menu_budgets(self, info: Info, period: str) -> list[MenuBudget]:
        viewer = await info.context.require_viewer()
        # A manager of no organisation has no venue, hence no township (-1 matches nothing).
        organization = None if viewer.is_admin else (viewer.organization_id or -1)
        async with info.context.read() as conn:
            rows = await budgets.list_budgets(conn, period=period, organization_id=organization)
        return [MenuBudget.from_row(r) for r in rows]


async def visible_order(info: Info, pk: int) -> MenuOrder | None:
    """`menuOrder(id:)` and `node(id:)`: both parties and admins, None for anyone else."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        row = await reading.get_order(conn, pk)
        if row is None or not await reading.can_see(conn, viewer, row):
            return None
    return MenuOrder.from_row(row)


def _ok(row: object) -> MenuOrderSuccess:
    return MenuOrderSuccess(order=MenuOrder.from_row(row))


@strawberry.type
class OrdersMutation:
    @strawberry.mutation(
        permission_classes=[CENTRE_MANAGERS],
        description="文化站/文化中心负责人为本单位场馆点单（管理员亦可）；之后等待供给方答复",
    )
    @errors_as(MenuError)
    async def order_offering(self, info: Info, input: OrderOfferingInput) -> MenuOrderResult:
        row = await run_command(info, placing.place_order, data=input.to_domain())
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="供给方答复点单：接单（给出期望日期内的开始时间）、提议改期或拒绝（说明原因）",
    )
    @errors_as(MenuError)
    async def respond_to_order(self, info: Info, input: RespondToOrderInput) -> MenuOrderResult:
        pk = expect_global_id(input.order_id, "MenuOrder", field="orderId")
        row = await run_command(
            info,
            service.respond_to_order,
            order_id=pk,
            response=service.OrderResponse(input.response.value),
            start_at=input.start_at,
            reason=input.reason,
        )
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[CENTRE_MANAGERS],
        description="点单方答复供给方的改期提议：接受（待审批），或不接受（说明原因，供给方可再提议）",
    )
    @errors_as(MenuError)
    async def answer_order_proposal(
        self, info: Info, id: strawberry.ID, accept: bool, reason: str | None = None
    ) -> MenuOrderResult:
        pk = expect_global_id(id, "MenuOrder", field="id")
        row = await run_command(
            info, service.answer_proposal, order_id=pk, accept=accept, reason=reason
        )
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="管理员审批已接单的点单：在该乡镇本期预算与配额内扣减，并生成可预约的活动",
    )
    @errors_as(MenuError)
    async def approve_order(self, info: Info, id: strawberry.ID) -> MenuOrderResult:
        pk = expect_global_id(id, "MenuOrder", field="id")
        row = await run_command(info, service.approve_order, order_id=pk)
        return _ok(row)

    @strawberry.mutation(permission_classes=[IsAdmin], description="管理员驳回点单（须说明原因）")
    @errors_as(MenuError)
    async def reject_order(self, info: Info, id: strawberry.ID, reason: str) -> MenuOrderResult:
        pk = expect_global_id(id, "MenuOrder", field="id")
        row = await run_command(info, service.reject_order, order_id=pk, reason=reason)
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[CENTRE_MANAGERS],
        description="取消点单（须说明原因）：审批前由点单方或管理员；已排期的仅管理员，"
        "活动随之取消并退回预算",
    )
    @errors_as(MenuError)
    async def cancel_order(self, info: Info, id: strawberry.ID, reason: str) -> MenuOrderResult:
        pk = expect_global_id(id, "MenuOrder", field="id")
        row = await run_command(info, service.cancel_order, order_id=pk, reason=reason)
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="确认活动已举办（点单方、供给方或管理员；活动开始后）",
    )
    @errors_as(MenuError)
    async def confirm_order_delivered(self, info: Info, id: strawberry.ID) -> MenuOrderResult:
        pk = expect_global_id(id, "MenuOrder", field="id")
        row = await run_command(info, service.confirm_delivered, order_id=pk)
        return _ok(row)

    @strawberry.mutation(permission_classes=[IsAdmin], description="管理员设置点单预算与配额")
    @errors_as(MenuError)
    async def set_menu_budget(self, info: Info, input: SetMenuBudgetInput) -> MenuBudgetResult:
        row = await run_command(info, budgets.set_budget, setting=input.to_domain())
        return MenuBudgetSuccess(budget=MenuBudget.from_row(row))
