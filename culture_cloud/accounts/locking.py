"""Serialising one person's own submissions, for every domain that checks limits or duplicates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.models import USER_TABLE


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Serialises one person's own submissions (PostgreSQL), so limits and duplicate checks see
    each other's results. NO KEY UPDATE: rows merely referring to the user are not blocked.
    (SQLite has one writer at a time, which serialises them already.)"""
    await session.execute(
        select(USER_TABLE.c.id).where(USER_TABLE.c.id == user_id).with_for_update(key_share=True)
    )
