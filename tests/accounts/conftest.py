"""Account tests: a real fake WeChat server on loopback, an app pointed at it, cheap hashing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from argon2 import PasswordHasher

from culture_cloud.accounts import passwords
from culture_cloud.settings import Settings
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer
from tests.conftest import Database
from tests.support.settings import settings_for

WECHAT_APPID = "wx-test-appid"
WECHAT_SECRET = "wx-test-secret-3f9a"


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
    async with FakeWechatServer(FakeWechat(appid=WECHAT_APPID, secret=WECHAT_SECRET)) as server:
        yield server


@pytest.fixture
def wechat(fake_wechat: FakeWechatServer) -> FakeWechat:
    fake_wechat.state.fail_next(0)
    return fake_wechat.state


@pytest.fixture
def app_settings(db: Database, fake_wechat: FakeWechatServer) -> Settings:
    """The `api` fixture's app on the (empty) test database, talking to the fake WeChat server."""
    return settings_for(
        db,
        wechat_base_url=fake_wechat.base_url,
        wechat_appid=WECHAT_APPID,
        wechat_secret=WECHAT_SECRET,
    )
