"""Demo staff and administrator accounts for the seeded organisations — local use only.

They all share one published password, so they must never exist in production: outside
production they are created (idempotently; existing accounts are left alone), and in production
any that still carry the demo password — say, a development database promoted by mistake —
are deactivated and signed out instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts import passwords, tokens
from culture_cloud.accounts.models import User
from culture_cloud.catalog.models import Organization
from culture_cloud.db import utcnow
from culture_cloud.identity import StaffRole, UserKind
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.seed")

# Documented in README.md ("Signing in"). Local development only.
DEMO_PASSWORD: Final = "jiexiu-demo-2026"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    kind: UserKind
    organization_key: str | None
    role: StaffRole | None
    nickname: str


DEMO_ACCOUNTS: Final = (
    DemoAccount(
        "museum-editor", UserKind.STAFF, "jiexiu-museum", StaffRole.EDITOR, "【演示】博物馆编辑"
    ),
    DemoAccount(
        "museum-checker", UserKind.STAFF, "jiexiu-museum", StaffRole.CHECKER, "【演示】博物馆核验员"
    ),
    DemoAccount(
        "museum-manager", UserKind.STAFF, "jiexiu-museum", StaffRole.MANAGER, "【演示】博物馆负责人"
    ),
    DemoAccount(
        "library-editor", UserKind.STAFF, "jiexiu-library", StaffRole.EDITOR, "【演示】图书馆编辑"
    ),
    DemoAccount(
        "bureau-admin", UserKind.ADMIN, "jiexiu-wenlv-bureau", None, "【演示】文旅局管理员"
    ),
)


async def _organization_id(session: AsyncSession, key: str | None) -> int | None:
    if key is None:
        return None
    return (
        await session.execute(select(col(Organization.id)).where(col(Organization.key) == key))
    ).scalar_one_or_none()


async def load_demo_accounts(
    session: AsyncSession, settings: Settings, *, now: datetime | None = None
) -> list[str]:
    """Creates the missing demo accounts (outside production); returns the usernames created."""
    now = now or utcnow()
    existing = {
        row.username: row
        for row in (
            await session.execute(
                select(User).where(col(User.username).in_([a.username for a in DEMO_ACCOUNTS]))
            )
        ).scalars()
    }
    if settings.is_production:
        await _disable_in_production(session, list(existing.values()), now=now)
        return []
    created = []
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        organization_id = await _organization_id(session, account.organization_key)
        if account.kind is UserKind.STAFF and organization_id is None:
            logger.warning("demo account %s skipped: organisation not seeded", account.username)
            continue
        session.add(
            User(
                kind=account.kind,
                username=account.username,
                password_hash=await passwords.hash_password(DEMO_PASSWORD),
                nickname=account.nickname,
                organization_id=organization_id,
                staff_role=account.role,
                created_at=now,
            )
        )
        created.append(account.username)
    await session.flush()
    if created:
        logger.info("demo accounts created: %s", ", ".join(created))
    return created


async def _disable_in_production(session: AsyncSession, rows: list[User], *, now: datetime) -> None:
    for user in rows:
        if not user.is_active or not await passwords.verify_password(
            user.password_hash, DEMO_PASSWORD
        ):
            continue
        assert user.id is not None
        user.is_active = False
        await tokens.revoke_all_for_user(session, user_id=user.id, now=now)
        logger.warning(
            "demo account %s has the demo password in production: disabled", user.username
        )
