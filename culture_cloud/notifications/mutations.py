"""`markNotificationsRead`: the caller marks their own notifications read."""

from __future__ import annotations

import strawberry

from culture_cloud.errors import BadInput
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import errors_as, run_command
from culture_cloud.graphql.permissions import IsAuthenticated
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.notifications import service
from culture_cloud.notifications.types import (
    MarkNotificationsReadResult,
    MarkNotificationsReadSuccess,
    Notification,
)


@strawberry.type
class NotificationsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description=f"把本人的通知标记为已读（一次最多 {service.MAX_MARK_IDS} 条）；可重复调用",
    )
    @errors_as(InputError)
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID]
    ) -> MarkNotificationsReadResult:
        # Bounds the work before the ids are decoded, so this check comes first.
        if len(ids) > service.MAX_MARK_IDS:
            raise BadInput(f"一次最多标记 {service.MAX_MARK_IDS} 条通知", field="ids")
        pks = [expect_global_id(gid, "Notification", field="ids") for gid in ids]
        marked = await run_command(info, service.mark_read, ids=pks)
        return MarkNotificationsReadSuccess(
            notifications=[Notification.from_row(row) for row in marked.notifications],
            unread_count=marked.unread_count,
        )
