"""The search log: written by the `search` resolver, read by the demand figures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.statistics.models import SearchLog
from culture_cloud.statistics.scope import Scope

SEARCH_LOG = SearchLog.__table__  # type: ignore[attr-defined]
logger = logging.getLogger("culture_cloud.statistics")


def normalize(text: str) -> str:
    return " ".join(text.split()).lower()[:64]


async def record_search(conn: AsyncConnection, text: str, now: datetime) -> None:
    """One INSERT on the caller's autocommit connection; a failure never fails the search."""
    term = normalize(text)
    if not term:
        return
    try:
        await conn.execute(insert(SEARCH_LOG).values(term=term, created_at=now))
    except SQLAlchemyError as exc:
        # The class only: the statement's text would carry the term, and the term is whatever
        # a visitor typed.
        logger.warning("search log write failed (%s)", type(exc).__name__)


@dataclass(frozen=True)
class SearchCount:
    term: str
    searches: int


async def top_searches(conn: AsyncConnection, scope: Scope, *, first: int) -> list[SearchCount]:
    count = func.count(SEARCH_LOG.c.id)
    query = (
        select(SEARCH_LOG.c.term, count)
        .where(SEARCH_LOG.c.created_at >= scope.start, SEARCH_LOG.c.created_at < scope.end)
        .group_by(SEARCH_LOG.c.term)
        .order_by(count.desc(), SEARCH_LOG.c.term)
        .limit(first)
    )
    return [SearchCount(t, int(n)) for t, n in (await conn.execute(query)).all()]
