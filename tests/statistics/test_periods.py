"""Time buckets: local days, Monday weeks and calendar months, clipped to the period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from culture_cloud.errors import BadInput
from culture_cloud.statistics.periods import Bucket, make_buckets


def test_buckets__day__start_at_local_midnight() -> None:
    [first, second] = make_buckets(date(2026, 11, 1), date(2026, 11, 2), Bucket.DAY)
    assert first.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert first.end == second.start == datetime(2026, 11, 1, 16, tzinfo=UTC)


def test_buckets__week_and_month__are_clipped_to_the_period() -> None:
    weeks = make_buckets(date(2026, 11, 4), date(2026, 11, 18), Bucket.WEEK)  # Wed .. Wed
    assert [b.first_day for b in weeks] == [
        date(2026, 11, 4),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert weeks[-1].end == datetime(2026, 11, 18, 16, tzinfo=UTC)
    months = make_buckets(date(2026, 11, 20), date(2027, 1, 10), Bucket.MONTH)
    assert [b.first_day for b in months] == [
        date(2026, 11, 20),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]


def test_buckets__limits() -> None:
    assert len(make_buckets(date(2025, 1, 1), date(2025, 12, 31), Bucket.DAY)) == 365
    assert len(make_buckets(date(2024, 1, 1), date(2024, 12, 31), Bucket.DAY)) == 366
    with pytest.raises(BadInput) as too_many:
        make_buckets(date(2024, 1, 1), date(2025, 1, 1), Bucket.DAY)
    assert too_many.value.field == "bucket"
    with pytest.raises(BadInput) as too_long:
        make_buckets(date(2020, 1, 1), date(2025, 1, 1), Bucket.MONTH)
    assert too_long.value.field == "period"
