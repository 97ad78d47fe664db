"""What a wish's supporters hear (the author is the first of them): an outbox message, in the
administrator's transaction, when it is answered or merged into another wish. The wish's
title and status are public; nobody's name is in the message."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.global_ids import to_global_id
from culture_cloud.menu.models import MENU_WISH_SUPPORT_TABLE, MenuWish, WishStatus
from culture_cloud.notifications import NotificationKind, enqueue_many

_ANSWERS = {
    WishStatus.PLANNED: "已纳入计划",
    WishStatus.LINKED: "已对接项目或活动",
    WishStatus.DECLINED: "暂不采纳，答复中说明了原因",
}


async def supporter_ids(session: AsyncSession, wish_ids: Sequence[int]) -> list[int]:
    """Everyone who supports one of the wishes, once each; deleted accounts hear nothing."""
    rows = await session.execute(
        select(MENU_WISH_SUPPORT_TABLE.c.user_id)
        .join(USER_TABLE, USER_TABLE.c.id == MENU_WISH_SUPPORT_TABLE.c.user_id)
        .where(
            MENU_WISH_SUPPORT_TABLE.c.wish_id.in_(list(wish_ids)), USER_TABLE.c.deleted_at.is_(None)
        )
        .distinct()
    )
    return sorted(int(uid) for uid in rows.scalars())


def _short(title: str) -> str:
    return title if len(title) <= 30 else title[:29] + "…"


async def notify_answered(session: AsyncSession, wish: MenuWish) -> int:
    assert wish.id is not None
    answer = _ANSWERS.get(WishStatus(wish.status))
    if answer is None:
        return 0
    return await enqueue_many(
        session,
        user_ids=await supporter_ids(session, [wish.id]),
        kind=NotificationKind.WISH_ANSWERED,
        title="心愿有了答复",
        body=f"您支持的心愿「{_short(wish.title)}」{answer}。点击查看详情。",
        data={"wishId": to_global_id("Wish", wish.id)},
    )


async def notify_merged(
    session: AsyncSession, *, source: MenuWish, target: MenuWish, user_ids: Sequence[int]
) -> int:
    """`user_ids`: the supporters of `source` (read before their supports moved)."""
    assert source.id is not None and target.id is not None
    return await enqueue_many(
        session,
        user_ids=user_ids,
        kind=NotificationKind.WISH_MERGED,
        title="心愿已合并",
        body=(
            f"您支持的心愿「{_short(source.title)}」与「{_short(target.title)}」相同，"
            "已合并，您的支持已计入后者。"
        ),
        data={
            "wishId": to_global_id("Wish", target.id),
            "mergedWishId": to_global_id("Wish", source.id),
        },
    )
