"""copyEvent in the API (a mixin of its own beside PublishingMutation)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from culture_cloud.catalog.types import Event
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import StaffRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role
from culture_cloud.publishing import copying


@strawberry.type(description="活动已复制为新草稿：内容相同，没有预约，不属于任何重复系列")
class CopyEventSuccess:
    event: Event = strawberry.field(description="新建的草稿")


CopyEventResult = Annotated[CopyEventSuccess | InputError, strawberry.union("CopyEventResult")]


@strawberry.type
class EventCopyMutation:
    @strawberry.mutation(
        permission_classes=[StaffRole(Role.EDITOR, Role.MANAGER)],
        description="复制活动为新草稿（本单位编辑、负责人或管理员）：标题、介绍、图片、标签、名额、"
        "票价与预约规则相同，没有预约；给出 startAt 时按新开始时间平移结束时间与预约时段",
    )
    @errors_as(InputError)
    async def copy_event(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="要复制的活动的全局 ID")],
        start_at: Annotated[
            datetime | None,
            strawberry.argument(description="新的开始时间；为空时沿用原活动的时间，发布前再修改"),
        ] = None,
    ) -> CopyEventResult:
        pk = expect_global_id(id, "Event", field="id")
        row = await run_command(info, copying.copy_event, event_id=pk, start_at=start_at)
        event: Event = Event.from_row(row)
        return CopyEventSuccess(event=event)
