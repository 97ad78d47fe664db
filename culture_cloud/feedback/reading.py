"""Reading feedback: the resident's own items, a handler's inbox (their organisation's, or all
for administrators; optionally only the overdue), one item. The submitter's nickname is joined
in for the handlers' view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, case, select

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.db import Executor
from culture_cloud.feedback.models import FEEDBACK_TABLE, OPEN_STATUSES, FeedbackStatus
from culture_cloud.keyset import Page, SortKey, count, fetch_page

# Most urgent first: the inbox is a work list.
_URGENT = [SortKey(FEEDBACK_TABLE.c.deadline_at), SortKey(FEEDBACK_TABLE.c.id)]
_URGENT = [SortKey(FEEDBACK_TABLE.c.deadline_at), SortKey(FEEDBACK_TABLE.c.id)]
# Open items (the deadline still runs) before handled ones, each by deadline: the overdue lead.
_OPEN_RANK = case((FEEDBACK_TABLE.c.status.in_(OPEN_STATUSES), 0), else_=1)
_OPEN_FIRST = [
    SortKey(_OPEN_RANK),
    SortKey(FEEDBACK_TABLE.c.deadline_at),
    SortKey(FEEDBACK_TABLE.c.id),
]


class InboxOrder(StrEnum):
    DEADLINE = "deadline"
    OPEN_FIRST = "open_first"


_NEWEST = [
    SortKey(FEEDBACK_TABLE.c.created_at, descending=True),
    SortKey(FEEDBACK_TABLE.c.id, descending=True),
]


@dataclass(frozen=True, slots=True)
class InboxScope:
    """Whose items: one organisation's (staff), or every item (administrators)."""

    organization_id: int | None
    everything: bool


def _base() -> Select[Any]:
    return select(
        FEEDBACK_TABLE,
        USER_TABLE.c.nickname.label("submitter_nickname"),
        USER_TABLE.c.deleted_at.label("submitter_deleted_at"),
    ).select_from(FEEDBACK_TABLE.join(USER_TABLE, USER_TABLE.c.id == FEEDBACK_TABLE.c.user_id))


def mine_statement(user_id: int) -> Select[Any]:
    return _base().where(FEEDBACK_TABLE.c.user_id == user_id)


def inbox_statement(
    scope: InboxScope, *, status: FeedbackStatus | None, overdue: bool | None, now: datetime
) -> Select[Any]:
    stmt = _base()
    if not scope.everything:
        stmt = stmt.where(FEEDBACK_TABLE.c.organization_id == scope.organization_id)
    if status is not None:
        stmt = stmt.where(FEEDBACK_TABLE.c.status == status)
    if overdue is True:
        stmt = stmt.where(
            FEEDBACK_TABLE.c.status.in_(OPEN_STATUSES), FEEDBACK_TABLE.c.deadline_at <= now
        )
    elif overdue is False:
        stmt = stmt.where(
            (FEEDBACK_TABLE.c.status.not_in(OPEN_STATUSES)) | (FEEDBACK_TABLE.c.deadline_at > now)
        )
    return stmt


async def list_mine(
    conn: Executor, user_id: int, *, first: int | None, after: str | None
) -> Page[Any]:
    return await fetch_page(
        conn,
        mine_statement(user_id),
        keys=_NEWEST,
        order_name="feedback:newest",
        first=first,
        after=after,
        types=[datetime, int],
    )


async def list_inbox(
    conn: Executor,
    stmt: Select[Any],
    *,
    first: int | None,
    after: str | None,
    order: InboxOrder = InboxOrder.DEADLINE,
) -> Page[Any]:
    if order is InboxOrder.OPEN_FIRST:
        return await fetch_page(
            conn,
            stmt,
            keys=_OPEN_FIRST,
            order_name="feedback:open_first",
            first=first,
            after=after,
            types=[int, datetime, int],
        )
    return await fetch_page(
        conn,
        stmt,
        keys=_URGENT,
        order_name="feedback:deadline",
        first=first,
        after=after,
        types=[datetime, int],
    )


async def count_statement(conn: Executor, stmt: Select[Any]) -> int:
    return await count(conn, stmt)


async def get_feedback(conn: Executor, feedback_id: int) -> Any | None:
    return (await conn.execute(_base().where(FEEDBACK_TABLE.c.id == feedback_id))).one_or_none()
