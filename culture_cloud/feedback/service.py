"""Feedback commands: submit (residents), move through the handling states (staff of the owning
organisation, administrators; audited), rate the handling (the resident). No strawberry here.

Transitions, each under the item's row lock so two handlers cannot both move it:
  submitted -> accepted | rejected        accepted -> resolved (with a response) | rejected
  resolved | rejected -> closed (staff, or the resident's rating)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.locking import lock_user
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.errors import Forbidden
from culture_cloud.feedback import policy
from culture_cloud.feedback.models import FEEDBACK_TABLE, Feedback, FeedbackCategory, FeedbackStatus
from culture_cloud.feedback.notices import notify_handled
from culture_cloud.feedback.workdays import response_deadline
from culture_cloud.reviews import targets
from culture_cloud.reviews.errors import Reason, Refused, bad_input, not_found
from culture_cloud.reviews.rules import ReviewRules, current_rules
from culture_cloud.reviews.service import ensure_daily_limit
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.reviews.validation import check_images, check_score, check_text

NOT_FOUND_MESSAGE = "反馈不存在"
MAX_TOPIC_LENGTH = 50
MAX_CONTACT_LENGTH = 64
MAX_REASON_LENGTH = 200
# The same item sent again this soon (a double tap, a form posted twice, a retried request) is
# the first one, not a second complaint.
DUPLICATE_WINDOW = timedelta(minutes=10)

TRANSITIONS: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.SUBMITTED: frozenset({FeedbackStatus.ACCEPTED, FeedbackStatus.REJECTED}),
    FeedbackStatus.ACCEPTED: frozenset({FeedbackStatus.RESOLVED, FeedbackStatus.REJECTED}),
    FeedbackStatus.RESOLVED: frozenset({FeedbackStatus.CLOSED}),
    FeedbackStatus.REJECTED: frozenset({FeedbackStatus.CLOSED}),
    FeedbackStatus.CLOSED: frozenset(),
}
# Statuses in which the resident may rate the handling.
RATABLE = (FeedbackStatus.RESOLVED, FeedbackStatus.REJECTED, FeedbackStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class FeedbackDraft:
    category: FeedbackCategory
    text: str
    target: TargetRef | None = None
    topic: str | None = None
    images: tuple[str, ...] = ()
    contact: str | None = None


def _optional(value: str | None, field: str, max_length: int) -> str | None:
    cleaned = (value or "").strip() or None
    if cleaned is not None and len(cleaned) > max_length:
        raise bad_input(f"不能超过 {max_length} 个字", field)
    return cleaned


async def submit_feedback(
    session: AsyncSession,
    *,
    actor: Actor,
    draft: FeedbackDraft,
    rules: ReviewRules | None = None,
) -> Feedback:
    """Files the item with its organisation (none: the administrators) and its deadline."""
    rules = rules or current_rules()
    text = check_text(
        draft.text,
        "text",
        min_length=rules.feedback_text_min_length,
        max_length=rules.feedback_text_max_length,
    )
    topic = _optional(draft.topic, "topic", MAX_TOPIC_LENGTH)
    if draft.target is None and topic is None:
        raise bad_input("请选择反馈对象，或填写反馈主题", "topic")
    images = check_images(draft.images, rules)
    contact = _optional(draft.contact, "contact", MAX_CONTACT_LENGTH)
    await lock_user(session, actor.viewer.user_id)
    organization_id = None
    if draft.target is not None:
        organization_id = (await targets.load_target(session, draft.target)).organization_id
    same = await _same_item_just_sent(session, actor, draft, text, topic)
    if same is not None:
        return same
    await ensure_daily_limit(
        session, FEEDBACK_TABLE, actor.viewer.user_id, rules.max_feedback_per_day, actor.now, "反馈"
    )
    item = Feedback(
        user_id=actor.viewer.user_id,
        category=draft.category,
        target_kind=None if draft.target is None else draft.target.kind,
        target_id=None if draft.target is None else draft.target.id,
        topic=topic,
        organization_id=organization_id,
        text=text,
        images=images,
        contact=contact,
        status=FeedbackStatus.SUBMITTED,
        deadline_at=response_deadline(actor.now, rules.feedback_response_working_days),
        created_at=actor.now,
        updated_at=actor.now,
    )
    session.add(item)
    await session.flush()
    return item


async def _same_item_just_sent(
    session: AsyncSession, actor: Actor, draft: FeedbackDraft, text: str, topic: str | None
) -> Feedback | None:
    """The person's identical item of the last DUPLICATE_WINDOW, if any (read under their
    row lock, so two copies sent at once find each other on PostgreSQL too)."""
    target = draft.target
    stmt = select(Feedback).where(
        FEEDBACK_TABLE.c.user_id == actor.viewer.user_id,
        FEEDBACK_TABLE.c.category == draft.category,
        FEEDBACK_TABLE.c.text == text,
        FEEDBACK_TABLE.c.created_at >= actor.now - DUPLICATE_WINDOW,
        FEEDBACK_TABLE.c.target_kind.is_(None)
        if target is None
        else FEEDBACK_TABLE.c.target_kind == target.kind,
        FEEDBACK_TABLE.c.target_id.is_(None)
        if target is None
        else FEEDBACK_TABLE.c.target_id == target.id,
        FEEDBACK_TABLE.c.topic.is_(None) if topic is None else FEEDBACK_TABLE.c.topic == topic,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def _lock(session: AsyncSession, feedback_id: int) -> Feedback:
    item = (
        await session.execute(
            select(Feedback).where(Feedback.id == feedback_id).with_for_update()  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if item is None:
        raise not_found(NOT_FOUND_MESSAGE)
    return item


async def update_status(
    session: AsyncSession,
    *,
    actor: Actor,
    feedback_id: int,
    status: FeedbackStatus,
    response: str | None,
    reason: str | None,
) -> Feedback:
    item = await _lock(session, feedback_id)
    if not policy.can_see_as_handler(actor.viewer, item.organization_id):
        raise not_found(NOT_FOUND_MESSAGE)
    if not policy.can_handle(actor.viewer, item.organization_id):
        raise Forbidden("只有本单位的编辑、负责人或管理员可以处理反馈")
    current = FeedbackStatus(item.status)
    if status not in TRANSITIONS[current]:
        raise Refused(
            Reason.INVALID_TRANSITION,
            f"当前状态（{current.value}）不能改为 {status.value}",
            field="status",
        )
    before = {"status": current.value}
    after: dict[str, object] = {"status": status.value}
    if status is FeedbackStatus.ACCEPTED:
        item.accepted_at = actor.now
    elif status is FeedbackStatus.RESOLVED:
        item.response = check_text(response or "", "response", min_length=1, max_length=2000)
        item.responded_by = actor.viewer.user_id
        item.resolved_at = actor.now
    elif status is FeedbackStatus.REJECTED:
        cleaned = _optional(reason, "reason", MAX_REASON_LENGTH)
        if cleaned is None:
            raise bad_input("不予受理须说明理由", "reason")
        item.reject_reason = cleaned
        item.responded_by = actor.viewer.user_id
        item.rejected_at = actor.now
        after["reason"] = cleaned
    else:
        item.closed_at = actor.now
    item.status = status
    item.updated_at = actor.now
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"feedback.{status.value}",
        target_type="Feedback",
        target_id=feedback_id,
        before=before,
        after=after,
        ip=actor.ip,
    )
    await notify_handled(session, item)
    return item


async def rate_handling(
    session: AsyncSession,
    *,
    actor: Actor,
    feedback_id: int,
    rating: int,
    comment: str | None,
) -> Feedback:
    """The resident's verdict on the handling (once); a resolved or rejected item closes."""
    check_score(rating, "rating", "满意度")
    cleaned = _optional(comment, "comment", MAX_REASON_LENGTH)
    item = await _lock(session, feedback_id)
    if item.user_id != actor.viewer.user_id:
        raise not_found(NOT_FOUND_MESSAGE)
    if item.status not in RATABLE:
        raise Refused(Reason.NOT_RATABLE, "反馈办结后才能评价处理结果", field="id")
    if item.rating is not None:
        raise Refused(Reason.ALREADY_RATED, "已评价过处理结果", field="id")
    item.rating = rating
    item.rating_comment = cleaned
    item.rated_at = actor.now
    if item.status != FeedbackStatus.CLOSED:
        item.status = FeedbackStatus.CLOSED
        item.closed_at = actor.now
    item.updated_at = actor.now
    await session.flush()
    return item
