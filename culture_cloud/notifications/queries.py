"""`myNotifications`: the caller's own notifications, newest first."""

from __future__ import annotations

import strawberry

from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAuthenticated
from culture_cloud.notifications import service
from culture_cloud.notifications.types import Notification


@strawberry.type
class NotificationsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="我的通知，按时间倒序；unreadOnly 只列未读（totalCount 即未读数）",
    )
    async def my_notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool = False,
    ) -> Connection[Notification]:
        viewer = await info.context.require_viewer()
        async with info.context.read() as conn:
            page = await service.list_for_user(
                conn, user_id=viewer.user_id, unread_only=unread_only, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await service.count_for_user(
                    conn, user_id=viewer.user_id, unread_only=unread_only
                )

        return make_connection(page, [Notification.from_row(row) for row in page.items], total)


async def own_notification(info: Info, pk: int) -> Notification | None:
    """`node(id:)` for a notification: its recipient only, as `myNotifications`."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        row = await service.get_for_user(conn, user_id=viewer.user_id, pk=pk)
    return None if row is None else Notification.from_row(row)
