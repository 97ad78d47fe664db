"""WeChat web authorisation (OAuth2) for pages opened in WeChat's browser.

The website sends the visitor to `authorize_url(...)`; WeChat asks them to agree and comes
back to the page with `?code=…&state=…`; `login_with_wechat_web` exchanges the code (the
official account's appid and secret, server side) and signs the resident in, linked to the
mini-program's resident by `unionid` (accounts/linking.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Final
from urllib.parse import quote, urlencode

from culture_cloud.accounts import linking, tokens
from culture_cloud.accounts.service import (
    WECHAT_CODE_MAX_LENGTH,
    WECHAT_UNAVAILABLE_MESSAGE,
    LoginFailed,
    LoginFailure,
)
from culture_cloud.accounts.wechat import WechatClient, WechatError, WechatUnavailable
from culture_cloud.db import SessionFactory, transaction
from culture_cloud.errors import RateLimited, ServiceUnavailable
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.accounts")

# oauth2/access_token: the code is unknown, expired (5 minutes) or already used.
_BAD_CODE_ERRCODES: Final = frozenset({40029, 40163})
_RATE_LIMIT_ERRCODE: Final = 45011
SCOPES: Final = frozenset({"snsapi_base", "snsapi_userinfo"})
BAD_CODE_MESSAGE: Final = "微信授权已失效，请重新进入页面登录"


def authorize_url(
    settings: Settings, *, redirect_uri: str, state: str, scope: str = "snsapi_userinfo"
) -> str:
    """Where to send the browser: WeChat's authorisation page for the official account, which
    returns to `redirect_uri` (on the domain configured for the official account) with
    `code` and `state`. `state` should be a per-visitor random value the page checks on return
    (CSRF). snsapi_userinfo shows a consent prompt and is needed for a unionid from
    sns/userinfo; snsapi_base is silent."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}")
    query = urlencode(
        {
            "appid": settings.wechat_web_appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        },
        quote_via=quote,
    )
    # WeChat wants the parameters in this order and the fragment, or it shows an error page.
    return f"{settings.wechat_web_authorize_url}?{query}#wechat_redirect"


async def login_with_wechat_web(
    factory: SessionFactory,
    settings: Settings,
    *,
    wechat: WechatClient,
    code: str,
    now: datetime,
) -> tokens.TokenPair:
    code = code.strip()
    if not code:
        raise LoginFailed(LoginFailure.INVALID_CODE, "授权码不能为空", field="code")
    if len(code) > WECHAT_CODE_MAX_LENGTH:
        raise LoginFailed(LoginFailure.INVALID_CODE, BAD_CODE_MESSAGE, field="code")
    try:
        identity = await wechat.oauth_identity(code)
    except WechatError as exc:
        if exc.errcode in _BAD_CODE_ERRCODES:
            raise LoginFailed(LoginFailure.INVALID_CODE, BAD_CODE_MESSAGE, field="code") from None
        if exc.errcode == _RATE_LIMIT_ERRCODE:
            raise RateLimited("登录过于频繁，请稍后再试") from None
        logger.error("WeChat web login failed: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    except WechatUnavailable as exc:
        logger.warning("WeChat web login unavailable: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    if identity.is_snapshot_user:
        # The page was opened as a Moments snapshot: the openid stands for nobody.
        raise LoginFailed(
            LoginFailure.INVALID_CODE, "请点击页面底部的“使用完整服务”后再登录", field="code"
        )
    async with transaction(factory) as session:
        user = await linking.resident_for_wechat_web(
            session, web_openid=identity.openid, unionid=identity.unionid, now=now
        )
        if not tokens.can_sign_in(user):
            raise LoginFailed(LoginFailure.ACCOUNT_DISABLED, "该账号已停用，请联系管理员")
        return await tokens.start_session(session, settings, user=user, now=now)
