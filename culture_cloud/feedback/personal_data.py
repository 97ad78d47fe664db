"""Feedback in `exportMyData` and `deleteMyAccount` (see accounts/personal_data.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.catalog.models import ORGANIZATION_TABLE
from culture_cloud.feedback.models import FEEDBACK_TABLE
from culture_cloud.global_ids import to_global_id
from culture_cloud.reviews.targets import type_name_of
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none


def _target_id(kind: str | None, target_id: int | None) -> str | None:
    if kind is None or target_id is None:
        return None
    return to_global_id(type_name_of(kind), target_id)


async def export_feedback(
    session: AsyncSession, settings: Settings, user_id: int
) -> list[dict[str, Any]]:
    """The caller's feedback items, oldest first, with the contact in full (it is theirs) and
    how each was handled. Who handled it is left out: that is the staff member's data."""
    rows = (
        await session.execute(
            select(FEEDBACK_TABLE, ORGANIZATION_TABLE.c.name.label("organization_name"))
            .outerjoin(
                ORGANIZATION_TABLE, ORGANIZATION_TABLE.c.id == FEEDBACK_TABLE.c.organization_id
            )
            .where(FEEDBACK_TABLE.c.user_id == user_id)
            .order_by(FEEDBACK_TABLE.c.created_at, FEEDBACK_TABLE.c.id)
        )
    ).all()
    return [
        {
            "id": to_global_id("Feedback", row.id),
            "category": row.category,
            "targetKind": row.target_kind,
            "targetId": _target_id(row.target_kind, row.target_id),
            "topic": row.topic,
            "organizationName": row.organization_name,
            "text": row.text,
            "images": list(row.images or []),
            "contact": row.contact,
            "status": row.status,
            "deadlineAt": iso_or_none(row.deadline_at),
            "acceptedAt": iso_or_none(row.accepted_at),
            "resolvedAt": iso_or_none(row.resolved_at),
            "rejectedAt": iso_or_none(row.rejected_at),
            "closedAt": iso_or_none(row.closed_at),
            "response": row.response,
            "rejectReason": row.reject_reason,
            "rating": row.rating,
            "ratingComment": row.rating_comment,
            "ratedAt": iso_or_none(row.rated_at),
            "createdAt": iso_or_none(row.created_at),
            "updatedAt": iso_or_none(row.updated_at),
        }
        for row in rows
    ]


async def erase_contact(
    session: AsyncSession, settings: Settings, user_id: int, now: datetime
) -> None:
    """Feedback `contact` is erased: it exists only to reach this person, and there is nobody
    to reach any more. The item itself (text, images, response, rating) stays: it is the
    handling organisation's record and counts in its statistics, and without the account and
    the contact it no longer points at anyone."""
    await session.execute(
        update(FEEDBACK_TABLE)
        .where(FEEDBACK_TABLE.c.user_id == user_id, FEEDBACK_TABLE.c.contact.is_not(None))
        .values(contact=None, updated_at=now)
    )
