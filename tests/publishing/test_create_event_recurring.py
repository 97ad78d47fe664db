"""createEvent with a recurrence: one draft Event per occurrence, linked to an EventSeries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from culture_cloud.catalog import models as m
from tests.conftest import Database
from tests.publishing.factories import CREATE_EVENT, DAY, World, event_input, iso
from tests.support.ids import pk_of


async def test_create_event__weekly_recurrence__one_draft_per_occurrence(
    world: World, db: Database
) -> None:
    # DAY is a Saturday; Saturdays and Sundays until the 19th: 4th, 5th, 11th, 12th, 18th, 19th.
    result = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6, 7], "until": "2030-05-19"}
    )

    occurrences = result["occurrences"]
    days = [date(2030, 5, d) for d in (4, 5, 11, 12, 18, 19)]
    assert [o["startAt"] for o in occurrences] == [iso(d, 10) for d in days]
    assert [o["endAt"] for o in occurrences] == [iso(d, 11, 30) for d in days]
    # The booking window keeps its distance to each start.
    assert [o["bookingClosesAt"] for o in occurrences] == [iso(d, 9) for d in days]
    assert occurrences[1]["bookingOpensAt"] == iso(date(2030, 4, 28), 9)
    assert {o["status"] for o in occurrences} == {"DRAFT"}
    assert result["event"]["id"] == occurrences[0]["id"]
    async with db.factory() as session:
        rows = (
            (
                await session.execute(
                    select(m.Event).where(
                        col(m.Event.id).in_([pk_of(o["id"]) for o in occurrences])
                    )
                )
            )
            .scalars()
            .all()
        )
        series_ids = {row.series_id for row in rows}
        assert len(series_ids) == 1 and None not in series_ids
        series = await session.get(m.EventSeries, series_ids.pop())
    assert series is not None and series.title == "介休琉璃艺术讲座"
    assert series.rule["weekdays"] == [6, 7] and series.rule["until"] == "2030-05-19"


async def test_create_event__first_start_off_pattern__series_starts_at_next_match(
    world: World,
) -> None:
    # Starting on Saturday with Wednesdays chosen: the first occurrence is the next Wednesday.
    result = await world.create_event(
        "museum-editor",
        bookingOpensAt=None,
        bookingClosesAt=None,
        recurrence={"weekdays": [3], "until": "2030-05-15"},
    )

    assert [o["startAt"] for o in result["occurrences"]] == [
        iso(date(2030, 5, 8), 10),
        iso(date(2030, 5, 15), 10),
    ]


async def test_create_event__fifty_two_weeks__allowed(world: World) -> None:
    result = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6], "until": "2031-04-26"}
    )

    assert len(result["occurrences"]) == 52


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        ({"weekdays": [6], "until": "2031-05-03"}, "recurrence.until"),  # 53 Saturdays
        ({"weekdays": [1, 2, 3, 4, 5, 6, 7], "until": "2030-08-01"}, "recurrence.until"),
        ({"weekdays": [], "until": "2030-05-30"}, "recurrence.weekdays"),
        ({"weekdays": [0], "until": "2030-05-30"}, "recurrence.weekdays"),
        ({"weekdays": [6], "until": "2030-05-03"}, "recurrence.until"),
    ],
)
async def test_create_event__bad_recurrence__bad_input(
    world: World, db: Database, recurrence: dict[str, object], field: str
) -> None:
    variables = {"input": event_input(world.museum_venue, recurrence=recurrence)}

    result = (
        await world.api.data(CREATE_EVENT, variables, token=await world.token("museum-editor"))
    )["createEvent"]

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", field)
    async with db.factory() as session:
        assert (await session.execute(select(m.EventSeries))).first() is None


def test_day_is_a_saturday() -> None:
    assert DAY.isoweekday() == 6
