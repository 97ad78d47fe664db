"""Staff accounts after they exist: one's own password, and what managers and administrators
do to others' accounts (reset a password, disable, change the role), the staff list of an
organisation and the administrators' list of organisations.

Who may touch which account is `policy.can_administer_account`. Every change to another
account writes an audit entry in the same transaction; resetting a password or disabling an
account ends that account's sign-ins at once (their refresh tokens are revoked, and access
tokens die with their session: tokens.load_viewer checks both on every request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import passwords, policy, ratelimit
from culture_cloud.accounts.models import USER_TABLE, AuthSession, User
from culture_cloud.accounts.service import LoginFailed, LoginFailure, audit_snapshot
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import ORGANIZATION_TABLE, OrganizationKind
from culture_cloud.db import Executor, SessionFactory, transaction
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.settings import Settings

STAFF_ORDER = "organization_staff:id"
ORGANIZATIONS_ORDER = "organizations:name"
NOT_YOURS = "只能管理本单位编辑与核验员的账号"


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    user: User
    revoked_sessions: int


def _password_limit(settings: Settings, user_id: int) -> ratelimit.Limit:
    minutes = max(1, settings.login_failure_window_seconds // 60)
    return ratelimit.Limit(
        key=f"password:user:{user_id}",
        max_count=settings.login_max_failures_per_account,
        window=timedelta(seconds=settings.login_failure_window_seconds),
        message=f"当前密码输错次数过多，请 {minutes} 分钟后再试",
    )


async def change_my_password(
    factory: SessionFactory,
    settings: Settings,
    *,
    actor: Actor,
    current_password: str,
    new_password: str,
) -> PasswordChanged:
    """Staff and administrators. A wrong current password counts like a failed login (the
    per-account limit), so a stolen access token cannot be used to guess it; the count is
    committed even though the answer is an error, hence the service's own transactions.
    Every other sign-in of the account ends; this one goes on."""
    passwords.check_strength(new_password, field="newPassword")
    if new_password == current_password:
        raise BadInput("新密码不能与当前密码相同", field="newPassword")
    user_id = actor.viewer.user_id
    async with transaction(factory) as session:
        reservation = await ratelimit.reserve(
            session, [_password_limit(settings, user_id)], now=actor.now
        )
        user = await session.get(User, user_id)
    if user is None or user.password_hash is None:
        raise BadInput("该账号没有密码（居民使用微信登录）", field="currentPassword")
    if len(current_password) > passwords.MAX_PASSWORD_LENGTH or not (
        await passwords.verify_password(user.password_hash, current_password)
    ):
        raise LoginFailed(
            LoginFailure.INVALID_CREDENTIALS, "当前密码不正确", field="currentPassword"
        )
    new_hash = await passwords.hash_password(new_password)
    async with transaction(factory) as session:
        await ratelimit.release(session, reservation)
        user = await session.get(User, user_id)
        assert user is not None
        user.password_hash = new_hash
        revoked = await _revoke_sessions(
            session, user_id, now=actor.now, keep_session=actor.viewer.session_id
        )
        await audit.record(
            session,
            viewer=actor.viewer,
            action="user.change_password",
            target_type="User",
            target_id=user_id,
            before=None,
            after={"revokedSessions": revoked},
            ip=actor.ip,
        )
        return PasswordChanged(user, revoked)


async def _revoke_sessions(
    session: AsyncSession, user_id: int, *, now: datetime, keep_session: str | None = None
) -> int:
    """Revokes the user's live sessions; with `keep_session`, all but that session's login
    (its family: every rotation of it). Returns how many were revoked."""
    stmt = update(AuthSession).where(
        col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None)
    )
    if keep_session is not None:
        family = select(col(AuthSession.family_id)).where(col(AuthSession.id) == keep_session)
        stmt = stmt.where(col(AuthSession.family_id).not_in(family.scalar_subquery()))
    done = await session.execute(stmt.values(revoked_at=now).returning(col(AuthSession.id)))
    return len(done.all())


async def _account(session: AsyncSession, actor: Actor, user_id: int) -> User:
    """The account another person's command is about, once the caller may touch it. A
    manager learns nothing about accounts outside their organisation but that they are not
    theirs (FORBIDDEN, as `user(id:)` answers)."""
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("用户不存在", field="userId")
    viewer = actor.viewer
    if not viewer.is_admin and not policy.is_member_of(viewer, user.organization_id):
        policy.ensure(False, NOT_YOURS)
    if policy.is_self(viewer, user.id):
        raise BadInput(
            "不能对自己的账号执行此操作；修改本人密码请用 changeMyPassword", field="userId"
        )
    if user.kind is UserKind.RESIDENT:
        raise BadInput("居民账号使用微信登录，不在此管理", field="userId")
    policy.ensure(policy.can_administer_account(viewer, user), NOT_YOURS)
    return user


async def _audited(
    session: AsyncSession, actor: Actor, user: User, action: str, before: dict[str, Any]
) -> None:
    assert user.id is not None
    await audit.record(
        session,
        viewer=actor.viewer,
        action=action,
        target_type="User",
        target_id=user.id,
        before=before,
        after=audit_snapshot(user),
        ip=actor.ip,
    )


async def reset_staff_password(
    session: AsyncSession, *, actor: Actor, user_id: int, new_password: str
) -> User:
    """Sets a new password on someone else's account (they forgot theirs) and ends all of
    its sign-ins. The password itself is never logged or audited."""
    user = await _account(session, actor, user_id)
    passwords.check_strength(new_password, field="newPassword")
    user.password_hash = await passwords.hash_password(new_password)
    before = audit_snapshot(user)
    revoked = await _revoke_sessions(session, user_id, now=actor.now)
    await _audited(session, actor, user, "user.reset_password", {**before, "sessions": revoked})
    return user


async def set_staff_account_active(
    session: AsyncSession, *, actor: Actor, user_id: int, active: bool
) -> User:
    """Disabling ends every sign-in of the account and refuses new ones (ACCOUNT_DISABLED);
    enabling lets its owner sign in again with the password it had."""
    user = await _account(session, actor, user_id)
    if user.is_active == active:
        return user
    before = audit_snapshot(user)
    user.is_active = active
    if not active:
        await _revoke_sessions(session, user_id, now=actor.now)
    await _audited(session, actor, user, "user.set_active", before)
    return user


async def set_staff_role(
    session: AsyncSession, *, actor: Actor, user_id: int, role: StaffRole
) -> User:
    """Takes effect with the account's next request (roles are read from the database on
    every request). A manager moves people between editor and checker only."""
    user = await _account(session, actor, user_id)
    if user.kind is not UserKind.STAFF:
        raise BadInput("管理员没有岗位，只有工作人员账号可以设置岗位", field="userId")
    policy.ensure(
        actor.viewer.is_admin or role in policy.ROLES_A_MANAGER_GRANTS,
        "单位负责人只能把本单位人员设为编辑或核验员",
    )
    if user.staff_role is role:
        return user
    before = audit_snapshot(user)
    user.staff_role = role
    await _audited(session, actor, user, "user.set_role", before)
    return user


# --- lists ---------------------------------------------------------------------------------------


def _staff_statement(
    organization_id: int, role: StaffRole | None, active: bool | None
) -> Select[Any]:
    stmt = select(USER_TABLE).where(
        USER_TABLE.c.kind == UserKind.STAFF,
        USER_TABLE.c.organization_id == organization_id,
        USER_TABLE.c.deleted_at.is_(None),
    )
    if role is not None:
        stmt = stmt.where(USER_TABLE.c.staff_role == role)
    if active is not None:
        stmt = stmt.where(USER_TABLE.c.is_active == active)
    return stmt


async def ensure_may_list_staff(conn: Executor, actor_viewer: Any, organization_id: int) -> None:
    """The organisation's managers and administrators; an unknown organisation is NOT_FOUND
    for administrators (others are refused before the lookup, learning nothing)."""
    policy.ensure(
        policy.can_manage_organization(actor_viewer, organization_id),
        "只能查看本单位的工作人员",
    )
    found = (
        await conn.execute(
            select(ORGANIZATION_TABLE.c.id).where(ORGANIZATION_TABLE.c.id == organization_id)
        )
    ).first()
    if found is None:
        raise NotFound("单位不存在", field="organizationId")


async def list_staff(
    conn: Executor,
    *,
    organization_id: int,
    role: StaffRole | None,
    active: bool | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    """In the order the accounts were created."""
    return await fetch_page(
        conn,
        _staff_statement(organization_id, role, active),
        keys=[SortKey(USER_TABLE.c.id)],
        order_name=STAFF_ORDER,
        first=first,
        after=after,
        types=[int],
    )


async def count_staff(
    conn: Executor, *, organization_id: int, role: StaffRole | None, active: bool | None
) -> int:
    return await count(conn, _staff_statement(organization_id, role, active))


def _organizations_statement(kind: OrganizationKind | None) -> Select[Any]:
    stmt = select(ORGANIZATION_TABLE)
    return stmt if kind is None else stmt.where(ORGANIZATION_TABLE.c.kind == kind)


async def list_organizations(
    conn: Executor, *, kind: OrganizationKind | None, first: int | None, after: str | None
) -> Page[Any]:
    """By name, then id."""
    return await fetch_page(
        conn,
        _organizations_statement(kind),
        keys=[SortKey(ORGANIZATION_TABLE.c.name), SortKey(ORGANIZATION_TABLE.c.id)],
        order_name=ORGANIZATIONS_ORDER,
        first=first,
        after=after,
        types=[str, int],
    )


async def count_organizations(conn: Executor, *, kind: OrganizationKind | None) -> int:
    return await count(conn, _organizations_statement(kind))
