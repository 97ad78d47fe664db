"""Similar wishes by text, so support gathers on one wish instead of splitting over many.

Each wish stores its distinct terms: the Chinese words of 2–6 characters that the search
tokenizer (jieba search mode) finds in its title and text. Single characters (看, 想, 来) and
whole unsegmented runs say little about what is wished for, and toneless pinyin only repeats
the Chinese words, so they are left out. A run is always segmented, however short: kept
whole, "想看晋剧表演" would be a term no paraphrase ("想看晋剧") shares, and it would count in
the denominator of both. A new text's terms are matched with plain
`term IN (...)` rows; the score is the overlap coefficient |A∩B| / min(|A|, |B|), so a short
query ("晋剧") finds every wish that mentions it and two long wishes must share a good part of
their words. It is computed in Python from integer counts: SQLite and PostgreSQL give the
same answers in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.db import Executor
from culture_cloud.menu.models import MENU_WISH_TABLE, MENU_WISH_TERM_TABLE, WishStatus
from culture_cloud.search.tokenize import han_words

# Candidates read per query (most shared terms first) before scoring.
CANDIDATES = 50
# Wishes people can still join: answered-and-closed ones are not suggested.
OPEN_STATUSES = (WishStatus.OPEN, WishStatus.PLANNED)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,6}")


def wish_terms(title: str, text: str) -> list[str]:
    return sorted({w for w in han_words(f"{title}\n{text}") if _HAN.fullmatch(w)})


async def store_terms(session: AsyncSession, wish_id: int, terms: Sequence[str]) -> None:
    if terms:
        await session.execute(
            insert(MENU_WISH_TERM_TABLE), [{"wish_id": wish_id, "term": t} for t in terms]
        )


@dataclass(frozen=True, slots=True)
class Match:
    wish_id: int
    score: float


async def similar_wishes(
    conn: Executor,
    terms: Sequence[str],
    *,
    region_id: int | None,
    exclude_id: int | None,
    min_score: float,
    limit: int,
) -> list[Match]:
    if not terms:
        return []
    shared = func.count().label("shared")
    stmt = (
        select(MENU_WISH_TERM_TABLE.c.wish_id, shared, MENU_WISH_TABLE.c.term_count)
        .join(MENU_WISH_TABLE, MENU_WISH_TABLE.c.id == MENU_WISH_TERM_TABLE.c.wish_id)
        .where(
            MENU_WISH_TERM_TABLE.c.term.in_(list(terms)),
            MENU_WISH_TABLE.c.status.in_(OPEN_STATUSES),
        )
        .group_by(MENU_WISH_TERM_TABLE.c.wish_id, MENU_WISH_TABLE.c.term_count)
        .order_by(shared.desc(), MENU_WISH_TERM_TABLE.c.wish_id)
        .limit(CANDIDATES)
    )
    if region_id is not None:
        stmt = stmt.where(MENU_WISH_TABLE.c.region_id == region_id)
    if exclude_id is not None:
        stmt = stmt.where(MENU_WISH_TERM_TABLE.c.wish_id != exclude_id)
    matches = []
    for wish_id, n_shared, term_count in (await conn.execute(stmt)).all():
        score = n_shared / min(len(terms), term_count)
        if score >= min_score:
            matches.append(Match(int(wish_id), round(score, 3)))
    matches.sort(key=lambda m: (-m.score, m.wish_id))
    return matches[:limit]
