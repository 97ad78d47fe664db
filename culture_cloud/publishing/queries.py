"""The staff console's own list: its organisation's events, drafts included."""

from __future__ import annotations

import strawberry

from culture_cloud.catalog.models import EventStatus
from culture_cloud.catalog.types import Event, ScenicSpot, Venue
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
        search: str | None = None,
        upcoming: bool = False,
    ) -> Connection[Event]:
        viewer = await info.context.require_viewer()
        scope = organization_events.organization_scope(viewer, _organization(organization_id))
        where = organization_events.EventListFilter(
            status=status,
            search=organization_events.search_text(search),
            ended_after=info.context.now if upcoming else None,
        )
        async with info.context.read() as conn:
            page = await organization_events.list_organization_events(
                conn, organization_id=scope, where=where, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await organization_events.count_organization_events(
                    conn, organization_id=scope, where=where
                )

        nodes = [Event.from_row(row) for row in page.items]
        return make_connection(page, nodes, total)

    @strawberry.field(
        permission_classes=[IsStaff],
        description="本单位的场馆与景区（新建、修改活动时选择举办地点），各按名称排序；"
        "管理员可用 organizationId 指定单位，不指定时为全部单位",
    )
    async def my_organization_places(
        self, info: Info, organization_id: strawberry.ID | None = None
    ) -> OrganizationPlaces:
        viewer = await info.context.require_viewer()
        scope = organization_events.organization_scope(viewer, _organization(organization_id))
        async with info.context.read() as conn:
            venues, spots = await organization_events.organization_places(
                conn, organization_id=scope
            )
        return OrganizationPlaces(
            venues=[Venue.from_row(row) for row in venues],
            scenic_spots=[ScenicSpot.from_row(row) for row in spots],
        )


@strawberry.type(description="可举办活动的地点：本单位的场馆与景区")
class OrganizationPlaces:
    venues: list[Venue] = strawberry.field(description="场馆，按名称排序")
    scenic_spots: list[ScenicSpot] = strawberry.field(description="景区，按名称排序")


def _organization(organization_id: strawberry.ID | None) -> int | None:
    if organization_id is None:
        return None
    return expect_global_id(organization_id, "Organization", field="organizationId")
