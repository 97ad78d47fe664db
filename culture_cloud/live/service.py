"""The current remaining seats of an event, as a subscription's first value."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.catalog.models import Event
from culture_cloud.catalog.service import PUBLIC_EVENT_STATUSES
from culture_cloud.db import Executor
from culture_cloud.errors import NotFound

EVENT_NOT_FOUND = "活动不存在或尚未发布"


async def current_remaining(conn: Executor, event_id: int) -> int | None:
    """Remaining seats (None: no capacity limit). Drafts count as missing, as in `node(id)`."""
    row = (
        await conn.execute(
            select(col(Event.status), col(Event.capacity), col(Event.booked_seats)).where(
                col(Event.id) == event_id
            )
        )
    ).one_or_none()
    if row is None or row.status not in PUBLIC_EVENT_STATUSES:
        raise NotFound(EVENT_NOT_FOUND, field="eventId")
    return None if row.capacity is None else max(0, row.capacity - row.booked_seats)
