"""The `statistics` query (composed into the root Query in culture_cloud/schema.py)."""

from __future__ import annotations

from datetime import date

import strawberry

from culture_cloud.catalog.values import VenueKind
from culture_cloud.global_ids import expect_global_id, to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.permissions import IsStaff
from culture_cloud.statistics.periods import Bucket
from culture_cloud.statistics.service import resolve_scope
from culture_cloud.statistics.types import Statistics, StatisticsBucket


@strawberry.input(description="统计时段：北京时间的日期，首尾两天都包含在内")
class StatisticsPeriod:
    from_: date = strawberry.field(name="from")
    to: date


@strawberry.input(description="筛选：地区、场馆类型、单位（单位工作人员只能是本单位）")
class StatisticsFilter:
    region_ids: list[strawberry.ID] | None = None
    venue_kinds: list[VenueKind] | None = None  # type: ignore[valid-type]
    organization_id: strawberry.ID | None = None


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="数据分析（管理员：全部；单位工作人员：本单位）。按日最多 366 组",
    )
    async def statistics(
        self,
        info: Info,
        period: StatisticsPeriod,
        bucket: StatisticsBucket = Bucket.DAY,  # type: ignore[valid-type]
        filter: StatisticsFilter | None = None,
    ) -> Statistics:
        viewer = await info.context.require_viewer()
        f = filter or StatisticsFilter()
        region_ids = [
            expect_global_id(r, "Region", field="filter.regionIds") for r in f.region_ids or []
        ]
        organization_id = (
            None
            if f.organization_id is None
            else expect_global_id(f.organization_id, "Organization", field="filter.organizationId")
        )
        async with info.context.read() as conn:
            scope = await resolve_scope(
                conn,
                viewer,
                first_day=period.from_,
                last_day=period.to,
                bucket=Bucket(bucket),
                now=info.context.now,
                region_ids=region_ids,
                venue_kinds=list(f.venue_kinds or []),
                organization_id=organization_id,
            )
        return Statistics(
            scope=scope,
            bucket=scope.bucket,
            first_day=period.from_,
            last_day=period.to,
            organization_id=None
            if scope.organization_id is None
            else strawberry.ID(to_global_id("Organization", scope.organization_id)),
        )
