"""Approvals racing for one region's budget on PostgreSQL, each on its own connection as
requests in different server processes would be: the budget is never overspent, and a
control run without the row lock shows the same race does overspend."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.db import transaction, utcnow
from culture_cloud.errors import DomainError
from culture_cloud.identity import Viewer
from culture_cloud.menu.models import MENU_BUDGET_TABLE, MenuBudget
from culture_cloud.menu.orders import budgets
from culture_cloud.menu.orders import service as orders
from tests.menu import factories as f
from tests.menu.factories import World
from tests.support.ids import pk_of

pytestmark = pytest.mark.postgres_only

ORDERS = 12
FITS = 5
COST_YUAN = 1000


async def _accepted_orders(world: World) -> list[int]:
    offering_id = await f.approved_offering(world, costYuan=COST_YUAN)
    await f.set_budget(world, f.days_ahead(12), yuan=COST_YUAN * FITS, max_orders=ORDERS)
    return [pk_of(await f.accepted_order(world, offering_id)) for _ in range(ORDERS)]


async def _approve_all(world: World, order_ids: list[int]) -> list[str]:
    admin = world.users["admin"]
    assert admin.id is not None
    viewer = Viewer(admin.id, admin.kind, None, None, False, "test")

    async def approve(order_id: int) -> str:
        try:
            async with transaction(world.db.factory) as session:
                order = await orders.approve_order(
                    session, actor=Actor(viewer=viewer, ip=None, now=utcnow()), order_id=order_id
                )
        except DomainError as exc:
            return getattr(exc, "reason", exc.code).value
        return order.status.value

    return list(await asyncio.gather(*(approve(i) for i in order_ids)))


async def _spent(world: World) -> tuple[int, int]:
    async with world.db.factory() as session:
        row = (await session.execute(select(MenuBudget))).scalar_one()
    return row.spent_fen, row.order_count


async def test_approve_order__concurrent_approvals__never_beyond_the_budget(
    pg: Any, world: World
) -> None:
    order_ids = await _accepted_orders(world)

    outcomes = await _approve_all(world, order_ids)

    assert outcomes.count("scheduled") == FITS
    assert outcomes.count("BUDGET_EXCEEDED") == ORDERS - FITS
    assert await _spent(world) == (COST_YUAN * 100 * FITS, FITS)


async def test_approve_order__row_lock_disabled__control_run_overspends(
    pg: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read without FOR UPDATE and leave the gap any scheduler opens: the race the lock
    prevents. The same rush must catch it, or the test above proves nothing."""

    async def unlocked_rows(
        session: AsyncSession, region_id: int, periods: Sequence[str]
    ) -> list[Any]:
        stmt = select(MENU_BUDGET_TABLE).where(
            MENU_BUDGET_TABLE.c.region_id == region_id, MENU_BUDGET_TABLE.c.period.in_(periods)
        )
        rows = list((await session.execute(stmt)).all())
        await asyncio.sleep(0.02)
        return rows

    monkeypatch.setattr(budgets, "_budget_rows", unlocked_rows)
    order_ids = await _accepted_orders(world)

    outcomes = await _approve_all(world, order_ids)

    spent, count = await _spent(world)
    print(f"\ncontrol run without the row lock: {outcomes.count('scheduled')} approved of {FITS}")
    assert outcomes.count("scheduled") > FITS
    assert spent > COST_YUAN * 100 * FITS and count > FITS
