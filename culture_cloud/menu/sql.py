"""The incremental-average update the menu's scores share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Table, case, cast, update
from sqlalchemy.sql.dml import Update


def move_rating(
    table: Table,
    key: Any,
    *,
    count: int,
    score_sum: int,
    sum_column: str = "rating_sum",
    count_column: str = "rating_count",
    avg_column: str | None = "rating_avg",
) -> Update:
    """One UPDATE moving a sum/count pair (and its average) by a delta. The row lock it takes
    serialises concurrent deltas; SET expressions read the old values on both databases."""
    total = table.c[sum_column] + score_sum
    n = table.c[count_column] + count
    values: dict[str, Any] = {sum_column: total, count_column: n}
    if avg_column is not None:
        values[avg_column] = case((n > 0, cast(total, Float) / n), else_=0.0)
    return update(table).where(key).values(**values)
