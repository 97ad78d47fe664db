"""Residents sign in on the website: phone + SMS code through the real Alibaba Cloud client and
the fake SMS server, WeChat web authorisation inside WeChat's browser through the fake WeChat
server, the privacy notice accepted after a first sign-in, `next` kept but never another
site, every error beside its field."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from culture_cloud.db import utcnow
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.accounts.conftest import app_settings_for, fake_sms, fake_wechat, sms, wechat
from tests.accounts.factories import token_for
from tests.bookings import factories as bookings
from tests.conftest import Database
from tests.web.support import BASE, WebClient, add_resident, set_cookies, text_of

__all__ = ["fake_sms", "fake_wechat", "sms", "wechat"]  # fixtures shared with tests/accounts

PHONE = "13800001234"
WECHAT_UA = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50 NetType/WIFI"


@pytest.fixture
def app_settings(db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer) -> Settings:
    return app_settings_for(db, fake_wechat, fake_sms, web_public_url=BASE)


async def _request_code(site: WebClient, phone: str, next_url: str = "/") -> httpx.Response:
    return await site.post_form(
        "/login/sms/code", {"phone": phone, "next": next_url}, page=f"/login?next={next_url}"
    )


async def _sign_in(site: WebClient, phone: str, code: str, next_url: str) -> httpx.Response:
    return await site.post_form(
        "/login/sms", {"phone": phone, "code": code, "next": next_url}, page="/login"
    )


async def test_sms_sign_in__new_resident__code_notice_accepted_and_back_to_next(
    site: WebClient, db: Database, sms: FakeSms
) -> None:
    event = await bookings.add_event(db, await bookings.add_place(db))
    back = f"/events/{event.id}/book"
    page = await site.get(f"/login?next={back}")
    assert "手机号登录" in text_of(page.text) and "工作人员登录" in text_of(page.text)

    sent = await _request_code(site, "+86 138-0000-1234", back)
    assert sent.status_code == 200, text_of(sent.text)
    text = text_of(sent.text)
    assert "验证码已发送至 138****1234" in text and "60 秒后可重新获取" in text
    assert 'data-countdown="60"' in sent.text
    assert f'name="next" value="{back}"' in sent.text

    signed_in = await _sign_in(site, PHONE, sms.last_code(PHONE), back)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/privacy?next=%2Fevents%2F{event.id}%2Fbook"
    cookies = set_cookies(signed_in)
    assert "HttpOnly" in cookies["cc_access"] and "SameSite=lax" in cookies["cc_access"]

    # Until the notice is accepted, a page that would store something sends the visitor back.
    assert (await site.get(back)).headers["location"].startswith("/privacy?next=")
    notice = await site.get(signed_in.headers["location"])
    assert "首次登录请阅读并同意隐私政策" in text_of(notice.text)
    version = re.search(r'name="version" value="([^"]+)"', notice.text)
    assert version
    accepted = await site.post_form(
        "/privacy/accept", {"version": version.group(1), "next": back}, page="/privacy"
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == back
    form = await site.get(back)
    assert form.status_code == 200 and 'name="idempotencyKey"' in form.text


async def test_sms_sign_in__known_resident__no_notice_again(
    site: WebClient, db: Database, sms: FakeSms
) -> None:
    await add_resident(db, phone=PHONE, phone_verified_at=utcnow(), nickname="老张")
    await _request_code(site, PHONE)
    signed_in = await _sign_in(site, PHONE, sms.last_code(PHONE), "/me")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/me"
    assert "老张" in text_of((await site.get("/me")).text)


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "请填写手机号"),
        ("12345", "11 位"),
        ("1380000\x001234", "无法识别"),
        ("1" * 30, "不能超过"),
    ],
    ids=["empty", "not-a-mobile", "nul", "too-long"],
)
async def test_request_code__bad_phone__message_beside_the_field_nothing_sent(
    site: WebClient, sms: FakeSms, phone: str, message: str
) -> None:
    response = await _request_code(site, phone)
    assert response.status_code == 400
    error = re.search(r'id="f-phone-error">([^<]+)<', response.text)
    assert error and message in error.group(1), text_of(response.text)
    assert sms.sent == []


async def test_request_code__again_at_once__retry_time_beside_the_phone(
    site: WebClient, sms: FakeSms
) -> None:
    await _request_code(site, PHONE)
    again = await _request_code(site, PHONE)
    assert again.status_code == 400
    error = re.search(r'id="f-phone-error">([^<]+)<', again.text)
    assert error and "秒" in error.group(1)
    assert f'value="{PHONE}"' in again.text  # what was typed stays
    assert len(sms.messages_to(PHONE)) == 1


async def test_request_code__provider_down__said_beside_the_phone(
    site: WebClient, sms: FakeSms
) -> None:
    sms.fail_next_http(1)
    response = await _request_code(site, PHONE)
    assert response.status_code == 400
    assert "短信服务暂时不可用" in text_of(response.text)


async def test_sms_sign_in__wrong_or_empty_code__beside_the_code_no_session(
    site: WebClient, sms: FakeSms
) -> None:
    await _request_code(site, PHONE)
    wrong_code = "000000" if sms.last_code(PHONE) != "000000" else "111111"
    wrong = await _sign_in(site, PHONE, wrong_code, "/")
    assert wrong.status_code == 400
    assert re.search(r'id="f-code-error">[^<]*验证码', wrong.text)
    assert f'name="phone" value="{PHONE}"' in wrong.text
    empty = await _sign_in(site, PHONE, "", "/")
    assert "请填写验证码" in text_of(empty.text)
    assert site.cookie("cc_access") is None


@pytest.mark.parametrize(
    "next_url", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
async def test_sms_sign_in__foreign_next__home_instead(
    site: WebClient, db: Database, sms: FakeSms, next_url: str
) -> None:
    await add_resident(db, phone=PHONE, phone_verified_at=utcnow())
    sent = await _request_code(site, PHONE, next_url)
    assert 'name="next" value="/"' in sent.text
    signed_in = await _sign_in(site, PHONE, sms.last_code(PHONE), next_url)
    assert signed_in.headers["location"] == "/"


async def test_sign_in_forms__without_token_or_from_another_site__refused(
    site: WebClient, sms: FakeSms
) -> None:
    token = await site.csrf_token("/login")
    for headers, data in (
        ({"Origin": BASE}, {"phone": PHONE}),
        ({"Origin": "https://evil.example"}, {"phone": PHONE, "csrf_token": token}),
    ):
        response = await site.http.post("/login/sms/code", data=data, headers=headers)
        assert response.status_code == 403
    assert sms.sent == []


async def test_wechat_browser__authorised__signed_in_as_the_mini_program_resident(
    site: WebClient, db: Database, wechat: FakeWechat, fake_wechat: FakeWechatServer
) -> None:
    resident = await add_resident(db, unionid="u-web-1", nickname="微信用户甲")
    assert resident.id is not None
    wechat.authorize_as("o-web-1", "u-web-1")
    ua = {"User-Agent": WECHAT_UA}
    start = await site.get("/login?next=/me", headers=ua)
    assert start.status_code == 302
    target = urlsplit(start.headers["location"])
    query = parse_qs(target.query)
    assert start.headers["location"].startswith(fake_wechat.base_url)
    assert query["redirect_uri"] == [f"{BASE}/login/wechat/callback?next=%2Fme"]
    state = query["state"][0]
    async with httpx.AsyncClient() as browser:  # WeChat's page sends the browser back
        back = await browser.get(start.headers["location"])
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    assert parse_qs(callback.query)["state"] == [state]

    signed_in = await site.get(f"{callback.path}?{callback.query}", headers=ua)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/me"
    assert "微信用户甲" in text_of((await site.get("/me")).text)
    # Signed in already: /login says so instead of going to WeChat again.
    assert (await site.get("/login", headers=ua)).status_code == 200


async def test_wechat_callback__foreign_state_or_no_code__refused_without_session(
    site: WebClient, db: Database, wechat: FakeWechat
) -> None:
    await site.get("/login")  # this browser's CSRF cookie
    code = wechat.issue_oauth_code("o-web-2", None, scope="snsapi_userinfo")
    foreign = await site.get(f"/login/wechat/callback?code={code}&state=someone-elses")
    assert foreign.status_code == 400
    assert "登录链接已失效" in text_of(foreign.text)
    token = await site.csrf_token("/login")
    refused = await site.get(f"/login/wechat/callback?state={token}")  # the visitor said no
    assert refused.status_code == 400 and "微信未完成授权" in text_of(refused.text)
    assert site.cookie("cc_access") is None
    # Outside WeChat, or with ?method=sms inside it, the phone form is shown.
    assert (
        await site.get("/login?method=sms", headers={"User-Agent": WECHAT_UA})
    ).status_code == 200


async def test_privacy__new_version__asked_again_and_notice_public(
    site: WebClient, db: Database
) -> None:
    user = await add_resident(db, privacy_notice_version="2020-01")
    site.sign_in_with_token(await token_for(db, user))
    event = await bookings.add_event(db, await bookings.add_place(db))
    response = await site.get(f"/events/{event.id}/book")
    assert response.headers["location"] == f"/privacy?next=%2Fevents%2F{event.id}%2Fbook"
    notice = text_of((await site.get("/privacy")).text)
    assert "隐私政策已更新" in notice
    stale = await site.post_form("/privacy/accept", {"version": "2020-01"}, page="/privacy")
    assert stale.status_code == 400 and 'class="form-errors"' in stale.text
    async with site.another_browser() as anonymous:
        public = await anonymous.get("/privacy")
    assert public.status_code == 200 and "我已阅读并同意" not in public.text
    assert "<h2>" in public.text and "<script" not in public.text.split("<main")[1]


async def test_staff__password_form_on_request(site: WebClient) -> None:
    page = await site.get("/login?method=password&next=/me")
    assert 'name="password"' in page.text and 'name="next" value="/me"' in page.text
    assert 'name="phone"' not in page.text
