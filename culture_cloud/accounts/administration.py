"""Administration: organisations, staff and administrator accounts, designated reviewers.
Every command writes its audit entry in the same transaction as its change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts import passwords, policy
from culture_cloud.accounts.models import User
from culture_cloud.accounts.service import (
    ORGANIZATION_KEY_PATTERN,
    audit_snapshot,
    check_phone,
    check_username,
    insert_unique,
)
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Organization, OrganizationKind
from culture_cloud.errors import (
    BadInput,
    Conflict,
    NotFound,
)
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.text import clean_text


@dataclass(frozen=True, slots=True)
class NewOrganization:
    name: str
    kind: OrganizationKind
    key: str | None = None
    description: str | None = None


async def create_organization(
    session: AsyncSession, *, actor: Actor, data: NewOrganization
) -> Organization:
    policy.ensure(actor.viewer.is_admin)
    name = clean_text(data.name, field="name", max_length=128)
    if name is None:
        raise BadInput("名称不能为空", field="name")
    key = clean_text(data.key, field="key", max_length=64)
    if key is not None and not ORGANIZATION_KEY_PATTERN.fullmatch(key):
        raise BadInput("标识须为小写字母、数字或 -", field="key")
    description = clean_text(data.description, field="description", max_length=2000)
    organization = Organization(
        key=key, name=name, kind=data.kind, description=description, created_at=actor.now
    )
    await insert_unique(session, organization, Conflict("该标识已被使用", field="key"))
    assert organization.id is not None
    await audit.record(
        session,
        viewer=actor.viewer,
        action="organization.create",
        target_type="Organization",
        target_id=organization.id,
        before=None,
        after={"key": key, "name": name, "kind": data.kind.value},
        ip=actor.ip,
    )
    return organization


@dataclass(frozen=True, slots=True)
class NewStaffAccount:
    organization_id: int
    username: str
    password: str
    role: StaffRole
    nickname: str | None = None
    real_name: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:
        return f"NewStaffAccount(username={self.username!r}, role={self.role!r}, password='***')"


async def create_staff_account(
    session: AsyncSession, *, actor: Actor, data: NewStaffAccount
) -> User:
    # Policy first: a manager learns nothing about organisations other than their own.
    policy.ensure(
        policy.can_create_staff(actor.viewer, data.organization_id, data.role),
        "只能为本单位创建编辑或核验员账号",
    )
    if await session.get(Organization, data.organization_id) is None:
        raise NotFound("单位不存在", field="organizationId")
    username = check_username(data.username)
    passwords.check_strength(data.password)
    user = User(
        kind=UserKind.STAFF,
        username=username,
        password_hash=await passwords.hash_password(data.password),
        nickname=clean_text(data.nickname, field="nickname", max_length=64),
        real_name=clean_text(data.real_name, field="realName", max_length=64),
        phone=check_phone(data.phone),
        organization_id=data.organization_id,
        staff_role=data.role,
        created_at=actor.now,
    )
    taken = Conflict("该用户名已被使用", field="username")
    if (
        await session.execute(select(col(User.id)).where(col(User.username) == username))
    ).first() is not None:
        raise taken
    await insert_unique(session, user, taken)
    assert user.id is not None
    await audit.record(
        session,
        viewer=actor.viewer,
        action="user.create_staff",
        target_type="User",
        target_id=user.id,
        before=None,
        after=audit_snapshot(user),
        ip=actor.ip,
    )
    return user


async def set_designated_reviewer(
    session: AsyncSession, *, actor: Actor, user_id: int, value: bool
) -> User:
    policy.ensure(actor.viewer.is_admin)
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("用户不存在", field="userId")
    if user.kind is not UserKind.RESIDENT:
        raise BadInput("文化体验师只能是居民用户", field="userId")
    before = audit_snapshot(user)
    user.is_designated_reviewer = value
    await audit.record(
        session,
        viewer=actor.viewer,
        action="user.set_designated_reviewer",
        target_type="User",
        target_id=user_id,
        before=before,
        after=audit_snapshot(user),
        ip=actor.ip,
    )
    return user


async def create_admin(
    session: AsyncSession, *, username: str, password: str, now: datetime
) -> User:
    """For the command line: the first administrator cannot be created through the API."""
    name = check_username(username)
    passwords.check_strength(password)
    taken = Conflict(f"用户名 {name} 已存在", field="username")
    if (
        await session.execute(select(col(User.id)).where(col(User.username) == name))
    ).first() is not None:
        raise taken
    user = User(
        kind=UserKind.ADMIN,
        username=name,
        password_hash=await passwords.hash_password(password),
        created_at=now,
    )
    await insert_unique(session, user, taken)
    assert user.id is not None
    await audit.record(
        session,
        viewer=None,
        action="user.create_admin",
        target_type="User",
        target_id=user.id,
        before=None,
        after=audit_snapshot(user),
        ip=None,
    )
    return user


# --- personal data ----------------------------------------------------------------------------
