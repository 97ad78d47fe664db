"""Offerings in the API: the menu query and the supplier/administrator mutations."""

from __future__ import annotations

from enum import Enum

import strawberry

from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated, Public
from culture_cloud.menu.common_types import DateRangeInput, MenuError
from culture_cloud.menu.models import OfferingKind, OfferingStatus
from culture_cloud.menu.offerings import listing, service
from culture_cloud.menu.offerings.types import Offering, OfferingResult, OfferingSuccess


@strawberry.enum(description="菜单排序：RATING 评分高者优先；NEWEST 最新上架；ORDERS 点单最多")
class OfferingOrderBy(Enum):
    RATING = "rating"
    NEWEST = "newest"
    ORDERS = "orders"


@strawberry.input
class OfferingFilter:
    kind: OfferingKind | None = None
    region_id: strawberry.ID | None = strawberry.field(
        default=None, description="服务该乡镇的项目（含服务全市的项目）"
    )
    min_rating: float | None = strawberry.field(default=None, description="最低评分（0–5）")
    supplier_id: strawberry.ID | None = strawberry.field(
        default=None, description="供给单位（Organization ID）"
    )
    status: OfferingStatus = strawberry.field(
        default=OfferingStatus.APPROVED,
        description="默认已上架；其他状态仅管理员，或供给方本单位（须同时指定 supplierId）可查",
    )

    def to_domain(self) -> listing.OfferingFilter:
        return listing.OfferingFilter(
            kind=self.kind,
            region_id=None
            if self.region_id is None
            else expect_global_id(self.region_id, "Region", field="filter.regionId"),
            min_rating=self.min_rating,
            supplier_id=None
            if self.supplier_id is None
            else expect_global_id(self.supplier_id, "Organization", field="filter.supplierId"),
            status=self.status,
        )


@strawberry.input(description="场地与设备要求")
class OfferingRequirementsInput:
    stage: bool = False
    power: str | None = None
    space: str | None = None


@strawberry.input(description="上架一个菜单项目（提交后待管理员审核）")
class SubmitOfferingInput:
    title: str
    kind: OfferingKind
    duration_minutes: int
    audience_min: int
    audience_max: int
    cost_yuan: float = strawberry.field(description="每场费用（元），由文旅局支付")
    supplier_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="供给单位（Organization ID）；工作人员默认本单位，团队负责人默认所领团队",
    )
    description: str | None = None
    requirements: OfferingRequirementsInput | None = None
    region_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="服务的乡镇（Region ID）；不填表示服务全市"
    )
    available_periods: list[DateRangeInput] | None = strawberry.field(
        default=None, description="可预约时段；不填表示不限"
    )
    images: list[str] | None = None

    def to_domain(self) -> service.NewOffering:
        req = self.requirements or OfferingRequirementsInput()
        return service.NewOffering(
            title=self.title,
            kind=self.kind,
            duration_minutes=self.duration_minutes,
            audience_min=self.audience_min,
            audience_max=self.audience_max,
            cost_yuan=self.cost_yuan,
            supplier_id=None
            if self.supplier_id is None
            else expect_global_id(self.supplier_id, "Organization", field="supplierId"),
            description=self.description,
            requirements=service.Requirements(stage=req.stage, power=req.power, space=req.space),
            region_ids=tuple(
                expect_global_id(r, "Region", field="regionIds") for r in self.region_ids or []
            ),
            available_periods=tuple(
                (p.start_date, p.end_date) for p in self.available_periods or []
            ),
            images=tuple(self.images or []),
        )


@strawberry.type
class OfferingsQuery:
    @strawberry.field(
        permission_classes=[Public],
        description="文化菜单：已上架的项目，可按类别、服务乡镇、评分筛选，按评分、上架时间或点单数排序",
    )
    async def offerings(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: OfferingFilter | None = None,
        order_by: OfferingOrderBy = OfferingOrderBy.RATING,
    ) -> Connection[Offering]:
        flt = (filter or OfferingFilter()).to_domain()
        viewer = await info.context.viewer()
        async with info.context.read() as conn:
            await listing.check_list_access(conn, viewer, flt)
            page = await listing.list_offerings(
                conn,
                flt=flt,
                order=listing.OfferingOrder(order_by.value),
                first=first,
                after=after,
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await listing.count_offerings(conn, flt)

        return make_connection(page, [Offering.from_row(r) for r in page.items], total)

    @strawberry.field(
        permission_classes=[Public],
        description="按 ID 查看菜单项目；未上架的项目仅供给方与管理员可见，其他人得到空",
    )
    async def offering(self, info: Info, id: strawberry.ID) -> Offering | None:
        return await visible_offering(info, expect_global_id(id, "Offering", field="id"))


async def visible_offering(info: Info, pk: int) -> Offering | None:
    """`offering(id:)` and `node(id:)`: unlisted offerings only for the supplier and admins."""
    viewer = await info.context.viewer()
    async with info.context.read() as conn:
        row = await listing.get_offering(conn, pk)
        if row is None or not await service.can_see(conn, viewer, row):
            return None
    return Offering.from_row(row)


def _ok(row: object) -> OfferingSuccess:
    return OfferingSuccess(offering=Offering.from_row(row))


@strawberry.type
class OfferingsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="供给方（本单位编辑或负责人、已晋升团队的负责人）提交菜单项目，待管理员审核",
    )
    @errors_as(MenuError)
    async def submit_offering(self, info: Info, input: SubmitOfferingInput) -> OfferingResult:
        row = await run_command(info, service.submit_offering, data=input.to_domain())
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="管理员审核菜单项目：通过后上架；驳回须说明原因",
    )
    @errors_as(MenuError)
    async def review_offering(
        self, info: Info, id: strawberry.ID, approve: bool, reason: str | None = None
    ) -> OfferingResult:
        pk = expect_global_id(id, "Offering", field="id")
        row = await run_command(
            info, service.review_offering, offering_id=pk, approve=approve, reason=reason
        )
        return _ok(row)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="下架菜单项目（供给方或管理员）；已下的订单照常进行",
    )
    @errors_as(MenuError)
    async def retire_offering(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> OfferingResult:
        pk = expect_global_id(id, "Offering", field="id")
        row = await run_command(info, service.retire_offering, offering_id=pk, reason=reason)
        return _ok(row)
