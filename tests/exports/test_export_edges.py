"""Export routes at the edges: dates outside the API's accepted range are a typed 400 (never a
500), and an event the caller may not see is the same 404 as a missing one, as in GraphQL."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest

from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.conftest import Database
from tests.publishing.factories import NODE, UPDATE_EVENT, World, build_world
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
async def world(db: Database, api: GraphQLClient) -> World:
    return await build_world(db, api)


async def _get(world: World, url: str, username: str, **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {await world.token(username)}"}
    return await world.api.http.get(url, params=params, headers=headers)


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/exports/statistics/attendance.csv", {"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ("/exports/statistics/attendance.csv", {"from": "2199-12-01", "to": "2200-01-01"}, "to"),
        ("/exports/statistics/attendance.xlsx", {"from": "0001-01-01", "to": "0001-01-31"}, "from"),
        ("/exports/statistics/attendance.csv", {"from": "2030-02-30", "to": "2030-03-01"}, "from"),
        ("/exports/statistics/attendance.csv", {"from": "20300101", "to": "2030-01-31"}, "from"),
        ("/exports/bookings.csv", {"from": "1899-12-31", "to": "1900-01-01"}, "from"),
        ("/exports/bookings.csv", {"from": "9999-12-30", "to": "9999-12-31"}, "from"),
        ("/exports/bookings.xlsx", {"from": "2199-12-01", "to": "2200-01-01"}, "to"),
        ("/exports/bookings.csv", {"from": "2030-01-01", "to": "2030-13-01"}, "to"),
    ],
)
async def test_exports__date_outside_range_or_malformed__typed_400(
    world: World,
    caplog: pytest.LogCaptureFixture,
    url: str,
    params: dict[str, str],
    field: str,
) -> None:
    response = await _get(world, url, "bureau-admin", **params)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["code"], body["field"]) == ("BAD_USER_INPUT", field)
    assert CJK.search(body["message"]), body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/exports/bookings.csv", {"from": "1900-01-01", "to": "1900-01-31"}),
        ("/exports/bookings.csv", {"from": "2199-12-01", "to": "2199-12-31"}),
        ("/exports/statistics/attendance.csv", {"from": "1900-01-01", "to": "1900-12-31"}),
        ("/exports/statistics/attendance.csv", {"from": "2199-12-01", "to": "2199-12-31"}),
    ],
)
async def test_exports__first_and_last_days_of_range__answer_a_file(
    world: World, url: str, params: dict[str, str]
) -> None:
    response = await _get(world, url, "bureau-admin", **params)

    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")


# --- no existence leak ------------------------------------------------------------------------


async def _update_result(world: World, username: str, event_id: str) -> Any:
    body = await world.api.execute(
        UPDATE_EVENT,
        {"id": event_id, "input": {"title": "改名"}},
        token=await world.token(username),
    )
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return body["data"]["updateEvent"]["code"]


async def test_exports__other_organisations_draft__same_404_as_a_missing_event(
    world: World,
) -> None:
    draft = (await world.create_event("museum-editor"))["event"]
    missing = gid("Event", 99_999)

    hidden = await _get(world, "/exports/bookings.csv", "library-manager", eventId=draft["id"])
    absent = await _get(world, "/exports/bookings.csv", "library-manager", eventId=missing)

    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    assert hidden.json() == {"code": "NOT_FOUND", "message": "活动不存在", "field": "eventId"}
    # What GraphQL answers the same person about the same event.
    token = await world.token("library-manager")
    assert (await world.api.data(NODE, {"id": draft["id"]}, token=token))["node"] is None
    assert await _update_result(world, "library-editor", draft["id"]) == "NOT_FOUND"
    assert await _update_result(world, "library-editor", missing) == "NOT_FOUND"


async def test_exports__own_draft__exported_for_its_organisation_and_admins(
    world: World,
) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    for username in ("museum-checker", "bureau-admin"):
        response = await _get(world, "/exports/bookings.csv", username, eventId=draft["id"])
        assert response.status_code == 200, (username, response.text)


async def test_exports__other_organisations_public_event__403_as_in_graphql(
    world: World,
) -> None:
    # A published event is public: saying it exists leaks nothing, so refusing is honest.
    event = await world.published_event("museum-editor")

    response = await _get(world, "/exports/bookings.csv", "library-manager", eventId=event["id"])

    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
    assert await _update_result(world, "library-editor", event["id"]) == "FORBIDDEN"
