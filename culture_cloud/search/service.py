"""Search index maintenance and ranked queries, in portable SQL (same ranking on both databases)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from culture_cloud.catalog import kinds as catalogue_kinds
from culture_cloud.catalog.filters import Near
from culture_cloud.catalog.geo_sql import distance_expr, near_conditions, near_param_values
from culture_cloud.catalog.models import (
    EVENT_TABLE,
    Event,
    EventStatus,
    SearchTerm,
)
from culture_cloud.catalog.service import PUBLIC_EVENT_STATUSES
from culture_cloud.db import Executor
from culture_cloud.keyset import (
    Page,
    SortKey,
    decode_cursor,
    encode_cursor,
    order_clauses,
    page_size,
    seek_condition,
)
from culture_cloud.search.tokenize import QueryTerms, document_terms, query_terms

MIN_PREFIX_CHARS = 2
# Cursor value types: (score, kind, id) for search, (metres, kind, id) for nearby.
SEARCH_CURSOR_TYPES = (int, str, int)
NEARBY_CURSOR_TYPES = (float, str, int)


def document_fields(kind: str, row: Any) -> list[tuple[str | None, int]]:
    tags = " ".join(row.tags or [])
    if kind == "event":
        return [(row.title, 10), (tags, 5), (row.description, 1)]
    if kind == "guide":
        return [(row.name, 10), (" ".join(row.specialities), 5), (tags, 5)]
    fields: list[tuple[str | None, int]] = [(row.name, 10), (tags, 5), (row.address, 3)]
    fields.append((getattr(row, "name_en", None), 8))
    fields.append((row.description, 1))
    return fields


async def index_object(session: AsyncSession, kind: str, row: Any) -> None:
    """Replaces the object's terms; drafts are not searchable, so they get none."""
    await session.execute(
        delete(SearchTerm).where(
            col(SearchTerm.target_kind) == kind, col(SearchTerm.target_id) == row.id
        )
    )
    if kind == "event" and row.status is EventStatus.DRAFT:
        return
    terms = document_terms(document_fields(kind, row))
    if terms:
        await session.execute(
            insert(SearchTerm),
            [
                {"target_kind": kind, "target_id": row.id, "term": term, "weight": weight}
                for term, weight in terms.items()
            ],
        )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matchers(terms: QueryTerms) -> list[ColumnElement[bool]]:
    matchers: list[ColumnElement[bool]] = (
        [col(SearchTerm.term).in_(terms.exact)] if terms.exact else []
    )
    matchers += [
        col(SearchTerm.term).like(_escape_like(p) + "%", escape="\\")
        for p in terms.prefixes
        if len(p) >= MIN_PREFIX_CHARS
    ]
    return matchers


def _grouped(matchers: Sequence[ColumnElement[bool]], kinds: Sequence[str]) -> Any:
    kind_column, id_column = col(SearchTerm.target_kind), col(SearchTerm.target_id)
    return (
        select(kind_column, id_column, func.sum(col(SearchTerm.weight)).label("score"))
        .where(or_(*matchers), kind_column.in_(kinds or catalogue_kinds.KEYS))
        .group_by(kind_column, id_column)
    )


def search_hits(terms: QueryTerms, kinds: Sequence[str]) -> Any:
    """What a search's totalCount counts (a subquery), or None when nothing can match: the
    compiled read (search/sql_reads.py) counts through the same cache key and statement."""
    matchers = _matchers(terms)
    return _grouped(matchers, kinds).subquery() if matchers else None


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    id: int
    score: float


async def search(
    session: Executor,
    *,
    text: str,
    kinds: Sequence[str],
    first: int | None,
    after: str | None,
) -> tuple[Page[Hit], Any]:
    limit = page_size(first)
    terms = query_terms(text)
    matchers = _matchers(terms)
    if not matchers:
        return Page(items=[], cursors=[], has_next_page=False), None
    kind_column, id_column = col(SearchTerm.target_kind), col(SearchTerm.target_id)
    score = func.sum(col(SearchTerm.weight))
    grouped = _grouped(matchers, kinds)
    if limit == 0:
        # An empty page still reports the full totalCount.
        return Page(items=[], cursors=[], has_next_page=False), grouped.subquery()
    cursor = None if after is None else decode_cursor(after, "search", 3, SEARCH_CURSOR_TYPES)
    stmt: Any
    if len(matchers) == 1 and len(terms.exact) == 1:
        # One exact term (most queries): a document has one row per term (index_object
        # replaces its rows with one per key of a term dict), so its score is that row's weight
        # and the page is a range of ix_search_term_rank, (term, weight DESC, kind, id), read
        # in order: ~0.1 ms instead of grouping every matching row (~40 ms for 晋剧 at
        # 100,000 items). Same rows, same order, same cursors as the grouped query.
        weight = col(SearchTerm.weight)
        keys = [SortKey(weight, descending=True), SortKey(kind_column), SortKey(id_column)]
        stmt = select(kind_column, id_column, weight.label("score")).where(
            col(SearchTerm.term) == terms.exact[0],
            kind_column.in_(kinds or catalogue_kinds.KEYS),
        )
        if cursor is not None:
            stmt = stmt.where(seek_condition(keys, cursor))
    else:
        keys = [SortKey(score, descending=True), SortKey(kind_column), SortKey(id_column)]
        stmt = grouped
        if cursor is not None:
            stmt = stmt.having(seek_condition(keys, cursor))
    rows = (await session.execute(stmt.order_by(*order_clauses(keys)).limit(limit + 1))).all()
    page_rows = rows[:limit]
    hits = [Hit(kind=k, id=i, score=float(s)) for k, i, s in page_rows]
    return (
        Page(
            items=hits,
            cursors=[encode_cursor("search", [int(s), k, i]) for k, i, s in page_rows],
            has_next_page=len(rows) > limit,
        ),
        grouped.subquery(),
    )


# --- nearby -----------------------------------------------------------------------------------


_NOW = bindparam("now", type_=EVENT_TABLE.c.end_at.type)
_AFTER = (
    bindparam("after_distance", type_=Float()),
    bindparam("after_kind", type_=String()),
    bindparam("after_id", type_=Integer()),
)


def _nearby_select(kind: str, near: Near | None, now: Any) -> Select[Any]:
    """`near` None (and `now` a bound parameter): the circle is geo_sql's NEAR_PARAMS."""
    model = catalogue_kinds.by_key(kind).model
    stmt = select(
        literal(kind).label("kind"),
        model.id.label("id"),
        distance_expr(model, near).label("distance"),
    ).where(*near_conditions(model, near))
    if model is Event:
        # Past events are no help to someone looking around them now.
        stmt = stmt.where(col(Event.status).in_(PUBLIC_EVENT_STATUSES), col(Event.end_at) >= now)
    return stmt


def _nearest(kind: str, limit: int, after_kind: str | None, *, knn: bool) -> Select[Any]:
    """At least the first `limit` rows of one kind in page order, from the cursor on (its
    values are the _AFTER parameters; `after_kind` None: no cursor).

    PostgreSQL (`knn`): the GiST index yields rows nearest first, so a page reads about `limit`
    rows per kind instead of every row in the radius. The index orders by distance alone, so
    the page takes every row tied with the last one (FETCH ... WITH TIES: events at one venue
    share a distance) and the union's (distance, kind, id) order decides among them. Adding
    `id` to this ORDER BY would make PostgreSQL sort the whole radius instead."""
    model = catalogue_kinds.by_key(kind).model
    distance = distance_expr(model, None)
    stmt = _nearby_select(kind, None, _NOW)
    if after_kind is not None:
        # The (distance, kind, id) seek with this kind fixed, so the limit counts only rows
        # after the cursor (events at one venue share a distance: a coarse `>=` would spend the
        # limit on rows of the previous page).
        at, _kind, after_id = _AFTER
        if kind > after_kind:
            stmt = stmt.where(distance >= at)
        elif kind < after_kind:
            stmt = stmt.where(distance > at)
        else:
            stmt = stmt.where(or_(distance > at, and_(distance == at, model.id > after_id)))
    if knn:
        return stmt.order_by(distance).fetch(limit, with_ties=True)
    return stmt.order_by(distance, model.id).limit(limit)


@lru_cache(maxsize=256)
def _nearby_statement(
    wanted: tuple[str, ...], limit: int, after_kind: str | None, *, knn: bool
) -> Select[Any]:
    """Up to limit + 1 rows within the circle, after the cursor, in (distance, kind, id) order;
    built once per shape (kinds, page size, the cursor's kind) and run with the circle's, the
    time's and the cursor's values as parameters (_nearby_rows). Building this union of
    per-kind subqueries on every request was most of a nearby request's Python time."""
    candidates = union_all(
        *[_nearest(k, limit, after_kind, knn=knn).subquery().select() for k in wanted]
    ).subquery()
    keys = [SortKey(candidates.c.distance), SortKey(candidates.c.kind), SortKey(candidates.c.id)]
    stmt = select(candidates.c.kind, candidates.c.id, candidates.c.distance)
    if after_kind is not None:
        stmt = stmt.where(seek_condition(keys, _AFTER))
    return stmt.order_by(*order_clauses(keys)).limit(limit)


async def nearby(
    session: Executor,
    *,
    near: Near,
    kinds: Sequence[str],
    now: datetime,
    first: int | None,
    after: str | None,
) -> tuple[Page[Hit], Any]:
    """A page of what is within the radius, nearest first; Hit.score is the distance in km.
    Also returns a function building the subquery that totalCount counts."""
    limit = page_size(first)
    wanted = [k for k in (kinds or catalogue_kinds.NEARBY_KEYS) if k in catalogue_kinds.NEARBY_KEYS]
    if not wanted:
        return Page(items=[], cursors=[], has_next_page=False), None

    def everything() -> Any:
        # Built only if totalCount is asked for (statement building is a measurable share of
        # a nearby request in the profile; the map page never asks).
        return union_all(*[_nearby_select(k, near, now) for k in wanted]).subquery()

    if limit == 0:
        # An empty page still reports the full totalCount.
        return Page(items=[], cursors=[], has_next_page=False), everything
    cursor = None if after is None else decode_cursor(after, "nearby", 3, NEARBY_CURSOR_TYPES)
    knn = _dialect(session) == "postgresql"
    # SQLite has no index that yields rows nearest first, so it looks in growing rings: the
    # rows within r of the centre are nearer than every row outside, so once a ring holds more
    # than a page, its first rows are the page (the bounding box on the (lat, lng) index keeps
    # each ring cheap). PostgreSQL asks once: its KNN scan stops by itself.
    ring = near.radius_km if knn else min(near.radius_km, FIRST_RING_KM + _cursor_km(cursor))
    while True:
        rows = await _nearby_rows(
            session, replace(near, radius_km=ring), wanted, now, limit, cursor, knn=knn
        )
        if len(rows) > limit or ring >= near.radius_km:
            break
        ring = min(near.radius_km, ring * RING_GROWTH)
    page_rows = rows[:limit]
    return (
        Page(
            items=[Hit(kind=k, id=i, score=float(d) / 1000.0) for k, i, d in page_rows],
            cursors=[encode_cursor("nearby", [d, k, i]) for k, i, d in page_rows],
            has_next_page=len(rows) > limit,
        ),
        everything,
    )


FIRST_RING_KM = 1.0
RING_GROWTH = 4.0


def _cursor_km(cursor: Any) -> float:
    return 0.0 if cursor is None else float(cursor[0]) / 1000.0


async def _nearby_rows(
    session: Executor,
    near: Near,
    wanted: Sequence[str],
    now: datetime,
    limit: int,
    cursor: Any,
    *,
    knn: bool,
) -> list[Any]:
    """Up to limit + 1 rows within `near`, after the cursor, in (distance, kind, id) order."""
    stmt = _nearby_statement(
        tuple(wanted), limit + 1, None if cursor is None else cursor[1], knn=knn
    )
    params: dict[str, Any] = {**near_param_values(near), "now": now}
    if cursor is not None:
        params.update(zip((p.key for p in _AFTER), cursor, strict=True))
    return list((await session.execute(stmt, params)).all())


def _dialect(session: Executor) -> str:
    if isinstance(session, AsyncConnection):
        return session.dialect.name
    return session.get_bind().dialect.name


async def count_subquery(session: Executor, subquery: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(subquery))).scalar_one())
