"""createOrganization: administrators only; recorded in the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from culture_cloud.audit.models import AuditLog
from culture_cloud.catalog.models import Organization
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from tests.accounts.factories import add_admin, add_staff
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

CREATE_ORGANIZATION = """
mutation Create($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    __typename
    ... on CreateOrganizationSuccess { organization { id name kind } }
    ... on UserError { code field message }
  }
}
"""

TROUPE: dict[str, Any] = {"name": "介休市晋剧团", "kind": "TROUPE", "key": "jiexiu-jinju-troupe"}


async def test_create_organization__admin__created_and_audited(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (await api.data(CREATE_ORGANIZATION, {"input": TROUPE}, token=token))[
        "createOrganization"
    ]

    assert result["__typename"] == "CreateOrganizationSuccess"
    assert result["organization"]["name"] == "介休市晋剧团"
    assert result["organization"]["kind"] == "TROUPE"
    async with db.factory() as session:
        org = (
            await session.execute(select(Organization).where(Organization.key == TROUPE["key"]))
        ).scalar_one()
        [entry] = (await session.execute(select(AuditLog))).scalars().all()
    assert result["organization"]["id"] == gid("Organization", org.id)
    assert (entry.actor_user_id, entry.action) == (admin.id, "organization.create")
    assert (entry.target_type, entry.target_id) == ("Organization", org.id)
    assert entry.before is None
    assert entry.after == {"key": "jiexiu-jinju-troupe", "name": "介休市晋剧团", "kind": "troupe"}
    assert entry.ip == "127.0.0.1"


async def test_create_organization__duplicate_key__conflict(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")
    await api.data(CREATE_ORGANIZATION, {"input": TROUPE}, token=token)

    again = (await api.data(CREATE_ORGANIZATION, {"input": TROUPE}, token=token))[
        "createOrganization"
    ]

    assert (again["__typename"], again["code"], again["field"]) == ("InputError", "CONFLICT", "key")


async def test_create_organization__blank_name__bad_input(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (
        await api.data(
            CREATE_ORGANIZATION, {"input": {"name": "  ", "kind": "MUSEUM"}}, token=token
        )
    )["createOrganization"]

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "name")


async def test_create_organization__staff_manager__forbidden(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        org = (await add_organization(session)).id
    await add_staff(db, org, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")

    assert await api.error_codes(CREATE_ORGANIZATION, {"input": TROUPE}, token=token) == [
        "FORBIDDEN"
    ]
    async with db.factory() as session:
        assert (await session.execute(select(AuditLog))).first() is None


async def test_create_organization__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(CREATE_ORGANIZATION, {"input": TROUPE}) == ["UNAUTHENTICATED"]
