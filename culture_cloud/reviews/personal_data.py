"""Reviews in `exportMyData` and `deleteMyAccount` (see
accounts/personal_data.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.global_ids import to_global_id
from culture_cloud.reviews.models import (
    REVIEW_REPORT_TABLE,
    REVIEW_REVISION_TABLE,
    REVIEW_TABLE,
    REVIEW_VOTE_TABLE,
    Dimension,
)
from culture_cloud.reviews.targets import type_name_of
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none


def _target_id(kind: str | None, target_id: int | None) -> str | None:
    if kind is None or target_id is None:
        return None
    return to_global_id(type_name_of(kind), target_id)


def _scores(row: Any) -> dict[str, int | None]:
    return {d.value: getattr(row, d.value) for d in Dimension}


async def export_reviews(session: AsyncSession, settings: Settings, user_id: int) -> dict[str, Any]:
    """Every review the caller wrote, oldest first, in every status and deleted ones too (the
    rows are still held), each with its earlier versions; their helpful votes and reports.
    `flaggedWords` is left out: it is the moderators' view of the sensitive-word list, which
    the API shows to nobody else either."""
    reviews = (
        await session.execute(
            select(REVIEW_TABLE)
            .where(REVIEW_TABLE.c.user_id == user_id)
            .order_by(REVIEW_TABLE.c.created_at, REVIEW_TABLE.c.id)
        )
    ).all()
    revisions: dict[int, list[Any]] = defaultdict(list)
    for row in await session.execute(
        select(REVIEW_REVISION_TABLE)
        .join(REVIEW_TABLE, REVIEW_TABLE.c.id == REVIEW_REVISION_TABLE.c.review_id)
        .where(REVIEW_TABLE.c.user_id == user_id)
        .order_by(REVIEW_REVISION_TABLE.c.review_id, REVIEW_REVISION_TABLE.c.id)
    ):
        revisions[row.review_id].append(row)
    votes = (
        await session.execute(
            select(REVIEW_VOTE_TABLE)
            .where(REVIEW_VOTE_TABLE.c.user_id == user_id)
            .order_by(REVIEW_VOTE_TABLE.c.created_at)
        )
    ).all()
    reports = (
        await session.execute(
            select(REVIEW_REPORT_TABLE)
            .where(REVIEW_REPORT_TABLE.c.user_id == user_id)
            .order_by(REVIEW_REPORT_TABLE.c.created_at, REVIEW_REPORT_TABLE.c.id)
        )
    ).all()
    return {
        "written": [
            {
                "id": to_global_id("Review", row.id),
                "targetKind": row.target_kind,
                "targetId": _target_id(row.target_kind, row.target_id),
                "overall": row.overall,
                "scores": _scores(row),
                "text": row.text,
                "images": list(row.images or []),
                "status": row.status,
                "holdReason": row.hold_reason,
                "moderationReason": row.moderation_reason,
                "isVerified": row.is_verified,
                "helpfulCount": row.helpful_count,
                "createdAt": iso_or_none(row.created_at),
                "editedAt": iso_or_none(row.edited_at),
                "deletedAt": iso_or_none(row.deleted_at),
                "revisions": [
                    {
                        "overall": rev.overall,
                        "scores": _scores(rev),
                        "text": rev.text,
                        "images": list(rev.images or []),
                        "status": rev.status,
                        "writtenAt": iso_or_none(rev.written_at),
                        "editedAt": iso_or_none(rev.edited_at),
                    }
                    for rev in revisions[row.id]
                ],
            }
            for row in reviews
        ],
        "helpfulVotes": [
            {"reviewId": to_global_id("Review", row.review_id), "at": iso_or_none(row.created_at)}
            for row in votes
        ],
        "reports": [
            {
                "reviewId": to_global_id("Review", row.review_id),
                "reason": row.reason,
                "note": row.note,
                "at": iso_or_none(row.created_at),
            }
            for row in reports
        ],
    }


async def erase_report_notes(
    session: AsyncSession, settings: Settings, user_id: int, now: datetime
) -> None:
    """What is erased and what stays, and why (feedback's contact: feedback/personal_data.py):

    * Report `note`s are erased: free text that no API shows to anyone, so keeping it serves
      nothing; the report rows stay, since they are counted in moderation (`open_reports`).
    * Reviews and their revisions stay: they feed the public ratings, and their author is
      shown as 「已注销用户」 once the account is deleted (reviews/authors.py). Helpful votes
      stay too: they are counts, with nothing in them but the anonymised account id.
    """
    await session.execute(
        update(REVIEW_REPORT_TABLE)
        .where(REVIEW_REPORT_TABLE.c.user_id == user_id, REVIEW_REPORT_TABLE.c.note.is_not(None))
        .values(note=None)
    )
