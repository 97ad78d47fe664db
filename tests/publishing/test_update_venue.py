"""updateVenue: the organisation's managers (and administrators) edit the venue profile; when
the venue moves, its events' copied coordinates and region move with it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from culture_cloud.catalog.models import Event
from culture_cloud.db import transaction
from culture_cloud.global_ids import from_global_id
from tests.conftest import Database
from tests.publishing.factories import UPDATE_VENUE, World, events_in_list
from tests.support.ids import gid

NEW_SITE_GCJ02 = {"lat": 37.0301, "lng": 111.9261, "system": "GCJ02", "note": "新馆址"}

NEARBY_VENUES = """
query Venues($filter: VenueFilter) { venues(first: 50, filter: $filter) { edges { node { id } } } }
"""
EVENT_LOCATIONS = """
query Located($near: NearInput!) {
  events(first: 50, filter: { near: $near }) { edges { node { id location { lat lng } } } }
}
"""


async def _update(world: World, username: str, venue_id: str, **changes: Any) -> dict[str, Any]:
    data = await world.api.data(
        UPDATE_VENUE, {"id": venue_id, "input": changes}, token=await world.token(username)
    )
    result: dict[str, Any] = data["updateVenue"]
    return result


async def test_update_venue__manager__profile_fields_updated(world: World) -> None:
    result = await _update(
        world,
        "museum-manager",
        world.museum_venue,
        description="国家三级博物馆，藏品五千余件。",
        address="介休老城顺城街",
        phone="0354-7222222",
        facilities=["exhibition_hall", "lockers"],
        accessibility=["wheelchair_ramp"],
        images=["https://img.example.cn/museum/front.jpg"],
        tags=["博物馆", "琉璃"],
        admission="free",
        openingHours={
            "weekly": [
                {"weekday": 2, "periods": [{"open": "09:00", "close": "17:00"}]},
                {
                    "weekday": 6,
                    "periods": [
                        {"open": "13:30", "close": "17:00"},
                        {"open": "09:00", "close": "12:00"},
                    ],
                },
            ],
            "lastEntry": "16:00",
            "closedNote": "周一闭馆",
            "asOf": 2026,
        },
    )

    assert result["__typename"] == "UpdateVenueSuccess", result
    venue = result["venue"]
    assert venue["description"] == "国家三级博物馆，藏品五千余件。"
    assert (venue["address"], venue["phone"], venue["admission"]) == (
        "介休老城顺城街",
        "0354-7222222",
        "free",
    )
    assert venue["facilities"] == ["exhibition_hall", "lockers"]
    assert venue["images"] == ["https://img.example.cn/museum/front.jpg"]
    hours = venue["openingHours"]
    assert (hours["lastEntry"], hours["closedNote"], hours["asOf"]) == ("16:00", "周一闭馆", 2026)
    weekly = {day["weekday"]: day for day in hours["weekly"]}
    assert weekly[1]["closed"] is True
    assert weekly[2]["periods"] == [{"open": "09:00", "close": "17:00"}]
    assert [p["open"] for p in weekly[6]["periods"]] == ["09:00", "13:30"]
    # Tag rows follow, so the tag filter finds it.
    tagged = await world.api.data(NEARBY_VENUES, {"filter": {"tags": ["琉璃"]}})
    assert [e["node"]["id"] for e in tagged["venues"]["edges"]] == [world.museum_venue]


async def test_update_venue__location_change__propagates_to_its_events(world: World) -> None:
    published = await world.published_event("museum-editor")
    draft = (await world.create_event("museum-editor", title="草稿讲座"))["event"]
    elsewhere = await world.published_event("museum-editor", place=world.museum_annex)

    result = await _update(
        world,
        "museum-manager",
        world.museum_venue,
        location=NEW_SITE_GCJ02,
        regionId=world.region_mountain,
    )

    venue = result["venue"]
    # Stored in WGS84: the GCJ-02 input is a few hundred metres off.
    assert venue["location"]["lat"] != NEW_SITE_GCJ02["lat"]
    assert venue["location"]["note"] == "新馆址"
    assert venue["region"]["id"] == world.region_mountain
    new_site = {"lat": venue["location"]["lat"], "lng": venue["location"]["lng"]}
    token = await world.token("museum-editor")
    for event_id in (published["id"], draft["id"]):
        node = await world.api.data(
            "query($id: ID!) { node(id: $id) { ... on Event { "
            "location { lat lng note } region { id } } } }",
            {"id": event_id},
            token=token,
        )
        assert node["node"]["location"] == {**new_site, "note": "新馆址"}, event_id
        assert node["node"]["region"]["id"] == world.region_mountain
    # Distance filters use the copies: the event is found around the new site only.
    near_new = {**new_site, "radiusKm": 0.5}
    found = await world.api.data(EVENT_LOCATIONS, {"near": near_new})
    assert [e["node"]["id"] for e in found["events"]["edges"]] == [published["id"]]
    assert published["id"] in await events_in_list(world.api, regionId=world.region_mountain)
    # An event at the organisation's other venue keeps its own place.
    annex = await world.api.data(
        "query($id: ID!) { node(id: $id) { ... on Event { location { lat lng } } } }",
        {"id": elsewhere["id"]},
    )
    assert annex["node"]["location"] == {k: elsewhere["location"][k] for k in ("lat", "lng")}


async def test_update_venue__location_change__guest_organisations_keep_their_events(
    world: World, db: Database
) -> None:
    """A troupe performing at the museum (as a menu delivery would) keeps its event when the
    museum moves; the museum's own events move with it and stay the museum's."""
    own = await world.published_event("museum-editor")
    guest = await world.published_event("museum-editor", title="晋剧进馆演出")
    _, guest_pk = from_global_id(guest["id"])
    _, library_pk = from_global_id(world.library_org)
    async with transaction(db.factory) as session:
        await session.execute(
            update(Event).where(Event.id == guest_pk).values(organization_id=library_pk)  # type: ignore[arg-type]
        )

    await _update(world, "museum-manager", world.museum_venue, location=NEW_SITE_GCJ02)

    owners = await world.api.data(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Event { organization { id } "
        "location { note } } } b: node(id: $b) { ... on Event { organization { id } "
        "location { note } } } }",
        {"a": own["id"], "b": guest["id"]},
    )
    assert owners["a"]["organization"]["id"] == world.museum_org
    assert owners["b"]["organization"]["id"] == world.library_org
    assert owners["a"]["location"]["note"] == owners["b"]["location"]["note"] == "新馆址"


async def test_update_venue__editor__forbidden(world: World) -> None:
    codes = await world.api.error_codes(
        UPDATE_VENUE,
        {"id": world.museum_venue, "input": {"description": "x"}},
        token=await world.token("museum-editor"),
    )

    assert codes == ["FORBIDDEN"]


async def test_update_venue__other_org_manager__forbidden(world: World) -> None:
    codes = await world.api.error_codes(
        UPDATE_VENUE,
        {"id": world.museum_venue, "input": {"description": "x"}},
        token=await world.token("library-manager"),
    )

    assert codes == ["FORBIDDEN"]


async def test_update_venue__admin__any_venue(world: World) -> None:
    result = await _update(world, "bureau-admin", world.library_venue, phone="0354-7111111")

    assert result["venue"]["phone"] == "0354-7111111"


async def test_update_venue__unknown_venue__not_found(world: World) -> None:
    result = await _update(world, "bureau-admin", gid("Venue", 99_999), phone="0354-7111111")

    assert (result["code"], result["field"]) == ("NOT_FOUND", "id")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"images": ["data:image/png;base64,AAAA"]}, "images"),
        ({"phone": "call me"}, "phone"),
        ({"admission": "maybe"}, "admission"),
        ({"location": {"lat": 97.0, "lng": 111.9}}, "location.lat"),
        (
            {"openingHours": {"weekly": [{"weekday": 8, "periods": []}]}},
            "openingHours.weekly",
        ),
        (
            {
                "openingHours": {
                    "weekly": [{"weekday": 1, "periods": [{"open": "17:00", "close": "09:00"}]}]
                }
            },
            "openingHours.weekly",
        ),
        (
            {
                "openingHours": {
                    "weekly": [{"weekday": 1, "periods": [{"open": "9", "close": "x"}]}]
                }
            },
            "openingHours.weekly",
        ),
        ({"regionId": gid("Region", 99_999)}, "regionId"),
    ],
)
async def test_update_venue__invalid_input__input_error_with_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    result = await _update(world, "museum-manager", world.museum_venue, **changes)

    assert result["__typename"] == "InputError", result
    assert result["field"] == field
