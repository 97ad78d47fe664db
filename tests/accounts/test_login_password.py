"""loginWithPassword: staff and administrators sign in with username and password (argon2)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from tests.accounts.factories import (
    LOGIN_WITH_PASSWORD,
    ME,
    PASSWORD,
    add_admin,
    add_staff,
    add_user,
)
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import GraphQLClient


async def _login(api: GraphQLClient, username: str, password: str) -> dict[str, str]:
    data = await api.data(LOGIN_WITH_PASSWORD, {"username": username, "password": password})
    result: dict[str, str] = data["loginWithPassword"]
    return result


async def test_login_password__staff__gets_tokens_for_their_account(
    api: GraphQLClient, db: Database
) -> None:
    async with transaction(db.factory) as session:
        org = (await add_organization(session, "介休市博物馆")).id
    await add_staff(db, org, StaffRole.EDITOR, username="museum-ed", phone="13800001234")

    result = await _login(api, "museum-ed", PASSWORD)

    assert result["__typename"] == "AuthPayload"
    me = (await api.data(ME, token=result["accessToken"]))["me"]
    assert me["kind"] == "STAFF"
    assert me["staffRole"] == "EDITOR"
    assert me["organization"] == {"name": "介休市博物馆"}
    assert me["phone"] == "13800001234"


async def test_login_password__username_case_and_spaces__ignored(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    assert (await _login(api, "  Bureau-Chief ", PASSWORD))["__typename"] == "AuthPayload"


async def test_login_password__wrong_password__invalid_credentials(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")

    result = await _login(api, "bureau-chief", "not-the-password")

    assert result["__typename"] == "LoginError"
    assert result["code"] == "INVALID_CREDENTIALS"


async def test_login_password__unknown_user__same_answer_as_wrong_password(
    api: GraphQLClient,
) -> None:
    result = await _login(api, "nobody-here", PASSWORD)

    assert (result["__typename"], result["code"]) == ("LoginError", "INVALID_CREDENTIALS")


async def test_login_password__resident_without_password__refused(
    api: GraphQLClient, db: Database
) -> None:
    # Residents have no password; even a username on their row must not open a password login.
    await add_user(db, username="resident-with-name", password=None)

    result = await _login(api, "resident-with-name", "")

    assert result["code"] == "INVALID_CREDENTIALS"


async def test_login_password__deactivated_account__account_disabled(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="gone-admin")
    async with transaction(db.factory) as session:
        await session.execute(update(User).where(col(User.id) == admin.id).values(is_active=False))

    result = await _login(api, "gone-admin", PASSWORD)

    assert (result["__typename"], result["code"]) == ("LoginError", "ACCOUNT_DISABLED")


async def test_login_password__oversized_username_and_password__plain_failure(
    api: GraphQLClient,
) -> None:
    # Within the input guard's 10,000-character cap, far beyond any real username or password.
    result = await _login(api, "x" * 5000, "p" * 10_000)

    assert (result["__typename"], result["code"]) == ("LoginError", "INVALID_CREDENTIALS")
