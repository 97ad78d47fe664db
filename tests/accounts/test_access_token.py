"""Access tokens: only a valid, unexpired, untampered token of a live session identifies a caller.
Public fields keep working for anonymous callers and for callers with a bad token."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from culture_cloud.accounts import tokens
from culture_cloud.db import transaction, utcnow
from culture_cloud.settings import Settings
from tests.accounts.factories import ME, add_admin
from tests.conftest import Database
from tests.support.graphql import GraphQLClient

REGIONS = "{ regions { name } }"


async def _expired_token(db: Database) -> str:
    admin = await add_admin(db, username="clock-watcher")
    async with transaction(db.factory) as session:
        # A real session, minted 20 minutes ago: only the token's age is wrong.
        pair = await tokens.start_session(
            session, db.settings, user=admin, now=utcnow() - timedelta(minutes=20)
        )
    return pair.access_token


def _tamper(token: str) -> str:
    """Promote the token's payload to another user, keeping the old signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(int(claims["sub"]) + 1)
    claims["kind"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


async def test_access_token__valid__identifies_the_caller(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    me = (await api.data(ME, token=await api.token("bureau-chief")))["me"]
    assert (me["kind"], me["username"]) == ("ADMIN", "bureau-chief")


async def test_access_token__none__me_unauthenticated(api: GraphQLClient) -> None:
    assert await api.error_codes(ME) == ["UNAUTHENTICATED"]


async def test_access_token__expired__unauthenticated(api: GraphQLClient, db: Database) -> None:
    assert await api.error_codes(ME, token=await _expired_token(db)) == ["UNAUTHENTICATED"]


async def test_access_token__tampered__unauthenticated(api: GraphQLClient, db: Database) -> None:
    await add_admin(db, username="bureau-chief")
    await add_admin(db, username="other-admin")
    token = await api.token("bureau-chief")

    assert await api.error_codes(ME, token=_tamper(token)) == ["UNAUTHENTICATED"]
    # The control: the untampered token works.
    assert (await api.data(ME, token=token))["me"]["username"] == "bureau-chief"


async def test_access_token__other_secret__unauthenticated(
    api: GraphQLClient, db: Database
) -> None:
    admin = await add_admin(db, username="bureau-chief")
    async with transaction(db.factory) as session:
        pair = await tokens.start_session(session, db.settings, user=admin, now=utcnow())
    other = Settings(database_url=db.url, secret_key="another-secret-" * 3)
    forged, _ = tokens.mint_access_token(
        other, user=admin, session_id=pair.session_id, now=utcnow()
    )

    assert await api.error_codes(ME, token=forged) == ["UNAUTHENTICATED"]


async def test_access_token__alg_none__unauthenticated(api: GraphQLClient, db: Database) -> None:
    admin = await add_admin(db, username="bureau-chief")
    async with transaction(db.factory) as session:
        pair = await tokens.start_session(session, db.settings, user=admin, now=utcnow())
    claims = jwt.decode(pair.access_token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")

    assert await api.error_codes(ME, token=unsigned) == ["UNAUTHENTICATED"]


async def test_access_token__revoked_session__unauthenticated(
    api: GraphQLClient, db: Database
) -> None:
    await add_admin(db, username="bureau-chief")
    token = await api.token("bureau-chief")
    await api.data("mutation { logout { ok } }", token=token)

    assert await api.error_codes(ME, token=token) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "bearer-less-token", "Bearer a b c"],
)
async def test_access_token__malformed_header__unauthenticated(
    api: GraphQLClient, authorization: str
) -> None:
    codes = await api.error_codes(ME, headers={"Authorization": authorization})
    assert codes == ["UNAUTHENTICATED"]


async def test_access_token__bad_token_on_public_query__still_answers(
    api: GraphQLClient, db: Database
) -> None:
    # A stale token left in the mini-program's storage must not break browsing.
    for token in ["garbage", await _expired_token(db)]:
        assert await api.data(REGIONS, token=token) == {"regions": []}


async def test_access_token__claims__name_user_session_and_role(db: Database) -> None:
    admin = await add_admin(db, username="bureau-chief")
    now = utcnow()
    token, expires_at = tokens.mint_access_token(db.settings, user=admin, session_id="s-1", now=now)
    claims = jwt.decode(token, options={"verify_signature": False})

    assert claims["sub"] == str(admin.id)
    assert (claims["sid"], claims["kind"], claims["org"], claims["role"]) == (
        "s-1",
        "admin",
        None,
        None,
    )
    assert claims["exp"] - claims["iat"] == db.settings.access_token_ttl_seconds == 15 * 60
    assert expires_at == now + timedelta(seconds=15 * 60)
