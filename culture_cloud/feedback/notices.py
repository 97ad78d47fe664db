"""What the resident hears when their feedback is handled: an outbox message in the handler's
transaction. No handler's name and no response text: both are in「我的反馈」, and a message
pushed to a phone's lock screen should carry nobody else's personal data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.feedback.models import Feedback, FeedbackCategory, FeedbackStatus
from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications import NotificationKind, enqueue
from culture_cloud.timeutil import to_local

CATEGORY_LABELS = {
    FeedbackCategory.COMPLAINT: "投诉",
    FeedbackCategory.SUGGESTION: "建议",
    FeedbackCategory.CONSULTATION: "咨询",
    FeedbackCategory.PRAISE: "表扬",
}
_MESSAGES = {
    FeedbackStatus.RESOLVED: (
        NotificationKind.FEEDBACK_ANSWERED,
        "反馈已办结",
        "您于 {day} 提交的{label}已办结，请在「我的反馈」中查看答复。",
    ),
    FeedbackStatus.REJECTED: (
        NotificationKind.FEEDBACK_REJECTED,
        "反馈不予受理",
        "您于 {day} 提交的{label}不予受理，请在「我的反馈」中查看原因。",
    ),
}


async def notify_handled(session: AsyncSession, item: Feedback) -> None:
    """Tells the author that their item was answered (RESOLVED) or refused (REJECTED)."""
    message = _MESSAGES.get(FeedbackStatus(item.status))
    if message is None:
        return
    assert item.id is not None
    kind, title, body = message
    await enqueue(
        session,
        user_id=item.user_id,
        kind=kind,
        title=title,
        body=body.format(
            day=f"{to_local(item.created_at):%m月%d日}",
            label=CATEGORY_LABELS[FeedbackCategory(item.category)],
        ),
        data={"feedbackId": to_global_id("Feedback", item.id)},
    )
