"""publishEvent: a draft becomes public — listed, searchable, reachable by node — only then."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from culture_cloud.catalog import models as m
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_staff
from tests.conftest import Database
from tests.publishing.factories import (
    CREATE_EVENT,
    NODE,
    PUBLISH_EVENT,
    World,
    event_input,
    events_found,
    events_in_list,
    iso,
)
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid


async def test_publish_event__museum_editor_on_jiexiu_seed__public_only_after_publishing(
    seeded: Database, api: GraphQLClient
) -> None:
    # The real 介休市博物馆 from the seed, and an editor of its organisation.
    async with seeded.factory() as session:
        museum = (
            await session.execute(select(m.Venue).where(col(m.Venue.key) == "jiexiu-museum"))
        ).scalar_one()
    assert museum.organization_id is not None
    await add_staff(seeded, museum.organization_id, StaffRole.EDITOR, username="liuli-editor")
    token = await api.token("liuli-editor")
    day = date(2030, 6, 1)
    created = (
        await api.data(
            CREATE_EVENT,
            {
                "input": event_input(
                    gid("Venue", museum.id),
                    title="琉璃脊饰修复工作坊",
                    startAt=iso(day, 10),
                    endAt=iso(day, 12),
                    bookingOpensAt=None,
                    bookingClosesAt=None,
                )
            },
            token=token,
        )
    )["createEvent"]
    event_id = created["event"]["id"]
    by_venue = {"venueId": gid("Venue", museum.id), "dateFrom": "2030-06-01"}

    assert event_id not in await events_in_list(api, **by_venue)
    assert event_id not in await events_found(api, "琉璃脊饰修复")
    assert (await api.data(NODE, {"id": event_id}))["node"] is None

    published = (await api.data(PUBLISH_EVENT, {"id": event_id}, token=token))["publishEvent"]

    assert published["__typename"] == "PublishEventSuccess", published
    assert published["event"]["status"] == "PUBLISHED"
    assert published["published"] == [
        {"id": event_id, "status": "PUBLISHED", "startAt": iso(day, 10)}
    ]
    assert event_id in await events_in_list(api, **by_venue)
    assert event_id in await events_found(api, "琉璃脊饰修复")
    assert event_id in await events_found(api, "liuli jishi")  # pinyin, as for seeded rows
    assert (await api.data(NODE, {"id": event_id}))["node"]["status"] == "PUBLISHED"


async def test_publish_event__already_published__conflict(world: World) -> None:
    event = await world.published_event("museum-editor")

    again = await world.api.data(
        PUBLISH_EVENT, {"id": event["id"]}, token=await world.token("museum-editor")
    )

    assert (again["publishEvent"]["code"], again["publishEvent"]["field"]) == ("CONFLICT", "id")


async def test_publish_event__other_org_draft__not_found(world: World) -> None:
    draft = (await world.create_event("library-editor", place=world.library_venue))["event"]

    result = (
        await world.api.data(
            PUBLISH_EVENT, {"id": draft["id"]}, token=await world.token("museum-editor")
        )
    )["publishEvent"]

    assert (result["code"], result["field"]) == ("NOT_FOUND", "id")
    assert draft["id"] not in await events_in_list(world.api)


async def test_publish_event__checker__forbidden(world: World) -> None:
    draft = (await world.create_event("museum-editor"))["event"]

    codes = await world.api.error_codes(
        PUBLISH_EVENT, {"id": draft["id"]}, token=await world.token("museum-checker")
    )

    assert codes == ["FORBIDDEN"]


async def test_publish_event__admin__publishes_any_draft(world: World) -> None:
    draft = (await world.create_event("library-editor", place=world.library_venue))["event"]

    result = (
        await world.api.data(
            PUBLISH_EVENT, {"id": draft["id"]}, token=await world.token("bureau-admin")
        )
    )["publishEvent"]

    assert result["event"]["status"] == "PUBLISHED"


async def test_publish_event__whole_series__publishes_every_draft_occurrence(
    world: World,
) -> None:
    created = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6], "until": "2030-05-25"}
    )
    ids = [o["id"] for o in created["occurrences"]]
    token = await world.token("museum-editor")

    single: dict[str, Any] = (await world.api.data(PUBLISH_EVENT, {"id": ids[1]}, token=token))[
        "publishEvent"
    ]
    rest: dict[str, Any] = (
        await world.api.data(PUBLISH_EVENT, {"id": ids[0], "wholeSeries": True}, token=token)
    )["publishEvent"]

    assert single["__typename"] == "PublishEventSuccess", single
    assert [e["id"] for e in single["published"]] == [ids[1]]
    assert rest["event"]["id"] == ids[0]
    assert [e["id"] for e in rest["published"]] == [ids[0], *ids[2:]]
    listed = await events_in_list(world.api)
    assert all(i in listed for i in ids)
