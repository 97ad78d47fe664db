"""Account mutations. Each declares its permission classes (a test fails on one that does not)
and runs in one transaction; expected failures come back as typed results."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from culture_cloud.accounts import administration, my_data, service, tokens
from culture_cloud.accounts.inputs import CreateOrganizationInput, CreateStaffAccountInput
from culture_cloud.accounts.types import (
    AuthPayload,
    BindPhoneResult,
    BindPhoneSuccess,
    CreateOrganizationResult,
    CreateOrganizationSuccess,
    CreateStaffAccountResult,
    CreateStaffAccountSuccess,
    DataExport,
    DeleteMyAccountPayload,
    LoginError,
    LoginResult,
    LogoutPayload,
    SetDesignatedReviewerResult,
    SetDesignatedReviewerSuccess,
    User,
)
from culture_cloud.catalog.types import Organization
from culture_cloud.errors import ServiceUnavailable
from culture_cloud.global_ids import expect_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.mutation import actor_of, errors_as, run_command
from culture_cloud.graphql.permissions import IsAdmin, IsAuthenticated, Public, StaffRole
from culture_cloud.graphql.user_errors import InputError
from culture_cloud.identity import StaffRole as Role
from culture_cloud.timeutil import to_local
from culture_cloud.wechat import WechatClient


def _wechat(info: Info) -> WechatClient:
    if info.context.wechat is None:
        raise ServiceUnavailable("微信服务未配置")
    return info.context.wechat


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(
        permission_classes=[Public],
        description="居民登录：小程序 wx.login 得到的 code；首次登录自动注册",
    )
    @errors_as(LoginError)
    async def login_with_wechat(self, info: Info, code: str) -> LoginResult:
        pair = await service.login_with_wechat(
            info.context.session_factory,
            info.context.settings,
            wechat=_wechat(info),
            code=code,
            now=info.context.now,
        )
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(
        permission_classes=[Public],
        description="工作人员与管理员登录；失败次数按账号和 IP 限制（RATE_LIMITED）",
    )
    @errors_as(LoginError)
    async def login_with_password(self, info: Info, username: str, password: str) -> LoginResult:
        pair = await service.login_with_password(
            info.context.session_factory,
            info.context.settings,
            username=username,
            password=password,
            ip=info.context.client_ip,
            now=info.context.now,
        )
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(
        permission_classes=[Public],
        description="用刷新令牌换取新的令牌对；旧刷新令牌随即失效，无效时返回 UNAUTHENTICATED",
    )
    async def refresh_token(self, info: Info, refresh_token: str) -> AuthPayload:
        pair = await tokens.refresh(
            info.context.session_factory,
            info.context.settings,
            refresh_token=refresh_token,
            now=info.context.now,
        )
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="退出登录")
    async def logout(self, info: Info) -> LogoutPayload:
        await run_command(info, service.logout)
        return LogoutPayload(ok=True)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="绑定手机号：小程序 getPhoneNumber 得到的 code，由服务器向微信换取号码",
    )
    @errors_as(InputError)
    async def bind_phone(self, info: Info, code: str) -> BindPhoneResult:
        # Asks WeChat before writing, so the service owns its (short) transaction.
        actor = await actor_of(info)
        row = await service.bind_phone(
            info.context.session_factory, wechat=_wechat(info), actor=actor, code=code
        )
        return BindPhoneSuccess(user=User.of_owner(row))

    @strawberry.mutation(permission_classes=[IsAdmin], description="新建单位（管理员）")
    @errors_as(InputError)
    async def create_organization(
        self, info: Info, input: CreateOrganizationInput
    ) -> CreateOrganizationResult:
        row = await run_command(info, administration.create_organization, data=input.to_domain())
        return CreateOrganizationSuccess(organization=Organization.from_row(row))

    @strawberry.mutation(
        permission_classes=[StaffRole(Role.MANAGER)],
        description="新建工作人员账号：管理员可为任一单位创建任一岗位；"
        "单位负责人（manager）只能为本单位创建 editor 或 checker",
    )
    @errors_as(InputError)
    async def create_staff_account(
        self, info: Info, input: CreateStaffAccountInput
    ) -> CreateStaffAccountResult:
        data = input.to_domain()
        row = await run_command(info, administration.create_staff_account, data=data)
        viewer = await info.context.require_viewer()
        return CreateStaffAccountSuccess(user=User.from_row(row, viewer))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="设置或取消文化体验师（管理员；仅居民用户）"
    )
    @errors_as(InputError)
    async def set_designated_reviewer(
        self, info: Info, user_id: strawberry.ID, value: bool
    ) -> SetDesignatedReviewerResult:
        pk = expect_global_id(user_id, "User", field="userId")
        row = await run_command(
            info, administration.set_designated_reviewer, user_id=pk, value=value
        )
        viewer = await info.context.require_viewer()
        return SetDesignatedReviewerSuccess(user=User.from_row(row, viewer))

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="导出本人全部数据（JSON，不脱敏）"
    )
    async def export_my_data(self, info: Info) -> DataExport:
        # A read: the service uses its own session, no transaction.
        actor = await actor_of(info)
        data = await my_data.export_my_data(
            info.context.session_factory, info.context.settings, actor=actor
        )
        return DataExport(
            exported_at=to_local(info.context.now),
            format="culture-cloud/my-data/v1",
            data=JSON(data),
        )

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="注销账号：清除个人信息并退出所有登录；预约等记录匿名保留用于统计",
    )
    async def delete_my_account(self, info: Info) -> DeleteMyAccountPayload:
        await run_command(info, my_data.delete_my_account, settings=info.context.settings)
        return DeleteMyAccountPayload(ok=True)
