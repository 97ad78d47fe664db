"""GraphQL face of accounts. Personal data is masked here, when the object is built, for
everybody but its owner; resolvers never see the unmasked value leave."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from culture_cloud import identity
from culture_cloud.accounts import models, policy
from culture_cloud.accounts.tokens import TokenPair
from culture_cloud.catalog import loaders as catalog_loaders
from culture_cloud.catalog.types import Organization
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.nodes import Node
from culture_cloud.graphql.user_errors import InputError, UserError
from culture_cloud.identity import Viewer
from culture_cloud.privacy import mask_name, mask_phone
from culture_cloud.timeutil import to_local

UserKind = strawberry.enum(identity.UserKind, name="UserKind", description="居民、工作人员、管理员")
StaffRole = strawberry.enum(
    identity.StaffRole,
    name="StaffRole",
    description="editor 发布活动；checker 现场核验；manager 管理本单位人员与场馆",
)


@strawberry.type(description="用户。手机号与姓名仅对本人完整显示，其他人（含管理员）看到脱敏值")
class User(Node):
    _pk: strawberry.Private[int]
    _organization_id: strawberry.Private[int | None]
    _owner: strawberry.Private[bool]
    _privacy_notice_version: strawberry.Private[str | None]
    kind: UserKind  # type: ignore[valid-type]
    username: str | None = strawberry.field(description="工作人员与管理员的登录名")
    nickname: str | None
    phone: str | None = strawberry.field(description="手机号；非本人时脱敏（138****1234）")
    real_name: str | None = strawberry.field(description="真实姓名；非本人时脱敏")
    is_designated_reviewer: bool = strawberry.field(description="文化体验师：其评价带有标识")
    staff_role: StaffRole | None  # type: ignore[valid-type]
    is_active: bool
    is_deleted: bool = strawberry.field(description="已注销（个人信息已清除）")
    created_at: datetime | None
    phone_verified: bool | None = strawberry.field(
        description="手机号已验证（短信验证码或微信手机号授权），可用于短信登录；非本人时为空"
    )
    privacy_notice_version: str | None = strawberry.field(
        description="本人已同意的隐私政策版本；未同意过或非本人时为空"
    )
    privacy_consented_at: datetime | None = strawberry.field(
        description="同意该版本隐私政策的时间；非本人时为空"
    )

    @strawberry.field(
        description="须（重新）阅读并同意现行隐私政策（见 privacyNotice，用 acceptPrivacyNotice "
        "同意）：从未同意过，或同意的不是现行版本时为 true；非本人时为空"
    )
    def privacy_consent_required(self, info: Info) -> bool | None:
        if not self._owner:
            return None
        return self._privacy_notice_version != info.context.settings.privacy_notice_version

    @strawberry.field(description="所属单位（工作人员）")
    async def organization(self, info: Info) -> Organization | None:
        if self._organization_id is None:
            return None
        return await catalog_loaders.OrganizationByIdLoader(info.context).load(
            self._organization_id
        )

    @classmethod
    def from_row(cls, row: models.User, viewer: Viewer | None) -> User:
        return cls._build(row, owner=policy.sees_personal_data_of(viewer, row.id))

    @classmethod
    def of_owner(cls, row: models.User) -> User:
        """For answers that only ever go to the account's owner (login, me)."""
        return cls._build(row, owner=True)

    @classmethod
    def _build(cls, row: models.User, *, owner: bool) -> User:
        assert row.id is not None
        return cls(
            id=strawberry.ID(to_global_id("User", row.id)),
            _pk=row.id,
            _organization_id=row.organization_id,
            _owner=owner,
            _privacy_notice_version=row.privacy_notice_version,
            kind=row.kind,
            username=row.username,
            nickname=row.nickname,
            phone=row.phone if owner else mask_phone(row.phone),
            real_name=row.real_name if owner else mask_name(row.real_name),
            is_designated_reviewer=row.is_designated_reviewer,
            staff_role=row.staff_role,
            is_active=row.is_active,
            is_deleted=row.deleted_at is not None,
            created_at=row.created_at and to_local(row.created_at),
            phone_verified=row.phone_verified_at is not None if owner else None,
            privacy_notice_version=row.privacy_notice_version if owner else None,
            privacy_consented_at=to_local(row.privacy_consented_at)
            if owner and row.privacy_consented_at
            else None,
        )


@strawberry.type(description="登录结果：访问令牌放在请求头 Authorization: Bearer <accessToken>")
class AuthPayload:
    access_token: str = strawberry.field(description="短期访问令牌（JWT）")
    access_token_expires_at: datetime
    refresh_token: str = strawberry.field(
        description="刷新令牌：只能使用一次，refreshToken 会返回新的；重复使用会注销整个登录"
    )
    refresh_token_expires_at: datetime
    token_type: str = "Bearer"
    user: User

    @classmethod
    def from_pair(cls, pair: TokenPair) -> AuthPayload:
        return cls(
            access_token=pair.access_token,
            access_token_expires_at=to_local(pair.access_expires_at),
            refresh_token=pair.refresh_token,
            refresh_token_expires_at=to_local(pair.refresh_expires_at),
            user=User.of_owner(pair.user),
        )


@strawberry.type(
    description="登录失败：INVALID_CODE（微信登录码或短信验证码无效、已使用或已过期）、"
    "INVALID_CREDENTIALS（用户名或密码错误）、ACCOUNT_DISABLED（账号已停用）、"
    "BAD_USER_INPUT（手机号格式无效，field 为 phone）"
)
class LoginError(UserError):
    pass


LoginResult = Annotated[AuthPayload | LoginError, strawberry.union("LoginResult")]


@strawberry.type
class LogoutPayload:
    ok: bool


@strawberry.type
class BindPhoneSuccess:
    user: User


BindPhoneResult = Annotated[BindPhoneSuccess | InputError, strawberry.union("BindPhoneResult")]


@strawberry.type
class CreateOrganizationSuccess:
    organization: Organization


CreateOrganizationResult = Annotated[
    CreateOrganizationSuccess | InputError, strawberry.union("CreateOrganizationResult")
]


@strawberry.type
class CreateStaffAccountSuccess:
    user: User


CreateStaffAccountResult = Annotated[
    CreateStaffAccountSuccess | InputError, strawberry.union("CreateStaffAccountResult")
]


@strawberry.type
class SetDesignatedReviewerSuccess:
    user: User


SetDesignatedReviewerResult = Annotated[
    SetDesignatedReviewerSuccess | InputError, strawberry.union("SetDesignatedReviewerResult")
]


@strawberry.type(description="本人数据导出（个人信息保护法：查阅、复制权）")
class DataExport:
    exported_at: datetime
    format: str = strawberry.field(description="data 的格式说明")
    data: JSON = strawberry.field(description="本人全部数据（未脱敏），JSON")


@strawberry.type
class DeleteMyAccountPayload:
    ok: bool
