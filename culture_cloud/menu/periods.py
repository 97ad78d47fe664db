"""Budget periods: a month ("2026-11") or a quarter ("2026-Q4"). An order is charged to every
period row of its region that covers its (Beijing) start date, so a bureau may budget by
quarter, by month, or both at once."""

from __future__ import annotations

import re
from datetime import date

from culture_cloud.errors import BadInput

_PERIOD = re.compile(r"(?P<year>20\d\d)-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2]))")


def normalise_period(text: str, *, field: str = "period") -> str:
    value = text.strip().upper()
    if not _PERIOD.fullmatch(value):
        raise BadInput("预算周期须为月份（如 2026-11）或季度（如 2026-Q4）", field=field)
    return value


def periods_covering(day: date) -> tuple[str, str]:
    """The month and the quarter of `day`, in lock order (sorted)."""
    month = f"{day.year}-{day.month:02d}"
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return tuple(sorted((month, quarter)))  # type: ignore[return-value]
