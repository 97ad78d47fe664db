"""Account tests: real fake WeChat and SMS servers on loopback, an app pointed at them, cheap
hashing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from argon2 import PasswordHasher

from culture_cloud.accounts import passwords
from culture_cloud.accounts.sms.sender import AliyunSmsSender, SmsSender
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_sms import FakeSms, FakeSmsServer
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.conftest import Database
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.settings import settings_for

WECHAT_APPID = "wx-test-appid"
WECHAT_SECRET = "wx-test-secret-3f9a"
# The official account (WeChat web authorisation): another appid and secret.
WECHAT_WEB_APPID = "wx-test-oa-appid"
WECHAT_WEB_SECRET = "wx-test-oa-secret-81d2"
SMS_KEY_ID = "LTAI-test-key-id"
SMS_KEY_SECRET = "sms-test-key-secret-5be0"
SMS_SIGN_NAME = "介休文旅云"
SMS_TEMPLATE = "SMS_100000001"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Production parameters cost ~100 ms and 64 MiB per hash; the tests hash hundreds of times.
    # Same algorithm (argon2id) and code path, smaller numbers.
    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
async def fake_wechat() -> AsyncIterator[FakeWechatServer]:
    state = FakeWechat(
        appid=WECHAT_APPID,
        secret=WECHAT_SECRET,
        web_appid=WECHAT_WEB_APPID,
        web_secret=WECHAT_WEB_SECRET,
    )
    async with FakeWechatServer(state) as server:
        yield server


@pytest.fixture(scope="session")
async def fake_sms() -> AsyncIterator[FakeSmsServer]:
    state = FakeSms(
        access_key_id=SMS_KEY_ID,
        access_key_secret=SMS_KEY_SECRET,
        sign_name=SMS_SIGN_NAME,
        template_code=SMS_TEMPLATE,
    )
    async with FakeSmsServer(state) as server:
        yield server


@pytest.fixture
def sms(fake_sms: FakeSmsServer) -> FakeSms:
    """The fake SMS provider, with nothing sent and no failure pending."""
    fake_sms.state.reset()
    return fake_sms.state


def sms_settings(fake_sms: FakeSmsServer) -> dict[str, object]:
    return {
        "sms_base_url": fake_sms.base_url,
        "sms_access_key_id": SMS_KEY_ID,
        "sms_access_key_secret": SMS_KEY_SECRET,
        "sms_sign_name": SMS_SIGN_NAME,
        "sms_template_code": SMS_TEMPLATE,
    }


@pytest.fixture
def wechat(fake_wechat: FakeWechatServer) -> FakeWechat:
    fake_wechat.state.fail_next(0)
    return fake_wechat.state


def app_settings_for(
    db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer, **overrides: object
) -> Settings:
    """Settings of an app on `db` talking to the fake WeChat and SMS servers."""
    values: dict[str, object] = {
        "wechat_base_url": fake_wechat.base_url,
        "wechat_appid": WECHAT_APPID,
        "wechat_secret": WECHAT_SECRET,
        "wechat_web_appid": WECHAT_WEB_APPID,
        "wechat_web_secret": WECHAT_WEB_SECRET,
        "wechat_web_authorize_url": f"{fake_wechat.base_url}/connect/oauth2/authorize",
        **sms_settings(fake_sms),
    }
    return settings_for(db, **{**values, **overrides})


@pytest.fixture
def app_settings(db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer) -> Settings:
    """The `api` fixture's app on the (empty) test database, talking to the fake WeChat and SMS
    servers."""
    return app_settings_for(db, fake_wechat, fake_sms)


@pytest.fixture
async def api_without_interval(
    db: Database, fake_wechat: FakeWechatServer, fake_sms: FakeSmsServer
) -> AsyncIterator[GraphQLClient]:
    """The app with no resend interval, so one phone can ask again at once."""
    settings = app_settings_for(db, fake_wechat, fake_sms, sms_resend_interval_seconds=0)
    async with graphql_client(db, settings) as client:
        yield client


@pytest.fixture
async def sender(app_settings: Settings) -> AsyncIterator[SmsSender]:
    """The app's own Alibaba Cloud client, for calls to the service without the app."""
    async with httpx.AsyncClient(timeout=5) as http:
        yield AliyunSmsSender(
            base_url=app_settings.sms_base_url,
            access_key_id=app_settings.sms_access_key_id,
            access_key_secret=app_settings.sms_access_key_secret,
            sign_name=app_settings.sms_sign_name,
            template_code=app_settings.sms_template_code,
            http=http,
        )
