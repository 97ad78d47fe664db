"""Reading orders: the caller's own list, one order, who may see one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlmodel import col

from culture_cloud.accounts.policy import is_member_of
from culture_cloud.db import Executor
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.menu.models import (
    MENU_ORDER_TABLE,
    CommunityGroup,
    GroupMembership,
    GroupStage,
    MemberRole,
    OrderStatus,
)
from culture_cloud.menu.policy import order_actors

NOT_FOUND_MESSAGE = "订单不存在"


async def can_see(conn: Executor, viewer: Viewer | None, order: Any) -> bool:
    """The two parties (any staff of the ordering centre; the supplier's people) and
    administrators."""
    if viewer is None:
        return False
    if viewer.is_admin or is_member_of(viewer, order.ordering_organization_id):
        return True
    return bool(await order_actors(conn, viewer, order))


async def _supplier_org_ids_led(conn: Executor, user_id: int) -> list[int]:
    rows = await conn.execute(
        select(col(CommunityGroup.organization_id))
        .join(GroupMembership, col(GroupMembership.group_id) == col(CommunityGroup.id))
        .where(
            col(GroupMembership.user_id) == user_id,
            col(GroupMembership.role) == MemberRole.LEADER,
            col(CommunityGroup.stage) == GroupStage.PROMOTED,
        )
    )
    return [int(i) for i in rows.scalars().all() if i is not None]


async def orders_statement(
    conn: Executor, viewer: Viewer, *, status: OrderStatus | None
) -> Select[Any]:
    """Orders the caller is party to: administrators all; staff those their organisation
    placed or supplies; group leaders those their promoted group supplies."""
    t = MENU_ORDER_TABLE
    stmt = select(t)
    if not viewer.is_admin:
        orgs = [] if viewer.organization_id is None else [viewer.organization_id]
        if viewer.is_staff:
            stmt = stmt.where(
                or_(t.c.ordering_organization_id.in_(orgs), t.c.supplier_organization_id.in_(orgs))
            )
        else:
            led = await _supplier_org_ids_led(conn, viewer.user_id)
            stmt = stmt.where(t.c.supplier_organization_id.in_(led))
    if status is not None:
        stmt = stmt.where(t.c.status == status)
    return stmt


async def list_orders(
    conn: Executor,
    viewer: Viewer,
    *,
    status: OrderStatus | None,
    first: int | None,
    after: str | None,
) -> tuple[Page[Any], Select[Any]]:
    stmt = await orders_statement(conn, viewer, status=status)
    page = await fetch_page(
        conn,
        stmt,
        keys=[
            SortKey(MENU_ORDER_TABLE.c.created_at, descending=True),
            SortKey(MENU_ORDER_TABLE.c.id, descending=True),
        ],
        order_name="menu_order:newest",
        first=first,
        after=after,
        types=(datetime, int),
    )
    return page, stmt


async def count_orders(conn: Executor, stmt: Select[Any]) -> int:
    return await count(conn, stmt)


async def get_order(conn: Executor, order_id: int) -> Any:
    return (
        await conn.execute(select(MENU_ORDER_TABLE).where(MENU_ORDER_TABLE.c.id == order_id))
    ).one_or_none()
