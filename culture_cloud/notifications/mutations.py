"""`markNotificationsRead`: the caller marks their own notifications read."""

from __future__ import annotations

import strawberry

from culture_cloud.db import transaction
from culture_cloud.errors import BadInput, DomainError
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.ids import expect_global_id
from culture_cloud.graphql.permissions import IsAuthenticated
from culture_cloud.graphql.user_errors import input_error_or_raise
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
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID]
    ) -> MarkNotificationsReadResult:
        viewer = await info.context.require_viewer()
        try:
            if len(ids) > service.MAX_MARK_IDS:
                raise BadInput(f"一次最多标记 {service.MAX_MARK_IDS} 条通知", field="ids")
            pks = [expect_global_id(gid, "Notification", field="ids") for gid in ids]
        except DomainError as exc:
            return input_error_or_raise(exc)
        async with transaction(info.context.session_factory) as session:
            rows = await service.mark_read(
                session, user_id=viewer.user_id, ids=pks, now=info.context.now
            )
            unread = await service.count_for_user(session, user_id=viewer.user_id, unread_only=True)
        return MarkNotificationsReadSuccess(
            notifications=[Notification.from_row(row) for row in rows], unread_count=unread
        )
