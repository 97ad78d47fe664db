"""Account queries: `me`, `user(id)` and the administrators' `auditLog`."""

from __future__ import annotations

import strawberry

from culture_cloud.accounts import policy, service
from culture_cloud.accounts.types import User
from culture_cloud.audit import service as audit
from culture_cloud.audit.types import AuditEntry
from culture_cloud.errors import NotFound
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="当前登录用户（本人数据不脱敏）；未登录或令牌无效时返回 UNAUTHENTICATED",
    )
    async def me(self, info: Info) -> User:
        viewer = await info.context.require_viewer()
        async with info.context.session_factory() as session:
            row = await service.get_user(session, viewer.user_id)
        if row is None:  # the token was checked against the row a moment ago
            raise NotFound("账号不存在")
        return User.of_owner(row)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="按 ID 查看用户：本人、管理员、单位负责人（本单位工作人员）；不存在时为空",
    )
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        await info.context.require_viewer()
        return await visible_user(info, expect_global_id(id, "User", field="id"))

    @strawberry.field(permission_classes=[IsAdmin], description="审计日志（仅管理员），按时间倒序")
    async def audit_log(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        actor_id: strawberry.ID | None = None,
        target_type: str | None = None,
    ) -> Connection[AuditEntry]:
        actor_pk = None if actor_id is None else expect_global_id(actor_id, "User", field="actorId")
        async with info.context.read() as conn:
            page = await audit.list_entries(
                conn, actor_id=actor_pk, target_type=target_type, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await audit.count_entries(conn, actor_id=actor_pk, target_type=target_type)

        return make_connection(page, [AuditEntry.from_row(row) for row in page.items], total)


async def visible_user(info: Info, pk: int) -> User | None:
    """`user(id:)` and `node(id:)`: None when absent, FORBIDDEN when the caller may not read it."""
    viewer = await info.context.require_viewer()
    async with info.context.session_factory() as session:
        row = await service.get_user(session, pk)
    if row is None:
        return None
    policy.ensure(policy.can_read_user(viewer, row), "无权查看该用户")
    return User.from_row(row, viewer)


async def visible_audit_entry(info: Info, pk: int) -> AuditEntry | None:
    """`node(id:)` for an audit entry: administrators only, as `auditLog`."""
    viewer = await info.context.require_viewer()
    policy.ensure(viewer.is_admin, "仅限管理员使用")
    async with info.context.read() as conn:
        row = await audit.get_entry(conn, pk)
    return None if row is None else AuditEntry.from_row(row)
