"""Notifications as WeChat subscribe messages (订阅消息) through WechatClient.

Each notification kind uses the template configured for it (`wechat_template_ids`). The
templates chosen in the WeChat console must have the keywords `thing1` (title) and `thing2`
(content): `thing` values are limited to 20 characters, so longer text is shortened here
rather than refused by WeChat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from culture_cloud.global_ids import to_global_id
from culture_cloud.notifications.delivery import (
    DeliveryFailed,
    NoChannel,
    OutgoingMessage,
    Recipient,
)
from culture_cloud.notifications.models import NotificationKind
from culture_cloud.settings import Settings
from culture_cloud.wechat import WechatClient, WechatError, WechatUnavailable

THING_LIMIT: Final = 20
# Errors about the request itself (bad openid, template or data): resending the same message
# fails the same way, so these end the message at once instead of spending the retry budget.
PERMANENT_ERRCODES: Final = frozenset({40003, 40037, 47003})
# 43101: the user has not (or no longer) accepted this template. They may accept it again in
# the mini-program, so it is retried within the budget.


def _thing(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= THING_LIMIT else text[: THING_LIMIT - 1] + "…"


class WechatSender:
    def __init__(
        self,
        client: WechatClient,
        *,
        template_ids: Mapping[str, str],
        page: str | None = None,
    ) -> None:
        unknown = set(template_ids) - {kind.value for kind in NotificationKind}
        if unknown:
            # A typo in the configuration would otherwise silently skip every message of a kind.
            raise ValueError(f"wechat_template_ids: unknown notification kinds {sorted(unknown)}")
        self._client = client
        self._templates = dict(template_ids)
        self._page = page or None

    @classmethod
    def from_settings(cls, client: WechatClient, settings: Settings) -> WechatSender:
        return cls(
            client,
            template_ids=settings.wechat_template_ids,
            page=settings.wechat_notification_page,
        )

    async def send(self, recipient: Recipient, message: OutgoingMessage) -> None:
        if not recipient.openid:
            raise NoChannel("no openid: the user has no WeChat account bound")
        template_id = self._templates.get(message.kind.value)
        if template_id is None:
            raise NoChannel(f"no WeChat template configured for {message.kind.value}")
        # The same global ID the app gets from myNotifications.
        page = (
            None
            if self._page is None
            else f"{self._page}?id={to_global_id('Notification', message.id)}"
        )
        try:
            await self._client.send_subscribe_message(
                openid=recipient.openid,
                template_id=template_id,
                data={"thing1": _thing(message.title), "thing2": _thing(message.body)},
                page=page,
            )
        except WechatError as exc:
            raise DeliveryFailed(
                str(exc), retryable=exc.errcode not in PERMANENT_ERRCODES
            ) from None
        except WechatUnavailable as exc:
            raise DeliveryFailed(str(exc)) from None
