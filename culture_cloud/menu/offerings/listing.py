"""The menu: approved offerings filtered by kind, township served and rating, sorted by
rating, newness or orders, keyset-paginated; one offering; the townships each one serves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, exists, or_, select

from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, Forbidden
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.menu.machines import Actor
from culture_cloud.menu.models import (
    MENU_OFFERING_REGION_TABLE,
    MENU_OFFERING_TABLE,
    OfferingKind,
    OfferingStatus,
)
from culture_cloud.menu.policy import supplier_actors


class OfferingOrder(StrEnum):
    RATING = "rating"
    NEWEST = "newest"
    ORDERS = "orders"


@dataclass(frozen=True, slots=True)
class OfferingFilter:
    kind: OfferingKind | None = None
    region_id: int | None = None
    min_rating: float | None = None
    supplier_id: int | None = None
    status: OfferingStatus = OfferingStatus.APPROVED


async def check_list_access(conn: Executor, viewer: Viewer | None, flt: OfferingFilter) -> None:
    """The public menu is approved offerings; other statuses are for administrators, and for
    a supplier's own people when they name their organisation."""
    if flt.status is OfferingStatus.APPROVED:
        return
    if viewer is not None and viewer.is_admin:
        return
    if flt.supplier_id is not None and Actor.SUPPLIER in await supplier_actors(
        conn, viewer, flt.supplier_id
    ):
        return
    raise Forbidden("只能查看已上架的项目，或本单位的项目（请指定 supplierId）")


def offerings_statement(flt: OfferingFilter) -> Select[Any]:
    t = MENU_OFFERING_TABLE
    stmt = select(t).where(t.c.status == flt.status)
    if flt.kind is not None:
        stmt = stmt.where(t.c.kind == flt.kind)
    if flt.supplier_id is not None:
        stmt = stmt.where(t.c.organization_id == flt.supplier_id)
    if flt.min_rating is not None:
        if not 0 <= flt.min_rating <= 5:
            raise BadInput("评分须在 0 到 5 之间", field="filter.minRating")
        stmt = stmt.where(t.c.rating_avg >= flt.min_rating)
    if flt.region_id is not None:
        served = exists().where(
            MENU_OFFERING_REGION_TABLE.c.offering_id == t.c.id,
            MENU_OFFERING_REGION_TABLE.c.region_id == flt.region_id,
        )
        stmt = stmt.where(or_(t.c.serves_all_regions.is_(True), served))
    return stmt


def _keys(order: OfferingOrder) -> tuple[list[SortKey], tuple[type, ...]]:
    t = MENU_OFFERING_TABLE
    if order is OfferingOrder.RATING:
        keys = [
            SortKey(t.c.rating_avg, descending=True),
            SortKey(t.c.rating_count, descending=True),
            SortKey(t.c.id),
        ]
        return keys, (float, int, int)
    if order is OfferingOrder.ORDERS:
        return [SortKey(t.c.order_count, descending=True), SortKey(t.c.id)], (int, int)
    return [
        SortKey(t.c.created_at, descending=True),
        SortKey(t.c.id, descending=True),
    ], (datetime, int)


async def list_offerings(
    conn: Executor,
    *,
    flt: OfferingFilter,
    order: OfferingOrder,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    keys, types = _keys(order)
    return await fetch_page(
        conn,
        offerings_statement(flt),
        keys=keys,
        order_name=f"offering:{order.value}",
        first=first,
        after=after,
        types=types,
    )


async def count_offerings(conn: Executor, flt: OfferingFilter) -> int:
    return await count(conn, offerings_statement(flt))


async def get_offering(conn: Executor, offering_id: int) -> Any:
    return (
        await conn.execute(
            select(MENU_OFFERING_TABLE).where(MENU_OFFERING_TABLE.c.id == offering_id)
        )
    ).one_or_none()


async def region_ids_of(conn: Executor, offering_ids: list[int]) -> dict[int, list[int]]:
    rows = await conn.execute(
        select(MENU_OFFERING_REGION_TABLE.c.offering_id, MENU_OFFERING_REGION_TABLE.c.region_id)
        .where(MENU_OFFERING_REGION_TABLE.c.offering_id.in_(offering_ids))
        .order_by(MENU_OFFERING_REGION_TABLE.c.offering_id, MENU_OFFERING_REGION_TABLE.c.region_id)
    )
    found: dict[int, list[int]] = {}
    for offering_id, region_id in rows.all():
        found.setdefault(offering_id, []).append(region_id)
    return found
