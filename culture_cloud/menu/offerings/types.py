"""GraphQL face of offerings and suppliers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Organization, Region
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.menu import loaders as menu_loaders
from culture_cloud.menu import models
from culture_cloud.menu.common_types import (
    DateRange,
    MenuError,
    OfferingKind,
    OfferingStatus,
    date_ranges,
    yuan,
)
from culture_cloud.timeutil import to_local


@strawberry.type(description="场地与设备要求")
class OfferingRequirements:
    stage: bool = strawberry.field(description="需要舞台")
    power: str | None = strawberry.field(description="用电要求，如「220V，5kW」")
    space: str | None = strawberry.field(description="场地要求，如「室外平地 20m×10m」")


@strawberry.type(description="菜单供给方（剧团、场馆、已晋升的文艺团队）及其综合评分")
class MenuSupplier:
    _organization_id: strawberry.Private[int]
    rating: float = strawberry.field(description="各次送达（及孵化期试运行）活动评价的平均分")
    rating_count: int

    @strawberry.field
    def organization(self, info: Info) -> Organization | None:
        return catalog_loaders.OrganizationByIdLoader(info.context).load(self._organization_id)  # type: ignore[return-value]

    @classmethod
    def of(cls, organization_id: int, row: Any | None) -> MenuSupplier:
        return cls(
            _organization_id=organization_id,
            rating=row.rating_avg if row is not None else 0.0,
            rating_count=row.rating_count if row is not None else 0,
        )


@strawberry.type(description="文化菜单项目：一台演出、一场讲座、一个展览或一期培训")
class Offering(Node):
    _pk: strawberry.Private[int]
    _organization_id: strawberry.Private[int]
    title: str
    kind: OfferingKind  # type: ignore[valid-type]
    description: str | None
    duration_minutes: int
    audience_min: int = strawberry.field(description="适宜的最少观众人数")
    audience_max: int = strawberry.field(description="可容纳的最多观众人数")
    requirements: OfferingRequirements
    serves_all_regions: bool = strawberry.field(description="服务全市各乡镇")
    available_periods: list[DateRange] = strawberry.field(description="可预约时段；为空表示不限")
    cost_yuan: float = strawberry.field(description="每场由文旅局支付的费用（元）；群众免费")
    images: list[str]
    status: OfferingStatus  # type: ignore[valid-type]
    rejection_reason: str | None
    rating: float = strawberry.field(description="送达活动评价的平均分（1–5）；无评价时为 0")
    rating_count: int
    order_count: int = strawberry.field(description="累计被点单次数")
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="服务的乡镇；servesAllRegions 时为空")
    async def regions_served(self, info: Info) -> list[Region]:
        ids = await menu_loaders.RegionIdsByOfferingLoader(info.context).load(self._pk)
        regions = await catalog_loaders.RegionByIdLoader(info.context).load_many(ids)
        return [r for r in regions if r is not None]

    @strawberry.field
    async def supplier(self, info: Info) -> MenuSupplier:
        row = await menu_loaders.SupplierByOrganizationIdLoader(info.context).load(
            self._organization_id
        )
        return MenuSupplier.of(self._organization_id, row)

    @classmethod
    def from_row(cls, row: Any) -> Offering:
        req = row.requirements or {}
        return cls(
            id=strawberry.ID(to_global_id("Offering", row.id)),
            _pk=row.id,
            _organization_id=row.organization_id,
            title=row.title,
            kind=models.OfferingKind(row.kind),
            description=row.description,
            duration_minutes=row.duration_minutes,
            audience_min=row.audience_min,
            audience_max=row.audience_max,
            requirements=OfferingRequirements(
                stage=bool(req.get("stage")), power=req.get("power"), space=req.get("space")
            ),
            serves_all_regions=row.serves_all_regions,
            available_periods=date_ranges(row.available_periods),
            cost_yuan=yuan(row.cost_fen),
            images=list(row.images),
            status=models.OfferingStatus(row.status),
            rejection_reason=row.rejection_reason,
            rating=round(row.rating_avg, 2),
            rating_count=row.rating_count,
            order_count=row.order_count,
            created_at=to_local(row.created_at),
            updated_at=to_local(row.updated_at),
        )


@strawberry.type
class OfferingSuccess:
    offering: Offering


OfferingResult = Annotated[OfferingSuccess | MenuError, strawberry.union("OfferingResult")]
