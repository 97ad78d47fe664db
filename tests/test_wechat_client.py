"""WechatClient against the fake WeChat server, over real loopback HTTP."""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import AsyncIterator

import httpx
import pytest

from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer, SentMessage
from culture_cloud.wechat import (
    WechatClient,
    WechatError,
    WechatSession,
    WechatUnavailable,
)

APPID = "wx-test-appid"
SECRET = "wx-test-secret-8c1f0e7d"


@pytest.fixture
async def fake() -> AsyncIterator[FakeWechatServer]:
    async with FakeWechatServer(FakeWechat(appid=APPID, secret=SECRET)) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


@pytest.fixture
def client(fake: FakeWechatServer, http: httpx.AsyncClient) -> WechatClient:
    return WechatClient(base_url=fake.base_url, appid=APPID, secret=SECRET, http=http)


def _full_text(exc: BaseException) -> str:
    """Everything a logger would print for the exception, chained causes included."""
    return repr(exc) + "\n" + "".join(traceback.format_exception(exc))


@pytest.mark.parametrize("unionid", ["u-union-1", None])
async def test_login_code_gives_the_users_identity(
    client: WechatClient, fake: FakeWechatServer, unionid: str | None
) -> None:
    code = fake.state.issue_login_code("o-user-1", unionid)

    session = await client.code_to_session(code)

    assert session.openid == "o-user-1"
    assert session.unionid == unionid
    assert session.session_key == fake.state.last_session_key_for("o-user-1")


async def test_login_code_is_one_time(client: WechatClient, fake: FakeWechatServer) -> None:
    code = fake.state.issue_login_code("o-user-1")
    await client.code_to_session(code)

    with pytest.raises(WechatError) as caught:
        await client.code_to_session(code)
    assert caught.value.errcode == 40163
    assert caught.value.errmsg == "code been used"


async def test_unknown_login_code(client: WechatClient) -> None:
    with pytest.raises(WechatError) as caught:
        await client.code_to_session("never-issued")
    assert caught.value.errcode == 40029


@pytest.mark.parametrize(
    ("appid", "secret", "errcode"),
    [(APPID, "wrong-secret-5d2a", 40125), ("wx-wrong-appid", SECRET, 40013)],
)
async def test_wrong_credentials(
    fake: FakeWechatServer, http: httpx.AsyncClient, appid: str, secret: str, errcode: int
) -> None:
    client = WechatClient(base_url=fake.base_url, appid=appid, secret=secret, http=http)
    code = fake.state.issue_login_code("o-user-1")

    with pytest.raises(WechatError) as login_error:
        await client.code_to_session(code)
    with pytest.raises(WechatError) as token_error:
        await client.access_token()

    for caught in (login_error, token_error):
        assert caught.value.errcode == errcode
        assert secret not in _full_text(caught.value)


async def test_phone_code_gives_the_number_once(
    client: WechatClient, fake: FakeWechatServer
) -> None:
    code = fake.state.issue_phone_code("13800001234")

    assert await client.phone_number(code) == "13800001234"
    with pytest.raises(WechatError) as caught:
        await client.phone_number(code)
    assert caught.value.errcode == 40029


async def test_access_token_is_cached(client: WechatClient, fake: FakeWechatServer) -> None:
    first = await client.access_token()
    await client.phone_number(fake.state.issue_phone_code("13800001234"))
    await client.send_subscribe_message(openid="o-user-1", template_id="t-1", data={"a": "b"})

    assert await client.access_token() == first
    assert fake.state.token_requests == 1


async def test_concurrent_callers_share_one_token_fetch(
    client: WechatClient, fake: FakeWechatServer
) -> None:
    tokens = await asyncio.gather(*(client.access_token() for _ in range(10)))

    assert len(set(tokens)) == 1
    assert fake.state.token_requests == 1


async def test_token_is_refetched_within_five_minutes_of_expiry(http: httpx.AsyncClient) -> None:
    # A 300 s lifetime is already inside the refresh margin, so it is never reused.
    async with FakeWechatServer(FakeWechat(appid=APPID, secret=SECRET, token_ttl=300)) as fake:
        client = WechatClient(base_url=fake.base_url, appid=APPID, secret=SECRET, http=http)
        await client.access_token()
        await client.access_token()
        assert fake.state.token_requests == 2


@pytest.mark.parametrize("expired", [False, True], ids=["invalid-40001", "expired-42001"])
async def test_rejected_token_is_refreshed_once(
    client: WechatClient, fake: FakeWechatServer, expired: bool
) -> None:
    stale = await client.access_token()
    fake.state.invalidate_tokens(expired=expired)

    assert await client.phone_number(fake.state.issue_phone_code("13800001234")) == "13800001234"
    assert fake.state.token_requests == 2
    assert await client.access_token() != stale


async def test_http_503_is_unavailable_and_retryable(
    client: WechatClient, fake: FakeWechatServer
) -> None:
    code = fake.state.issue_login_code("o-user-1")
    fake.state.fail_next(1)

    with pytest.raises(WechatUnavailable) as caught:
        await client.code_to_session(code)
    assert "503" in str(caught.value)
    assert SECRET not in _full_text(caught.value)
    # The failure happened before WeChat looked at the code, so a retry succeeds.
    assert (await client.code_to_session(code)).openid == "o-user-1"


async def test_unreachable_server_is_unavailable(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = WechatClient(
        base_url=f"http://127.0.0.1:{port}", appid=APPID, secret=SECRET, http=http
    )

    with pytest.raises(WechatUnavailable) as caught:
        await client.code_to_session("any-code")
    assert SECRET not in _full_text(caught.value)


async def test_subscribe_message_is_sent(client: WechatClient, fake: FakeWechatServer) -> None:
    data = {"thing1": "介休博物馆预约", "time2": "2025-05-01 09:30"}
    await client.send_subscribe_message(
        openid="o-user-1", template_id="tmpl-booking", data=data, page="pages/booking/detail?id=7"
    )
    await client.send_subscribe_message(openid="o-user-2", template_id="tmpl-booking", data={})

    assert fake.state.sent_messages == [
        SentMessage("o-user-1", "tmpl-booking", "pages/booking/detail?id=7", data),
        SentMessage("o-user-2", "tmpl-booking", None, {}),
    ]


async def test_refused_subscription(client: WechatClient, fake: FakeWechatServer) -> None:
    fake.state.reject_subscriptions(True)

    with pytest.raises(WechatError) as caught:
        await client.send_subscribe_message(openid="o-user-1", template_id="t-1", data={"a": "b"})
    assert caught.value.errcode == 43101
    assert fake.state.sent_messages == []


async def test_session_key_never_in_repr(client: WechatClient, fake: FakeWechatServer) -> None:
    session = await client.code_to_session(fake.state.issue_login_code("o-user-1", "u-1"))
    key = fake.state.last_session_key_for("o-user-1")

    assert key not in repr(session)
    assert key not in str(session)
    assert key not in repr([session])
    assert "session_key='***'" in repr(session)
    assert "o-user-1" in repr(session)


def test_wechat_session_equality_still_uses_the_key() -> None:
    assert WechatSession("o", None, "k1") != WechatSession("o", None, "k2")


async def test_dev_endpoints_issue_working_codes(
    client: WechatClient, fake: FakeWechatServer, http: httpx.AsyncClient
) -> None:
    # The only raw HTTP in this file: these endpoints belong to the fake, not to WeChat.
    login = await http.post(f"{fake.base_url}/_fake/login-code", json={"openid": "o-dev"})
    phone = await http.post(f"{fake.base_url}/_fake/phone-code", json={"phone": "13900000000"})
    bad = await http.post(f"{fake.base_url}/_fake/login-code", json={"unionid": "u"})

    assert (await client.code_to_session(login.json()["code"])).openid == "o-dev"
    assert await client.phone_number(phone.json()["code"]) == "13900000000"
    assert bad.status_code == 400


def test_server_as_sync_context_manager() -> None:
    server = FakeWechatServer()
    with server:
        assert server.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError):
        _ = server.base_url
