"""What other residents do with a public review: vote it helpful (once each), report it.

Reports are one per person and review; at the threshold (`report_threshold`, counted since the
last moderation decision) an approved review goes back to PENDING: hidden and out of the
aggregates until a moderator approves it again.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.locking import lock_user
from culture_cloud.actor import Actor
from culture_cloud.db import insert_ignoring_duplicates
from culture_cloud.reviews import aggregates
from culture_cloud.reviews.errors import Reason, Refused, bad_input, not_found
from culture_cloud.reviews.models import (
    REVIEW_REPORT_TABLE,
    REVIEW_TABLE,
    REVIEW_VOTE_TABLE,
    HoldReason,
    ReportReason,
    Review,
    ReviewReport,
    ReviewStatus,
)
from culture_cloud.reviews.rules import ReviewRules, current_rules
from culture_cloud.reviews.service import (
    NOT_FOUND_MESSAGE,
    ensure_daily_limit,
    lock_review,
    ref_of,
)

MAX_NOTE_LENGTH = 200


async def vote_helpful(
    session: AsyncSession,
    *,
    actor: Actor,
    review_id: int,
    helpful: bool,
) -> int:
    """Adds (or with `helpful` False withdraws) the caller's vote; the count after. Repeating
    either is harmless: the vote row decides, and the counter moves only when it changed."""
    # The review's row lock first, as every other change of a review takes it first.
    row = (
        await session.execute(
            select(REVIEW_TABLE.c.user_id, REVIEW_TABLE.c.status, REVIEW_TABLE.c.deleted_at)
            .where(REVIEW_TABLE.c.id == review_id)
            .with_for_update(key_share=True)
        )
    ).one_or_none()
    if row is None or row.deleted_at is not None or row.status != ReviewStatus.APPROVED:
        raise not_found(NOT_FOUND_MESSAGE)
    if row.user_id == actor.viewer.user_id:
        raise Refused(Reason.OWN_REVIEW, "不能给自己的评价点赞", field="id")
    if helpful:
        changed = bool(
            await insert_ignoring_duplicates(
                session,
                REVIEW_VOTE_TABLE,
                {"review_id": review_id, "user_id": actor.viewer.user_id, "created_at": actor.now},
            )
        )
    else:
        removed = await session.execute(
            delete(REVIEW_VOTE_TABLE)
            .where(
                REVIEW_VOTE_TABLE.c.review_id == review_id,
                REVIEW_VOTE_TABLE.c.user_id == actor.viewer.user_id,
            )
            .returning(REVIEW_VOTE_TABLE.c.review_id)
        )
        changed = removed.first() is not None
    step = (1 if helpful else -1) if changed else 0
    count = (
        await session.execute(
            update(REVIEW_TABLE)
            .where(REVIEW_TABLE.c.id == review_id)
            .values(helpful_count=REVIEW_TABLE.c.helpful_count + step)
            .returning(REVIEW_TABLE.c.helpful_count)
        )
    ).scalar_one()
    return int(count)


async def report_review(
    session: AsyncSession,
    *,
    actor: Actor,
    review_id: int,
    reason: ReportReason,
    note: str | None,
    rules: ReviewRules | None = None,
) -> Review:
    rules = rules or current_rules()
    cleaned = (note or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_NOTE_LENGTH:
        raise bad_input(f"说明不能超过 {MAX_NOTE_LENGTH} 个字", "note")
    await lock_user(session, actor.viewer.user_id)
    review = await lock_review(session, review_id)
    if review.status != ReviewStatus.APPROVED:
        raise not_found(NOT_FOUND_MESSAGE)
    if review.user_id == actor.viewer.user_id:
        raise Refused(Reason.OWN_REVIEW, "不能举报自己的评价", field="id")
    already = (
        await session.execute(
            select(REVIEW_REPORT_TABLE.c.id).where(
                REVIEW_REPORT_TABLE.c.review_id == review_id,
                REVIEW_REPORT_TABLE.c.user_id == actor.viewer.user_id,
            )
        )
    ).first()
    if already is not None:
        raise Refused(Reason.ALREADY_REPORTED, "您已举报过该评价，我们会尽快处理", field="id")
    await ensure_daily_limit(
        session,
        REVIEW_REPORT_TABLE,
        actor.viewer.user_id,
        rules.max_reports_per_day,
        actor.now,
        "举报",
    )
    session.add(
        ReviewReport(
            review_id=review_id,
            user_id=actor.viewer.user_id,
            reason=reason,
            note=cleaned,
            created_at=actor.now,
        )
    )
    old = aggregates.contribution_of(review)
    review.open_reports += 1
    if review.open_reports >= rules.report_threshold:
        review.status = ReviewStatus.PENDING
        review.hold_reason = HoldReason.REPORTS
    await session.flush()
    await aggregates.apply_change(session, ref_of(review), old, aggregates.contribution_of(review))
    return review
