"""Reading and marking a user's own notifications (the GraphQL face calls these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.actor import Actor
from culture_cloud.db import Executor
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.notifications.models import NOTIFICATION_TABLE

NOTIFICATIONS_ORDER = "notifications:newest"
MAX_MARK_IDS = 100


def _statement(*, user_id: int, unread_only: bool) -> Select[Any]:
    stmt = select(NOTIFICATION_TABLE).where(NOTIFICATION_TABLE.c.user_id == user_id)
    if unread_only:
        stmt = stmt.where(NOTIFICATION_TABLE.c.read_at.is_(None))
    return stmt


async def get_for_user(conn: Executor, *, user_id: int, pk: int) -> Any | None:
    """One of the user's own notifications (None for anyone else's)."""
    stmt = _statement(user_id=user_id, unread_only=False).where(NOTIFICATION_TABLE.c.id == pk)
    return (await conn.execute(stmt)).first()


async def list_for_user(
    conn: Executor, *, user_id: int, unread_only: bool, first: int | None, after: str | None
) -> Page[Any]:
    """Newest first; keyset on (created_at, id), served by ix_notification_user_created."""
    keys = [
        SortKey(NOTIFICATION_TABLE.c.created_at, descending=True),
        SortKey(NOTIFICATION_TABLE.c.id, descending=True),
    ]
    return await fetch_page(
        conn,
        _statement(user_id=user_id, unread_only=unread_only),
        keys=keys,
        # The filter is part of the order name: a cursor from the unread list cannot be used on
        # the full list, where it would skip or repeat rows.
        order_name=f"{NOTIFICATIONS_ORDER}:{'unread' if unread_only else 'all'}",
        first=first,
        after=after,
        types=[datetime, int],
    )


async def count_for_user(conn: Executor, *, user_id: int, unread_only: bool) -> int:
    return await count(conn, _statement(user_id=user_id, unread_only=unread_only))


@dataclass(frozen=True, slots=True)
class MarkedRead:
    notifications: list[Any]
    unread_count: int


async def mark_read(session: AsyncSession, *, actor: Actor, ids: Sequence[int]) -> MarkedRead:
    """Marks the caller's own notifications among `ids` read; returns them and how many of
    the caller's notifications are still unread.

    Ids of other users' (or missing) notifications are ignored alike, so the answer does not
    tell whether someone else's notification exists. Already read ones keep their first time.
    """
    user_id = actor.viewer.user_id
    wanted = sorted(set(ids))
    rows: list[Any] = []
    if wanted:
        await session.execute(
            update(NOTIFICATION_TABLE)
            .where(
                NOTIFICATION_TABLE.c.id.in_(wanted),
                NOTIFICATION_TABLE.c.user_id == user_id,
                NOTIFICATION_TABLE.c.read_at.is_(None),
            )
            .values(read_at=actor.now)
        )
        found = await session.execute(
            select(NOTIFICATION_TABLE)
            .where(NOTIFICATION_TABLE.c.id.in_(wanted), NOTIFICATION_TABLE.c.user_id == user_id)
            .order_by(NOTIFICATION_TABLE.c.created_at.desc(), NOTIFICATION_TABLE.c.id.desc())
        )
        rows = list(found.all())
    unread = await count_for_user(session, user_id=user_id, unread_only=True)
    return MarkedRead(notifications=rows, unread_count=unread)
