"""Reading reviews: a target's public list, the author's own, the moderation queue, an
organisation's list; and what a page of reviews needs besides (replies, revisions, votes).
Core rows on short connections; the author's nickname comes joined into the same statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.sql.elements import ColumnElement

from culture_cloud.accounts.models import USER_TABLE
from culture_cloud.db import Executor
from culture_cloud.keyset import Page, SortKey, count, fetch_page
from culture_cloud.reviews.errors import bad_input
from culture_cloud.reviews.models import (
    REVIEW_REPLY_TABLE,
    REVIEW_REVISION_TABLE,
    REVIEW_TABLE,
    REVIEW_VOTE_TABLE,
    ReviewStatus,
)
from culture_cloud.reviews.targets import TargetRef


class ReviewOrder(StrEnum):
    NEWEST = "newest"
    HIGHEST = "highest"
    LOWEST = "lowest"
    MOST_HELPFUL = "most_helpful"


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    min_score: int | None = None
    max_score: int | None = None
    verified_only: bool = False
    designated_only: bool = False
    with_images: bool = False
    unreplied_only: bool = False


def _base() -> Select[Any]:
    """Review columns plus what the author's public name needs, never their contact data."""
    return (
        select(
            REVIEW_TABLE,
            USER_TABLE.c.nickname.label("author_nickname"),
            USER_TABLE.c.deleted_at.label("author_deleted_at"),
        )
        .select_from(REVIEW_TABLE.join(USER_TABLE, USER_TABLE.c.id == REVIEW_TABLE.c.user_id))
        .where(REVIEW_TABLE.c.deleted_at.is_(None))
    )


def _conditions(flt: ReviewFilter) -> list[ColumnElement[bool]]:
    for value, field in ((flt.min_score, "filter.minScore"), (flt.max_score, "filter.maxScore")):
        if value is not None and not 1 <= value <= 5:
            raise bad_input("评分筛选须为 1–5 分", field)
    if flt.min_score is not None and flt.max_score is not None and flt.min_score > flt.max_score:
        raise bad_input("最低分不能高于最高分", "filter.maxScore")
    conditions: list[ColumnElement[bool]] = []
    if flt.min_score is not None:
        conditions.append(REVIEW_TABLE.c.overall >= flt.min_score)
    if flt.max_score is not None:
        conditions.append(REVIEW_TABLE.c.overall <= flt.max_score)
    if flt.verified_only:
        conditions.append(REVIEW_TABLE.c.is_verified.is_(True))
    if flt.designated_only:
        conditions.append(REVIEW_TABLE.c.by_designated_reviewer.is_(True))
    if flt.with_images:
        conditions.append(REVIEW_TABLE.c.image_count > 0)
    if flt.unreplied_only:
        conditions.append(
            ~select(REVIEW_REPLY_TABLE.c.review_id)
            .where(REVIEW_REPLY_TABLE.c.review_id == REVIEW_TABLE.c.id)
            .exists()
        )
    return conditions


_NEWEST = [
    SortKey(REVIEW_TABLE.c.created_at, descending=True),
    SortKey(REVIEW_TABLE.c.id, descending=True),
]
SORT_KEYS: dict[ReviewOrder, tuple[list[SortKey], list[type]]] = {
    ReviewOrder.NEWEST: (_NEWEST, [datetime, int]),
    ReviewOrder.HIGHEST: (
        [SortKey(REVIEW_TABLE.c.overall, descending=True), *_NEWEST],
        [int, datetime, int],
    ),
    ReviewOrder.LOWEST: ([SortKey(REVIEW_TABLE.c.overall), *_NEWEST], [int, datetime, int]),
    ReviewOrder.MOST_HELPFUL: (
        [SortKey(REVIEW_TABLE.c.helpful_count, descending=True), *_NEWEST],
        [int, datetime, int],
    ),
}


async def _page(
    conn: Executor,
    stmt: Select[Any],
    order: ReviewOrder,
    first: int | None,
    after: str | None,
    params: dict[str, Any] | None = None,
) -> Page[Any]:
    keys, types = SORT_KEYS[order]
    return await fetch_page(
        conn,
        stmt,
        keys=keys,
        order_name=f"review:{order.value}",
        first=first,
        after=after,
        types=types,
        params=params,
    )


def target_statement(ref: TargetRef, flt: ReviewFilter) -> Select[Any]:
    return _base().where(
        REVIEW_TABLE.c.target_kind == ref.kind,
        REVIEW_TABLE.c.target_id == ref.id,
        REVIEW_TABLE.c.status == ReviewStatus.APPROVED,
        *_conditions(flt),
    )


@lru_cache(maxsize=1)
def _unfiltered_target_statement() -> Select[Any]:
    """`target_statement` without filters, built once: the target is two bound parameters.
    Every event, venue and scenic spot page reads its reviews this way, and building the
    statement cost more Python than running it."""
    return _base().where(
        REVIEW_TABLE.c.target_kind == bindparam("target_kind"),
        REVIEW_TABLE.c.target_id == bindparam("target_id"),
        REVIEW_TABLE.c.status == ReviewStatus.APPROVED,
    )


async def list_target_reviews(
    conn: Executor,
    ref: TargetRef,
    *,
    flt: ReviewFilter,
    order: ReviewOrder,
    first: int | None,
    after: str | None,
) -> Page[Any]:
    """Approved reviews of one target (the only ones anybody but author and moderators see)."""
    if flt == ReviewFilter():
        params = {"target_kind": ref.kind, "target_id": ref.id}
        return await _page(conn, _unfiltered_target_statement(), order, first, after, params)
    return await _page(conn, target_statement(ref, flt), order, first, after)


def user_statement(user_id: int) -> Select[Any]:
    return _base().where(REVIEW_TABLE.c.user_id == user_id)


def queue_statement() -> Select[Any]:
    return _base().where(REVIEW_TABLE.c.status == ReviewStatus.PENDING)


def organization_statement(organization_id: int | None, flt: ReviewFilter) -> Select[Any]:
    """Approved reviews of an organisation's objects; None: of every organisation."""
    stmt = _base().where(REVIEW_TABLE.c.status == ReviewStatus.APPROVED, *_conditions(flt))
    if organization_id is not None:
        stmt = stmt.where(REVIEW_TABLE.c.organization_id == organization_id)
    return stmt


async def list_page(
    conn: Executor, stmt: Select[Any], *, order: ReviewOrder, first: int | None, after: str | None
) -> Page[Any]:
    return await _page(conn, stmt, order, first, after)


async def list_queue(conn: Executor, *, first: int | None, after: str | None) -> Page[Any]:
    """Pending reviews, oldest first: the moderators' work list."""
    keys = [SortKey(REVIEW_TABLE.c.created_at), SortKey(REVIEW_TABLE.c.id)]
    return await fetch_page(
        conn,
        queue_statement(),
        keys=keys,
        order_name="review:queue",
        first=first,
        after=after,
        types=[datetime, int],
    )


async def count_statement(conn: Executor, stmt: Select[Any]) -> int:
    return await count(conn, stmt)


async def get_review(conn: Executor, review_id: int) -> Any | None:
    """The live review (any status) with its author's nickname."""
    return (await conn.execute(_base().where(REVIEW_TABLE.c.id == review_id))).one_or_none()


async def replies_by_review(conn: Executor, review_ids: Sequence[int]) -> dict[int, Any]:
    rows = await conn.execute(
        select(REVIEW_REPLY_TABLE).where(REVIEW_REPLY_TABLE.c.review_id.in_(review_ids))
    )
    return {row.review_id: row for row in rows}


async def revisions_by_review(conn: Executor, review_ids: Sequence[int]) -> dict[int, list[Any]]:
    rows = await conn.execute(
        select(REVIEW_REVISION_TABLE)
        .where(REVIEW_REVISION_TABLE.c.review_id.in_(review_ids))
        .order_by(REVIEW_REVISION_TABLE.c.review_id, REVIEW_REVISION_TABLE.c.id.desc())
    )
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.review_id].append(row)
    return found


async def voted_by(conn: Executor, user_id: int, review_ids: Sequence[int]) -> set[int]:
    rows = await conn.execute(
        select(REVIEW_VOTE_TABLE.c.review_id).where(
            REVIEW_VOTE_TABLE.c.user_id == user_id, REVIEW_VOTE_TABLE.c.review_id.in_(review_ids)
        )
    )
    return {row.review_id for row in rows}
