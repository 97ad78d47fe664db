"""updateScenicSpot: the operator's managers (and administrators) edit the profile; a move
carries the spot's events along."""

from __future__ import annotations

from typing import Any

import pytest

from tests.publishing.factories import UPDATE_SCENIC_SPOT, World

EVENT_PLACE = "query($id: ID!) { node(id: $id) { ... on Event { location { lat lng } } } }"


async def _update(world: World, username: str, **changes: Any) -> dict[str, Any]:
    data = await world.api.data(
        UPDATE_SCENIC_SPOT,
        {"id": world.spot, "input": changes},
        token=await world.token(username),
    )
    result: dict[str, Any] = data["updateScenicSpot"]
    return result


async def test_update_scenic_spot__manager__profile_and_events_follow(world: World) -> None:
    event = await world.published_event("spot-editor", place=world.spot)

    result = await _update(
        world,
        "spot-manager",
        description="寒食清明文化发源地。",
        phone="0354-7055567",
        tags=["5A景区", "寒食清明"],
        images=["https://img.example.cn/mianshan/1.jpg"],
        seasonalHours=[
            {
                "label": "旺季",
                "fromDate": "04-01",
                "toDate": "10-31",
                "open": "08:00",
                "close": "19:30",
            },
            {
                "label": "淡季",
                "fromDate": "11-01",
                "toDate": "03-31",
                "open": "08:30",
                "close": "18:00",
            },
        ],
        ticketPrices=[{"label": "淡季门票", "yuan": 90}, {"label": "观光车", "yuan": 49.5}],
        location={"lat": 36.8895, "lng": 111.9870},
    )

    assert result["__typename"] == "UpdateScenicSpotSuccess", result
    spot = result["scenicSpot"]
    assert spot["tags"] == ["5A景区", "寒食清明"]
    assert [h["label"] for h in spot["seasonalHours"]] == ["旺季", "淡季"]
    assert [p["yuan"] for p in spot["ticketPrices"]] == [90.0, 49.5]
    assert (spot["location"]["lat"], spot["location"]["lng"]) == (36.8895, 111.987)
    node = (await world.api.data(EVENT_PLACE, {"id": event["id"]}))["node"]
    assert node["location"] == {"lat": 36.8895, "lng": 111.987}


async def test_update_scenic_spot__other_org_manager__forbidden(world: World) -> None:
    codes = await world.api.error_codes(
        UPDATE_SCENIC_SPOT,
        {"id": world.spot, "input": {"description": "x"}},
        token=await world.token("museum-manager"),
    )

    assert codes == ["FORBIDDEN"]


async def test_update_scenic_spot__editor__forbidden(world: World) -> None:
    codes = await world.api.error_codes(
        UPDATE_SCENIC_SPOT,
        {"id": world.spot, "input": {"description": "x"}},
        token=await world.token("spot-editor"),
    )

    assert codes == ["FORBIDDEN"]


async def test_update_scenic_spot__admin__allowed(world: World) -> None:
    result = await _update(world, "bureau-admin", address="介休市绵山镇")

    assert result["scenicSpot"]["address"] == "介休市绵山镇"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "seasonalHours": [
                    {
                        "label": "旺季",
                        "fromDate": "4-1",
                        "toDate": "10-31",
                        "open": "08:00",
                        "close": "19:30",
                    }
                ]
            },
            "seasonalHours",
        ),
        ({"ticketPrices": [{"label": "门票", "yuan": -5}]}, "ticketPrices"),
        ({"images": ["http:///no-host.jpg"]}, "images"),
    ],
)
async def test_update_scenic_spot__invalid_input__input_error_with_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    result = await _update(world, "spot-manager", **changes)

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", field)
