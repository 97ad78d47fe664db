"""Feedback queries: the resident's own items, the handlers' inbox, one item."""

from __future__ import annotations

from typing import Annotated

import strawberry

from culture_cloud.accounts.policy import ensure as policy_ensure
from culture_cloud.errors import NotFound
from culture_cloud.feedback import policy, reading
from culture_cloud.feedback.models import FeedbackStatus
from culture_cloud.feedback.types import Feedback
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAuthenticated, IsStaff

InboxOrder = strawberry.enum(
    reading.InboxOrder,
    name="FeedbackInboxOrder",
    description="投诉建议待办列表的排序",
)


@strawberry.type
class FeedbackQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="我提交的投诉建议，新到旧",
    )
    async def my_feedback(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Feedback]:
        viewer = await info.context.require_viewer()
        async with info.context.read() as conn:
            page = await reading.list_mine(conn, viewer.user_id, first=first, after=after)

        async def total() -> int:
            async with info.context.read() as conn:
                return await reading.count_statement(conn, reading.mine_statement(viewer.user_id))

        now = info.context.now
        return make_connection(page, [Feedback.from_row(r, viewer, now) for r in page.items], total)

    @strawberry.field(
        permission_classes=[IsStaff],
        description="待处理的投诉建议，答复期限最近的在前：工作人员只看本单位的，管理员看全部"
        "（含一般性反馈）。overdue: true 只看已超期未办结的",
    )
    async def feedback_inbox(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: FeedbackStatus | None = None,
        overdue: bool | None = None,
        order_by: Annotated[
            InboxOrder,  # type: ignore[valid-type]
            strawberry.argument(
                description="DEADLINE：答复期限最近的在前；OPEN_FIRST：未办结的在前（其中超期的最前），"
                "已办结的随后"
            ),
        ] = reading.InboxOrder.DEADLINE,
        organization_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="只看该单位的（管理员）；工作人员只能填本单位，其他单位为 FORBIDDEN"
            ),
        ] = None,
    ) -> Connection[Feedback]:
        viewer = await info.context.require_viewer()
        scope = reading.InboxScope(
            organization_id=viewer.organization_id, everything=viewer.is_admin
        )
        if organization_id is not None:
            pk = expect_global_id(organization_id, "Organization", field="organizationId")
            policy_ensure(viewer.is_admin or viewer.organization_id == pk, "只能查看本单位的反馈")
            scope = reading.InboxScope(organization_id=pk, everything=False)
        stmt = reading.inbox_statement(scope, status=status, overdue=overdue, now=info.context.now)
        async with info.context.read() as conn:
            page = await reading.list_inbox(
                conn, stmt, first=first, after=after, order=reading.InboxOrder(order_by)
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await reading.count_statement(conn, stmt)

        now = info.context.now
        return make_connection(page, [Feedback.from_row(r, viewer, now) for r in page.items], total)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="按 ID 查看投诉建议；仅提交人与处理人员可见，其他人得到 NOT_FOUND",
    )
    async def feedback(self, info: Info, id: strawberry.ID) -> Feedback | None:
        await info.context.require_viewer()
        item = await visible_feedback(info, expect_global_id(id, "Feedback", field="id"))
        if item is None:
            raise NotFound("反馈不存在", field="id")
        return item


async def visible_feedback(info: Info, pk: int) -> Feedback | None:
    """`feedback(id:)` and `node(id:)`: submitter and handlers only, None for anyone else."""
    viewer = await info.context.require_viewer()
    async with info.context.read() as conn:
        row = await reading.get_feedback(conn, pk)
    if row is None or not policy.can_read(viewer, row.user_id, row.organization_id):
        return None
    return Feedback.from_row(row, viewer, info.context.now)
