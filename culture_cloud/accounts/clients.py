"""The process's clients of third parties that the sign-in mutations need: the SMS sender and
the official account's WeChat client. One of each per process, made by the app's lifespan
(app.py) and kept in `app.state`, like the mini-program's WechatClient; the mutations find
them through the request the context carries.

The website executes these mutations in-process with a Context whose `request` is a request
of the same app, so it reaches the same clients.
"""

from __future__ import annotations

from typing import Any

from culture_cloud.accounts.sms.sender import SmsSender
from culture_cloud.accounts.wechat import WechatClient
from culture_cloud.errors import ServiceUnavailable
from culture_cloud.graphql.context import Info

SMS_SENDER = "sms_sender"
WECHAT_WEB = "wechat_web"


def _from_app_state(info: Info, name: str) -> Any:
    request = info.context.request
    return getattr(request.app.state, name, None) if request is not None else None


def sms_sender(info: Info) -> SmsSender:
    sender: SmsSender | None = _from_app_state(info, SMS_SENDER)
    if sender is None:
        raise ServiceUnavailable("短信登录未开通，请使用微信登录")
    return sender


def wechat_web(info: Info) -> WechatClient:
    client: WechatClient | None = _from_app_state(info, WECHAT_WEB)
    if client is None:
        raise ServiceUnavailable("微信网页授权登录未开通")
    return client
