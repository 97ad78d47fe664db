"""organizationStaff (an organisation's managers and administrators) and organizations
(administrators): the lists the console's staff pages are built on."""

from __future__ import annotations

from culture_cloud.catalog.models import OrganizationKind
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_admin, add_staff
from tests.catalog.factories import organization_id
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid
from tests.support.roles import cast_of, matrix

STAFF = """
query Staff($org: ID!, $first: Int, $after: String, $role: StaffRole, $active: Boolean) {
  organizationStaff(organizationId: $org, first: $first, after: $after, role: $role,
                    active: $active) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { username staffRole isActive phone realName organization { name } } }
  }
}
"""

ORGANIZATIONS = """
query Orgs($first: Int, $after: String, $kind: OrganizationKind) {
  organizations(first: $first, after: $after, kind: $kind) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name kind } }
  }
}
"""


async def test_organization_staff__manager__own_staff_masked_filtered_paged(
    db: Database, api: GraphQLClient
) -> None:
    museum = await organization_id(db, "介休市博物馆")
    library = await organization_id(db, "介休市图书馆")
    manager = await add_staff(db, museum, StaffRole.MANAGER, username="m-boss", password=None)
    await add_staff(
        db,
        museum,
        StaffRole.EDITOR,
        username="m-editor",
        phone="13800003333",
        real_name="钱多多",
        password=None,
    )
    await add_staff(
        db, museum, StaffRole.CHECKER, username="m-gate", is_active=False, password=None
    )
    await add_staff(db, library, StaffRole.EDITOR, username="l-editor", password=None)
    org = gid("Organization", museum)

    everyone = (await api.data(STAFF, {"org": org}, user=manager))["organizationStaff"]
    page = (await api.data(STAFF, {"org": org, "first": 2}, user=manager))["organizationStaff"]
    rest = (
        await api.data(
            STAFF, {"org": org, "first": 2, "after": page["pageInfo"]["endCursor"]}, user=manager
        )
    )["organizationStaff"]
    editors = (await api.data(STAFF, {"org": org, "role": "EDITOR"}, user=manager))[
        "organizationStaff"
    ]
    disabled = (await api.data(STAFF, {"org": org, "active": False}, user=manager))[
        "organizationStaff"
    ]

    nodes = [edge["node"] for edge in everyone["edges"]]
    assert [n["username"] for n in nodes] == ["m-boss", "m-editor", "m-gate"]
    assert everyone["totalCount"] == 3
    assert (nodes[1]["phone"], nodes[1]["realName"]) == ("138****3333", "钱**")
    assert {n["organization"]["name"] for n in nodes} == {"介休市博物馆"}
    names = [e["node"]["username"] for e in page["edges"] + rest["edges"]]
    assert names == ["m-boss", "m-editor", "m-gate"] and not rest["pageInfo"]["hasNextPage"]
    assert [e["node"]["username"] for e in editors["edges"]] == ["m-editor"]
    assert [(e["node"]["username"], e["node"]["isActive"]) for e in disabled["edges"]] == [
        ("m-gate", False)
    ]


async def test_organization_staff__who_may__its_managers_and_administrators(
    db: Database, api: GraphQLClient
) -> None:
    ours, theirs = await organization_id(db), await organization_id(db, "介休市图书馆")
    cast = await cast_of(db, ours, theirs)
    assert await matrix(api, STAFF, {"org": gid("Organization", ours)}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "FORBIDDEN",
        "editor": "FORBIDDEN",
        "manager": "ok",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
    missing = {"org": gid("Organization", 999_999)}
    assert await api.error_codes(STAFF, missing, user=cast["admin"]) == ["NOT_FOUND"]
    # A manager learns nothing about other organisations, existing or not.
    assert await api.error_codes(STAFF, missing, user=cast["manager"]) == ["FORBIDDEN"]


async def test_organizations__administrator__by_name_filtered_paged(
    db: Database, api: GraphQLClient
) -> None:
    admin = await add_admin(db, password=None)
    for name, kind in (
        ("介休市图书馆", OrganizationKind.LIBRARY),
        ("介休市博物馆", OrganizationKind.MUSEUM),
        ("介休市文化馆", OrganizationKind.CULTURE_HALL),
    ):
        await organization_id(db, name, kind=kind)

    everything = (await api.data(ORGANIZATIONS, {}, user=admin))["organizations"]
    first = (await api.data(ORGANIZATIONS, {"first": 2}, user=admin))["organizations"]
    rest = (
        await api.data(
            ORGANIZATIONS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, user=admin
        )
    )["organizations"]
    museums = (await api.data(ORGANIZATIONS, {"kind": "MUSEUM"}, user=admin))["organizations"]

    names = [edge["node"]["name"] for edge in everything["edges"]]
    # 博 < 图 < 文 both by code point and by pinyin, whatever the database's collation.
    assert names == ["介休市博物馆", "介休市图书馆", "介休市文化馆"]
    assert everything["totalCount"] == 3
    assert [e["node"]["name"] for e in first["edges"] + rest["edges"]] == names
    assert [e["node"]["name"] for e in museums["edges"]] == ["介休市博物馆"]


async def test_organizations__who_may__administrators_only(
    db: Database, api: GraphQLClient
) -> None:
    ours, theirs = await organization_id(db), await organization_id(db, "介休市图书馆")
    cast = await cast_of(db, ours, theirs)
    assert await matrix(api, ORGANIZATIONS, {}, cast) == {
        "anonymous": "UNAUTHENTICATED",
        "resident": "FORBIDDEN",
        "checker": "FORBIDDEN",
        "editor": "FORBIDDEN",
        "manager": "FORBIDDEN",
        "other_manager": "FORBIDDEN",
        "admin": "ok",
    }
