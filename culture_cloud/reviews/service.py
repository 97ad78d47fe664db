"""Writing reviews: submit, edit, delete (the author's side). Moderation, replies, votes and
reports are in moderation.py and engagement.py. No strawberry here.

Guarantees and how they are kept:
* One live review per person and target: checked under the author's row lock, backed by a
  partial unique index (a concurrent duplicate fails there and is answered ALREADY_REVIEWED).
* The daily limit counts the author's rows of today under the same lock, so concurrent
  submissions of one person cannot both slip under it.
* Aggregates move in the same transaction as the review, by the difference of its counted
  contribution before and after (aggregates.apply_change), under the review's row lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.locking import lock_user
from culture_cloud.actor import Actor
from culture_cloud.errors import Forbidden
from culture_cloud.identity import Viewer
from culture_cloud.reviews import aggregates, targets
from culture_cloud.reviews.errors import Reason, Refused, not_found
from culture_cloud.reviews.models import (
    REVIEW_TABLE,
    Dimension,
    HoldReason,
    Review,
    ReviewRevision,
    ReviewStatus,
)
from culture_cloud.reviews.rules import ReviewRules, current_rules
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.reviews.validation import ReviewContent, ReviewDraft, check_review
from culture_cloud.reviews.words import find_personal_data, find_sensitive
from culture_cloud.timeutil import local_day_start, local_today

NOT_FOUND_MESSAGE = "评价不存在"
ALREADY_REVIEWED_MESSAGE = "您已评价过，可修改原评价"


# --- shared by the commands of this domain -----------------------------------------------------


async def ensure_daily_limit(
    session: AsyncSession, table: Table, user_id: int, limit: int, now: datetime, what: str
) -> None:
    """At most `limit` rows of `table` by this user since local midnight (Asia/Shanghai)."""
    since = local_day_start(local_today(now))
    made = (
        await session.execute(
            select(func.count())
            .select_from(table)
            .where(table.c.user_id == user_id, table.c.created_at >= since)
        )
    ).scalar_one()
    if made >= limit:
        raise Refused(Reason.RATE_LIMITED, f"今天{what}次数已达上限（{limit} 次），请明天再试")


async def lock_review(session: AsyncSession, review_id: int) -> Review:
    """The live review, row-locked for the rest of the transaction; NOT_FOUND otherwise.

    Every change of a review (and of its target's aggregate through it) takes this lock first.
    NO KEY UPDATE: rows that merely refer to the review (votes, reports) are not blocked."""
    review = (
        await session.execute(
            select(Review)
            .where(Review.id == review_id)  # type: ignore[arg-type]
            .with_for_update(key_share=True)
        )
    ).scalar_one_or_none()
    if review is None or review.deleted_at is not None:
        raise not_found(NOT_FOUND_MESSAGE)
    return review


def ref_of(review: Review) -> TargetRef:
    return TargetRef(targets.Kind(review.target_kind), review.target_id)


@dataclass(frozen=True, slots=True)
class Screening:
    """What the filters found in a text: listed words, and kinds of personal data."""

    words: list[str]
    personal_data: list[str]

    @property
    def flagged(self) -> list[str]:
        return [*self.words, *(f"【{label}】" for label in self.personal_data)]

    @property
    def hold(self) -> HoldReason | None:
        if self.personal_data:
            return HoldReason.PERSONAL_DATA
        return HoldReason.SENSITIVE_WORDS if self.words else None


def screen(text: str, rules: ReviewRules) -> Screening:
    return Screening(find_sensitive(text, rules.sensitive_words_file), find_personal_data(text))


def _write(review: Review, content: ReviewContent) -> None:
    review.overall = content.overall
    for dimension in Dimension:
        setattr(review, dimension.value, content.scores.get(dimension))
    review.text = content.text
    review.images = list(content.images)
    review.image_count = len(content.images)


# --- commands ---------------------------------------------------------------------------------


async def submit_review(
    session: AsyncSession,
    *,
    actor: Actor,
    target: TargetRef,
    draft: ReviewDraft,
    rules: ReviewRules | None = None,
) -> Review:
    """A new review: published at once, or held for moderation when its text contains listed
    words or personal data."""
    rules = rules or current_rules()
    content = check_review(target.kind, draft, rules)
    await lock_user(session, actor.viewer.user_id)
    found = await targets.load_target(session, target)
    targets.ensure_reviewable(found, actor.now)
    existing = (
        await session.execute(
            select(REVIEW_TABLE.c.id).where(
                REVIEW_TABLE.c.user_id == actor.viewer.user_id,
                REVIEW_TABLE.c.target_kind == target.kind,
                REVIEW_TABLE.c.target_id == target.id,
                REVIEW_TABLE.c.deleted_at.is_(None),
            )
        )
    ).first()
    if existing is not None:
        raise Refused(Reason.ALREADY_REVIEWED, ALREADY_REVIEWED_MESSAGE, field="targetId")
    await ensure_daily_limit(
        session, REVIEW_TABLE, actor.viewer.user_id, rules.max_reviews_per_day, actor.now, "评价"
    )
    screening = screen(content.text, rules)
    review = Review(
        user_id=actor.viewer.user_id,
        target_kind=target.kind,
        target_id=target.id,
        organization_id=found.organization_id,
        overall=content.overall,
        text=content.text,
        status=ReviewStatus.PENDING if screening.hold else ReviewStatus.APPROVED,
        hold_reason=screening.hold,
        flagged_words=screening.flagged,
        is_verified=await targets.attended(session, actor.viewer.user_id, target),
        by_designated_reviewer=actor.viewer.is_designated_reviewer,
        created_at=actor.now,
    )
    _write(review, content)
    session.add(review)
    try:
        await session.flush()
    except IntegrityError as exc:
        if not is_duplicate_review(exc):
            raise
        # A concurrent second review by the same person got past the check above (SQLite
        # does not serialise writers on the user lock); the unique index refused it.
        raise Refused(Reason.ALREADY_REVIEWED, ALREADY_REVIEWED_MESSAGE, field="targetId") from None
    await aggregates.apply_change(session, target, None, aggregates.contribution_of(review))
    return review


def _status_after_edit(
    review: Review, screening: Screening
) -> tuple[ReviewStatus, HoldReason | None]:
    """Listed words and personal data always hold the review. A review held because of reports
    stays held (an edit must not undo the reporters' flag); a rejected one goes back to a
    moderator."""
    if review.status == ReviewStatus.PENDING and review.hold_reason == HoldReason.REPORTS:
        return ReviewStatus.PENDING, HoldReason.REPORTS
    if screening.hold is not None:
        return ReviewStatus.PENDING, screening.hold
    if review.status == ReviewStatus.REJECTED:
        return ReviewStatus.PENDING, HoldReason.RESUBMITTED
    if review.status == ReviewStatus.PENDING and review.hold_reason == HoldReason.RESUBMITTED:
        return ReviewStatus.PENDING, HoldReason.RESUBMITTED
    return ReviewStatus.APPROVED, None


def _own(review: Review, viewer: Viewer) -> None:
    """Someone else's public review: FORBIDDEN; their hidden one does not exist for the caller."""
    if review.user_id != viewer.user_id:
        if review.status == ReviewStatus.APPROVED:
            raise Forbidden("只能修改或删除自己的评价")
        raise not_found(NOT_FOUND_MESSAGE)


async def update_review(
    session: AsyncSession,
    *,
    actor: Actor,
    review_id: int,
    draft: ReviewDraft,
    rules: ReviewRules | None = None,
) -> Review:
    """Replaces the review's scores, text and images; the previous version is kept."""
    rules = rules or current_rules()
    review = await lock_review(session, review_id)
    _own(review, actor.viewer)
    ref = ref_of(review)
    content = check_review(ref.kind, draft, rules)
    old = aggregates.contribution_of(review)
    session.add(
        ReviewRevision(
            review_id=review_id,
            overall=review.overall,
            **{d.value: getattr(review, d.value) for d in Dimension},
            text=review.text,
            images=list(review.images),
            status=review.status,
            written_at=review.edited_at or review.created_at,
            edited_at=actor.now,
        )
    )
    screening = screen(content.text, rules)
    review.status, review.hold_reason = _status_after_edit(review, screening)
    review.flagged_words = screening.flagged
    _write(review, content)
    # Attendance may have come after the first version.
    review.is_verified = review.is_verified or await targets.attended(
        session, actor.viewer.user_id, ref
    )
    review.edit_count += 1
    review.edited_at = actor.now
    await session.flush()
    await aggregates.apply_change(session, ref, old, aggregates.contribution_of(review))
    return review


async def delete_review(session: AsyncSession, *, actor: Actor, review_id: int) -> Review:
    """Removes the author's review from every list and from the aggregates; the row stays
    (soft delete) so votes, reports and the daily limit still refer to it."""
    review = await lock_review(session, review_id)
    _own(review, actor.viewer)
    old = aggregates.contribution_of(review)
    review.deleted_at = actor.now
    await session.flush()
    await aggregates.apply_change(session, ref_of(review), old, None)
    return review


def is_duplicate_review(exc: Any) -> bool:
    """The IntegrityError of a concurrent second review by the same person (SQLite: writers
    are not serialised by the user lock)."""
    return "uq_review_user_target" in str(exc) or "review.user_id" in str(exc)
