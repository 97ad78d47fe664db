"""Ratings feed the menu: when the approved-review aggregate of an event changes (the reviews
domain calls culture_cloud.reviews.signals.rating_changed in its transaction), the delta moves

* for an order's event: the offering's and the supplier's scores, and the order to RATED;
* for a trial event: the group's trial score (and its supplier score once promoted), then the
  group's promotion is evaluated.

Incremental (one UPDATE per aggregate row, which row-locks it) in the reviewer's transaction,
so the scores are exact and commit or roll back with the review itself. Registered at import
time; culture_cloud/menu/__init__.py imports this module.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.audit import service as audit
from culture_cloud.db import utcnow
from culture_cloud.menu.incubation.promotion import evaluate_promotion
from culture_cloud.menu.machines import ORDER, Actor
from culture_cloud.menu.models import (
    COMMUNITY_GROUP_TABLE,
    MENU_OFFERING_TABLE,
    MENU_SUPPLIER_TABLE,
    CommunityGroup,
    GroupStage,
    MenuOrder,
    TrialEvent,
)
from culture_cloud.menu.offerings.suppliers import ensure_supplier
from culture_cloud.menu.orders.service import snapshot as order_snapshot
from culture_cloud.menu.sql import move_rating
from culture_cloud.reviews.signals import RatingDelta


async def _move_supplier(session: AsyncSession, organization_id: int, delta: RatingDelta) -> None:
    now = utcnow()
    await ensure_supplier(session, organization_id, now=now)
    await session.execute(
        move_rating(
            MENU_SUPPLIER_TABLE,
            MENU_SUPPLIER_TABLE.c.organization_id == organization_id,
            count=delta.count,
            score_sum=delta.score_sum,
        )
    )


async def _order_rated(session: AsyncSession, order: MenuOrder, delta: RatingDelta) -> None:
    await session.execute(
        move_rating(
            MENU_OFFERING_TABLE,
            MENU_OFFERING_TABLE.c.id == order.offering_id,
            count=delta.count,
            score_sum=delta.score_sum,
        )
    )
    await _move_supplier(session, order.supplier_organization_id, delta)
    if delta.count > 0 and ORDER.allows("rate", order.status):
        before = order_snapshot(order)
        order.status = ORDER.step("rate", order.status, {Actor.SYSTEM})
        order.rated_at = order.updated_at = utcnow()
        await session.flush()
        await audit.record(
            session,
            viewer=None,
            action="menu_order.rate",
            target_type="MenuOrder",
            target_id=order.id,
            before=before,
            after=order_snapshot(order),
            ip=None,
        )


async def _trial_rated(session: AsyncSession, trial: TrialEvent, delta: RatingDelta) -> None:
    await session.execute(
        move_rating(
            COMMUNITY_GROUP_TABLE,
            COMMUNITY_GROUP_TABLE.c.id == trial.group_id,
            count=delta.count,
            score_sum=delta.score_sum,
            sum_column="trial_rating_sum",
            count_column="trial_rating_count",
            avg_column=None,
        )
    )
    group = await session.get(CommunityGroup, trial.group_id, populate_existing=True)
    assert group is not None
    if group.stage is GroupStage.PROMOTED and group.organization_id is not None:
        await _move_supplier(session, group.organization_id, delta)
    elif group.stage is GroupStage.REGISTERED:
        await evaluate_promotion(
            session, group_id=trial.group_id, viewer=None, ip=None, now=utcnow()
        )


async def move_menu_scores(session: AsyncSession, delta: RatingDelta) -> None:
    if delta.target_kind != "event":
        return
    order = (
        await session.execute(
            select(MenuOrder).where(col(MenuOrder.event_id) == delta.target_id).with_for_update()
        )
    ).scalar_one_or_none()
    if order is not None:
        await _order_rated(session, order, delta)
        return
    trial = await session.get(TrialEvent, delta.target_id)
    if trial is not None:
        await _trial_rated(session, trial, delta)
