"""The staff console's own list: its organisation's events, drafts included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func
from sqlmodel import col

from culture_cloud.accounts import policy
from culture_cloud.catalog.models import Event, EventStatus, ScenicSpot, Venue
from culture_cloud.catalog.service import table_select
from culture_cloud.db import Executor
from culture_cloud.identity import Viewer
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.text import clean_text

ORGANIZATION_EVENTS_ORDER = "organization_event:start_time"
SEARCH_MAX = 50


@dataclass(frozen=True, slots=True)
class EventListFilter:
    """`status`; `search`: words the title contains (case-insensitive for Latin letters);
    `ended_after`: only events that end at or after this moment (the console's "upcoming")."""

    status: EventStatus | None = None
    search: str | None = None
    ended_after: datetime | None = None


def search_text(value: str | None) -> str | None:
    """The title search as typed: trimmed, at most SEARCH_MAX characters; empty is no search."""
    return clean_text(value, field="search", max_length=SEARCH_MAX)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
    *, organization_id: int | None, where: EventListFilter
) -> Select[Any]:
    stmt = table_select(Event)
    if organization_id is not None:
        stmt = stmt.where(col(Event.organization_id) == organization_id)
    if where.status is not None:
        stmt = stmt.where(col(Event.status) == where.status)
    if where.search:
        for word in where.search.split():
            pattern = "%" + _escape_like(word.lower()) + "%"
            stmt = stmt.where(func.lower(col(Event.title)).like(pattern, escape="\\"))
    if where.ended_after is not None:
        stmt = stmt.where(col(Event.end_at) >= where.ended_after)
    return stmt


async def list_organization_events(
    conn: Executor,
    *,
    organization_id: int | None,
    where: EventListFilter,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    return await fetch_page(
        conn,
        organization_events_statement(organization_id=organization_id, where=where),
        keys=[SortKey(col(Event.start_at)), SortKey(col(Event.id))],
        order_name=ORGANIZATION_EVENTS_ORDER,
        first=first,
        after=after,
        types=(datetime, int),
    )


async def count_organization_events(
    conn: Executor, *, organization_id: int | None, where: EventListFilter
) -> int:
    return await count(
        conn, organization_events_statement(organization_id=organization_id, where=where)
    )


async def organization_places(
    conn: Executor, *, organization_id: int | None
) -> tuple[list[Any], list[Any]]:
    """The venues and scenic spots events can be held at (an organisation's, or every one for
    administrators choosing none), each by name."""
    venues = table_select(Venue).order_by(col(Venue.name), col(Venue.id))
    spots = table_select(ScenicSpot).order_by(col(ScenicSpot.name), col(ScenicSpot.id))
    if organization_id is not None:
        venues = venues.where(col(Venue.organization_id) == organization_id)
        spots = spots.where(col(ScenicSpot.organization_id) == organization_id)
    return (
        list((await conn.execute(venues)).all()),
        list((await conn.execute(spots)).all()),
    )
