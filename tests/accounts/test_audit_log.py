"""auditLog: administrators page through every staff and administrator action, newest first."""

from __future__ import annotations

from typing import Any

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_admin, add_staff
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

AUDIT_LOG = """
query Audit($first: Int, $after: String, $actorId: ID, $targetType: String) {
  auditLog(first: $first, after: $after, actorId: $actorId, targetType: $targetType) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id action targetType targetId before after ip createdAt actor { id username } } }
  }
}
"""
CREATE_ORGANIZATION = """
mutation($name: String!) {
  createOrganization(input: { name: $name, kind: COMMUNITY_GROUP }) { __typename }
}
"""
CREATE_STAFF = """
mutation($org: ID!, $username: String!) {
  createStaffAccount(input: {
    organizationId: $org, username: $username, password: "long-enough-pass", role: CHECKER
  }) { __typename }
}
"""


async def _actions(api: GraphQLClient, token: str, **variables: Any) -> list[str]:
    data = await api.data(AUDIT_LOG, {"first": 100, **variables}, token=token)
    return [edge["node"]["action"] for edge in data["auditLog"]["edges"]]


async def test_audit_log__admin__pages_newest_first(api: GraphQLClient, db: Database) -> None:
    admin = await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")
    for i in range(3):
        await api.data(CREATE_ORGANIZATION, {"name": f"社区文化中心 {i}"}, token=token)

    first = (await api.data(AUDIT_LOG, {"first": 2}, token=token))["auditLog"]
    rest = (
        await api.data(
            AUDIT_LOG, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=token
        )
    )["auditLog"]

    names = [e["node"]["after"]["name"] for e in first["edges"] + rest["edges"]]
    assert names == ["社区文化中心 2", "社区文化中心 1", "社区文化中心 0"]
    assert first["totalCount"] == 3
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    node = first["edges"][0]["node"]
    assert node["actor"] == {"id": gid("User", admin.id), "username": "bureau-chief"}
    assert node["targetType"] == "Organization"
    assert node["targetId"] is not None and node["ip"] == "127.0.0.1"
    assert node["createdAt"].endswith("+08:00")


async def test_audit_log__filters__by_actor_and_target_type(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    manager = await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    admin_token = await api.token("bureau-chief")
    manager_token = await api.token("museum-boss")
    await api.data(CREATE_ORGANIZATION, {"name": "新单位"}, token=admin_token)
    await api.data(
        CREATE_STAFF,
        {"org": gid("Organization", museum), "username": "door-1"},
        token=manager_token,
    )

    by_manager = await _actions(api, admin_token, actorId=gid("User", manager.id))
    organizations = await _actions(api, admin_token, targetType="Organization")

    assert by_manager == ["user.create_staff"]
    assert organizations == ["organization.create"]


async def test_audit_log__manager__forbidden(api: GraphQLClient, db: Database) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")

    assert await api.error_codes(AUDIT_LOG, token=token) == ["FORBIDDEN"]


async def test_audit_log__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(AUDIT_LOG) == ["UNAUTHENTICATED"]


async def test_audit_log__first_over_100__bad_input(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    assert await api.error_codes(AUDIT_LOG, {"first": 101}, token=token) == ["BAD_USER_INPUT"]
