"""myOrganizationEvents: the staff console's list — the caller's organisation, drafts
included; administrators choose an organisation or see all."""

from __future__ import annotations

from typing import Any

from tests.publishing.factories import DAY, MY_ORGANIZATION_EVENTS, World, iso


async def _mine(world: World, username: str | None, **variables: Any) -> dict[str, Any]:
    token = None if username is None else await world.token(username)
    data = await world.api.data(MY_ORGANIZATION_EVENTS, {"first": 50, **variables}, token=token)
    result: dict[str, Any] = data["myOrganizationEvents"]
    return result


def _ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_my_organization_events__staff__own_drafts_and_published_only(
    world: World,
) -> None:
    draft = (await world.create_event("museum-editor", title="草稿"))["event"]
    public = await world.published_event(
        "museum-editor",
        title="已发布",
        startAt=iso(DAY, 14),
        endAt=iso(DAY, 15),
        bookingClosesAt=None,
        bookingOpensAt=None,
    )
    other = (await world.create_event("library-editor", place=world.library_venue))["event"]

    for username in ("museum-editor", "museum-checker", "museum-manager"):
        mine = await _mine(world, username)
        assert _ids(mine) == [draft["id"], public["id"]], username
        assert mine["totalCount"] == 2
    assert _ids(await _mine(world, "library-editor")) == [other["id"]]
    drafts = await _mine(world, "museum-editor", status="DRAFT")
    assert _ids(drafts) == [draft["id"]] and drafts["totalCount"] == 1


async def test_my_organization_events__pages__keyset_cursor(world: World) -> None:
    created = await world.create_event(
        "museum-editor", recurrence={"weekdays": [6], "until": "2030-05-25"}
    )
    expected = [o["id"] for o in created["occurrences"]]

    first = await _mine(world, "museum-editor", first=3)
    rest = await _mine(world, "museum-editor", first=3, after=first["pageInfo"]["endCursor"])

    assert _ids(first) + _ids(rest) == expected
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)


async def test_my_organization_events__admin__all_or_one_organisation(world: World) -> None:
    museum = (await world.create_event("museum-editor"))["event"]
    library = (await world.create_event("library-editor", place=world.library_venue))["event"]

    everything = await _mine(world, "bureau-admin")
    only_library = await _mine(world, "bureau-admin", organizationId=world.library_org)

    assert set(_ids(everything)) == {museum["id"], library["id"]}
    assert _ids(only_library) == [library["id"]]


async def test_my_organization_events__staff_naming_other_org__forbidden(world: World) -> None:
    codes = await world.api.error_codes(
        MY_ORGANIZATION_EVENTS,
        {"organizationId": world.library_org},
        token=await world.token("museum-editor"),
    )

    assert codes == ["FORBIDDEN"]


async def test_my_organization_events__anonymous__unauthenticated(world: World) -> None:
    assert await world.api.error_codes(MY_ORGANIZATION_EVENTS, {}) == ["UNAUTHENTICATED"]
