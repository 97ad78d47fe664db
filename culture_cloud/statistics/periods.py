"""Periods and time buckets: local (Asia/Shanghai) calendar days, weeks (Monday first) and months,
each as a half-open UTC range [start, end) that SQL compares stored timestamps with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from culture_cloud.errors import BadInput
from culture_cloud.timeutil import local_day_start

MAX_BUCKETS = 366
MAX_DAYS = 3 * 366  # weekly and monthly views reach back three years at most


class Bucket(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class TimeBucket:
    index: int
    first_day: (
        date  # local; a week or month bucket starts on its Monday / 1st (clipped to the period)
    )
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def _next_start(day: date, bucket: Bucket) -> date:
    if bucket is Bucket.DAY:
        return day + timedelta(days=1)
    if bucket is Bucket.WEEK:
        return day + timedelta(days=7 - day.weekday())
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def make_buckets(first_day: date, last_day: date, bucket: Bucket) -> list[TimeBucket]:
    """Buckets covering [first_day, last_day] (local dates, both inclusive); the first and last
    week or month bucket are clipped to the period."""
    if last_day < first_day:
        raise BadInput("结束日期不能早于开始日期", field="period.to")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise BadInput(f"统计时段不能超过 {MAX_DAYS} 天", field="period")
    buckets: list[TimeBucket] = []
    day = first_day
    end_day = last_day + timedelta(days=1)
    while day < end_day:
        following = min(_next_start(day, bucket), end_day)
        buckets.append(
            TimeBucket(len(buckets), day, local_day_start(day), local_day_start(following))
        )
        if len(buckets) > MAX_BUCKETS:
            raise BadInput(
                f"时间分组不能超过 {MAX_BUCKETS} 个，请缩短时段或改用按周、按月统计",
                field="bucket",
            )
        day = following
    return buckets
