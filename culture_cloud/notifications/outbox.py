"""Writing to the outbox. Callers pass their own session so the message commits (or rolls back)
together with the change it reports; delivery happens later in `delivery.deliver_pending`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.db import insert_ignoring_duplicates, utcnow
from culture_cloud.notifications.models import NOTIFICATION_TABLE, DeliveryStatus, NotificationKind


def message_values(
    *,
    user_id: int,
    kind: NotificationKind,
    title: str,
    body: str,
    data: dict[str, Any],
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    """The column values of a new PENDING message (for statements that insert it themselves,
    such as the one-statement booking in bookings/hot_path.py)."""
    now = utcnow()
    return {
        "user_id": user_id,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "data": data,
        "dedupe_key": dedupe_key,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    kind: NotificationKind,
    title: str,
    body: str,
    data: dict[str, Any],
    dedupe_key: str | None = None,
) -> int | None:
    """Add a PENDING message; returns its id, or None when `dedupe_key` was already enqueued.

    A duplicate key must not raise: an IntegrityError would abort the caller's (booking)
    transaction on PostgreSQL, so duplicates are skipped with ON CONFLICT DO NOTHING instead.
    """
    values = message_values(
        user_id=user_id, kind=kind, title=title, body=body, data=data, dedupe_key=dedupe_key
    )
    table = NOTIFICATION_TABLE
    if dedupe_key is None:
        result = await session.execute(insert(table).values(**values).returning(table.c.id))
        return int(result.scalar_one())
    inserted = await insert_ignoring_duplicates(
        session, table, values, conflict_columns=["dedupe_key"], returning=table.c.id
    )
    return int(inserted[0]) if inserted else None


async def enqueue_many(
    session: AsyncSession,
    *,
    user_ids: Sequence[int],
    kind: NotificationKind,
    title: str,
    body: str,
    data: dict[str, Any],
) -> int:
    """The same message to several people (e.g. every supporter of a wish), one statement;
    returns how many were added."""
    recipients = sorted(set(user_ids))
    if not recipients:
        return 0
    rows = [
        message_values(user_id=uid, kind=kind, title=title, body=body, data=data)
        for uid in recipients
    ]
    await session.execute(insert(NOTIFICATION_TABLE), rows)
    return len(rows)
