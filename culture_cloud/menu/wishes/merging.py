"""Administrators merge duplicate wishes into one, so support gathers where it is answered.

The sources' supports move to the target: one row per person (the unique support key), so a
person who supported a source and the target, or two sources, counts once. The target's
counter is then recounted from its rows rather than added to, so it is exact whatever
overlapped. Each source ends MERGED, pointing at the target, with no supports of its own
(a support lives on one wish: the statistics sum them). Its supporters are told, once each.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Integer, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.errors import Forbidden
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.machines import WISH
from culture_cloud.menu.models import MENU_WISH_SUPPORT_TABLE, MENU_WISH_TABLE, MenuWish, WishStatus
from culture_cloud.menu.policy import viewer_actors
from culture_cloud.menu.wishes.notices import notify_merged, supporter_ids
from culture_cloud.menu.wishes.similarity import OPEN_STATUSES

MAX_SOURCES = 20


def _check_ids(source_ids: Sequence[int], target_id: int) -> list[int]:
    sources = list(dict.fromkeys(source_ids))  # the same id twice is one source
    if not sources:
        raise MenuFailed(MenuErrorCode.BAD_USER_INPUT, "请选择要合并的心愿", field="sourceIds")
    if len(sources) > MAX_SOURCES:
        raise MenuFailed(
            MenuErrorCode.BAD_USER_INPUT,
            f"一次最多合并 {MAX_SOURCES} 个心愿",
            field="sourceIds",
        )
    if target_id in sources:
        raise MenuFailed(MenuErrorCode.SAME_WISH, "不能把心愿合并到它自己", field="targetId")
    return sources


async def _locked(session: AsyncSession, ids: Sequence[int]) -> dict[int, MenuWish]:
    # Ascending id order: two merges over overlapping wishes lock in the same order.
    rows = await session.execute(
        select(MenuWish)
        .where(MENU_WISH_TABLE.c.id.in_(sorted(ids)))
        .order_by(MENU_WISH_TABLE.c.id)
        .with_for_update()
    )
    return {w.id: w for w in rows.scalars() if w.id is not None}


def _refuse_merged(wish: MenuWish, field: str) -> None:
    if wish.status is WishStatus.MERGED:
        raise MenuFailed(
            MenuErrorCode.ALREADY_MERGED,
            f"心愿「{wish.title}」已合并到其他心愿",
            field=field,
            state=WishStatus.MERGED.value.upper(),
        )


async def merge_wishes(
    session: AsyncSession,
    *,
    actor: Actor,
    source_ids: Sequence[int],
    target_id: int,
) -> tuple[MenuWish, list[MenuWish]]:
    """The target (supports gathered) and the merged sources, in the order given."""
    if not actor.viewer.is_admin:
        raise Forbidden("仅管理员可以合并心愿")
    sources_ids = _check_ids(source_ids, target_id)
    wishes = await _locked(session, [*sources_ids, target_id])
    target = wishes.get(target_id)
    if target is None:
        raise MenuFailed(MenuErrorCode.NOT_FOUND, "目标心愿不存在", field="targetId")
    missing = [i for i in sources_ids if i not in wishes]
    if missing:
        raise MenuFailed(MenuErrorCode.NOT_FOUND, "要合并的心愿不存在", field="sourceIds")
    sources = [wishes[i] for i in sources_ids]
    _refuse_merged(target, "targetId")
    if target.status not in OPEN_STATUSES:
        raise MenuFailed(
            MenuErrorCode.INVALID_TRANSITION,
            f"目标心愿当前状态为「{WISH.labels[target.status]}」，不能再接收支持",
            field="targetId",
            state=target.status.value.upper(),
        )
    actors = viewer_actors(actor.viewer)
    for source in sources:
        _refuse_merged(source, "sourceIds")
        try:
            WISH.step("merge", source.status, actors)
        except MenuFailed as exc:
            exc.field = "sourceIds"
            raise

    # Who hears about it, read before the supports move: a person once, under the first
    # source they supported.
    told: set[int] = set()
    audience: list[tuple[MenuWish, list[int]]] = []
    for source in sources:
        assert source.id is not None
        fresh = [u for u in await supporter_ids(session, [source.id]) if u not in told]
        told.update(fresh)
        audience.append((source, fresh))

    before = {w.id: _snapshot(w) for w in sources}
    moved = (
        select(
            literal(target_id, Integer).label("wish_id"),
            MENU_WISH_SUPPORT_TABLE.c.user_id,
            func.min(MENU_WISH_SUPPORT_TABLE.c.created_at).label("created_at"),
        )
        .where(
            MENU_WISH_SUPPORT_TABLE.c.wish_id.in_(sources_ids),
            MENU_WISH_SUPPORT_TABLE.c.user_id.not_in(
                select(MENU_WISH_SUPPORT_TABLE.c.user_id).where(
                    MENU_WISH_SUPPORT_TABLE.c.wish_id == target_id
                )
            ),
        )
        .group_by(MENU_WISH_SUPPORT_TABLE.c.user_id)
    )
    await session.execute(
        insert(MENU_WISH_SUPPORT_TABLE).from_select(["wish_id", "user_id", "created_at"], moved)
    )
    await session.execute(
        delete(MENU_WISH_SUPPORT_TABLE).where(MENU_WISH_SUPPORT_TABLE.c.wish_id.in_(sources_ids))
    )
    recount = (
        select(func.count())
        .select_from(MENU_WISH_SUPPORT_TABLE)
        .where(MENU_WISH_SUPPORT_TABLE.c.wish_id == target_id)
        .scalar_subquery()
    )
    await session.execute(
        update(MENU_WISH_TABLE)
        .where(MENU_WISH_TABLE.c.id == target_id)
        .values(support_count=recount)
    )
    for source in sources:
        source.status = WishStatus.MERGED
        source.merged_into_id = target_id
        source.support_count = 0
        source.answered_by, source.answered_at = actor.viewer.user_id, actor.now
    await session.flush()
    await session.refresh(target)

    for source in sources:
        assert source.id is not None
        await audit.record(
            session,
            viewer=actor.viewer,
            action="menu_wish.merge",
            target_type="Wish",
            target_id=source.id,
            before=before[source.id],
            after={**_snapshot(source), "targetSupportCount": target.support_count},
            ip=actor.ip,
        )
    for source, user_ids in audience:
        await notify_merged(session, source=source, target=target, user_ids=user_ids)
    return target, sources


def _snapshot(wish: MenuWish) -> dict[str, object]:
    # Titles are public; no supporter is named.
    return {
        "title": wish.title,
        "status": wish.status.value,
        "supportCount": wish.support_count,
        "mergedIntoId": wish.merged_into_id,
    }
