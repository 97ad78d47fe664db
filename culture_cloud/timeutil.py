"""Storage is UTC; people in Jiexiu live in Asia/Shanghai, so "today" and dates are local there."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def local_date_range(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """[start of first_day, start of the day after last_day) in UTC."""
    return local_day_start(first_day), local_day_start(last_day + timedelta(days=1))


def local_today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def iso_or_none(moment: datetime | None) -> str | None:
    """ISO 8601 with its offset, for JSON snapshots (audit log, data exports)."""
    return None if moment is None else moment.isoformat()
