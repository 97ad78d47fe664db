"""The rating aggregate of a target: approved reviews summed per dimension, with the 1–5
distribution. Maintained incrementally; never recomputed over the reviews.

Every change of a review's counted state goes through `apply_change(old, new)`: the difference
of the two contributions is added to the target's `rating_aggregate` row by one atomic
statement (INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x, or UPDATE SET x = x + d, with
RETURNING; the row lock it takes serialises concurrent changes of the same target on
PostgreSQL, and SQLite has one writer), then the
catalogue row's `rating_avg` / `rating_count` are set from the returned sums, and the
`rating_changed` signal goes out, all in the caller's transaction.

Lock order, to stay deadlock-free: review row -> aggregate row -> catalogue row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from culture_cloud.db import Executor, insert_on_conflict
from culture_cloud.reviews.models import (
    RATING_AGGREGATE_TABLE,
    Dimension,
    ReviewStatus,
    ReviewTargetKind,
)
from culture_cloud.reviews.signals import RatingDelta, rating_changed
from culture_cloud.reviews.targets import TargetRef

COUNTERS = [
    "review_count",
    "overall_sum",
    *[f"score_{i}" for i in range(1, 6)],
    *[f"{d.value}_{part}" for d in Dimension for part in ("sum", "count")],
]


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one counted review adds to its target's aggregate."""

    overall: int
    scores: Mapping[Dimension, int] = field(default_factory=dict)

    def counters(self, sign: int) -> dict[str, int]:
        values = {"review_count": sign, "overall_sum": sign * self.overall}
        values[f"score_{self.overall}"] = sign
        for dimension, score in self.scores.items():
            values[f"{dimension.value}_sum"] = sign * score
            values[f"{dimension.value}_count"] = sign
        return values


def contribution_of(review: Any) -> Contribution | None:
    """The review's contribution, or None while it is not counted (not approved, or deleted)."""
    if review.status != ReviewStatus.APPROVED or review.deleted_at is not None:
        return None
    scores = {d: getattr(review, d.value) for d in Dimension}
    return Contribution(review.overall, {d: s for d, s in scores.items() if s is not None})


def difference(old: Contribution | None, new: Contribution | None) -> dict[str, int]:
    delta: dict[str, int] = defaultdict(int)
    for contribution, sign in ((old, -1), (new, 1)):
        if contribution is not None:
            for name, value in contribution.counters(sign).items():
                delta[name] += value
    return {name: value for name, value in delta.items() if value}


async def apply_change(
    session: AsyncSession, ref: TargetRef, old: Contribution | None, new: Contribution | None
) -> None:
    """Moves the target's aggregate (and catalogue rating) from counting `old` to `new`."""
    delta = difference(old, new)
    if not delta:
        return
    count, total = await _add(session, ref, delta)
    table = ref.catalogue.table
    await session.execute(
        update(table)
        .where(table.c.id == ref.id)
        .values(rating_count=count, rating_avg=total / count if count else 0.0)
    )
    await rating_changed(
        session,
        RatingDelta(
            target_kind=ref.kind.value,
            target_id=ref.id,
            count=delta.get("review_count", 0),
            score_sum=delta.get("overall_sum", 0),
        ),
    )


async def _add(session: AsyncSession, ref: TargetRef, delta: Mapping[str, int]) -> tuple[int, int]:
    """Adds `delta` to the target's counters in one statement; (review_count, overall_sum) after.

    Additions upsert: the first review of a target creates its row. A delta with a removal in it
    is a plain UPDATE: the removed contribution was added before, so the row exists (and
    PostgreSQL checks CHECK constraints on an upsert's proposed row before it sees the conflict,
    so negative values cannot go through the INSERT)."""
    where = (
        RATING_AGGREGATE_TABLE.c.target_kind == ref.kind.value,
        RATING_AGGREGATE_TABLE.c.target_id == ref.id,
    )
    returning = (RATING_AGGREGATE_TABLE.c.review_count, RATING_AGGREGATE_TABLE.c.overall_sum)
    if any(value < 0 for value in delta.values()):
        stmt: Any = (
            update(RATING_AGGREGATE_TABLE)
            .where(*where)
            .values({name: RATING_AGGREGATE_TABLE.c[name] + value for name, value in delta.items()})
            .returning(*returning)
        )
    else:
        values = {name: delta.get(name, 0) for name in COUNTERS}
        stmt = insert_on_conflict(session, RATING_AGGREGATE_TABLE).values(
            target_kind=ref.kind.value, target_id=ref.id, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[
                RATING_AGGREGATE_TABLE.c.target_kind,
                RATING_AGGREGATE_TABLE.c.target_id,
            ],
            set_={name: RATING_AGGREGATE_TABLE.c[name] + stmt.excluded[name] for name in delta},
        ).returning(*returning)
    row = (await session.execute(stmt)).one()
    return int(row.review_count), int(row.overall_sum)


async def load_aggregates(
    conn: Executor, keys: Sequence[tuple[ReviewTargetKind, int]]
) -> dict[tuple[ReviewTargetKind, int], Any]:
    """Aggregate rows by (kind, id): one query per kind present in `keys`."""
    ids_by_kind: dict[ReviewTargetKind, set[int]] = defaultdict(set)
    for kind, target_id in keys:
        ids_by_kind[kind].add(target_id)
    found: dict[tuple[ReviewTargetKind, int], Any] = {}
    for kind, ids in ids_by_kind.items():
        params = {"target_kind": kind.value, "target_ids": list(ids)}
        for row in await conn.execute(_aggregates_statement(), params):
            found[(kind, row.target_id)] = row
    return found


@lru_cache(maxsize=1)
def _aggregates_statement() -> Select[Any]:
    """Built once (kind and ids bound): every page with a rating summary reads it."""
    return select(RATING_AGGREGATE_TABLE).where(
        RATING_AGGREGATE_TABLE.c.target_kind == bindparam("target_kind"),
        RATING_AGGREGATE_TABLE.c.target_id.in_(bindparam("target_ids", expanding=True)),
    )
