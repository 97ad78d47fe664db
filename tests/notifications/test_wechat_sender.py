"""WechatSender configuration and WeChat error mapping (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from culture_cloud.notifications.delivery import DeliveryFailed, OutgoingMessage, Recipient
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.notifications.wechat import WechatSender
from culture_cloud.settings import Settings
from culture_cloud.wechat import WechatClient
from tests.notifications.conftest import Wechat

MESSAGE = OutgoingMessage(
    id=1,
    kind=NotificationKind.EVENT_CANCELLED,
    title="活动取消",
    body="很抱歉，「张壁古堡夜游」因天气原因取消。",
    data={},
    created_at=datetime(2026, 11, 23, tzinfo=UTC),
)


def test_sender__unknown_kind_in_templates__refused(wechat_client: WechatClient) -> None:
    with pytest.raises(ValueError, match="booking_confirmd"):
        WechatSender(wechat_client, template_ids={"booking_confirmd": "tpl"})


def test_settings__template_ids_and_origins_from_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CULTURE_CLOUD_WECHAT_TEMPLATE_IDS", '{"reminder": "tpl-r"}')
    monkeypatch.setenv("CULTURE_CLOUD_WS_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    settings = Settings()
    assert settings.wechat_template_ids == {"reminder": "tpl-r"}
    assert settings.ws_allowed_origins == ["https://a.example", "https://b.example"]


async def test_sender__template_refused_by_wechat__permanent_failure(
    wechat: Wechat, wechat_client: WechatClient
) -> None:
    # A blank template id in the configuration: WeChat answers 40037, and sending the same
    # message again cannot help, so the retry budget is not spent on it.
    sender = WechatSender(wechat_client, template_ids={"event_cancelled": ""})
    with pytest.raises(DeliveryFailed) as refused:
        await sender.send(Recipient(user_id=1, openid="o-sender-2"), MESSAGE)
    assert refused.value.retryable is False and "40037" in refused.value.reason
    assert wechat.sent == []


async def test_sender__no_page__message_without_page(
    wechat: Wechat, wechat_client: WechatClient
) -> None:
    sender = WechatSender(wechat_client, template_ids={"event_cancelled": "tpl-c"}, page="")
    await sender.send(Recipient(user_id=1, openid="o-sender-1"), MESSAGE)
    [sent] = wechat.sent
    assert (sent.page, sent.template_id) == (None, "tpl-c")
    assert sent.data == {"thing1": "活动取消", "thing2": "很抱歉，「张壁古堡夜游」因天气原因取消。"}
