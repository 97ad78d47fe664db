"""Moderation (administrators approve or reject, with a reason) and official replies (staff of
the owning organisation). Both audited. The owning organisation answers reviews but cannot
approve or reject them: it is a party to them."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts import policy
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.identity import StaffRole, Viewer
from culture_cloud.reviews import aggregates
from culture_cloud.reviews.errors import Reason, Refused, bad_input, not_found
from culture_cloud.reviews.models import Review, ReviewReply, ReviewStatus
from culture_cloud.reviews.notices import notify_rejected
from culture_cloud.reviews.rules import ReviewRules, current_rules
from culture_cloud.reviews.service import NOT_FOUND_MESSAGE, lock_review, ref_of
from culture_cloud.reviews.validation import check_text
from culture_cloud.reviews.words import find_sensitive

MAX_REASON_LENGTH = 200


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


def _snapshot(review: Review) -> dict[str, object]:
    # No text or personal data: the audit log says what was decided, the review row says what.
    return {
        "status": review.status.value if review.status else None,
        "holdReason": review.hold_reason.value if review.hold_reason else None,
        "reason": review.moderation_reason,
    }


async def moderate_review(
    session: AsyncSession,
    *,
    actor: Actor,
    review_id: int,
    decision: Decision,
    reason: str | None,
) -> Review:
    """Approve (publish and count) or reject (hide, with a reason the author sees). Approving an
    approved review or rejecting a rejected one is INVALID_TRANSITION."""
    policy.ensure(actor.viewer.is_admin, "仅限管理员审核评价")
    cleaned = (reason or "").strip() or None
    if decision is Decision.REJECT and cleaned is None:
        raise bad_input("驳回须说明理由", "reason")
    if cleaned is not None and len(cleaned) > MAX_REASON_LENGTH:
        raise bad_input(f"理由不能超过 {MAX_REASON_LENGTH} 个字", "reason")
    review = await lock_review(session, review_id)
    target = ReviewStatus.APPROVED if decision is Decision.APPROVE else ReviewStatus.REJECTED
    if review.status == target:
        raise Refused(
            Reason.INVALID_TRANSITION,
            "该评价已通过" if decision is Decision.APPROVE else "该评价已驳回",
            field="decision",
        )
    before = _snapshot(review)
    old = aggregates.contribution_of(review)
    review.status = target
    review.hold_reason = None
    review.moderation_reason = cleaned
    review.moderated_by = actor.viewer.user_id
    review.moderated_at = actor.now
    # Reports so far were looked at: a re-approved review is hidden again only by new ones.
    review.open_reports = 0
    await session.flush()
    await aggregates.apply_change(session, ref_of(review), old, aggregates.contribution_of(review))
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"review.{decision.value}",
        target_type="Review",
        target_id=review_id,
        before=before,
        after=_snapshot(review),
        ip=actor.ip,
    )
    if target is ReviewStatus.REJECTED:
        await notify_rejected(session, review)
    return review


def can_reply(viewer: Viewer, organization_id: int | None) -> bool:
    """Editors and managers of the organisation that owns the reviewed object."""
    return policy.is_member_of(viewer, organization_id) and viewer.has_role(
        StaffRole.EDITOR, StaffRole.MANAGER
    )


async def reply_to_review(
    session: AsyncSession,
    *,
    actor: Actor,
    review_id: int,
    text: str,
    rules: ReviewRules | None = None,
) -> Review:
    """The organisation's one public reply: the first call writes it, later calls replace it."""
    rules = rules or current_rules()
    cleaned = check_text(text, "text", min_length=1, max_length=rules.reply_max_length)
    review = await lock_review(session, review_id)
    if review.status != ReviewStatus.APPROVED:
        # Hidden reviews are answered after moderation, if at all.
        raise not_found(NOT_FOUND_MESSAGE)
    policy.ensure(can_reply(actor.viewer, review.organization_id), "只能回复本单位场馆、活动的评价")
    flagged = find_sensitive(cleaned, rules.sensitive_words_file)
    if flagged:
        raise Refused(
            Reason.SENSITIVE_CONTENT, f"回复含有不当用语：{'、'.join(flagged)}", field="text"
        )
    reply = (
        await session.execute(select(ReviewReply).where(ReviewReply.review_id == review_id))  # type: ignore[arg-type]
    ).scalar_one_or_none()
    before = None if reply is None else {"updatedAt": reply.updated_at.isoformat()}
    if reply is None:
        reply = ReviewReply(
            review_id=review_id,
            organization_id=review.organization_id,
            author_user_id=actor.viewer.user_id,
            text=cleaned,
            created_at=actor.now,
            updated_at=actor.now,
        )
        session.add(reply)
    else:
        reply.text = cleaned
        reply.author_user_id = actor.viewer.user_id
        reply.updated_at = actor.now
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action="review.reply",
        target_type="Review",
        target_id=review_id,
        before=before,
        after={"updatedAt": actor.now.isoformat(), "length": len(cleaned)},
        ip=actor.ip,
    )
    return review
