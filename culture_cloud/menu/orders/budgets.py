"""Per-region budgets and quotas (one row per period and region), and the charge an approval
makes against them.

Concurrency: `charge` locks the rows it checks (SELECT … FOR UPDATE on PostgreSQL), in period
order, so two approvals for the same region run one after the other and neither can spend what
the other has already taken. The counters move by SQL increments in the same transaction.
SQLite serialises writers on its own (FOR UPDATE is a no-op there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts.policy import ensure
from culture_cloud.actor import Actor
from culture_cloud.audit import service as audit
from culture_cloud.catalog.models import VENUE_TABLE, Region
from culture_cloud.db import Executor, insert_ignoring_duplicates
from culture_cloud.errors import Conflict, NotFound
from culture_cloud.menu import validation as mv
from culture_cloud.menu.errors import MenuErrorCode, MenuFailed
from culture_cloud.menu.models import MENU_BUDGET_TABLE, MenuBudget
from culture_cloud.menu.periods import normalise_period, periods_covering

MAX_ORDERS = 10_000


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def snapshot(row: Any) -> dict[str, Any]:
    return {
        "period": row.period,
        "regionId": row.region_id,
        "budgetFen": row.budget_fen,
        "maxOrders": row.max_orders,
        "spentFen": row.spent_fen,
        "orderCount": row.order_count,
    }


@dataclass(frozen=True, slots=True)
class BudgetSetting:
    period: str
    region_id: int
    budget_yuan: float
    max_orders: int


async def set_budget(
    session: AsyncSession,
    *,
    actor: Actor,
    setting: BudgetSetting,
) -> MenuBudget:
    """Creates or changes a period's budget; never below what approvals already took."""
    ensure(actor.viewer.is_admin, "仅限管理员设置预算")
    period = normalise_period(setting.period)
    budget_fen = mv.yuan_to_fen(setting.budget_yuan, field="budgetYuan")
    max_orders = mv.int_in(
        setting.max_orders, field="maxOrders", low=0, high=MAX_ORDERS, label="订单数上限"
    )
    if await session.get(Region, setting.region_id) is None:
        raise NotFound("区域不存在", field="regionId")
    created = await insert_ignoring_duplicates(
        session,
        MENU_BUDGET_TABLE,
        {
            "period": period,
            "region_id": setting.region_id,
            "budget_fen": 0,
            "max_orders": 0,
            "spent_fen": 0,
            "order_count": 0,
            "updated_by": actor.viewer.user_id,
            "created_at": actor.now,
            "updated_at": actor.now,
        },
    )
    row = (
        await session.execute(
            select(MenuBudget)
            .where(col(MenuBudget.period) == period, col(MenuBudget.region_id) == setting.region_id)
            .with_for_update()
        )
    ).scalar_one()
    before = None if created else snapshot(row)
    if budget_fen < row.spent_fen:
        raise Conflict(
            f"预算不能低于已审批金额（{_yuan(row.spent_fen)} 元）",
            field="budgetYuan",
        )
    if max_orders < row.order_count:
        raise Conflict(
            f"订单数上限不能低于已审批订单数（{row.order_count}）",
            field="maxOrders",
        )
    row.budget_fen, row.max_orders = budget_fen, max_orders
    row.updated_by, row.updated_at = actor.viewer.user_id, actor.now
    await session.flush()
    assert row.id is not None
    await audit.record(
        session,
        viewer=actor.viewer,
        action="menu_budget.set",
        target_type="MenuBudget",
        target_id=row.id,
        before=before,
        after=snapshot(row),
        ip=actor.ip,
    )
    return row


async def _budget_rows(session: AsyncSession, region_id: int, periods: Sequence[str]) -> list[Any]:
    """The region's rows for these periods, locked, in period order (one lock order for every
    approval, so two of them cannot deadlock)."""
    stmt = (
        select(MENU_BUDGET_TABLE)
        .where(MENU_BUDGET_TABLE.c.region_id == region_id, MENU_BUDGET_TABLE.c.period.in_(periods))
        .order_by(MENU_BUDGET_TABLE.c.period)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def charge(session: AsyncSession, *, region_id: int, day: date, cost_fen: int) -> list[str]:
    """Takes one order costing `cost_fen` on `day` from every budget row covering that day;
    returns the periods charged. Refuses (nothing changed) when a row lacks money or quota."""
    rows = await _budget_rows(session, region_id, periods_covering(day))
    if not rows:
        raise MenuFailed(
            MenuErrorCode.NO_BUDGET, f"该乡镇 {day:%Y-%m} 所在月份或季度尚未设置点单预算"
        )
    for row in rows:
        if row.spent_fen + cost_fen > row.budget_fen:
            raise MenuFailed(
                MenuErrorCode.BUDGET_EXCEEDED,
                f"{row.period} 预算不足：剩余 {_yuan(row.budget_fen - row.spent_fen)} 元，"
                f"本单需 {_yuan(cost_fen)} 元",
            )
        if row.order_count + 1 > row.max_orders:
            raise MenuFailed(
                MenuErrorCode.QUOTA_EXCEEDED,
                f"{row.period} 该乡镇的点单数已达上限（{row.max_orders} 单）",
            )
    for row in rows:
        await session.execute(
            update(MENU_BUDGET_TABLE)
            .where(MENU_BUDGET_TABLE.c.id == row.id)
            .values(
                spent_fen=MENU_BUDGET_TABLE.c.spent_fen + cost_fen,
                order_count=MENU_BUDGET_TABLE.c.order_count + 1,
            )
        )
    return [row.period for row in rows]


async def refund(
    session: AsyncSession, *, region_id: int, periods: Sequence[str], cost_fen: int
) -> None:
    """Gives a cancelled order's charge back to the rows it was taken from."""
    for row in await _budget_rows(session, region_id, sorted(periods)):
        await session.execute(
            update(MENU_BUDGET_TABLE)
            .where(MENU_BUDGET_TABLE.c.id == row.id)
            .values(
                spent_fen=MENU_BUDGET_TABLE.c.spent_fen - cost_fen,
                order_count=MENU_BUDGET_TABLE.c.order_count - 1,
            )
        )


async def list_budgets(
    conn: Executor, *, period: str, organization_id: int | None = None
) -> list[Any]:
    """The period's rows; with `organization_id`, only those of the townships where that
    organisation has a venue (what its manager orders for)."""
    period = normalise_period(period)
    stmt = select(MENU_BUDGET_TABLE).where(MENU_BUDGET_TABLE.c.period == period)
    if organization_id is not None:
        regions = select(VENUE_TABLE.c.region_id).where(
            VENUE_TABLE.c.organization_id == organization_id,
            VENUE_TABLE.c.region_id.is_not(None),
        )
        stmt = stmt.where(MENU_BUDGET_TABLE.c.region_id.in_(regions))
    return list((await conn.execute(stmt.order_by(MENU_BUDGET_TABLE.c.region_id))).all())
