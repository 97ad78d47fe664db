"""refreshToken: rotates on every use; reusing a rotated token revokes the whole login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from culture_cloud.accounts import tokens
from culture_cloud.accounts.models import AuthSession
from culture_cloud.db import transaction, utcnow
from tests.accounts.factories import ME, add_admin
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

REFRESH = """
mutation Refresh($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { accessToken refreshToken user { username } }
}
"""


async def _refresh(api: GraphQLClient, refresh_token: str) -> dict[str, Any]:
    data = await api.data(REFRESH, {"refreshToken": refresh_token})
    result: dict[str, Any] = data["refreshToken"]
    return result


async def test_refresh_token__valid__rotates(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    login = await api.login("bureau-chief")

    first = await _refresh(api, login["refreshToken"])
    second = await _refresh(api, first["refreshToken"])

    assert len({login["refreshToken"], first["refreshToken"], second["refreshToken"]}) == 3
    assert first["user"]["username"] == "bureau-chief"
    assert (await api.data(ME, token=second["accessToken"]))["me"]["username"] == "bureau-chief"
    async with db.factory() as session:
        rows = (await session.execute(select(AuthSession))).scalars().all()
    # One family, three generations; only the newest is unrotated; hashes only are stored.
    assert len({row.family_id for row in rows}) == 1
    assert sum(row.rotated_at is None for row in rows) == 1
    assert all(row.refresh_token_hash != second["refreshToken"] for row in rows)


async def test_refresh_token__reused_old_token__revokes_family(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    login = await api.login("bureau-chief")
    # The owner refreshes; a thief who copied the original token then uses it.
    owners = await _refresh(api, login["refreshToken"])

    assert await api.error_codes(REFRESH, {"refreshToken": login["refreshToken"]}) == [
        "UNAUTHENTICATED"
    ]
    # Both parties are out: the owner's newer tokens died with the family.
    assert await api.error_codes(REFRESH, {"refreshToken": owners["refreshToken"]}) == [
        "UNAUTHENTICATED"
    ]
    assert await api.error_codes(ME, token=owners["accessToken"]) == ["UNAUTHENTICATED"]
    assert await api.error_codes(ME, token=login["accessToken"]) == ["UNAUTHENTICATED"]


async def test_refresh_token__reuse__other_logins_unaffected(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    phone = await api.login("bureau-chief")
    laptop = await api.login("bureau-chief")
    await _refresh(api, phone["refreshToken"])

    await api.error_codes(REFRESH, {"refreshToken": phone["refreshToken"]})

    assert (await api.data(ME, token=laptop["accessToken"]))["me"]["username"] == "bureau-chief"
    assert (await _refresh(api, laptop["refreshToken"]))["user"]["username"] == "bureau-chief"


async def test_refresh_token__unknown__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(REFRESH, {"refreshToken": "made-up"}) == ["UNAUTHENTICATED"]


async def test_refresh_token__expired__unauthenticated(api: GraphQLClient, db: Database) -> None:
    admin = await add_admin(db, username="bureau-chief")
    long_ago = utcnow() - timedelta(days=db.settings.refresh_token_ttl_days + 1)
    async with transaction(db.factory) as session:
        pair = await tokens.start_session(session, db.settings, user=admin, now=long_ago)

    assert await api.error_codes(REFRESH, {"refreshToken": pair.refresh_token}) == [
        "UNAUTHENTICATED"
    ]


async def test_refresh_token__after_logout__unauthenticated(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    login = await api.login("bureau-chief")
    await api.data("mutation { logout { ok } }", token=login["accessToken"])

    assert await api.error_codes(REFRESH, {"refreshToken": login["refreshToken"]}) == [
        "UNAUTHENTICATED"
    ]
