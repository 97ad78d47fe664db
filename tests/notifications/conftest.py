"""Notification tests: the real WechatClient against the fake WeChat server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.wechat import WechatSender
from culture_cloud.testing.fake_wechat import FakeWechat, FakeWechatServer, SentMessage
from culture_cloud.wechat import WechatClient

WECHAT_APPID = "wx-notify-appid"
WECHAT_SECRET = "wx-notify-secret-7c1e"
TEMPLATES = {kind.value: f"tpl-{kind.value}" for kind in NotificationKind}


@pytest.fixture(scope="session")
async def fake_wechat_server() -> AsyncIterator[FakeWechatServer]:
    async with FakeWechatServer(FakeWechat(appid=WECHAT_APPID, secret=WECHAT_SECRET)) as server:
        yield server


class Wechat:
    """The shared fake, seen from one test: only the messages sent since the test began."""

    def __init__(self, state: FakeWechat) -> None:
        self.state = state
        self._before = len(state.sent_messages)

    @property
    def sent(self) -> list[SentMessage]:
        return self.state.sent_messages[self._before :]

    def fail_next(self, n: int) -> None:
        self.state.fail_next(n)

    def reject_subscriptions(self, flag: bool) -> None:
        self.state.reject_subscriptions(flag)


@pytest.fixture
def wechat(fake_wechat_server: FakeWechatServer) -> Iterator[Wechat]:
    state = fake_wechat_server.state
    state.fail_next(0)
    state.reject_subscriptions(False)
    yield Wechat(state)
    state.fail_next(0)
    state.reject_subscriptions(False)


@pytest.fixture
async def wechat_client(
    fake_wechat_server: FakeWechatServer, wechat: Wechat
) -> AsyncIterator[WechatClient]:
    """A fresh client per test, so each test starts without a cached access token."""
    async with httpx.AsyncClient(timeout=5) as http:
        yield WechatClient(
            base_url=fake_wechat_server.base_url,
            appid=WECHAT_APPID,
            secret=WECHAT_SECRET,
            http=http,
        )


@pytest.fixture
def sender(wechat_client: WechatClient) -> WechatSender:
    return WechatSender(wechat_client, template_ids=TEMPLATES, page="pages/notifications/index")
