"""Drafts exist only for their organisation: `node` answers null to everyone else (a stale
token included) and public lists, search, nearby and region counts never show them."""

from __future__ import annotations

from tests.publishing.factories import MUSEUM_AT, NODE, World, events_found, events_in_list

REGION_COUNTS = "{ regions { id eventCount } }"
NEARBY = """
query Nearby($lat: Float!, $lng: Float!) {
  nearby(lat: $lat, lng: $lng, radiusKm: 1, kinds: [EVENT]) { edges { node { ... on Event { id } } } }
}
"""


async def _node(world: World, event_id: str, username: str | None = None) -> object:
    token = None if username is None else await world.token(username)
    return (await world.api.data(NODE, {"id": event_id}, token=token))["node"]


async def test_node__draft__visible_to_its_organisation_and_admins(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    for username in ("museum-editor", "museum-checker", "museum-manager", "bureau-admin"):
        node = await _node(world, draft["id"], username)
        assert node == {
            "__typename": "Event",
            "id": draft["id"],
            "title": draft["title"],
            "status": "DRAFT",
        }, username


async def test_node__draft__null_for_public_and_other_organisations(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    assert await _node(world, draft["id"]) is None
    for username in ("library-editor", "library-manager", "spot-manager"):
        assert await _node(world, draft["id"], username) is None, username
    bad_token = await world.api.data(NODE, {"id": draft["id"]}, token="not-a-token")
    assert bad_token == {"node": None}


async def test_public_lists__draft__excluded_everywhere(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]
    public = await world.published_event("museum-editor", title="公开的琉璃讲座")

    listed = await events_in_list(world.api)
    found = await events_found(world.api, "琉璃讲座")
    nearby = await world.api.data(NEARBY, {"lat": MUSEUM_AT[0], "lng": MUSEUM_AT[1]})
    counts = {r["id"]: r["eventCount"] for r in (await world.api.data(REGION_COUNTS))["regions"]}

    assert public["id"] in listed and draft["id"] not in listed
    assert public["id"] in found and draft["id"] not in found
    # nearby only lists events that have not ended; these are in 2030.
    assert [e["node"]["id"] for e in nearby["nearby"]["edges"]] == [public["id"]]
    assert counts[world.region_north] == 1
    # Signed in as the owning organisation changes nothing in the public lists.
    token = await world.token("museum-editor")
    signed_in = await world.api.data(
        "{ events(first: 100) { edges { node { id } } } }", token=token
    )
    assert draft["id"] not in [e["node"]["id"] for e in signed_in["events"]["edges"]]
