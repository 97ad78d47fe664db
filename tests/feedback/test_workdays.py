"""Response deadlines: the end of the N-th working day (Mon–Fri, Beijing time) after filing."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from culture_cloud.feedback.workdays import response_deadline
from tests.catalog.factories import shanghai


@pytest.mark.parametrize(
    ("filed", "deadline"),
    [
        # Monday morning: Tue, Wed, Thu, Fri, Mon -> end of Monday the 13th.
        (shanghai(date(2030, 5, 6), 9), shanghai(date(2030, 5, 14))),
        # Friday late evening still counts from Friday: Mon..Fri of the next week.
        (shanghai(date(2030, 5, 10), 23, 59), shanghai(date(2030, 5, 18))),
        # Saturday and Sunday are not working days.
        (shanghai(date(2030, 5, 11), 10), shanghai(date(2030, 5, 18))),
        (shanghai(date(2030, 5, 12), 10), shanghai(date(2030, 5, 18))),
        # 00:30 Beijing time on Monday is Sunday 16:30 UTC: the local day decides.
        (shanghai(date(2030, 5, 13), 0, 30), shanghai(date(2030, 5, 21))),
    ],
)
def test_response_deadline__five_working_days__end_of_fifth_weekday(
    filed: datetime, deadline: datetime
) -> None:
    assert response_deadline(filed, 5) == deadline


def test_response_deadline__one_day__next_working_day() -> None:
    assert response_deadline(shanghai(date(2030, 5, 10), 15), 1) == shanghai(date(2030, 5, 14))
