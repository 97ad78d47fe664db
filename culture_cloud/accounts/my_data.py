"""A resident's own data: everything we hold about them (PIPL access) and erasure of their account
(PIPL deletion). Other domains contribute through the exporters/erasers wired at start-up."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts import personal_data, tokens
from culture_cloud.accounts.models import AuthSession, User
from culture_cloud.accounts.service import audit_snapshot
from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Organization
from culture_cloud.db import SessionFactory
from culture_cloud.errors import (
    NotFound,
)
from culture_cloud.global_ids import to_global_id
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none

logger = logging.getLogger("culture_cloud.accounts")


async def export_my_data(
    factory: SessionFactory, settings: Settings, *, actor: Actor
) -> dict[str, Any]:
    """Everything held about the caller, unmasked, as JSON (PIPL right of access and
    portability). Other domains add their sections through accounts/personal_data.py."""
    async with factory() as session:
        user = await session.get(User, actor.viewer.user_id)
        if user is None:
            raise NotFound("账号不存在")
        organization = (
            await session.get(Organization, user.organization_id) if user.organization_id else None
        )
        sessions = (
            (
                await session.execute(
                    select(AuthSession)
                    .where(col(AuthSession.user_id) == actor.viewer.user_id)
                    .order_by(col(AuthSession.created_at), col(AuthSession.id))
                )
            )
            .scalars()
            .all()
        )
        actions = await audit.entries_by_actor(session, actor_id=actor.viewer.user_id)
        sections = await personal_data.export_sections(session, settings, actor.viewer.user_id)
    assert user.id is not None
    return {
        "exportedAt": actor.now.isoformat(),
        "profile": {
            "id": to_global_id("User", user.id),
            "kind": user.kind.value,
            "username": user.username,
            "nickname": user.nickname,
            "phone": user.phone,
            "phoneVerifiedAt": iso_or_none(user.phone_verified_at),
            "realName": user.real_name,
            "wechatOpenid": user.openid,
            "wechatWebOpenid": user.web_openid,
            "wechatUnionid": user.unionid,
            "isDesignatedReviewer": user.is_designated_reviewer,
            "organization": None
            if organization is None or organization.id is None
            else {"id": to_global_id("Organization", organization.id), "name": organization.name},
            "staffRole": user.staff_role.value if user.staff_role else None,
            "createdAt": iso_or_none(user.created_at),
            "lastLoginAt": iso_or_none(user.last_login_at),
            "privacyNoticeVersion": user.privacy_notice_version,
            "privacyConsentedAt": iso_or_none(user.privacy_consented_at),
        },
        "sessions": [
            {
                "createdAt": iso_or_none(s.created_at),
                "expiresAt": iso_or_none(s.expires_at),
                "rotatedAt": iso_or_none(s.rotated_at),
                "revokedAt": iso_or_none(s.revoked_at),
            }
            for s in sessions
        ],
        "actions": [
            {
                "action": a.action,
                "targetType": a.target_type,
                "targetId": a.target_id,
                "ip": a.ip,
                "at": iso_or_none(a.created_at),
            }
            for a in actions
        ],
        **sections,
    }


async def delete_my_account(session: AsyncSession, settings: Settings, *, actor: Actor) -> None:
    """Anonymises the account in place: the row (and its id) stays so that bookings and
    statistics that refer to it still count, but nothing identifies the person any more.
    Other domains release and erase what they hold (accounts/personal_data.py)."""
    user = await session.get(User, actor.viewer.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("账号不存在")
    before = audit_snapshot(user)
    if user.phone is not None:
        # Sent sign-in codes name the phone too (kept two days otherwise).
        await session.execute(delete(SmsCode).where(col(SmsCode.phone) == user.phone))
    user.openid = None
    user.web_openid = None
    user.unionid = None
    user.phone = None
    user.phone_verified_at = None
    user.real_name = None
    user.nickname = None
    user.username = None
    user.password_hash = None
    user.is_designated_reviewer = False
    user.is_active = False
    user.deleted_at = actor.now
    await tokens.revoke_all_for_user(session, user_id=actor.viewer.user_id, now=actor.now)
    await personal_data.erase(session, settings, actor.viewer.user_id, actor.now)
    await audit.record(
        session,
        viewer=actor.viewer,
        action="user.delete_self",
        target_type="User",
        target_id=actor.viewer.user_id,
        before=before,
        after=audit_snapshot(user),
        ip=actor.ip,
    )
