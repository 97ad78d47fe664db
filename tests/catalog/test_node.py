"""Relay `node(id)`: every catalogue type round-trips; unknown, missing and draft ids give null."""

from __future__ import annotations

import base64
from datetime import date

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction
from tests.catalog.factories import (
    add_agency,
    add_event,
    add_guide,
    add_organization,
    add_region,
    add_scenic_spot,
    add_venue,
    shanghai,
)
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Venue { name }
    ... on ScenicSpot { name }
    ... on TravelAgency { name }
    ... on Guide { name }
    ... on Region { name }
    ... on Organization { name }
    ... on Event { name: title status }
  }
}
"""

ALL_IDS = """
query AllIds {
  regions { id name }
  venues(first: 100) { edges { node { id name organization { id name } } } }
  scenicSpots(first: 100) { edges { node { id name } } }
  travelAgencies(first: 100) { edges { node { id name } } }
  guides(first: 100) { edges { node { id name } } }
  events(first: 100) { edges { node { id name: title } } }
}
"""


def _raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_node__id_of_every_type__returns_that_object(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        region = await add_region(session, "北关街道")
        org = await add_organization(session, "介休市博物馆（单位）")
        venue = await add_venue(
            session, "介休市博物馆", region_id=region.id, organization_id=org.id
        )
        await add_scenic_spot(session, "绵山风景名胜区")
        agency = await add_agency(session, "示例旅行社")
        await add_guide(session, "王导游", agency_id=agency.id)
        await add_event(session, "琉璃讲解", shanghai(date(2026, 5, 1), 10), place=venue)

    lists = await api.data(ALL_IDS)
    expected = [("Region", r["id"], r["name"]) for r in lists["regions"]]
    for field, typename in [
        ("venues", "Venue"),
        ("scenicSpots", "ScenicSpot"),
        ("travelAgencies", "TravelAgency"),
        ("guides", "Guide"),
        ("events", "Event"),
    ]:
        expected += [(typename, e["node"]["id"], e["node"]["name"]) for e in lists[field]["edges"]]
    owner = lists["venues"]["edges"][0]["node"]["organization"]
    expected.append(("Organization", owner["id"], owner["name"]))
    assert {t for t, _, _ in expected} == {
        "Region",
        "Organization",
        "Venue",
        "ScenicSpot",
        "TravelAgency",
        "Guide",
        "Event",
    }

    for typename, global_id, name in expected:
        node = (await api.data(NODE, {"id": global_id}))["node"]
        assert node is not None, typename
        assert (node["__typename"], node["id"], node["name"]) == (typename, global_id, name)


async def test_node__unknown_type_prefix__null(api: GraphQLClient) -> None:
    # SearchTerm is a real table, but not a type the API exposes.
    for global_id in (gid("Ticket", 1), gid("SearchTerm", 1), gid("venue", 1)):
        assert (await api.data(NODE, {"id": global_id}))["node"] is None, global_id


async def test_node__well_formed_id_of_missing_row__null(db: Database, api: GraphQLClient) -> None:
    async with transaction(db.factory) as session:
        venue = await add_venue(session, "hall")
    assert venue.id is not None
    assert (await api.data(NODE, {"id": gid("Venue", venue.id)}))["node"] is not None
    for global_id in (gid("Venue", venue.id + 1000), gid("Region", 999_999)):
        assert (await api.data(NODE, {"id": global_id}))["node"] is None, global_id


async def test_node__garbage_id__invalid_id(api: GraphQLClient) -> None:
    for global_id in (
        "garbage!",
        "",
        _raw_id("Venue"),
        _raw_id("Venue:abc"),
        _raw_id("Venue:0"),
        _raw_id("Venue:-5"),
        _raw_id(f"Venue:{2**63}"),
        _raw_id(":7"),
    ):
        assert await api.error_codes(NODE, {"id": global_id}) == ["INVALID_ID"], global_id


async def test_node__draft_event__null_while_public_events_resolve(
    db: Database, api: GraphQLClient
) -> None:
    async with transaction(db.factory) as session:
        venue = await add_venue(session, "hall")
        start = shanghai(date(2026, 5, 1), 10)
        ids = {
            status: (await add_event(session, status.value, start, place=venue, status=status)).id
            for status in m.EventStatus
        }

    for status, pk in ids.items():
        node = (await api.data(NODE, {"id": gid("Event", pk)}))["node"]
        if status is m.EventStatus.DRAFT:
            assert node is None
        else:
            assert node is not None and node["status"] == status.name, status
