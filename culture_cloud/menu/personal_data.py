"""Wishes and community-group applications in `exportMyData` and `deleteMyAccount` (see
accounts/personal_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.catalog.models import REGION_TABLE
from culture_cloud.global_ids import to_global_id
from culture_cloud.menu.models import (
    COMMUNITY_GROUP_TABLE,
    MENU_WISH_SUPPORT_TABLE,
    MENU_WISH_TABLE,
    GroupStage,
)
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none

# Applications that never became a group: their member lists serve nobody once the applicant
# has gone. A registered or promoted group is an organisation in its own right and keeps its
# roster (shown masked, as before).
UNREGISTERED = (GroupStage.APPLIED, GroupStage.REJECTED)


def _gid(type_name: str, pk: int | None) -> str | None:
    return None if pk is None else to_global_id(type_name, pk)


async def export_wishes(session: AsyncSession, settings: Settings, user_id: int) -> dict[str, Any]:
    """Wishes the caller posted (with the public answer) and every wish they supported,
    oldest first. A wish's author is its first supporter, so their own wishes are in
    `supported` too, as they are in the database."""
    posted = (
        await session.execute(
            select(MENU_WISH_TABLE, REGION_TABLE.c.name.label("region_name"))
            .outerjoin(REGION_TABLE, REGION_TABLE.c.id == MENU_WISH_TABLE.c.region_id)
            .where(MENU_WISH_TABLE.c.user_id == user_id)
            .order_by(MENU_WISH_TABLE.c.created_at, MENU_WISH_TABLE.c.id)
        )
    ).all()
    supported = (
        await session.execute(
            select(
                MENU_WISH_SUPPORT_TABLE.c.wish_id,
                MENU_WISH_SUPPORT_TABLE.c.created_at,
                MENU_WISH_TABLE.c.title,
            )
            .join(MENU_WISH_TABLE, MENU_WISH_TABLE.c.id == MENU_WISH_SUPPORT_TABLE.c.wish_id)
            .where(MENU_WISH_SUPPORT_TABLE.c.user_id == user_id)
            .order_by(MENU_WISH_SUPPORT_TABLE.c.created_at, MENU_WISH_SUPPORT_TABLE.c.wish_id)
        )
    ).all()
    return {
        "posted": [
            {
                "id": to_global_id("Wish", row.id),
                "title": row.title,
                "text": row.text,
                "regionId": _gid("Region", row.region_id),
                "regionName": row.region_name,
                "preferredPeriod": row.preferred_period,
                "status": row.status,
                "supportCount": row.support_count,
                "reply": row.reply,
                "answeredAt": iso_or_none(row.answered_at),
                "linkedOfferingId": _gid("Offering", row.linked_offering_id),
                "linkedEventId": _gid("Event", row.linked_event_id),
                "createdAt": iso_or_none(row.created_at),
            }
            for row in posted
        ],
        "supported": [
            {
                "wishId": to_global_id("Wish", row.wish_id),
                "title": row.title,
                "at": iso_or_none(row.created_at),
            }
            for row in supported
        ],
    }


async def export_community_groups(
    session: AsyncSession, settings: Settings, user_id: int
) -> list[dict[str, Any]]:
    """The caller's group applications, oldest first, with the member lists they submitted in
    full: the applicant is the one person who sees them unmasked in the API as well."""
    rows = (
        await session.execute(
            select(COMMUNITY_GROUP_TABLE, REGION_TABLE.c.name.label("region_name"))
            .outerjoin(REGION_TABLE, REGION_TABLE.c.id == COMMUNITY_GROUP_TABLE.c.region_id)
            .where(COMMUNITY_GROUP_TABLE.c.applicant_user_id == user_id)
            .order_by(COMMUNITY_GROUP_TABLE.c.created_at, COMMUNITY_GROUP_TABLE.c.id)
        )
    ).all()
    return [
        {
            "id": to_global_id("CommunityGroup", row.id),
            "name": row.name,
            "intent": row.intent,
            "regionId": _gid("Region", row.region_id),
            "regionName": row.region_name,
            "members": [
                {"name": m.get("name"), "phone": m.get("phone"), "role": m.get("role")}
                for m in row.members or []
            ],
            "stage": row.stage,
            "reviewReason": row.review_reason,
            "reviewedAt": iso_or_none(row.reviewed_at),
            "organizationId": _gid("Organization", row.organization_id),
            "promotedAt": iso_or_none(row.promoted_at),
            "createdAt": iso_or_none(row.created_at),
            "updatedAt": iso_or_none(row.updated_at),
        }
        for row in rows
    ]


async def erase_application_members(
    session: AsyncSession, settings: Settings, user_id: int, now: datetime
) -> None:
    """Names and phone numbers of other people the leaving user typed into applications that
    were never registered. They are third parties' data held only for that application; with
    the applicant gone nobody can see them in full or act on them. The application row stays
    (stage, dates, reason) for the pipeline's statistics.

    Wishes and supports stay: wishes are public posts whose author is never shown, and
    support counts are public aggregates; neither carries more than the anonymised account id.
    """
    await session.execute(
        update(COMMUNITY_GROUP_TABLE)
        .where(
            COMMUNITY_GROUP_TABLE.c.applicant_user_id == user_id,
            COMMUNITY_GROUP_TABLE.c.stage.in_(UNREGISTERED),
        )
        .values(members=[], updated_at=now)
    )
