"""GraphQL face of the notifications a user receives (their own only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.notifications import models
from culture_cloud.timeutil import to_local

NotificationKind = strawberry.enum(
    models.NotificationKind,
    name="NotificationKind",
    description=(
        "预约成功、候补转正、预约取消、活动取消、活动变更、参观提醒（活动或场馆预约的前一天）、"
        "反馈已办结、反馈不予受理、心愿已答复、心愿已合并、评价未通过审核"
    ),
)


@strawberry.type(description="发给当前用户的通知（站内列表；同时尝试以微信订阅消息推送）")
class Notification(Node):
    id: strawberry.ID
    kind: NotificationKind  # type: ignore[valid-type]
    title: str
    body: str
    data: JSON = strawberry.field(description="跳转所需的对象 ID 等（如活动、预约）")
    created_at: datetime
    read_at: datetime | None = strawberry.field(description="首次标记已读的时间；未读为空")

    @strawberry.field(description="是否已读")
    def is_read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def from_row(cls, row: Any) -> Notification:
        return cls(
            id=strawberry.ID(to_global_id("Notification", row.id)),
            kind=models.NotificationKind(row.kind),
            title=row.title,
            body=row.body,
            data=cast(JSON, row.data or {}),
            created_at=to_local(row.created_at),
            read_at=None if row.read_at is None else to_local(row.read_at),
        )


@strawberry.type
class MarkNotificationsReadSuccess:
    notifications: list[Notification] = strawberry.field(
        description="已标记为已读的本人通知；他人或不存在的 ID 被忽略"
    )
    unread_count: int = strawberry.field(description="标记后本人剩余的未读通知数")


MarkNotificationsReadResult = Annotated[
    MarkNotificationsReadSuccess | InputError, strawberry.union("MarkNotificationsReadResult")
]
