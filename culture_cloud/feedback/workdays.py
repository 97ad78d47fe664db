"""Response deadlines in working days: Monday to Friday, Asia/Shanghai. Public holidays and the
weekend days swapped around them (调休) are not modelled, so a deadline over 国庆 or 春节 comes
earlier than the official calendar would put it."""

from __future__ import annotations

from datetime import datetime, timedelta

from culture_cloud.timeutil import local_day_start, local_today


def response_deadline(submitted_at: datetime, working_days: int) -> datetime:
    """The end (local midnight) of the `working_days`-th working day after the submission day:
    submitted on Monday with 5 days, the deadline is the end of the next Monday."""
    day = local_today(submitted_at)
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return local_day_start(day + timedelta(days=1))
