"""The staff console's own list: its organisation's events, drafts included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.catalog.models import Event, EventStatus
from culture_cloud.catalog.service import table_select
from culture_cloud.db import Executor
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page

ORGANIZATION_EVENTS_ORDER = "organization_event:start_time"


def organization_scope(viewer: Viewer, organization_id: int | None) -> int | None:
    """Whose events `myOrganizationEvents` lists: staff their own organisation only;
    administrators the one they name, or all (None)."""
    if viewer.is_admin:
        return organization_id
    policy.ensure(viewer.is_staff and viewer.organization_id is not None)
    if organization_id is not None:
        policy.ensure(organization_id == viewer.organization_id, "只能查看本单位的活动")
    return viewer.organization_id


def organization_events_statement(
    *, organization_id: int | None, status: EventStatus | None
) -> Select[Any]:
    stmt = table_select(Event)
    if organization_id is not None:
        stmt = stmt.where(col(Event.organization_id) == organization_id)
    if status is not None:
        stmt = stmt.where(col(Event.status) == status)
    return stmt


async def list_organization_events(
    conn: Executor,
    *,
    organization_id: int | None,
    status: EventStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    return await fetch_page(
        conn,
        organization_events_statement(organization_id=organization_id, status=status),
        keys=[SortKey(col(Event.start_at)), SortKey(col(Event.id))],
        order_name=ORGANIZATION_EVENTS_ORDER,
        first=first,
        after=after,
        types=(datetime, int),
    )


async def count_organization_events(
    conn: Executor, *, organization_id: int | None, status: EventStatus | None
) -> int:
    return await count(
        conn, organization_events_statement(organization_id=organization_id, status=status)
    )
