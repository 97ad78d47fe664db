"""Wishes: residents post them (and find similar ones to support instead), support them once
each, and administrators answer publicly: planned, linked to an offering or event, or
declined with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.accounts.locking import lock_user
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import Event, EventStatus, Region
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.errors import BadInput, NotFound
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.menu import validation as mv
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.machines import WISH
from culture_cloud.menu.models import (
    MENU_WISH_SUPPORT_TABLE,
    MENU_WISH_TABLE,
    MenuOffering,
    MenuWish,
    MenuWishSupport,
    OfferingStatus,
    WishStatus,
)
from culture_cloud.menu.policy import viewer_actors
from culture_cloud.menu.rules import MenuRules, current_rules
from culture_cloud.menu.wishes.notices import notify_answered
from culture_cloud.menu.wishes.similarity import (
    OPEN_STATUSES,
    Match,
    similar_wishes,
    store_terms,
    wish_terms,
)
from culture_cloud.text import clean_text, required_text

NOT_FOUND_MESSAGE = "心愿不存在"
# The schema's descriptions state these limits (tests/menu/test_wish_limits.py keeps them equal).
TITLE_MAX = 100
TEXT_MAX = 1000
PERIOD_MAX = 50


@dataclass(frozen=True, slots=True)
class NewWish:
    title: str
    text: str
    region_id: int
    preferred_period: str | None = None


@dataclass(frozen=True, slots=True)
class WishAnswer:
    status: WishStatus
    reply: str | None = None
    offering_id: int | None = None
    event_id: int | None = None


async def post_wish(
    session: AsyncSession,
    *,
    actor: Actor,
    data: NewWish,
    rules: MenuRules | None = None,
) -> tuple[MenuWish, list[Match]]:
    """The new wish (its author its first supporter) and the open wishes most like it."""
    rules = rules or current_rules()
    status = WISH.step("post", None, viewer_actors(actor.viewer))
    title = required_text(data.title, field="title", max_length=TITLE_MAX, label="心愿标题")
    text = required_text(data.text, field="text", max_length=TEXT_MAX, label="心愿内容")
    period = clean_text(data.preferred_period, field="preferredPeriod", max_length=PERIOD_MAX)
    if await session.get(Region, data.region_id) is None:
        raise NotFound("区域不存在", field="regionId")
    await lock_user(session, actor.viewer.user_id)
    if (repeat := await _same_open_wish(session, actor, title, text, data.region_id)) is not None:
        # A double submit or a retry after a lost answer: the wish already exists, so the
        # author gets it back instead of a second copy splitting its supporters.
        return repeat, await similar_wishes(
            session,
            wish_terms(title, text),
            region_id=data.region_id,
            exclude_id=repeat.id,
            min_score=rules.similar_wish_min_score,
            limit=rules.similar_wish_limit,
        )
    terms = wish_terms(title, text)
    wish = MenuWish(
        user_id=actor.viewer.user_id,
        title=title,
        text=text,
        region_id=data.region_id,
        preferred_period=period,
        status=status,
        support_count=1,
        term_count=len(terms),
        created_at=actor.now,
    )
    session.add(wish)
    await session.flush()
    assert wish.id is not None
    session.add(
        MenuWishSupport(wish_id=wish.id, user_id=actor.viewer.user_id, created_at=actor.now)
    )
    await store_terms(session, wish.id, terms)
    await session.flush()
    similar = await similar_wishes(
        session,
        terms,
        region_id=data.region_id,
        exclude_id=wish.id,
        min_score=rules.similar_wish_min_score,
        limit=rules.similar_wish_limit,
    )
    return wish, similar


async def _same_open_wish(
    session: AsyncSession, actor: Actor, title: str, text: str, region_id: int
) -> MenuWish | None:
    """The author's own open wish with this very title and text in this township, if any."""
    found = await session.execute(
        select(MenuWish)
        .where(
            MenuWish.user_id == actor.viewer.user_id,  # type: ignore[arg-type]
            MenuWish.region_id == region_id,  # type: ignore[arg-type]
            MenuWish.status == WishStatus.OPEN,  # type: ignore[arg-type]
            MenuWish.title == title,  # type: ignore[arg-type]
            MenuWish.text == text,  # type: ignore[arg-type]
        )
        .limit(1)
    )
    return found.scalars().first()


async def find_similar(
    conn: Executor, *, text: str, region_id: int | None, rules: MenuRules | None = None
) -> list[Match]:
    """Before posting: the open wishes a resident might support instead."""
    rules = rules or current_rules()
    cleaned = required_text(text, field="text", max_length=1000, label="心愿内容")
    return await similar_wishes(
        conn,
        wish_terms("", cleaned),
        region_id=region_id,
        exclude_id=None,
        min_score=rules.similar_wish_min_score,
        limit=rules.similar_wish_limit,
    )


async def support_wish(session: AsyncSession, *, actor: Actor, wish_id: int) -> MenuWish:
    """One support per resident (a unique row); the counter moves with it, atomically."""
    wish = await session.get(MenuWish, wish_id)
    if wish is None:
        raise NotFound(NOT_FOUND_MESSAGE, field="id")
    if wish.status not in OPEN_STATUSES:
        raise MenuFailed(
            MenuErrorCode.INVALID_TRANSITION,
            f"心愿当前状态为「{WISH.labels[wish.status]}」，不能再支持",
            state=wish.status.value.upper(),
        )
    added = await insert_ignoring_duplicates(
        session,
        MENU_WISH_SUPPORT_TABLE,
        {"wish_id": wish_id, "user_id": actor.viewer.user_id, "created_at": actor.now},
    )
    if not added:
        raise MenuFailed(MenuErrorCode.ALREADY_SUPPORTED, "您已支持过这个心愿", field="id")
    await session.execute(
        update(MENU_WISH_TABLE)
        .where(MENU_WISH_TABLE.c.id == wish_id)
        .values(support_count=MENU_WISH_TABLE.c.support_count + 1)
    )
    await session.refresh(wish)
    return wish


def snapshot(wish: MenuWish) -> dict[str, Any]:
    return {
        "title": wish.title,
        "status": wish.status.value,
        "regionId": wish.region_id,
        "supportCount": wish.support_count,
        "reply": wish.reply,
        "linkedOfferingId": wish.linked_offering_id,
        "linkedEventId": wish.linked_event_id,
    }


_ACTIONS = {WishStatus.PLANNED: "plan", WishStatus.LINKED: "link", WishStatus.DECLINED: "decline"}


async def answer_wish(
    session: AsyncSession,
    *,
    actor: Actor,
    wish_id: int,
    answer: WishAnswer,
) -> MenuWish:
    wish = await session.get(MenuWish, wish_id, with_for_update=True)
    if wish is None:
        raise NotFound(NOT_FOUND_MESSAGE, field="wishId")
    before = snapshot(wish)
    action = _ACTIONS.get(answer.status)
    if action is None:
        raise BadInput("答复须为 PLANNED、LINKED 或 DECLINED", field="status")
    wish.status = WISH.step(action, wish.status, viewer_actors(actor.viewer))
    if answer.status is WishStatus.DECLINED:
        wish.reply = mv.reason(answer.reply, field="reply")
    else:
        wish.reply = clean_text(answer.reply, field="reply", max_length=1000)
    if answer.status is WishStatus.LINKED:
        await _link(session, wish, answer)
    wish.answered_by, wish.answered_at = actor.viewer.user_id, actor.now
    await session.flush()
    await audit.record(
        session,
        viewer=actor.viewer,
        action=f"menu_wish.{action}",
        target_type="Wish",
        target_id=wish_id,
        before=before,
        after=snapshot(wish),
        ip=actor.ip,
    )
    await notify_answered(session, wish)
    return wish


async def _link(session: AsyncSession, wish: MenuWish, answer: WishAnswer) -> None:
    if answer.offering_id is None and answer.event_id is None:
        raise BadInput("对接心愿须指定菜单项目或活动", field="offeringId")
    if answer.offering_id is not None:
        offering = await session.get(MenuOffering, answer.offering_id)
        if offering is None or offering.status is not OfferingStatus.APPROVED:
            raise NotFound("菜单项目不存在或未上架", field="offeringId")
    if answer.event_id is not None:
        event = await session.get(Event, answer.event_id)
        if event is None or event.status is EventStatus.DRAFT:
            raise NotFound("活动不存在", field="eventId")
    wish.linked_offering_id, wish.linked_event_id = answer.offering_id, answer.event_id


# --- reading ---------------------------------------------------------------------------------


class WishOrder(StrEnum):
    SUPPORT = "support"
    NEWEST = "newest"


def wishes_statement(*, region_id: int | None, status: WishStatus | None) -> Select[Any]:
    t = MENU_WISH_TABLE
    stmt = select(t)
    if region_id is not None:
        stmt = stmt.where(t.c.region_id == region_id)
    if status is not None:
        stmt = stmt.where(t.c.status == status)
    return stmt


async def list_wishes(
    conn: Executor,
    *,
    region_id: int | None,
    status: WishStatus | None,
    order: WishOrder,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    t = MENU_WISH_TABLE
    if order is WishOrder.SUPPORT:
        keys = [SortKey(t.c.support_count, descending=True), SortKey(t.c.id, descending=True)]
        types: tuple[type, ...] = (int, int)
    else:
        keys = [SortKey(t.c.created_at, descending=True), SortKey(t.c.id, descending=True)]
        types = (datetime, int)
    return await fetch_page(
        conn,
        wishes_statement(region_id=region_id, status=status),
        keys=keys,
        order_name=f"wish:{order.value}",
        first=first,
        after=after,
        types=types,
    )


async def count_wishes(conn: Executor, *, region_id: int | None, status: WishStatus | None) -> int:
    return await count(conn, wishes_statement(region_id=region_id, status=status))


async def wishes_by_ids(conn: Executor, ids: list[int]) -> dict[int, Any]:
    rows = await conn.execute(select(MENU_WISH_TABLE).where(MENU_WISH_TABLE.c.id.in_(ids)))
    return {row.id: row for row in rows.all()}


async def supported_by(conn: Executor, user_id: int, wish_ids: list[int]) -> set[int]:
    rows = await conn.execute(
        select(MENU_WISH_SUPPORT_TABLE.c.wish_id).where(
            MENU_WISH_SUPPORT_TABLE.c.user_id == user_id,
            MENU_WISH_SUPPORT_TABLE.c.wish_id.in_(wish_ids),
        )
    )
    return {int(i) for i in rows.scalars().all()}
