"""Dates and times at the edges: one accepted range (Beijing time 1900-01-01 .. 2199-12-31) for
every `Date` and `DateTime` that enters, a coded BAD_USER_INPUT naming the field outside it, and
RFC 3339 with a whole-minute offset on the way out, on both databases."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from culture_cloud.catalog import models as m
from culture_cloud.graphql.scalars import parse_datetime, serialize_datetime
from culture_cloud.timeutil import SHANGHAI, to_local
from tests.accounts.conftest import cheap_password_hashing  # noqa: F401  (autouse fixture)
from tests.conftest import Database
from tests.publishing.factories import (
    CREATE_EVENT,
    POSTPONE_EVENT,
    UPDATE_EVENT,
    World,
    build_world,
    event_input,
)
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

RFC3339_WHOLE_MINUTE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?(Z|[+-]\d{2}:\d{2})", re.ASCII
)
CJK = re.compile(r"[\u4e00-\u9fff]")

EVENTS_FROM = "query($d: Date) { events(filter: {dateFrom: $d}) { totalCount } }"
EVENTS_FILTER = "query($f: EventFilter) { events(filter: $f) { totalCount } }"
STATISTICS = """
query($p: StatisticsPeriod!) { statistics(period: $p, bucket: MONTH) { attendance {
  totals { events } buckets { start } } } }
"""
VENUE_SLOTS = """
query($venue: ID!, $from: Date!, $to: Date!) {
  venueSlots(venueId: $venue, dateFrom: $from, dateTo: $to) { id }
}
"""
EVENT_TIMES = """
query($id: ID!) { node(id: $id) { ... on Event {
  startAt endAt bookingOpensAt bookingClosesAt } } }
"""


@pytest.fixture
async def world(db: Database, api: GraphQLClient) -> World:
    return await build_world(db, api)


async def _event_count(db: Database) -> int:
    async with db.factory() as session:
        return int((await session.execute(select(func.count()).select_from(m.Event))).scalar_one())


def _assert_refused(body: dict[str, Any], field: str) -> None:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"].get("field")) == (
        "BAD_USER_INPUT",
        field,
    ), error
    message = error["message"]
    assert CJK.search(message), message
    assert not re.search(r"Expected|Variable|value|isoformat", message), message


def _assert_no_incident(caplog: pytest.LogCaptureFixture) -> None:
    incidents = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not incidents, [r.getMessage() for r in incidents]


# --- refused outside the range, with the field named -------------------------------------------


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        ('{ events(filter: {dateFrom: "0001-01-01"}) { totalCount } }', None, "filter.dateFrom"),
        (EVENTS_FROM, {"d": "9999-12-31"}, "filter.dateFrom"),
        (EVENTS_FROM, {"d": "1899-12-31"}, "filter.dateFrom"),
        (EVENTS_FROM, {"d": "2030-02-30"}, "filter.dateFrom"),
        (EVENTS_FROM, {"d": "20300504"}, "filter.dateFrom"),
        (EVENTS_FROM, {"d": 20300504}, "filter.dateFrom"),
        (EVENTS_FILTER, {"f": {"dateFrom": "2030-01-01", "dateTo": "2200-01-01"}}, "filter.dateTo"),
        (
            'query($d: Date = "1800-01-01") { events(filter: {dateTo: $d}) { totalCount } }',
            None,
            "filter.dateTo",
        ),
        (STATISTICS, {"p": {"from": "2030-01-01", "to": "9999-12-31"}}, "period.to"),
        (
            VENUE_SLOTS,
            {"venue": gid("Venue", 1), "from": "0001-01-01", "to": "2030-01-01"},
            "dateFrom",
        ),
        (
            'mutation { postponeEvent(id: "RXZlbnQ6MQ==", reason: "x", '
            'newStartAt: "0001-01-01T00:00:00") { __typename } }',
            None,
            "newStartAt",
        ),
    ],
)
async def test_dates__outside_range_or_malformed__bad_user_input_naming_the_field(
    api: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    document: str,
    variables: dict[str, Any] | None,
    field: str,
) -> None:
    _assert_refused(await api.execute(document, variables), field)
    _assert_no_incident(caplog)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"startAt": "9999-12-31T23:59:59+14:00"}, "startAt"),
        ({"endAt": "0001-01-01T00:00:00Z"}, "endAt"),
        ({"startAt": "2199-12-31T16:00:00Z"}, "startAt"),  # 2200-01-01 00:00 in Beijing
        ({"bookingOpensAt": "1899-12-31T23:59:59+08:00"}, "bookingOpensAt"),
        ({"startAt": "2030-05-04T10:00:00+08:05:43"}, "startAt"),  # RFC 3339: minutes only
        ({"startAt": "2030-05-04"}, "startAt"),
        ({"endAt": 1_900_000_000}, "endAt"),
        ({"recurrence": {"weekdays": [6], "until": "9999-12-31"}}, "recurrence.until"),
    ],
)
async def test_create_event__time_outside_range__refused_and_nothing_stored(
    db: Database,
    world: World,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, Any],
    field: str,
) -> None:
    token = await world.token("museum-editor")

    body = await world.api.execute(
        CREATE_EVENT, {"input": event_input(world.museum_venue, **changes)}, token=token
    )

    _assert_refused(body, field)
    assert await _event_count(db) == 0
    _assert_no_incident(caplog)


async def test_update_and_postpone__time_outside_range__refused_and_event_unchanged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    event = await world.published_event("museum-editor")
    token = await world.token("museum-editor")

    updated = await world.api.execute(
        UPDATE_EVENT,
        {"id": event["id"], "input": {"endAt": "2200-01-01T00:00:00+08:00"}},
        token=token,
    )
    postponed = await world.api.execute(
        POSTPONE_EVENT,
        {"id": event["id"], "reason": "天气", "newStartAt": "9999-12-31T23:59:59+14:00"},
        token=token,
    )

    _assert_refused(updated, "endAt")
    _assert_refused(postponed, "newStartAt")
    after = (await world.api.data(EVENT_TIMES, {"id": event["id"]}))["node"]
    assert (after["startAt"], after["endAt"]) == (event["startAt"], event["endAt"])
    _assert_no_incident(caplog)


# --- accepted at the edges of the range, stored and read back sanely ---------------------------


async def _created_times(world: World, **times: Any) -> dict[str, Any]:
    values = {"bookingOpensAt": None, "bookingClosesAt": None, **times}
    created = (await world.create_event("museum-editor", **values))["event"]
    token = await world.token("museum-editor")
    node: dict[str, Any] = (await world.api.data(EVENT_TIMES, {"id": created["id"]}, token=token))[
        "node"
    ]
    return node


async def test_create_event__1900_in_beijing_time__stored_and_read_back_at_plus_0800(
    world: World,
) -> None:
    # Asia/Shanghai kept local mean time (+08:05:43) until 1901: a naive 1900 time is read as,
    # and always shown at, +08:00.
    node = await _created_times(
        world, startAt="1900-01-01T00:00:00+08:00", endAt="1900-06-01T10:00:00"
    )

    assert (node["startAt"], node["endAt"]) == (
        "1900-01-01T00:00:00+08:00",
        "1900-06-01T10:00:00+08:00",
    )


async def test_create_event__last_day_of_range__stored_and_read_back(world: World) -> None:
    node = await _created_times(
        world,
        startAt="2199-12-31T14:00:00Z",
        endAt="2199-12-31T23:59:59.5+08:00",
        bookingOpensAt="2199-12-01T09:00:00+08:00",
        bookingClosesAt="2199-12-31T21:00:00",
    )

    assert node == {
        "startAt": "2199-12-31T22:00:00+08:00",
        "endAt": "2199-12-31T23:59:59.500000+08:00",
        "bookingOpensAt": "2199-12-01T09:00:00+08:00",
        "bookingClosesAt": "2199-12-31T21:00:00+08:00",
    }
    assert all(RFC3339_WHOLE_MINUTE.fullmatch(v) for v in node.values()), node


@pytest.mark.parametrize(
    ("variables"),
    [
        {"f": {"dateFrom": "1900-01-01", "dateTo": "1900-12-31"}},
        {"f": {"dateFrom": "2199-01-01"}},
        {"f": {"dateTo": "1900-01-01"}},
        {"f": {"dateFrom": "2199-06-01", "dateTo": "2199-12-31"}},
    ],
)
async def test_events_filter__first_and_last_days__answer(
    api: GraphQLClient, caplog: pytest.LogCaptureFixture, variables: dict[str, Any]
) -> None:
    assert (await api.data(EVENTS_FILTER, variables))["events"]["totalCount"] == 0
    _assert_no_incident(caplog)


async def test_statistics_and_slots__last_days_of_range__answer(world: World) -> None:
    admin = await world.token("bureau-admin")

    stats = await world.api.data(
        STATISTICS, {"p": {"from": "2199-01-01", "to": "2199-12-31"}}, token=admin
    )
    slots = await world.api.data(
        VENUE_SLOTS, {"venue": world.museum_venue, "from": "2199-12-30", "to": "2199-12-31"}
    )

    buckets = stats["statistics"]["attendance"]["buckets"]
    assert (len(buckets), buckets[0]["start"], buckets[-1]["start"]) == (
        12,
        "2199-01-01",
        "2199-12-01",
    )
    assert slots["venueSlots"] == []


# --- the output form, without a database --------------------------------------------------------


def test_serialize_datetime__shanghai_local_mean_time__whole_minute_offset() -> None:
    lmt = to_local(datetime(1900, 6, 1, 2, 0, tzinfo=UTC))
    assert lmt.utcoffset() == timedelta(hours=8, minutes=5, seconds=43)  # what zoneinfo gives

    assert serialize_datetime(lmt) == "1900-06-01T10:00:00+08:00"


def test_serialize_datetime__other_values__rfc3339_as_they_are() -> None:
    assert serialize_datetime(datetime(2030, 5, 4, 10, tzinfo=SHANGHAI)) == (
        "2030-05-04T10:00:00+08:00"
    )
    assert serialize_datetime(datetime(2030, 5, 4, 2, 0, 0, 120, tzinfo=UTC)) == (
        "2030-05-04T02:00:00.000120+00:00"
    )
    # 1988 summer time in China was real: the zone's +09:00 stays.
    assert serialize_datetime(to_local(datetime(1988, 6, 1, 1, tzinfo=UTC))) == (
        "1988-06-01T10:00:00+09:00"
    )


def test_parse_datetime__naive__beijing_time_of_that_day() -> None:
    assert parse_datetime("2030-05-04T10:00") == datetime(2030, 5, 4, 10, tzinfo=SHANGHAI)
    assert parse_datetime("1900-01-01T00:00:00").utcoffset() == timedelta(hours=8)
