"""The author hears when moderation rejects their review: an outbox message in the
moderator's transaction. The reason stays in「我的评价」; a guide is not named (a person)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications import NotificationKind, enqueue
from culture_cloud.reviews.models import Review, ReviewTargetKind
from culture_cloud.reviews.targets import TargetRef
from culture_cloud.timeutil import to_local


async def _what(session: AsyncSession, ref: TargetRef) -> str:
    if ref.kind is ReviewTargetKind.GUIDE:
        return "导游的服务"
    table, label = ref.catalogue.table, ref.catalogue.label
    column = table.c.title if ref.kind is ReviewTargetKind.EVENT else table.c.name
    name = (await session.execute(select(column).where(table.c.id == ref.id))).scalar()
    return f"{label}「{name}」" if name else label


async def notify_rejected(session: AsyncSession, review: Review) -> None:
    assert review.id is not None
    what = await _what(session, TargetRef(ReviewTargetKind(review.target_kind), review.target_id))
    await enqueue(
        session,
        user_id=review.user_id,
        kind=NotificationKind.REVIEW_REJECTED,
        title="评价未通过审核",
        body=(
            f"您于 {to_local(review.created_at):%m月%d日} 对{what}的评价未通过审核，"
            "不会公开显示。请在「我的评价」中查看原因。"
        ),
        data={"reviewId": to_global_id("Review", review.id)},
    )
