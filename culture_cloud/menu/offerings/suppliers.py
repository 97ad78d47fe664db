"""Who may publish offerings, and the suppliers' score rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.catalog.models import Organization, OrganizationKind
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.menu.models import MENU_SUPPLIER_TABLE, CommunityGroup, GroupStage
from culture_cloud.menu.rules import MenuRules


async def is_eligible_supplier(conn: Executor, org: Organization, rules: MenuRules) -> bool:
    """Troupes, venues' organisations and the like (rules.supplier_kinds); a community group
    only once its trial events earned its promotion."""
    if org.kind in rules.supplier_kinds:
        return True
    if org.kind is not OrganizationKind.COMMUNITY_GROUP:
        return False
    found = await conn.execute(
        select(col(CommunityGroup.id)).where(
            col(CommunityGroup.organization_id) == org.id,
            col(CommunityGroup.stage) == GroupStage.PROMOTED,
        )
    )
    return found.first() is not None


async def ensure_supplier(
    session: AsyncSession,
    organization_id: int,
    *,
    now: datetime,
    rating_sum: int = 0,
    rating_count: int = 0,
) -> None:
    """The organisation's score row, created once (concurrent creators: the first wins)."""
    await insert_ignoring_duplicates(
        session,
        MENU_SUPPLIER_TABLE,
        {
            "organization_id": organization_id,
            "rating_sum": rating_sum,
            "rating_count": rating_count,
            "rating_avg": rating_sum / rating_count if rating_count else 0.0,
            "created_at": now,
        },
    )
