"""createStaffAccount: administrators for any organisation; a manager for their own
organisation, editors and checkers only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.audit.models import AuditLog
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import LOGIN_WITH_PASSWORD, add_admin, add_staff
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient
from tests.support.ids import gid

CREATE_STAFF = """
mutation Create($input: CreateStaffAccountInput!) {
  createStaffAccount(input: $input) {
    __typename
    ... on CreateStaffAccountSuccess {
      user { id kind username staffRole phone organization { name } }
    }
    ... on UserError { code field message }
  }
}
"""

NEW_PASSWORD = "museum-editor-pass-1"


def _input(org_id: int | None, username: str = "new-editor", **values: Any) -> dict[str, Any]:
    return {
        "input": {
            "organizationId": gid("Organization", org_id),
            "username": username,
            "password": NEW_PASSWORD,
            "role": "EDITOR",
            **values,
        }
    }


async def test_create_staff_account__admin__creates_staff_who_can_sign_in(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="bureau-chief")
    async with transaction(db.factory) as session:
        museum = (await add_organization(session, "介休市博物馆")).id
    token = await api.token("bureau-chief")

    result = (
        await api.data(
            CREATE_STAFF,
            _input(museum, "Museum-Manager", role="MANAGER", phone="13912345678"),
            token=token,
        )
    )["createStaffAccount"]

    assert result["__typename"] == "CreateStaffAccountSuccess", result
    user = result["user"]
    assert (user["kind"], user["username"], user["staffRole"]) == (
        "STAFF",
        "museum-manager",
        "MANAGER",
    )
    assert user["organization"] == {"name": "介休市博物馆"}
    # The administrator is not the owner: the phone number comes back masked.
    assert user["phone"] == "139****5678"
    login = await api.data(
        LOGIN_WITH_PASSWORD, {"username": "museum-manager", "password": NEW_PASSWORD}
    )
    assert login["loginWithPassword"]["__typename"] == "AuthPayload"
    async with db.factory() as session:
        [entry] = (await session.execute(select(AuditLog))).scalars().all()
        row = (
            await session.execute(select(User).where(col(User.username) == "museum-manager"))
        ).scalar_one()
    assert (entry.actor_user_id, entry.action, entry.target_type) == (
        admin.id,
        "user.create_staff",
        "User",
    )
    assert entry.target_id == row.id
    assert entry.after is not None and entry.after["staffRole"] == "manager"
    # No secret or unmasked personal data in the audit trail.
    assert "13912345678" not in str(entry.after)
    assert row.password_hash is not None and row.password_hash not in str(entry.after)
    assert row.password_hash.startswith("$argon2id$")


async def test_create_staff_account__manager_own_organization__creates_editor_and_checker(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    manager = await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")

    editor = await api.data(CREATE_STAFF, _input(museum, "m-editor"), token=token)
    checker = await api.data(CREATE_STAFF, _input(museum, "m-checker", role="CHECKER"), token=token)

    assert editor["createStaffAccount"]["user"]["staffRole"] == "EDITOR"
    assert checker["createStaffAccount"]["user"]["staffRole"] == "CHECKER"
    async with db.factory() as session:
        entries = (await session.execute(select(AuditLog))).scalars().all()
    assert [e.actor_user_id for e in entries] == [manager.id, manager.id]


async def test_create_staff_account__manager_other_organization__forbidden(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session, "介休市博物馆")).id
        library = (await add_organization(session, "介休市图书馆")).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")

    assert await api.error_codes(CREATE_STAFF, _input(library), token=token) == ["FORBIDDEN"]
    async with db.factory() as session:
        assert (
            await session.execute(select(User).where(col(User.username) == "new-editor"))
        ).first() is None
        assert (await session.execute(select(AuditLog))).first() is None


async def test_create_staff_account__manager_creating_manager__forbidden(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_staff(db, museum, StaffRole.MANAGER, username="museum-boss")
    token = await api.token("museum-boss")

    codes = await api.error_codes(CREATE_STAFF, _input(museum, role="MANAGER"), token=token)

    assert codes == ["FORBIDDEN"]


async def test_create_staff_account__editor__forbidden(api: GraphQLClient, db: Database) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_staff(db, museum, StaffRole.EDITOR, username="museum-ed")
    token = await api.token("museum-ed")

    assert await api.error_codes(CREATE_STAFF, _input(museum), token=token) == ["FORBIDDEN"]


async def test_create_staff_account__resident__forbidden(
    api: GraphQLClient, db: Database, wechat: FakeWechat
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    token = await api.resident_token(wechat, "o-curious")

    assert await api.error_codes(CREATE_STAFF, _input(museum), token=token) == ["FORBIDDEN"]


async def test_create_staff_account__taken_username__conflict(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (await api.data(CREATE_STAFF, _input(museum, "Bureau-Chief"), token=token))[
        "createStaffAccount"
    ]

    assert (result["__typename"], result["code"], result["field"]) == (
        "InputError",
        "CONFLICT",
        "username",
    )


async def test_create_staff_account__weak_password__bad_input(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        museum = (await add_organization(session)).id
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (await api.data(CREATE_STAFF, _input(museum, password="short"), token=token))[
        "createStaffAccount"
    ]

    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "password")


async def test_create_staff_account__unknown_organization__not_found(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")

    result = (await api.data(CREATE_STAFF, _input(9999), token=token))["createStaffAccount"]

    assert (result["code"], result["field"]) == ("NOT_FOUND", "organizationId")


async def test_create_staff_account__wrong_id_type__invalid_id(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")
    variables = _input(1)
    variables["input"]["organizationId"] = gid("Venue", 1)

    result = (await api.data(CREATE_STAFF, variables, token=token))["createStaffAccount"]

    assert (result["code"], result["field"]) == ("INVALID_ID", "organizationId")
