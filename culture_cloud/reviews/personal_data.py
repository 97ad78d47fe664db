"""Reviews and feedback in `exportMyData` and `deleteMyAccount` (see
accounts/personal_data.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.catalog.models import Organization
from culture_cloud.feedback.service import FEEDBACK
from culture_cloud.graphql.ids import to_global_id
from culture_cloud.reviews.engagement import REPORT
from culture_cloud.reviews.models import Dimension
from culture_cloud.reviews.reading import REVISION, VOTE
from culture_cloud.reviews.service import REVIEW
from culture_cloud.reviews.targets import type_name_of
from culture_cloud.settings import Settings
from culture_cloud.timeutil import iso_or_none

ORGANIZATION = cast(Table, Organization.__table__)  # type: ignore[attr-defined]


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
            select(REVIEW)
            .where(REVIEW.c.user_id == user_id)
            .order_by(REVIEW.c.created_at, REVIEW.c.id)
        )
    ).all()
    revisions: dict[int, list[Any]] = defaultdict(list)
    for row in await session.execute(
        select(REVISION)
        .join(REVIEW, REVIEW.c.id == REVISION.c.review_id)
        .where(REVIEW.c.user_id == user_id)
        .order_by(REVISION.c.review_id, REVISION.c.id)
    ):
        revisions[row.review_id].append(row)
    votes = (
        await session.execute(
            select(VOTE).where(VOTE.c.user_id == user_id).order_by(VOTE.c.created_at)
        )
    ).all()
    reports = (
        await session.execute(
            select(REPORT)
            .where(REPORT.c.user_id == user_id)
            .order_by(REPORT.c.created_at, REPORT.c.id)
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


async def export_feedback(
    session: AsyncSession, settings: Settings, user_id: int
) -> list[dict[str, Any]]:
    """The caller's feedback items, oldest first, with the contact in full (it is theirs) and
    how each was handled. Who handled it is left out: that is the staff member's data."""
    rows = (
        await session.execute(
            select(FEEDBACK, ORGANIZATION.c.name.label("organization_name"))
            .outerjoin(ORGANIZATION, ORGANIZATION.c.id == FEEDBACK.c.organization_id)
            .where(FEEDBACK.c.user_id == user_id)
            .order_by(FEEDBACK.c.created_at, FEEDBACK.c.id)
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


async def erase_contact_data(
    session: AsyncSession, settings: Settings, user_id: int, now: datetime
) -> None:
    """What is erased and what stays, and why:

    * Feedback `contact` is erased: it exists only to reach this person, and there is nobody
      to reach any more. The item itself (text, images, response, rating) stays: it is the
      handling organisation's record and counts in its statistics, and without the account and
      the contact it no longer points at anyone.
    * Report `note`s are erased: free text that no API shows to anyone, so keeping it serves
      nothing; the report rows stay, since they are counted in moderation (`open_reports`).
    * Reviews and their revisions stay: they feed the public ratings, and their author is
      shown as 「已注销用户」 once the account is deleted (reviews/authors.py). Helpful votes
      stay too: they are counts, with nothing in them but the anonymised account id.
    """
    await session.execute(
        update(FEEDBACK)
        .where(FEEDBACK.c.user_id == user_id, FEEDBACK.c.contact.is_not(None))
        .values(contact=None, updated_at=now)
    )
    await session.execute(
        update(REPORT)
        .where(REPORT.c.user_id == user_id, REPORT.c.note.is_not(None))
        .values(note=None)
    )
