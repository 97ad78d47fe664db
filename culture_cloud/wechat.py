"""Async client for the WeChat mini-program server API (login, phone number, subscribe messages).

Secrets handled here (the app secret, access tokens, session keys) must never reach logs, so no
exception message built here contains them and transport errors are not chained (their requests
carry the secret or token in the URL).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeGuard

if TYPE_CHECKING:
    import httpx

    from culture_cloud.http_clients import LazyHttpClient

__all__ = [
    "WechatClient",
    "WechatError",
    "WechatOAuthIdentity",
    "WechatPhone",
    "WechatSession",
    "WechatUnavailable",
]

# Refresh early so a token never expires between being handed out and being used.
TOKEN_REFRESH_MARGIN_SECONDS: Final = 300.0

# 40014 is not in the brief's list but WeChat documents it as "invalid access_token" too.
_TOKEN_REJECTED_ERRCODES: Final = frozenset({40001, 40014, 42001})

# WeChat's "system busy, try again later"; retrying is the documented remedy.
_SYSTEM_BUSY_ERRCODE: Final = -1


@dataclass(frozen=True, slots=True)
class WechatSession:
    openid: str
    unionid: str | None
    session_key: str

    def __repr__(self) -> str:
        # session_key decrypts user data; a repr ends up in logs and tracebacks.
        return f"WechatSession(openid={self.openid!r}, unionid={self.unionid!r}, session_key='***')"


@dataclass(frozen=True, slots=True)
class WechatPhone:
    # The number without country code ("13800001234"), and the country code ("86").
    pure: str
    country_code: str | None


@dataclass(frozen=True, slots=True)
class WechatOAuthIdentity:
    """Who authorised a web page (sns/oauth2/access_token, then sns/userinfo if needed)."""

    openid: str
    unionid: str | None
    # WeChat's "snapshot page" visitor: a stand-in openid, not a real user.
    is_snapshot_user: bool


class WechatError(Exception):
    """WeChat answered with a non-zero errcode; retrying the same call will not help."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        # Both go to args so the exception pickles and copies faithfully.
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg

    def __str__(self) -> str:
        return f"WeChat errcode {self.errcode}: {self.errmsg}"


class WechatUnavailable(Exception):
    """WeChat could not be reached or gave an unusable answer; the call may be retried later."""


@dataclass(frozen=True, slots=True)
class _CachedToken:
    value: str
    refresh_at: float  # time.monotonic() value


class WechatClient:
    def __init__(
        self,
        *,
        base_url: str,
        appid: str,
        secret: str,
        http: httpx.AsyncClient | LazyHttpClient,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._appid = appid
        self._secret = secret
        self._http = http
        self._token: _CachedToken | None = None
        self._token_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"WechatClient(base_url={self._base_url!r}, appid={self._appid!r})"

    async def code_to_session(self, code: str) -> WechatSession:
        payload = await self._request(
            "GET",
            "/sns/jscode2session",
            "jscode2session",
            params={
                "appid": self._appid,
                "secret": self._secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
        openid = payload.get("openid")
        session_key = payload.get("session_key")
        unionid = payload.get("unionid")
        if not _is_non_empty_str(openid) or not _is_non_empty_str(session_key):
            raise WechatUnavailable("jscode2session: response lacks openid or session_key")
        # unionid is only present once the app is bound to an open-platform account.
        return WechatSession(
            openid=openid,
            unionid=unionid if _is_non_empty_str(unionid) else None,
            session_key=session_key,
        )

    async def access_token(self) -> str:
        cached = self._fresh_cached_token()
        if cached is not None:
            return cached
        async with self._token_lock:
            # Whoever held the lock before us has probably just fetched one.
            cached = self._fresh_cached_token()
            if cached is not None:
                return cached
            # Normal (non-forced) stable_token mode: WeChat hands every caller the same token
            # while it is valid, so several processes fetching their own do not invalidate
            # each other, and the forced mode's daily quota is never spent.
            payload = await self._request(
                "POST",
                "/cgi-bin/stable_token",
                "stable_token",
                json={
                    "grant_type": "client_credential",
                    "appid": self._appid,
                    "secret": self._secret,
                },
            )
            token = payload.get("access_token")
            expires_in = payload.get("expires_in")
            if (
                not _is_non_empty_str(token)
                or not isinstance(expires_in, int)
                or isinstance(expires_in, bool)
            ):
                raise WechatUnavailable("stable_token: response lacks access_token or expires_in")
            refresh_at = time.monotonic() + expires_in - TOKEN_REFRESH_MARGIN_SECONDS
            self._token = _CachedToken(token, refresh_at)
            return token

    async def phone_number(self, code: str) -> str:
        return (await self.phone(code)).pure

    async def phone(self, code: str) -> WechatPhone:
        payload = await self._request_with_token(
            "/wxa/business/getuserphonenumber", "getuserphonenumber", {"code": code}
        )
        phone_info = payload.get("phone_info")
        pure = phone_info.get("purePhoneNumber") if isinstance(phone_info, dict) else None
        if not _is_non_empty_str(pure):
            raise WechatUnavailable("getuserphonenumber: response lacks phone_info.purePhoneNumber")
        country = phone_info.get("countryCode") if isinstance(phone_info, dict) else None
        return WechatPhone(pure=pure, country_code=country if _is_non_empty_str(country) else None)

    async def oauth_identity(self, code: str) -> WechatOAuthIdentity:
        """Web authorisation (official account): exchanges the `code` WeChat gave the page for
        the visitor's openid, and unionid when WeChat returns one, from the token response or
        else from sns/userinfo (scope snsapi_userinfo). The web access token is used for that
        one call and dropped."""
        payload = await self._request(
            "GET",
            "/sns/oauth2/access_token",
            "oauth2/access_token",
            params={
                "appid": self._appid,
                "secret": self._secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        openid, token = payload.get("openid"), payload.get("access_token")
        if not _is_non_empty_str(openid) or not _is_non_empty_str(token):
            raise WechatUnavailable("oauth2/access_token: response lacks openid or access_token")
        unionid = payload.get("unionid")
        snapshot = payload.get("is_snapshotuser") == 1
        scopes = str(payload.get("scope", "")).split(",")
        if not _is_non_empty_str(unionid) and "snsapi_userinfo" in scopes and not snapshot:
            info = await self._request(
                "GET",
                "/sns/userinfo",
                "userinfo",
                params={"access_token": token, "openid": openid, "lang": "zh_CN"},
                redact=(token,),
            )
            unionid = info.get("unionid")
        return WechatOAuthIdentity(
            openid=openid,
            unionid=unionid if _is_non_empty_str(unionid) else None,
            is_snapshot_user=snapshot,
        )

    async def send_subscribe_message(
        self,
        *,
        openid: str,
        template_id: str,
        data: dict[str, str],
        page: str | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        # Omitted rather than null: WeChat validates the field when present.
        if page is not None:
            body["page"] = page
        await self._request_with_token("/cgi-bin/message/subscribe/send", "subscribe/send", body)

    def _fresh_cached_token(self) -> str | None:
        token = self._token
        if token is not None and time.monotonic() < token.refresh_at:
            return token.value
        return None

    async def _request_with_token(
        self, path: str, what: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._request(
                "POST", path, what, params={"access_token": token}, json=body
            )
        except WechatError as exc:
            if exc.errcode not in _TOKEN_REJECTED_ERRCODES:
                raise
        # WeChat checks the token before acting on the body, so the one-time codes and the
        # message were not consumed and one retry with a new token is safe.
        async with self._token_lock:
            # Only drop the token that failed: a concurrent caller may already have replaced it.
            if self._token is not None and self._token.value == token:
                self._token = None
        token = await self.access_token()
        return await self._request("POST", path, what, params={"access_token": token}, json=body)

    async def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        redact: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        import httpx  # loaded with the client by then (culture_cloud/http_clients.py)

        try:
            response = await self._http.request(
                method, self._base_url + path, params=params, json=json
            )
        except httpx.RequestError as exc:
            # `from None`: the chained httpx error holds the request, whose URL carries the
            # secret or access token, and would be printed with this exception's traceback.
            raise WechatUnavailable(
                f"{what}: {type(exc).__name__}: {self._redact(str(exc), *redact)}"
            ) from None
        # WeChat reports every API-level failure as HTTP 200 with an errcode, so any other
        # status comes from its gateway or a proxy in between.
        if response.status_code != 200:
            raise WechatUnavailable(f"{what}: HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise WechatUnavailable(f"{what}: response is not JSON") from None
        if not isinstance(payload, dict):
            raise WechatUnavailable(f"{what}: response is not a JSON object")
        errcode = payload.get("errcode", 0)
        if not isinstance(errcode, int) or isinstance(errcode, bool):
            raise WechatUnavailable(f"{what}: errcode is not an integer")
        errmsg = self._redact(str(payload.get("errmsg", "")), *redact)
        if errcode == _SYSTEM_BUSY_ERRCODE:
            raise WechatUnavailable(f"{what}: WeChat errcode {errcode}: {errmsg}")
        if errcode != 0:
            raise WechatError(errcode, errmsg)
        return payload

    def _redact(self, text: str, *more: str) -> str:
        # Belt and braces: none of these is expected in the text, but messages from httpx or
        # WeChat are outside our control.
        for secret in (self._secret, self._token.value if self._token else "", *more):
            if secret:
                text = text.replace(secret, "***")
        return text


def _is_non_empty_str(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""
