"""The console's lists beside myOrganizationEvents' status filter: a title search, "upcoming"
(not yet ended), and myOrganizationPlaces, the venues and scenic spots an event may be held at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from culture_cloud.catalog import models as m
from culture_cloud.db import transaction, utcnow
from tests.accounts.factories import add_user, token_for
from tests.conftest import Database
from tests.publishing.factories import World
from tests.support.ids import pk_of

SEARCH = """
query Mine($search: String, $upcoming: Boolean! = false) {
  myOrganizationEvents(first: 50, search: $search, upcoming: $upcoming) {
    totalCount
    edges { node { id title } }
  }
}
"""

PLACES = """
query Places($organizationId: ID) {
  myOrganizationPlaces(organizationId: $organizationId) {
    venues { id name }
    scenicSpots { id name }
  }
}
"""


async def _titles(world: World, **variables: Any) -> list[str]:
    data = await world.api.data(SEARCH, variables, token=await world.token("museum-editor"))
    connection = data["myOrganizationEvents"]
    titles = [edge["node"]["title"] for edge in connection["edges"]]
    assert connection["totalCount"] == len(titles)
    return titles


async def test_search__words_of_the_title__any_case(world: World) -> None:
    await world.create_event("museum-editor", title="介休琉璃艺术讲座")
    await world.create_event("museum-editor", title="Shadow Play 皮影戏专场")
    await world.create_event("museum-editor", title="100% 满意_活动")

    assert await _titles(world, search="琉璃") == ["介休琉璃艺术讲座"]
    assert await _titles(world, search="shadow 皮影") == ["Shadow Play 皮影戏专场"]
    assert await _titles(world, search="shadow 琉璃") == []
    # LIKE's wildcards are plain characters here.
    assert await _titles(world, search="%") == ["100% 满意_活动"]
    assert await _titles(world, search="_") == ["100% 满意_活动"]
    assert len(await _titles(world, search="   ")) == 3


async def test_search__too_long__bad_input_on_search(world: World) -> None:
    body = await world.api.execute(
        SEARCH, {"search": "长" * 51}, token=await world.token("museum-editor")
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "search"


async def test_upcoming__ended_events_left_out(world: World, db: Database) -> None:
    ended = (await world.create_event("museum-editor", title="已结束的讲座"))["event"]
    await world.create_event("museum-editor", title="下周的讲座")
    now = utcnow()
    async with transaction(db.factory) as session:
        await session.execute(
            update(m.Event)
            .where(col(m.Event.id) == pk_of(ended["id"]))
            .values(start_at=now - timedelta(hours=3), end_at=now - timedelta(hours=1))
        )

    assert await _titles(world, upcoming=True) == ["下周的讲座"]
    assert await _titles(world) == ["已结束的讲座", "下周的讲座"]


async def _places(world: World, username: str, **variables: Any) -> dict[str, set[str]]:
    data = await world.api.data(PLACES, variables, token=await world.token(username))
    places = data["myOrganizationPlaces"]
    return {key: {p["name"] for p in places[key]} for key in ("venues", "scenicSpots")}


async def test_places__staff__their_organisations_only(world: World) -> None:
    assert await _places(world, "museum-checker") == {
        "venues": {"介休市博物馆", "博物馆绵山分馆"},
        "scenicSpots": set(),
    }
    assert await _places(world, "spot-editor") == {
        "venues": set(),
        "scenicSpots": {"绵山风景名胜区"},
    }
    everything = await _places(world, "bureau-admin")
    assert everything["venues"] == {"介休市博物馆", "博物馆绵山分馆", "介休市图书馆"}
    library = await _places(world, "bureau-admin", organizationId=world.library_org)
    assert library["venues"] == {"介休市图书馆"}


async def test_places__refused__as_the_events_list(world: World, db: Database) -> None:
    other = await world.api.error_codes(
        PLACES, {"organizationId": world.library_org}, token=await world.token("museum-editor")
    )
    resident = await world.api.error_codes(PLACES, token=await token_for(db, await add_user(db)))
    assert other == ["FORBIDDEN"]
    assert resident == ["FORBIDDEN"]
    assert await world.api.error_codes(PLACES) == ["UNAUTHENTICATED"]
