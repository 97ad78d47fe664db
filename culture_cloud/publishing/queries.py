"""The staff console's own list: its organisation's events, drafts included."""

from __future__ import annotations

import strawberry

from culture_cloud.catalog.models import EventStatus
from culture_cloud.catalog.types import Event
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsStaff
from culture_cloud.publishing import organization_events


@strawberry.type
class PublishingQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="本单位的全部活动（含草稿），按开始时间排序；"
        "管理员可用 organizationId 指定单位，不指定时为全部单位",
    )
    async def my_organization_events(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: EventStatus | None = None,
        organization_id: strawberry.ID | None = None,
    ) -> Connection[Event]:
        viewer = await info.context.require_viewer()
        requested = (
            None
            if organization_id is None
            else expect_global_id(organization_id, "Organization", field="organizationId")
        )
        scope = organization_events.organization_scope(viewer, requested)
        async with info.context.read() as conn:
            page = await organization_events.list_organization_events(
                conn, organization_id=scope, status=status, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await organization_events.count_organization_events(
                    conn, organization_id=scope, status=status
                )

        nodes = [Event.from_row(row) for row in page.items]
        return make_connection(page, nodes, total)
