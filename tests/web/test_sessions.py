"""Cookie sessions around the API's tokens: sign in with a password on the website, the
cookies carry the session (HttpOnly, SameSite=Lax, Secure as the settings say), an expired
access cookie is renewed from the refresh cookie (once, however many requests race), and
signing out ends the API session too."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest

from culture_cloud.db import transaction
from culture_cloud.identity import StaffRole
from culture_cloud.web import gateway
from culture_cloud.web.results import Result
from tests.accounts.factories import add_staff
from tests.catalog.factories import add_organization
from tests.conftest import Database
from tests.support.graphql import graphql_client
from tests.support.settings import settings_for
from tests.web.support import WebClient, set_cookies, text_of, web_client

ME = "{ me { username } }"


async def _staff(db: Database) -> str:
    async with transaction(db.factory) as session:
        organization = (await add_organization(session)).id
    assert organization is not None
    user = await add_staff(db, organization, StaffRole.EDITOR, nickname="王馆员")
    assert user.username
    return user.username


async def test_sign_in__password__cookies_set_and_page_knows_the_user(
    site: WebClient, db: Database
) -> None:
    username = await _staff(db)
    token = await site.csrf_token("/login?next=/events")
    response = await site.http.post(
        "/login",
        data={
            "csrf_token": token,
            "username": username,
            "password": "correct-horse-battery",
            "next": "/events",
        },
        headers={"Origin": "http://test"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/events"
    cookies = set_cookies(response)
    for name in ("cc_access", "cc_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=lax" in cookies[name]
        assert "Path=/" in cookies[name] and "Secure" not in cookies[name]  # test: plain http
    page = await site.get("/login")
    assert "您已登录为 王馆员" in text_of(page.text)
    assert "退出" in text_of(page.text)


async def test_sign_in__wrong_password__message_beside_the_field_username_kept(
    site: WebClient, db: Database
) -> None:
    username = await _staff(db)
    response = await site.post_form("/login", {"username": username, "password": "wrong-one"})
    assert response.status_code == 400
    assert 'id="f-password-error"' in response.text
    assert "用户名或密码错误" in text_of(response.text)
    assert f'value="{username}"' in response.text  # what was typed stays
    assert "wrong-one" not in response.text  # a password is never echoed
    assert site.cookie("cc_access") is None


async def test_sign_in__empty_too_long_or_nul__chinese_message_never_500(
    site: WebClient, db: Database
) -> None:
    empty = await site.post_form("/login", {"username": "", "password": ""})
    assert empty.status_code == 400
    assert {"请输入用户名", "请输入密码"} <= set(text_of(empty.text).split(" "))
    long = await site.post_form("/login", {"username": "a" * 500, "password": "x"})
    assert long.status_code == 400 and "用户名不能超过" in text_of(long.text)
    nul = await site.post_form("/login", {"username": "bad\x00name", "password": "x"})
    assert nul.status_code == 400
    assert 'id="f-username-error"' in nul.text


async def test_sign_in__secure_cookies__in_production_settings(db: Database) -> None:
    settings = settings_for(db, web_secure_cookies=True)
    username = await _staff(db)
    async with web_client(db, settings, base_url="https://test") as client:
        token = await client.csrf_token()
        response = await client.http.post(
            "/login",
            data={"csrf_token": token, "username": username, "password": "correct-horse-battery"},
            headers={"Origin": "https://test"},
        )
    assert response.status_code == 303
    assert all("Secure" in line for line in set_cookies(response).values())


async def test_session__access_cookie_gone__refreshed_from_the_refresh_cookie(
    site: WebClient, db: Database
) -> None:
    await site.sign_in(await _staff(db))
    old_refresh = site.cookie("cc_refresh")
    site.drop_cookie("cc_access")  # the browser let it expire
    page = await site.get("/login")
    assert "您已登录为" in text_of(page.text)
    rotated = set_cookies(page)
    assert {"cc_access", "cc_refresh"} <= rotated.keys()
    assert site.cookie("cc_refresh") != old_refresh
    # The next page uses the new pair without another refresh.
    again = await site.get("/login")
    assert "cc_refresh" not in set_cookies(again)
    assert "您已登录为" in text_of(again.text)


async def test_session__racing_requests_with_an_expired_access_cookie__one_rotation(
    site: WebClient, db: Database
) -> None:
    """Two tabs opened together must not both spend the single-use refresh token: a reuse
    would revoke the whole login."""
    await site.sign_in(await _staff(db))
    site.drop_cookie("cc_access")
    async with contextlib.AsyncExitStack() as stack:
        tabs = [await stack.enter_async_context(site.another_browser()) for _ in range(4)]
        for tab in tabs:  # tabs of one browser: the same cookies
            tab.http.cookies = httpx.Cookies(site.http.cookies)
        pages = await asyncio.gather(*(tab.get("/login") for tab in tabs))
    assert all("您已登录为" in text_of(page.text) for page in pages)
    assert len({set_cookies(page)["cc_refresh"] for page in pages}) == 1  # one rotation
    site.http.cookies = httpx.Cookies(tabs[0].http.cookies)
    page = await site.get("/login")
    assert "您已登录为" in text_of(page.text)  # the login survived the race


async def test_session__revoked_refresh__cookies_cleared_form_shown(
    site: WebClient, db: Database
) -> None:
    await site.sign_in(await _staff(db))
    site.drop_cookie("cc_access")
    site.replace_cookie("cc_refresh", "not-a-refresh-token")
    page = await site.get("/login")
    assert 'action="/login/sms/code"' in page.text  # the sign-in form again
    assert site.cookie("cc_refresh") is None


async def test_sign_out__cookies_cleared_and_the_api_session_ended(
    site: WebClient, db: Database
) -> None:
    await site.sign_in(await _staff(db))
    access = site.cookie("cc_access")
    response = await site.post_form("/logout", {})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert site.cookie("cc_access") is None and site.cookie("cc_refresh") is None
    async with graphql_client(db) as api:
        assert await api.error_codes(ME, token=access) == ["UNAUTHENTICATED"]


async def test_api__bearer_tokens__unchanged_beside_the_cookies(
    site: WebClient, db: Database
) -> None:
    """The mini-program's bearer header works as before; a website cookie alone is not an API
    credential (the API reads headers only)."""
    username = await _staff(db)
    await site.sign_in(username)
    access = site.cookie("cc_access")
    response = await site.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {access}"}
    )
    assert response.json()["data"]["me"]["username"] == username
    cookie_only = await site.http.post("/graphql", json={"query": ME})
    assert cookie_only.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_page_needing_a_viewer__anonymous__redirected_to_sign_in_and_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document answering UNAUTHENTICATED sends the visitor to /login?next=<this page>."""

    async def unauthenticated(*args: Any, **kwargs: Any) -> Result:
        error = {"message": "请先登录", "extensions": {"code": "UNAUTHENTICATED"}}
        return Result(None, [error])

    monkeypatch.setattr(gateway.Gateway, "run", unauthenticated)
    async with web_client(db) as client:
        response = await client.get("/events?kind=PERFORMANCE")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fevents%3Fkind%3DPERFORMANCE"


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example/", "/\\evil"])
async def test_sign_in__next_to_another_site__back_home_instead(
    site: WebClient, db: Database, next_url: str
) -> None:
    page = await site.get("/login", params={"next": next_url})
    assert 'name="next" value="/"' in page.text
    username = await _staff(db)
    response = await site.post_form(
        "/login", {"username": username, "password": "correct-horse-battery", "next": next_url}
    )
    assert response.headers["location"] == "/"
