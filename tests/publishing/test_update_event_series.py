"""updateEvent(wholeSeries: true): a weekly series edited as a whole — the occurrences still to
come move with the edited one, cancelled ones stay, and one refused date refuses them all."""

from __future__ import annotations

from datetime import date
from typing import Any

from culture_cloud.catalog import models as m
from tests.conftest import Database
from tests.publishing.factories import (
    CANCEL_EVENT,
    PUBLISH_EVENT,
    World,
    iso,
    set_booked_seats,
)
from tests.support.ids import pk_of

SERIES_UPDATE = """
mutation Update($id: ID!, $input: UpdateEventInput!, $wholeSeries: Boolean!) {
  updateEvent(id: $id, input: $input, wholeSeries: $wholeSeries) {
    __typename
    ... on UpdateEventSuccess {
      event { id title startAt inSeries }
      updated { id title startAt endAt bookingClosesAt capacity }
    }
    ... on UserError { code field message }
  }
}
"""

SATURDAYS = [date(2030, 5, 4), date(2030, 5, 11), date(2030, 5, 18)]
SERIES_NODE = """
query Occurrence($id: ID!) {
  node(id: $id) { ... on Event { id title status startAt endAt inSeries } }
}
"""


async def _series(world: World) -> list[str]:
    """Three Saturday lectures, 10:00–11:30, drafts."""
    created = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6], "until": "2030-05-18"}
    )
    return [o["id"] for o in created["occurrences"]]


async def _update(world: World, event_id: str, whole: bool, **changes: Any) -> dict[str, Any]:
    data = await world.api.data(
        SERIES_UPDATE,
        {"id": event_id, "input": changes, "wholeSeries": whole},
        token=await world.token("museum-editor"),
    )
    result: dict[str, Any] = data["updateEvent"]
    return result


async def _nodes(world: World, ids: list[str]) -> list[dict[str, Any]]:
    token = await world.token("museum-editor")
    return [(await world.api.data(SERIES_NODE, {"id": one}, token=token))["node"] for one in ids]


async def test_update_event__whole_series__title_and_time_move_every_date(
    world: World, db: Database
) -> None:
    ids = await _series(world)

    # Edited from the middle date: 10:00 becomes 14:00, each on its own Saturday.
    result = await _update(
        world,
        ids[1],
        True,
        title="琉璃艺术讲座（下午场）",
        startAt=iso(SATURDAYS[1], 14),
        endAt=iso(SATURDAYS[1], 15, 30),
    )

    assert result["__typename"] == "UpdateEventSuccess", result
    assert result["event"]["id"] == ids[1] and result["event"]["inSeries"] is True
    assert [(u["id"], u["startAt"], u["endAt"]) for u in result["updated"]] == [
        (ids[i], iso(day, 14), iso(day, 15, 30)) for i, day in enumerate(SATURDAYS)
    ]
    nodes = await _nodes(world, ids)
    assert {n["title"] for n in nodes} == {"琉璃艺术讲座（下午场）"}
    assert [n["startAt"] for n in nodes] == [iso(day, 14) for day in SATURDAYS]
    # The booking deadline was not touched: it stays at 9:00 of each date.
    assert [u["bookingClosesAt"] for u in result["updated"]] == [iso(d, 9) for d in SATURDAYS]
    async with db.factory() as session:
        event = await session.get(m.Event, pk_of(ids[0]))
        assert event is not None and event.series_id is not None
        series = await session.get(m.EventSeries, event.series_id)
    assert series is not None and series.title == "琉璃艺术讲座（下午场）"
    assert series.rule["start_time"] == "14:00" and series.rule["duration_minutes"] == 90


async def test_update_event__one_date_of_series__others_unchanged(world: World) -> None:
    ids = await _series(world)

    result = await _update(
        world,
        ids[1],
        False,
        title="特别场",
        startAt=iso(SATURDAYS[1], 15),
        endAt=iso(SATURDAYS[1], 16),
    )

    assert [u["id"] for u in result["updated"]] == [ids[1]]
    nodes = await _nodes(world, ids)
    assert [(n["title"], n["startAt"]) for n in nodes] == [
        ("介休琉璃艺术讲座", iso(SATURDAYS[0], 10)),
        ("特别场", iso(SATURDAYS[1], 15)),
        ("介休琉璃艺术讲座", iso(SATURDAYS[2], 10)),
    ]


async def test_update_event__whole_series_date_with_bookings__conflict_nothing_changed(
    world: World, db: Database
) -> None:
    ids = await _series(world)
    await world.api.data(
        PUBLISH_EVENT, {"id": ids[0], "wholeSeries": True}, token=await world.token("museum-editor")
    )
    await set_booked_seats(db, ids[2], 3)

    moved = await _update(
        world,
        ids[0],
        True,
        title="改名",
        startAt=iso(SATURDAYS[0], 14),
        endAt=iso(SATURDAYS[0], 15),
    )
    fewer = await _update(world, ids[0], True, capacity=2)

    assert (moved["__typename"], moved["code"], moved["field"]) == (
        "InputError",
        "CONFLICT",
        "startAt",
    )
    assert "5月18日" in moved["message"]
    assert (fewer["code"], fewer["field"]) == ("CONFLICT", "capacity")
    nodes = await _nodes(world, ids)
    assert [(n["title"], n["startAt"]) for n in nodes] == [
        ("介休琉璃艺术讲座", iso(day, 10)) for day in SATURDAYS
    ]
    # A change the booked date allows goes through for the whole series.
    more = await _update(world, ids[0], True, capacity=50)
    assert [u["capacity"] for u in more["updated"]] == [50, 50, 50]


async def test_update_event__whole_series__cancelled_date_stays_and_is_not_landed_on(
    world: World,
) -> None:
    ids = await _series(world)
    token = await world.token("museum-editor")
    await world.api.data(PUBLISH_EVENT, {"id": ids[0], "wholeSeries": True}, token=token)
    cancelled = await world.api.data(
        CANCEL_EVENT, {"id": ids[2], "reason": "场馆检修"}, token=token
    )
    assert cancelled["cancelEvent"]["event"]["status"] == "CANCELLED"

    renamed = await _update(world, ids[0], True, title="新讲座")
    # A week later would put the 11th on the cancelled 18th.
    week_later = await _update(
        world, ids[0], True, startAt=iso(SATURDAYS[1], 10), endAt=iso(SATURDAYS[1], 11, 30)
    )

    assert [u["id"] for u in renamed["updated"]] == ids[:2]
    assert [n["title"] for n in await _nodes(world, ids)] == [
        "新讲座",
        "新讲座",
        "介休琉璃艺术讲座",
    ]
    assert (week_later["code"], week_later["field"]) == ("CONFLICT", "startAt")
    assert "5月18日" in week_later["message"]


async def test_update_event__whole_series_on_single_event__only_that_event(world: World) -> None:
    single = (await world.create_event("museum-editor"))["event"]["id"]

    result = await _update(world, single, True, title="单场讲座")

    assert result["event"]["inSeries"] is False
    assert [u["title"] for u in result["updated"]] == ["单场讲座"]


async def test_update_event__whole_series_with_other_org_date__forbidden(
    world: World, db: Database
) -> None:
    ids = await _series(world)
    admin = await world.token("bureau-admin")
    # An administrator moved one date to the library's venue.
    moved = await world.api.data(
        SERIES_UPDATE,
        {"id": ids[2], "input": {"venueId": world.library_venue}, "wholeSeries": False},
        token=admin,
    )
    assert moved["updateEvent"]["__typename"] == "UpdateEventSuccess", moved

    codes = await world.api.error_codes(
        SERIES_UPDATE,
        {"id": ids[0], "input": {"title": "改名"}, "wholeSeries": True},
        token=await world.token("museum-editor"),
    )

    assert codes == ["FORBIDDEN"]
    assert [n["title"] for n in await _nodes(world, ids[:2])] == ["介休琉璃艺术讲座"] * 2
