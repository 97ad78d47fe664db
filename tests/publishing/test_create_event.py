"""createEvent: editors and managers create drafts at their own organisation's venues and
scenic spots; the draft copies its place's region, coordinates and owner."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from culture_cloud.catalog import models as m
from tests.conftest import Database
from tests.publishing.factories import (
    ANNEX_AT,
    CREATE_EVENT,
    DAY,
    MUSEUM_AT,
    SPOT_AT,
    World,
    event_input,
    events_found,
    events_in_list,
    iso,
)
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid


async def _event_count(db: Database) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(m.Event))).scalar_one())


async def test_create_event__museum_editor__draft_with_place_columns(world: World) -> None:
    result = await world.create_event("museum-editor")

    event = result["event"]
    assert event["status"] == "DRAFT"
    assert result["occurrences"] == [
        {k: event[k] for k in ("id", "startAt", "endAt", "status")}
        | {"bookingOpensAt": event["bookingOpensAt"], "bookingClosesAt": event["bookingClosesAt"]}
    ]
    assert (event["title"], event["kind"], event["capacity"], event["priceYuan"]) == (
        "介休琉璃艺术讲座",
        "LECTURE",
        40,
        0.0,
    )
    assert event["startAt"] == iso(DAY, 10) and event["endAt"] == iso(DAY, 11, 30)
    assert event["venue"]["id"] == world.museum_venue and event["scenicSpot"] is None
    assert event["organization"]["id"] == world.museum_org
    assert event["region"]["id"] == world.region_north
    assert (event["location"]["lat"], event["location"]["lng"]) == MUSEUM_AT
    assert event["location"]["precision"] == "EXACT"
    assert event["tags"] == ["琉璃", "讲座"]


async def test_create_event__draft__not_listed_nor_searchable(world: World) -> None:
    event = (await world.create_event("museum-editor"))["event"]

    assert event["id"] not in await events_in_list(world.api)
    assert event["id"] not in await events_found(world.api, "琉璃艺术讲座")
    assert event["id"] not in await events_in_list(world.api, tags=["琉璃"])


async def test_create_event__scenic_spot_editor__copies_spot_location(world: World) -> None:
    event = (await world.create_event("spot-editor", place=world.spot))["event"]

    assert event["scenicSpot"]["id"] == world.spot and event["venue"] is None
    assert event["organization"]["id"] == world.spot_org
    assert event["region"]["id"] == world.region_mountain
    assert (event["location"]["lat"], event["location"]["lng"]) == SPOT_AT


async def test_create_event__manager__allowed(world: World) -> None:
    event = (await world.create_event("museum-manager", place=world.museum_annex))["event"]

    assert (event["location"]["lat"], event["location"]["lng"]) == ANNEX_AT


async def test_create_event__admin__any_organizations_venue(world: World) -> None:
    event = (await world.create_event("bureau-admin", place=world.library_venue))["event"]

    assert event["organization"]["id"] == world.library_org


async def test_create_event__venue_of_other_org__forbidden(world: World, db: Database) -> None:
    token = await world.token("museum-editor")

    codes = await world.api.error_codes(
        CREATE_EVENT, {"input": event_input(world.library_venue)}, token=token
    )

    assert codes == ["FORBIDDEN"]
    assert await _event_count(db) == 0


async def test_create_event__scenic_spot_of_other_org__forbidden(world: World) -> None:
    token = await world.token("museum-editor")

    codes = await world.api.error_codes(
        CREATE_EVENT, {"input": event_input(world.spot)}, token=token
    )

    assert codes == ["FORBIDDEN"]


async def test_create_event__checker__forbidden(world: World, db: Database) -> None:
    token = await world.token("museum-checker")

    codes = await world.api.error_codes(
        CREATE_EVENT, {"input": event_input(world.museum_venue)}, token=token
    )

    assert codes == ["FORBIDDEN"]
    assert await _event_count(db) == 0


async def test_create_event__anonymous__unauthenticated(world: World) -> None:
    codes = await world.api.error_codes(CREATE_EVENT, {"input": event_input(world.museum_venue)})

    assert codes == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"endAt": iso(DAY, 10)}, "BAD_USER_INPUT", "endAt"),
        ({"endAt": iso(DAY, 9)}, "BAD_USER_INPUT", "endAt"),
        ({"capacity": -1}, "BAD_USER_INPUT", "capacity"),
        ({"bookingOpensAt": iso(DAY, 9, 30)}, "BAD_USER_INPUT", "bookingOpensAt"),
        ({"bookingClosesAt": iso(DAY, 10, 30)}, "BAD_USER_INPUT", "bookingClosesAt"),
        (
            {"bookingClosesAt": None, "bookingOpensAt": iso(DAY, 10)},
            "BAD_USER_INPUT",
            "bookingOpensAt",
        ),
        ({"title": "   "}, "BAD_USER_INPUT", "title"),
        ({"title": "讲" * 201}, "BAD_USER_INPUT", "title"),
        ({"images": ["ftp://img.example.cn/a.jpg"]}, "BAD_USER_INPUT", "images"),
        ({"images": ["javascript:alert(1)"]}, "BAD_USER_INPUT", "images"),
        (
            {"images": [f"https://img.example.cn/{i}.jpg" for i in range(10)]},
            "BAD_USER_INPUT",
            "images",
        ),
        ({"tags": [f"标签{i}" for i in range(11)]}, "BAD_USER_INPUT", "tags"),
        ({"priceYuan": 12.345}, "BAD_USER_INPUT", "priceYuan"),
        ({"priceYuan": -1}, "BAD_USER_INPUT", "priceYuan"),
        ({"ageMin": 12, "ageMax": 6}, "BAD_USER_INPUT", "ageMax"),
        ({"venueId": None}, "BAD_USER_INPUT", "venueId"),
        ({"venueId": gid("Venue", 9999)}, "NOT_FOUND", "venueId"),
        ({"venueId": gid("Region", 1)}, "INVALID_ID", "venueId"),
    ],
)
async def test_create_event__invalid_input__input_error_with_field(
    world: World, db: Database, overrides: dict[str, Any], code: str, field: str
) -> None:
    token = await world.token("museum-editor")

    result = (
        await world.api.data(
            CREATE_EVENT, {"input": event_input(world.museum_venue, **overrides)}, token=token
        )
    )["createEvent"]

    assert (result["__typename"], result["code"], result["field"]) == ("InputError", code, field)
    assert result["message"]  # Chinese, for the console to show
    assert await _event_count(db) == 0


async def test_create_event__venue_and_scenic_spot__bad_input(world: World) -> None:
    token = await world.token("bureau-admin")
    variables = {"input": event_input(world.museum_venue, scenicSpotId=world.spot)}

    result = (await world.api.data(CREATE_EVENT, variables, token=token))["createEvent"]

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "venueId")


async def test_create_event__naive_times__read_as_beijing_time(world: World) -> None:
    event = (
        await world.create_event(
            "museum-editor",
            startAt="2030-05-04T10:00:00",
            endAt="2030-05-04T11:30:00",
            bookingOpensAt=None,
            bookingClosesAt=None,
        )
    )["event"]

    assert (event["startAt"], event["endAt"]) == (iso(DAY, 10), iso(DAY, 11, 30))


async def test_create_event__images_and_duplicate_tags__normalised(world: World) -> None:
    urls = [f"https://img.example.cn/liuli/{i}.jpg" for i in range(9)]

    event = (
        await world.create_event("museum-editor", images=urls, tags=[" 琉璃", "琉璃", "讲座 "])
    )["event"]

    assert event["images"] == urls
    assert event["tags"] == ["琉璃", "讲座"]


async def test_create_event__api_is_exercised_by_a_plain_client(
    api: GraphQLClient, world: World
) -> None:
    # The same document works with only the required fields.
    token = await world.token("museum-editor")
    minimal = {
        "title": "周末手工坊",
        "kind": "ACTIVITY",
        "startAt": iso(DAY, 14),
        "endAt": iso(DAY, 16),
        "venueId": world.museum_venue,
    }

    result = (await api.data(CREATE_EVENT, {"input": minimal}, token=token))["createEvent"]

    assert result["__typename"] == "CreateEventSuccess", result
    assert result["event"]["capacity"] is None and result["event"]["priceYuan"] is None
