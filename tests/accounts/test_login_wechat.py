"""loginWithWechat: residents sign in with a wx.login code through the fake WeChat server."""

from __future__ import annotations

import base64
import logging

import pytest
from sqlalchemy import select

from culture_cloud.accounts.models import AuthSession, User
from culture_cloud.identity import UserKind
from culture_cloud.testing.fake_wechat import FakeWechat
from tests.accounts.factories import LOGIN_WITH_WECHAT, ME
from tests.conftest import Database
from tests.support.graphql import GraphQLClient


def _jwt_payload(token: str) -> str:
    payload = token.split(".")[1]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


async def test_login_wechat__first_login__creates_resident(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    code = wechat.issue_login_code("o-resident-1", "u-union-1")

    result = (await api.data(LOGIN_WITH_WECHAT, {"code": code}))["loginWithWechat"]

    assert result["__typename"] == "AuthPayload"
    assert result["tokenType"] == "Bearer"
    assert result["user"]["kind"] == "RESIDENT"
    me = (await api.data(ME, token=result["accessToken"]))["me"]
    assert me["id"] == result["user"]["id"]
    async with db.factory() as session:
        [user] = (await session.execute(select(User))).scalars().all()
    assert (user.kind, user.openid, user.unionid) == (
        UserKind.RESIDENT,
        "o-resident-1",
        "u-union-1",
    )


async def test_login_wechat__same_openid_twice__same_user(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    first = await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-twice")})
    second = await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-twice")})

    assert first["loginWithWechat"]["user"]["id"] == second["loginWithWechat"]["user"]["id"]
    assert first["loginWithWechat"]["accessToken"] != second["loginWithWechat"]["accessToken"]
    async with db.factory() as session:
        assert len((await session.execute(select(User))).scalars().all()) == 1
        # Two logins, two independent sessions.
        assert len((await session.execute(select(AuthSession))).scalars().all()) == 2


async def test_login_wechat__replayed_code__rejected(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    code = wechat.issue_login_code("o-replay")
    first = (await api.data(LOGIN_WITH_WECHAT, {"code": code}))["loginWithWechat"]

    replay = (await api.data(LOGIN_WITH_WECHAT, {"code": code}))["loginWithWechat"]

    assert first["__typename"] == "AuthPayload"
    assert replay["__typename"] == "LoginError"
    assert (replay["code"], replay["field"]) == ("INVALID_CODE", "code")


@pytest.mark.parametrize("code", ["never-issued", "   "])
async def test_login_wechat__invalid_code__rejected(
    api: GraphQLClient, db: Database, code: str
) -> None:
    result = (await api.data(LOGIN_WITH_WECHAT, {"code": code}))["loginWithWechat"]

    assert result["__typename"] == "LoginError"
    assert result["code"] == "INVALID_CODE"
    async with db.factory() as session:
        assert (await session.execute(select(User))).first() is None


async def test_login_wechat__client_supplied_openid__not_accepted(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    # There is no way to name an openid: the argument does not exist, so the document is invalid.
    codes = await api.error_codes(
        'mutation { loginWithWechat(code: "x", openid: "o-victim") { __typename } }'
    )
    assert codes == ["GRAPHQL_VALIDATION_FAILED"]


async def test_login_wechat__session_key__never_in_response_or_logs(
    api: GraphQLClient, wechat: FakeWechat, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    code = wechat.issue_login_code("o-secretive", "u-secretive")
    session_key = wechat.last_session_key_for("o-secretive")

    response = await api.post(LOGIN_WITH_WECHAT, {"code": code})
    result = response.json()["data"]["loginWithWechat"]
    me = await api.post(ME, token=result["accessToken"])

    assert result["__typename"] == "AuthPayload"
    # The control: the capture does see the WeChat exchange (httpx logs each request).
    assert "jscode2session" in caplog.text
    assert session_key not in response.text
    assert session_key not in me.text
    assert session_key not in _jwt_payload(result["accessToken"])
    assert session_key not in caplog.text
    assert all(session_key not in str(record.args) for record in caplog.records)
    async with db.factory() as session:
        [user] = (await session.execute(select(User))).scalars().all()
    assert session_key not in repr(user.model_dump())


async def test_login_wechat__wechat_down__service_unavailable(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    code = wechat.issue_login_code("o-unlucky")
    wechat.fail_next(1)

    assert await api.error_codes(LOGIN_WITH_WECHAT, {"code": code}) == ["SERVICE_UNAVAILABLE"]
    # WeChat never saw the code, so trying again works.
    result = (await api.data(LOGIN_WITH_WECHAT, {"code": code}))["loginWithWechat"]
    assert result["__typename"] == "AuthPayload"


async def test_login_wechat__deleted_account__signs_up_afresh(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    first = await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-leaver")})
    token = first["loginWithWechat"]["accessToken"]
    await api.data("mutation { deleteMyAccount { ok } }", token=token)

    again = await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-leaver")})

    assert again["loginWithWechat"]["__typename"] == "AuthPayload"
    assert again["loginWithWechat"]["user"]["id"] != first["loginWithWechat"]["user"]["id"]
