"""GraphQL inputs for account mutations, and their translation into service data."""

from __future__ import annotations

import strawberry

from culture_cloud.accounts import administration
from culture_cloud.accounts.types import StaffRole
from culture_cloud.catalog.values import OrganizationKind
from culture_cloud.global_ids import expect_global_id


@strawberry.input(description="新建单位（博物馆、图书馆、剧团、文化站、旅行社等）")
class CreateOrganizationInput:
    name: str
    kind: OrganizationKind  # type: ignore[valid-type]
    key: str | None = strawberry.field(default=None, description="可选的稳定标识，如 jiexiu-museum")
    description: str | None = None

    def to_domain(self) -> administration.NewOrganization:
        return administration.NewOrganization(
            name=self.name, kind=self.kind, key=self.key, description=self.description
        )


@strawberry.input(description="新建工作人员账号；单位负责人只能为本单位创建 editor 或 checker")
class CreateStaffAccountInput:
    organization_id: strawberry.ID
    username: str = strawberry.field(description="3–32 位小写字母、数字或 . _ -")
    password: str = strawberry.field(description="初始密码，至少 12 个字符")
    role: StaffRole  # type: ignore[valid-type]
    nickname: str | None = None
    real_name: str | None = None
    phone: str | None = None

    def to_domain(self) -> administration.NewStaffAccount:
        return administration.NewStaffAccount(
            organization_id=expect_global_id(
                self.organization_id, "Organization", field="organizationId"
            ),
            username=self.username,
            password=self.password,
            role=self.role,
            nickname=self.nickname,
            real_name=self.real_name,
            phone=self.phone,
        )
