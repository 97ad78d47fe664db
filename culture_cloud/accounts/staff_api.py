"""Staff accounts in the API: one's own password, managers' and administrators' changes to
other accounts, an organisation's staff list, the administrators' list of organisations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from culture_cloud.accounts import staff_admin
from culture_cloud.accounts.types import StaffRole, User
from culture_cloud.catalog.models import OrganizationKind as Kind
from culture_cloud.catalog.types import Organization
from culture_cloud.catalog.values import OrganizationKind
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import actor_of, errors_as, run_command
from culture_cloud.graphql.pagination import Connection, make_connection
from culture_cloud.graphql.permissions import IsAdmin, IsStaff
from culture_cloud.graphql.permissions import StaffRole as HasRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role

MANAGERS = HasRole(Role.MANAGER)
UserIdArg = Annotated[strawberry.ID, strawberry.argument(description="工作人员账号的全局 ID")]
NewPasswordArg = Annotated[
    str, strawberry.argument(description="新密码：至少 12 个字符，不能全是重复字符")
]


@strawberry.type(description="密码已修改；本账号的其他登录均已退出，当前登录继续有效")
class ChangeMyPasswordSuccess:
    user: User = strawberry.field(description="本人账号")
    revoked_sessions: int = strawberry.field(description="被退出的其他登录数")


ChangeMyPasswordResult = Annotated[
    ChangeMyPasswordSuccess | InputError, strawberry.union("ChangeMyPasswordResult")
]


@strawberry.type(description="已为该账号设置新密码，并退出了它的所有登录")
class ResetStaffPasswordSuccess:
    user: User = strawberry.field(description="被重置密码的账号（个人信息脱敏）")


ResetStaffPasswordResult = Annotated[
    ResetStaffPasswordSuccess | InputError, strawberry.union("ResetStaffPasswordResult")
]


@strawberry.type(description="账号已停用（其所有登录随即失效）或已重新启用")
class SetStaffAccountActiveSuccess:
    user: User = strawberry.field(description="该账号（个人信息脱敏）")


SetStaffAccountActiveResult = Annotated[
    SetStaffAccountActiveSuccess | InputError, strawberry.union("SetStaffAccountActiveResult")
]


@strawberry.type(description="岗位已变更，该账号的下一次请求起生效")
class SetStaffRoleSuccess:
    user: User = strawberry.field(description="该账号（个人信息脱敏）")


SetStaffRoleResult = Annotated[
    SetStaffRoleSuccess | InputError, strawberry.union("SetStaffRoleResult")
]


@strawberry.type
class StaffAdminQuery:
    @strawberry.field(
        permission_classes=[IsStaff],
        description="单位的工作人员账号（该单位负责人与管理员），按创建先后；个人信息脱敏",
    )
    async def organization_staff(
        self,
        info: Info,
        organization_id: Annotated[strawberry.ID, strawberry.argument(description="单位的全局 ID")],
        first: int | None = 20,
        after: str | None = None,
        role: Annotated[
            StaffRole | None,  # type: ignore[valid-type]
            strawberry.argument(description="只列该岗位"),
        ] = None,
        active: Annotated[
            bool | None, strawberry.argument(description="true 只列启用的，false 只列停用的")
        ] = None,
    ) -> Connection[User]:
        viewer = await info.context.require_viewer()
        pk = expect_global_id(organization_id, "Organization", field="organizationId")
        async with info.context.read() as conn:
            await staff_admin.ensure_may_list_staff(conn, viewer, pk)
            page = await staff_admin.list_staff(
                conn, organization_id=pk, role=role, active=active, first=first, after=after
            )

        async def total() -> int:
            async with info.context.read() as conn:
                return await staff_admin.count_staff(
                    conn, organization_id=pk, role=role, active=active
                )

        return make_connection(page, [User.from_row(row, viewer) for row in page.items], total)

    @strawberry.field(permission_classes=[IsAdmin], description="全部单位（管理员），按名称排序")
    async def organizations(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        kind: Annotated[
            OrganizationKind | None,  # type: ignore[valid-type]
            strawberry.argument(description="只列该类型的单位"),
        ] = None,
    ) -> Connection[Organization]:
        chosen = None if kind is None else Kind(kind)
        async with info.context.read() as conn:
            page = await staff_admin.list_organizations(conn, kind=chosen, first=first, after=after)

        async def total() -> int:
            async with info.context.read() as conn:
                return await staff_admin.count_organizations(conn, kind=chosen)

        nodes = [Organization.from_row(row) for row in page.items]
        return make_connection(page, nodes, total)


@strawberry.type
class StaffAdminMutation:
    @strawberry.mutation(
        permission_classes=[IsStaff],
        description="修改本人密码（工作人员与管理员）：当前密码错误为 INVALID_CREDENTIALS，"
        "连续输错按登录失败计数（RATE_LIMITED）；成功后本账号的其他登录全部退出",
    )
    @errors_as(InputError)
    async def change_my_password(
        self,
        info: Info,
        current_password: Annotated[str, strawberry.argument(description="当前密码")],
        new_password: NewPasswordArg,
    ) -> ChangeMyPasswordResult:
        # Owns its transactions: a wrong password's count must be kept though the answer fails.
        actor = await actor_of(info)
        done = await staff_admin.change_my_password(
            info.context.session_factory,
            info.context.settings,
            actor=actor,
            current_password=current_password,
            new_password=new_password,
        )
        return ChangeMyPasswordSuccess(
            user=User.of_owner(done.user), revoked_sessions=done.revoked_sessions
        )

    @strawberry.mutation(
        permission_classes=[MANAGERS],
        description="重置他人密码（记入审计日志，并退出该账号的所有登录）：管理员可重置任一工作人员"
        "或其他管理员；单位负责人只能重置本单位编辑与核验员",
    )
    @errors_as(InputError)
    async def reset_staff_password(
        self, info: Info, user_id: UserIdArg, new_password: NewPasswordArg
    ) -> ResetStaffPasswordResult:
        pk = expect_global_id(user_id, "User", field="userId")
        row = await run_command(
            info, staff_admin.reset_staff_password, user_id=pk, new_password=new_password
        )
        return ResetStaffPasswordSuccess(user=User.from_row(row, await info.context.viewer()))

    @strawberry.mutation(
        permission_classes=[MANAGERS],
        description="停用或启用账号（记入审计日志；停用即退出其所有登录）：管理员可管理任一工作人员"
        "或其他管理员；单位负责人只能管理本单位编辑与核验员；不能停用自己",
    )
    @errors_as(InputError)
    async def set_staff_account_active(
        self,
        info: Info,
        user_id: UserIdArg,
        active: Annotated[bool, strawberry.argument(description="true 启用，false 停用")],
    ) -> SetStaffAccountActiveResult:
        pk = expect_global_id(user_id, "User", field="userId")
        row = await run_command(
            info, staff_admin.set_staff_account_active, user_id=pk, active=active
        )
        return SetStaffAccountActiveSuccess(user=User.from_row(row, await info.context.viewer()))

    @strawberry.mutation(
        permission_classes=[MANAGERS],
        description="变更工作人员岗位（记入审计日志）：管理员可设任一岗位；单位负责人只能在本单位"
        "编辑与核验员之间调整，不能任命或撤换负责人；不能改自己的岗位",
    )
    @errors_as(InputError)
    async def set_staff_role(
        self,
        info: Info,
        user_id: UserIdArg,
        role: Annotated[StaffRole, strawberry.argument(description="新岗位")],  # type: ignore[valid-type]
    ) -> SetStaffRoleResult:
        pk = expect_global_id(user_id, "User", field="userId")
        row = await run_command(info, staff_admin.set_staff_role, user_id=pk, role=Role(role))
        return SetStaffRoleSuccess(user=User.from_row(row, await info.context.viewer()))
