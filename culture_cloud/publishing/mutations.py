"""Staff-console mutations. Field permissions say who may call at all (editors and managers
for events, managers for venue and scenic-spot profiles, administrators everything); the
service then checks the loaded object against the caller's organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from culture_cloud.catalog.types import Event, ScenicSpot, Venue
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import StaffRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role
from culture_cloud.publishing import event_creation, event_status, event_updates, places
from culture_cloud.publishing.inputs import (
    CreateEventInput,
    UpdateEventInput,
    UpdateScenicSpotInput,
    UpdateVenueInput,
)
from culture_cloud.publishing.types import (
    CancelEventResult,
    CancelEventSuccess,
    CreateEventResult,
    CreateEventSuccess,
    PostponeEventResult,
    PostponeEventSuccess,
    PublishEventResult,
    PublishEventSuccess,
    UpdateEventResult,
    UpdateEventSuccess,
    UpdateScenicSpotResult,
    UpdateScenicSpotSuccess,
    UpdateVenueResult,
    UpdateVenueSuccess,
)

EDITORS = StaffRole(Role.EDITOR, Role.MANAGER)
MANAGERS = StaffRole(Role.MANAGER)


def _event(row: Any) -> Event:
    event: Event = Event.from_row(row)
    return event


@strawberry.type
class PublishingMutation:
    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="新建活动（草稿）：本单位编辑、负责人或管理员；可每周重复，每场为独立活动",
    )
    @errors_as(InputError)
    async def create_event(self, info: Info, input: CreateEventInput) -> CreateEventResult:
        data = input.to_domain()
        rows = await run_command(
            info,
            event_creation.create_event,
            data=data,
        )
        events = [_event(row) for row in rows]
        return CreateEventSuccess(event=events[0], occurrences=events)

    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="修改本单位的活动；已有预约的活动改时间请用 postponeEvent（CONFLICT）。"
        "wholeSeries 时同一每周系列中尚未开始、未取消的其他场次一起修改"
        "（时间按与本场的间隔平移），任一场被拒则全部不改",
    )
    @errors_as(InputError)
    async def update_event(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateEventInput,
        whole_series: Annotated[
            bool,
            strawberry.argument(
                description="true 时修改整个系列（本场及其后未取消的场次）；不属于系列的活动只改本场"
            ),
        ] = False,
    ) -> UpdateEventResult:
        pk = expect_global_id(id, "Event", field="id")
        changes = input.to_domain()
        rows = await run_command(
            info,
            event_updates.update_event,
            settings=info.context.settings,
            event_id=pk,
            changes=changes,
            whole_series=whole_series,
        )
        updated = [_event(row) for row in rows]
        event = next(e for e in updated if e._pk == pk)
        return UpdateEventSuccess(event=event, updated=updated)

    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="发布草稿：公开列出、可搜索、可预约。wholeSeries 时同时发布同系列的其他草稿场次",
    )
    @errors_as(InputError)
    async def publish_event(
        self, info: Info, id: strawberry.ID, whole_series: bool = False
    ) -> PublishEventResult:
        pk = expect_global_id(id, "Event", field="id")
        rows = await run_command(
            info,
            event_status.publish_event,
            event_id=pk,
            whole_series=whole_series,
        )
        published = [_event(row) for row in rows]
        event = next(e for e in published if e._pk == pk)
        return PublishEventSuccess(event=event, published=published)

    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="取消已发布的活动（须说明原因）；活动仍公开显示为已取消",
    )
    @errors_as(InputError)
    async def cancel_event(self, info: Info, id: strawberry.ID, reason: str) -> CancelEventResult:
        pk = expect_global_id(id, "Event", field="id")
        row = await run_command(
            info,
            event_status.cancel_event,
            event_id=pk,
            reason=reason,
        )
        return CancelEventSuccess(event=_event(row))

    @strawberry.mutation(
        permission_classes=[EDITORS],
        description="延期（须说明原因）：给出新时间，或暂不给出（时间待定）；"
        "只给新开始时间时保持原时长。已有预约保留",
    )
    @errors_as(InputError)
    async def postpone_event(
        self,
        info: Info,
        id: strawberry.ID,
        reason: str,
        new_start_at: datetime | None = None,
        new_end_at: datetime | None = None,
    ) -> PostponeEventResult:
        pk = expect_global_id(id, "Event", field="id")
        row = await run_command(
            info,
            event_status.postpone_event,
            event_id=pk,
            new_start_at=new_start_at,
            new_end_at=new_end_at,
            reason=reason,
        )
        return PostponeEventSuccess(event=_event(row))

    @strawberry.mutation(
        permission_classes=[MANAGERS],
        description="修改场馆资料：本单位负责人或管理员；位置变化时该场馆活动的坐标随之更新",
    )
    @errors_as(InputError)
    async def update_venue(
        self, info: Info, id: strawberry.ID, input: UpdateVenueInput
    ) -> UpdateVenueResult:
        pk = expect_global_id(id, "Venue", field="id")
        changes = input.to_domain()
        row = await run_command(
            info,
            places.update_venue,
            venue_id=pk,
            changes=changes,
        )
        venue: Venue = Venue.from_row(row)
        return UpdateVenueSuccess(venue=venue)

    @strawberry.mutation(
        permission_classes=[MANAGERS],
        description="修改景区资料：本单位负责人或管理员；位置变化时该景区活动的坐标随之更新",
    )
    @errors_as(InputError)
    async def update_scenic_spot(
        self, info: Info, id: strawberry.ID, input: UpdateScenicSpotInput
    ) -> UpdateScenicSpotResult:
        pk = expect_global_id(id, "ScenicSpot", field="id")
        changes = input.to_domain()
        row = await run_command(
            info,
            places.update_scenic_spot,
            scenic_spot_id=pk,
            changes=changes,
        )
        spot: ScenicSpot = ScenicSpot.from_row(row)
        return UpdateScenicSpotSuccess(scenic_spot=spot)
