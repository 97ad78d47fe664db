"""A small, exact world for publishing tests, and the GraphQL documents they send.

Two organisations with venues (the museum has two, in different townships), a scenic-spot
operator, and staff of every role; accounts sign in through the real `loginWithPassword`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from culture_cloud.global_ids import from_global_id
from culture_cloud.identity import StaffRole
from culture_cloud.timeutil import SHANGHAI
from tests.accounts.factories import add_admin, add_staff
from tests.catalog import factories as catalog
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid, pk_of

# A Saturday far from "today", so nothing depends on when the tests run.
DAY = date(2030, 5, 4)
MUSEUM_AT = (37.0269, 111.9169)
ANNEX_AT = (36.9001, 111.9902)
LIBRARY_AT = (37.0301, 111.9105)
SPOT_AT = (36.8891, 111.9863)

EVENT_FIELDS = """
fragment EventFields on Event {
  id title kind status startAt endAt allDay capacity remainingSeats priceYuan ageMin ageMax
  bookingRequired allowWaitlist realNameRequired bookingOpensAt bookingClosesAt description
  images tags
  venue { id name } scenicSpot { id name } organization { id } region { id }
  location { lat lng precision note }
}
"""

CREATE_EVENT = (
    """
mutation Create($input: CreateEventInput!) {
  createEvent(input: $input) {
    __typename
    ... on CreateEventSuccess { event { ...EventFields } occurrences { id startAt endAt status
      bookingOpensAt bookingClosesAt } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

UPDATE_EVENT = (
    """
mutation Update($id: ID!, $input: UpdateEventInput!) {
  updateEvent(id: $id, input: $input) {
    __typename
    ... on UpdateEventSuccess { event { ...EventFields } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

PUBLISH_EVENT = (
    """
mutation Publish($id: ID!, $wholeSeries: Boolean! = false) {
  publishEvent(id: $id, wholeSeries: $wholeSeries) {
    __typename
    ... on PublishEventSuccess { event { ...EventFields } published { id status startAt } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

CANCEL_EVENT = (
    """
mutation Cancel($id: ID!, $reason: String!) {
  cancelEvent(id: $id, reason: $reason) {
    __typename
    ... on CancelEventSuccess { event { ...EventFields } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

POSTPONE_EVENT = (
    """
mutation Postpone($id: ID!, $reason: String!, $newStartAt: DateTime, $newEndAt: DateTime) {
  postponeEvent(id: $id, reason: $reason, newStartAt: $newStartAt, newEndAt: $newEndAt) {
    __typename
    ... on PostponeEventSuccess { event { ...EventFields } }
    ... on UserError { code field message }
  }
}
"""
    + EVENT_FIELDS
)

VENUE_FIELDS = """
  id name address phone description facilities accessibility images tags admission admissionNote
  region { id } location { lat lng precision note }
  openingHours { lastEntry closedNote asOf weekly { weekday closed periods { open close } } }
"""

UPDATE_VENUE = f"""
mutation UpdateVenue($id: ID!, $input: UpdateVenueInput!) {{
  updateVenue(id: $id, input: $input) {{
    __typename
    ... on UpdateVenueSuccess {{ venue {{ {VENUE_FIELDS} }} }}
    ... on UserError {{ code field message }}
  }}
}}
"""

UPDATE_SCENIC_SPOT = """
mutation UpdateSpot($id: ID!, $input: UpdateScenicSpotInput!) {
  updateScenicSpot(id: $id, input: $input) {
    __typename
    ... on UpdateScenicSpotSuccess { scenicSpot {
      id name address phone description images tags region { id }
      location { lat lng precision note }
      seasonalHours { label fromDate toDate open close lastEntry asOf }
      ticketPrices { label yuan note }
    } }
    ... on UserError { code field message }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on Event { title status } } }
"""

EVENTS = """
query Events($filter: EventFilter) {
  events(first: 100, filter: $filter) {
    totalCount
    edges { node { id title status startAt location { lat lng } } }
  }
}
"""

SEARCH = """
query Search($text: String!) {
  search(text: $text, kinds: [EVENT], first: 50) {
    totalCount
    edges { node { __typename ... on Event { id title status } } }
  }
}
"""

MY_ORGANIZATION_EVENTS = """
query Mine($first: Int, $after: String, $status: EventStatus, $organizationId: ID) {
  myOrganizationEvents(first: $first, after: $after, status: $status,
                       organizationId: $organizationId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title status organization { id } } }
  }
}
"""

AUDIT_LOG = """
query Audit($targetType: String, $first: Int) {
  auditLog(first: $first, targetType: $targetType) {
    totalCount
    edges { node { action targetType targetId before after ip actor { username } } }
  }
}
"""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def iso(day: date, hour: int, minute: int = 0) -> str:
    return at(day, hour, minute).isoformat()


def event_input(place_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid CreateEventInput at `place_id` (a Venue ID, or a ScenicSpot ID)."""
    key = "scenicSpotId" if from_global_id(place_id)[0] == "ScenicSpot" else "venueId"
    values: dict[str, Any] = {
        "title": "介休琉璃艺术讲座",
        "kind": "LECTURE",
        "startAt": iso(DAY, 10),
        "endAt": iso(DAY, 11, 30),
        key: place_id,
        "capacity": 40,
        "priceYuan": 0,
        "bookingRequired": True,
        "bookingOpensAt": iso(DAY - timedelta(days=7), 9),
        "bookingClosesAt": iso(DAY, 9),
        "tags": ["琉璃", "讲座"],
        "description": "馆藏琉璃精品导赏",
    }
    values.update(overrides)
    return values


@dataclass
class World:
    api: GraphQLClient
    region_north: str
    region_mountain: str
    museum_org: str
    library_org: str
    spot_org: str
    museum_venue: str
    museum_annex: str
    library_venue: str
    spot: str
    _tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, username: str) -> str:
        """A real access token of one of the world's accounts (see build_world)."""
        if username not in self._tokens:
            self._tokens[username] = await self.api.token(username)
        return self._tokens[username]

    async def create_event(self, username: str, **overrides: Any) -> dict[str, Any]:
        """Creates an event at the museum venue (or `place`), asserting success."""
        place = overrides.pop("place", self.museum_venue)
        data = await self.api.data(
            CREATE_EVENT,
            {"input": event_input(place, **overrides)},
            token=await self.token(username),
        )
        result: dict[str, Any] = data["createEvent"]
        assert result["__typename"] == "CreateEventSuccess", result
        return result

    async def published_event(self, username: str, **overrides: Any) -> dict[str, Any]:
        event = (await self.create_event(username, **overrides))["event"]
        data = await self.api.data(
            PUBLISH_EVENT, {"id": event["id"]}, token=await self.token(username)
        )
        published: dict[str, Any] = data["publishEvent"]["event"]
        assert published["status"] == "PUBLISHED", data
        return published


async def build_world(db: Database, api: GraphQLClient) -> World:
    async with transaction(db.factory) as session:
        north = await catalog.add_region(session, "北关街道")
        mountain = await catalog.add_region(session, "绵山镇")
        museum = await catalog.add_organization(session, "介休市博物馆")
        library = await catalog.add_organization(
            session, "介休市图书馆", kind=m.OrganizationKind.LIBRARY
        )
        operator = await catalog.add_organization(
            session, "绵山景区管理方", kind=m.OrganizationKind.SCENIC_OPERATOR
        )
        exact = {"location_precision": m.LocationPrecision.EXACT}
        museum_venue = await catalog.add_venue(
            session,
            "介休市博物馆",
            at=MUSEUM_AT,
            region_id=north.id,
            organization_id=museum.id,
            tags=["博物馆"],
            **exact,
        )
        annex = await catalog.add_venue(
            session,
            "博物馆绵山分馆",
            at=ANNEX_AT,
            region_id=mountain.id,
            organization_id=museum.id,
            **exact,
        )
        library_venue = await catalog.add_venue(
            session,
            "介休市图书馆",
            at=LIBRARY_AT,
            region_id=north.id,
            organization_id=library.id,
            kind=m.VenueKind.LIBRARY,
            **exact,
        )
        spot = await catalog.add_scenic_spot(
            session,
            "绵山风景名胜区",
            at=SPOT_AT,
            region_id=mountain.id,
            organization_id=operator.id,
            a_level=5,
            **exact,
        )
    assert museum.id and library.id and operator.id
    await add_admin(db, username="bureau-admin")
    for username, org, role in [
        ("museum-editor", museum.id, StaffRole.EDITOR),
        ("museum-checker", museum.id, StaffRole.CHECKER),
        ("museum-manager", museum.id, StaffRole.MANAGER),
        ("library-editor", library.id, StaffRole.EDITOR),
        ("library-manager", library.id, StaffRole.MANAGER),
        ("spot-editor", operator.id, StaffRole.EDITOR),
        ("spot-manager", operator.id, StaffRole.MANAGER),
    ]:
        await add_staff(db, org, role, username=username)
    return World(
        api=api,
        region_north=gid("Region", north.id),
        region_mountain=gid("Region", mountain.id),
        museum_org=gid("Organization", museum.id),
        library_org=gid("Organization", library.id),
        spot_org=gid("Organization", operator.id),
        museum_venue=gid("Venue", museum_venue.id),
        museum_annex=gid("Venue", annex.id),
        library_venue=gid("Venue", library_venue.id),
        spot=gid("ScenicSpot", spot.id),
    )


async def set_booked_seats(db: Database, event_id: str, seats: int) -> None:
    """Stands in for bookings (another domain): the publishing rules only read the count."""
    async with transaction(db.factory) as session:
        await session.execute(
            update(m.Event).where(col(m.Event.id) == pk_of(event_id)).values(booked_seats=seats)
        )


async def events_in_list(api: GraphQLClient, **filter_: Any) -> list[str]:
    data = await api.data(EVENTS, {"filter": filter_ or None})
    return [edge["node"]["id"] for edge in data["events"]["edges"]]


async def events_found(api: GraphQLClient, text: str) -> list[str]:
    data = await api.data(SEARCH, {"text": text})
    return [edge["node"]["id"] for edge in data["search"]["edges"]]
