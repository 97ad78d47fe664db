"""logout: revokes the session (and its rotations); other logins of the same user live on."""

from __future__ import annotations

from tests.accounts.factories import ME, add_admin
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

LOGOUT = "mutation { logout { ok } }"
REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"


async def test_logout__signed_in__revokes_this_session(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    here = await api.login("bureau-chief")
    elsewhere = await api.login("bureau-chief")

    assert (await api.data(LOGOUT, token=here["accessToken"])) == {"logout": {"ok": True}}

    assert await api.error_codes(ME, token=here["accessToken"]) == ["UNAUTHENTICATED"]
    assert await api.error_codes(REFRESH, {"t": here["refreshToken"]}) == ["UNAUTHENTICATED"]
    assert (await api.data(ME, token=elsewhere["accessToken"]))["me"]["username"] == "bureau-chief"


async def test_logout__after_refresh__revokes_every_rotation(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    login = await api.login("bureau-chief")
    rotated = (await api.data(REFRESH, {"t": login["refreshToken"]}))["refreshToken"]

    await api.data(LOGOUT, token=rotated["accessToken"])

    assert await api.error_codes(ME, token=login["accessToken"]) == ["UNAUTHENTICATED"]
    assert await api.error_codes(ME, token=rotated["accessToken"]) == ["UNAUTHENTICATED"]


async def test_logout__anonymous__unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(LOGOUT) == ["UNAUTHENTICATED"]
