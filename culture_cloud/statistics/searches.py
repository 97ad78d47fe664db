"""Top searches, read from search's log (culture_cloud/search/log.py writes it, dropping terms
that look like personal data). The figure is for administrators only: it is city-wide,
unfiltered text."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from culture_cloud.errors import Forbidden
from culture_cloud.identity import Viewer
from culture_cloud.search.models import SEARCH_LOG_TABLE
from culture_cloud.statistics.scope import Scope

ADMINS_ONLY = "热门搜索词仅管理员可查看"


def ensure_may_see(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise Forbidden(ADMINS_ONLY)


@dataclass(frozen=True)
class SearchCount:
    term: str
    searches: int


async def top_searches(conn: AsyncConnection, scope: Scope, *, first: int) -> list[SearchCount]:
    log = SEARCH_LOG_TABLE
    count = func.count(log.c.id)
    query = (
        select(log.c.term, count)
        .where(log.c.created_at >= scope.start, log.c.created_at < scope.end)
        .group_by(log.c.term)
        .order_by(count.desc(), log.c.term)
        .limit(first)
    )
    return [SearchCount(t, int(n)) for t, n in (await conn.execute(query)).all()]
