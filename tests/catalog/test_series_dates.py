"""`Event.seriesDates`: the other public dates of an event's series still to come, for the
event page's "本系列其他场次"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from culture_cloud.timeutil import local_today
from tests.catalog.factories import add_event, add_venue, shanghai
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

SERIES_DATES = """
query($id: ID!, $first: Int!) { node(id: $id) { ... on Event {
  title seriesDates(first: $first) { id title startAt status remainingSeats } } } }
"""


async def _weekly(db: Database) -> dict[str, int]:
    """A weekly series (one date over, one this week, three to come: one a draft, one
    cancelled) beside another series and a one-off event."""
    today = local_today(utcnow())
    ids: dict[str, int] = {}
    async with transaction(db.factory) as session:
        place = await add_venue(session, "hall")
        series = m.EventSeries(title="周末皮影", rule={"weekly": True})
        other = m.EventSeries(title="别的系列", rule={"weekly": True})
        session.add_all([series, other])
        await session.flush()
        dates = [
            ("over", -7, m.EventStatus.PUBLISHED),
            ("this week", 1, m.EventStatus.PUBLISHED),
            ("next week", 8, m.EventStatus.PUBLISHED),
            ("draft date", 15, m.EventStatus.DRAFT),
            ("called off", 22, m.EventStatus.CANCELLED),
            ("last", 29, m.EventStatus.PUBLISHED),
        ]
        for title, days, status in dates:
            row = await add_event(
                session,
                title,
                shanghai(today + timedelta(days=days), 19),
                place=place,
                status=status,
                series_id=series.id,
                capacity=30,
                booked_seats=30 if title == "last" else 3,
            )
            ids[title] = row.id  # type: ignore[assignment]
        elsewhere = await add_event(
            session, "other series", shanghai(today + timedelta(days=2), 19), series_id=other.id
        )
        one_off = await add_event(session, "one-off", shanghai(today + timedelta(days=3), 19))
        ids["other series"], ids["one-off"] = elsewhere.id, one_off.id  # type: ignore[assignment]
    return ids


async def _dates(api: GraphQLClient, pk: int, first: int = 10) -> list[dict[str, Any]]:
    data = await api.data(SERIES_DATES, {"id": gid("Event", pk), "first": first})
    return data["node"]["seriesDates"]  # type: ignore[no-any-return]


async def test_series_dates__public_dates_to_come__not_itself_drafts_or_past(
    db: Database, api: GraphQLClient
) -> None:
    ids = await _weekly(db)
    dates = await _dates(api, ids["this week"])
    assert [d["title"] for d in dates] == ["next week", "called off", "last"]
    assert [d["status"] for d in dates] == ["PUBLISHED", "CANCELLED", "PUBLISHED"]
    assert dates[0]["remainingSeats"] == 27 and dates[2]["remainingSeats"] == 0
    assert dates[0]["id"] == gid("Event", ids["next week"])
    # From a date that is over, the dates to come; `first` limits them, 0 asks for none.
    assert [d["title"] for d in await _dates(api, ids["over"], first=2)] == [
        "this week",
        "next week",
    ]
    assert await _dates(api, ids["this week"], first=0) == []
    # An event of another series, and one of none, have no dates of this series.
    assert [d["title"] for d in await _dates(api, ids["other series"])] == []
    assert await _dates(api, ids["one-off"]) == []


async def test_series_dates__first_out_of_range__bad_user_input(
    db: Database, api: GraphQLClient
) -> None:
    ids = await _weekly(db)
    for first in (-1, 51):
        variables = {"id": gid("Event", ids["this week"]), "first": first}
        assert await api.error_codes(SERIES_DATES, variables) == ["BAD_USER_INPUT"]


async def test_series_dates__on_a_list_page__one_statement_for_all_series(
    db: Database, api: GraphQLClient, count_statements: Any
) -> None:
    await _weekly(db)
    count_statements.clear()
    data = await api.data(
        "{ events(first: 20) { edges { node { title seriesDates(first: 3) { title } } } } }"
    )
    by_title = {e["node"]["title"]: e["node"]["seriesDates"] for e in data["events"]["edges"]}
    assert [d["title"] for d in by_title["next week"]] == ["this week", "called off", "last"]
    assert by_title["one-off"] == [] and "draft date" not in by_title
    assert len(count_statements.statements) == 2, count_statements.statements
