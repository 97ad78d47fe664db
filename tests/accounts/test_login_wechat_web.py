"""loginWithWechatWeb: WeChat web authorisation (official account) through the fake WeChat
server, linked to the mini-program's resident by unionid, else by the web openid."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.accounts.wechat_web import authorize_url
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.accounts.conftest import WECHAT_APPID, WECHAT_SECRET, app_settings_for
from tests.accounts.factories import LOGIN_WITH_WECHAT, LOGIN_WITH_WECHAT_WEB
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client


async def _web_login(api: GraphQLClient, code: str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(LOGIN_WITH_WECHAT_WEB, {"code": code}))[
        "loginWithWechatWeb"
    ]
    return result


async def _users(db: Database) -> list[User]:
    async with db.factory() as session:
        return list((await session.execute(select(User).order_by(col(User.id)))).scalars().all())


async def test_web_login__first_time__creates_resident_with_web_openid(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    result = await _web_login(api, wechat.issue_oauth_code("o-web-1"))

    assert result["__typename"] == "AuthPayload"
    [user] = await _users(db)
    assert (user.web_openid, user.openid, user.unionid) == ("o-web-1", None, None)


async def test_web_login__same_web_openid_again__same_resident(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    first = await _web_login(api, wechat.issue_oauth_code("o-web-1"))

    second = await _web_login(api, wechat.issue_oauth_code("o-web-1"))

    assert first["user"] == second["user"]
    assert len(await _users(db)) == 1


async def test_web_login__unionid_of_a_mini_program_resident__that_resident(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    mini = (await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-mp", "u-1")}))[
        "loginWithWechat"
    ]

    web = await _web_login(api, wechat.issue_oauth_code("o-web-1", "u-1"))

    assert web["user"]["id"] == mini["user"]["id"]
    [user] = await _users(db)
    assert (user.openid, user.web_openid, user.unionid) == ("o-mp", "o-web-1", "u-1")


async def test_web_login__unionid_only_from_userinfo__still_linked(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-mp", "u-2")})
    asked = wechat.userinfo_requests

    await _web_login(api, wechat.issue_oauth_code("o-web-2", "u-2", unionid_in_token=False))

    assert wechat.userinfo_requests == asked + 1
    [user] = await _users(db)
    assert user.web_openid == "o-web-2"


async def test_web_login__silent_scope_without_unionid__no_userinfo_call(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    asked = wechat.userinfo_requests

    result = await _web_login(api, wechat.issue_oauth_code("o-web-3", scope="snsapi_base"))

    assert result["__typename"] == "AuthPayload"
    assert wechat.userinfo_requests == asked


async def test_web_first_then_mini_program__one_resident_by_unionid(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    web = await _web_login(api, wechat.issue_oauth_code("o-web-4", "u-4"))

    mini = (await api.data(LOGIN_WITH_WECHAT, {"code": wechat.issue_login_code("o-mp-4", "u-4")}))[
        "loginWithWechat"
    ]

    assert mini["user"]["id"] == web["user"]["id"]
    [user] = await _users(db)
    assert (user.openid, user.web_openid) == ("o-mp-4", "o-web-4")


async def test_web_login__unionid_appears_later__recorded_on_the_web_resident(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    # Before the official account was bound to the open platform, WeChat gave no unionid.
    first = await _web_login(api, wechat.issue_oauth_code("o-web-5"))

    second = await _web_login(api, wechat.issue_oauth_code("o-web-5", "u-5"))

    assert first["user"] == second["user"]
    [user] = await _users(db)
    assert user.unionid == "u-5"


async def test_web_login__used_code__invalid_code(api: GraphQLClient, wechat: FakeWechat) -> None:
    code = wechat.issue_oauth_code("o-web-6")
    await _web_login(api, code)

    again = await _web_login(api, code)

    assert (again["__typename"], again["code"], again["field"]) == (
        "LoginError",
        "INVALID_CODE",
        "code",
    )


@pytest.mark.parametrize("code", ["never-issued", "  ", "x" * 200])
async def test_web_login__bad_code__invalid_code(
    api: GraphQLClient, wechat: FakeWechat, db: Database, code: str
) -> None:
    result = await _web_login(api, code)

    assert (result["__typename"], result["code"]) == ("LoginError", "INVALID_CODE")
    assert await _users(db) == []


async def test_web_login__snapshot_page_visitor__refused_and_nobody_created(
    api: GraphQLClient, wechat: FakeWechat, db: Database
) -> None:
    result = await _web_login(
        api, wechat.issue_oauth_code("o-snapshot", scope="snsapi_base", snapshot=True)
    )

    assert (result["__typename"], result["code"]) == ("LoginError", "INVALID_CODE")
    assert await _users(db) == []


async def test_web_login__wechat_down__service_unavailable(
    api: GraphQLClient, wechat: FakeWechat
) -> None:
    code = wechat.issue_oauth_code("o-web-7")
    wechat.fail_next(1)

    assert await api.error_codes(LOGIN_WITH_WECHAT_WEB, {"code": code}) == ["SERVICE_UNAVAILABLE"]


async def test_web_login__mini_program_credentials_configured__unavailable(
    db: Database, wechat: FakeWechat, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer
) -> None:
    # The official account has its own appid and secret; the mini-program's are refused.
    settings = app_settings_for(
        db, fake_wechat, fake_sms, wechat_web_appid=WECHAT_APPID, wechat_web_secret=WECHAT_SECRET
    )
    async with graphql_client(db, settings) as api:
        codes = await api.error_codes(
            LOGIN_WITH_WECHAT_WEB, {"code": wechat.issue_oauth_code("o-web-8")}
        )

    assert codes == ["SERVICE_UNAVAILABLE"]


def test_authorize_url__parameters_in_wechat_order__fragment_last(app_settings: Settings) -> None:
    url = authorize_url(
        app_settings, redirect_uri="https://example.test/login/wechat?next=/me", state="s-1"
    )

    parts = urlsplit(url)
    assert parts.fragment == "wechat_redirect"
    assert [key for key, _ in (pair.split("=") for pair in parts.query.split("&"))] == [
        "appid",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
    ]
    assert parse_qs(parts.query)["redirect_uri"] == ["https://example.test/login/wechat?next=/me"]
    assert "redirect_uri=https%3A%2F%2Fexample.test%2Flogin%2Fwechat%3Fnext%3D%2Fme" in url


async def test_authorize_url__followed_on_the_fake__redirects_back_with_a_working_code(
    api: GraphQLClient, wechat: FakeWechat, app_settings: Settings, db: Database
) -> None:
    wechat.authorize_as("o-browser", "u-browser")
    url = authorize_url(app_settings, redirect_uri="https://example.test/cb", state="st-9")

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url.split("#")[0])

    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    query = parse_qs(back.query)
    assert (back.netloc, back.path, query["state"]) == ("example.test", "/cb", ["st-9"])
    result = await _web_login(api, query["code"][0])
    assert result["__typename"] == "AuthPayload"
    [user] = await _users(db)
    assert (user.web_openid, user.unionid) == ("o-browser", "u-browser")
