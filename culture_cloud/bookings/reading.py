"""Reading bookings: a user's own bookings (newest first, keyset-paged) and one booking by id.
The GraphQL queries decide who may see what (queries.py, policy.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, select

from culture_cloud.bookings.models import BOOKING_TABLE
from culture_cloud.db import Executor
from culture_cloud.keyset import Page, SortKey, count, fetch_page

MY_BOOKINGS_ORDER = "bookings:newest"


def _bookings_of(user_id: int) -> Select[Any]:
    return select(BOOKING_TABLE).where(BOOKING_TABLE.c.user_id == user_id)


async def list_bookings_of(
    conn: Executor, *, user_id: int, first: int | None, after: str | None
) -> Page[Any]:
    """Newest first; keyset on (created_at, id), served by ix_booking_user_created."""
    return await fetch_page(
        conn,
        _bookings_of(user_id),
        keys=[
            SortKey(BOOKING_TABLE.c.created_at, descending=True),
            SortKey(BOOKING_TABLE.c.id, descending=True),
        ],
        order_name=MY_BOOKINGS_ORDER,
        first=first,
        after=after,
        types=[datetime, int],
    )


async def count_bookings_of(conn: Executor, *, user_id: int) -> int:
    return await count(conn, _bookings_of(user_id))


async def get_booking(conn: Executor, booking_id: int) -> Row[Any] | None:
    return (
        await conn.execute(select(BOOKING_TABLE).where(BOOKING_TABLE.c.id == booking_id))
    ).one_or_none()
