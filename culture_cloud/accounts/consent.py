"""PIPL consent to the privacy notice: which version a user accepted and when.

The notice in force is `settings.privacy_notice_version`; its text ships as
culture_cloud/accounts/privacy_notice.md (a demo text the operator replaces). A user whose
recorded version is another one (or none) must accept the current one again.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.models import User
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.errors import NotFound, Refusal, UserErrorCode
from culture_cloud.settings import Settings

NOTICE_PATH = Path(__file__).with_name("privacy_notice.md")


class OutdatedNotice(Refusal):
    reason = UserErrorCode.PRIVACY_NOTICE_OUTDATED


@cache
def notice_text() -> str:
    return NOTICE_PATH.read_text(encoding="utf-8")


def consent_required(user: User, settings: Settings) -> bool:
    return user.privacy_notice_version != settings.privacy_notice_version


async def accept_privacy_notice(
    session: AsyncSession, *, actor: Actor, settings: Settings, version: str
) -> User:
    """Records the caller's consent to `version`, which must be the notice in force (what the
    page showed them). Accepting the same version again changes nothing."""
    current = settings.privacy_notice_version
    if version.strip() != current:
        raise OutdatedNotice(
            f"隐私政策已更新为 {current} 版，请阅读现行版本后再同意", field="version"
        )
    user = await session.get(User, actor.viewer.user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("账号不存在")
    if user.privacy_notice_version == current:
        return user
    before = {"privacyNoticeVersion": user.privacy_notice_version}
    user.privacy_notice_version = current
    user.privacy_consented_at = actor.now
    assert user.id is not None
    # The audit log is the proof of consent: who, which version, when, from where.
    await audit.record(
        session,
        viewer=actor.viewer,
        action="user.accept_privacy_notice",
        target_type="User",
        target_id=user.id,
        before=before,
        after={"privacyNoticeVersion": current},
        ip=actor.ip,
    )
    return user
