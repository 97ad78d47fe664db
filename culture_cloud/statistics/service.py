"""Builds a request's Scope: checks the period, the filters and who may see what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.catalog.models import ORGANIZATION_TABLE, REGION_TABLE, VenueKind
from culture_cloud.errors import BadInput, Forbidden
from culture_cloud.identity import Viewer
from culture_cloud.statistics.periods import Bucket, make_buckets
from culture_cloud.statistics.scope import Scope

OWN_ORGANIZATION_ONLY = "只能查看本单位的统计数据"


def check_range(value: int, low: int, high: int, field: str) -> int:
    if not low <= value <= high:
        raise BadInput(f"{field} 应在 {low} 到 {high} 之间", field=field)
    return value


async def _count(conn: AsyncConnection, table: Any, ids: Sequence[int]) -> int:
    query = select(func.count()).select_from(table).where(table.c.id.in_(ids))
    return int((await conn.execute(query)).scalar_one())


async def resolve_scope(
    conn: AsyncConnection,
    viewer: Viewer,
    *,
    first_day: date,
    last_day: date,
    bucket: Bucket,
    now: datetime,
    region_ids: Sequence[int] = (),
    venue_kinds: Sequence[VenueKind] = (),
    organization_id: int | None = None,
) -> Scope:
    """Administrators see everything; an organisation's staff see their own organisation only
    (asking for another one is FORBIDDEN; no organisation filter means their own)."""
    if not viewer.is_admin:
        if viewer.organization_id is None:
            raise Forbidden(OWN_ORGANIZATION_ONLY)
        if organization_id is not None and organization_id != viewer.organization_id:
            raise Forbidden(OWN_ORGANIZATION_ONLY)
        organization_id = viewer.organization_id
    buckets = make_buckets(first_day, last_day, bucket)
    regions = tuple(sorted(set(region_ids)))
    if regions and await _count(conn, REGION_TABLE, regions) != len(regions):
        raise BadInput("地区不存在", field="filter.regionIds")
    if (
        organization_id is not None
        and viewer.is_admin
        and await _count(conn, ORGANIZATION_TABLE, [organization_id]) != 1
    ):
        raise BadInput("单位不存在", field="filter.organizationId")
    return Scope(
        buckets=tuple(buckets),
        bucket=bucket,
        now=now,
        region_ids=regions,
        venue_kinds=tuple(sorted(set(venue_kinds))),
        organization_id=organization_id,
    )
