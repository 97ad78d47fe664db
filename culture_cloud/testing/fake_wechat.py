"""A fake WeChat API server for tests and local development.

It is a real HTTP server on loopback, so the production WechatClient and httpx stack are exercised
end to end; only the base URL differs. The state lives in a plain object that tests drive
directly (issue codes, inject failures, inspect sent messages).

It also plays the official account's web authorisation (OAuth2): `/connect/oauth2/authorize`
(what open.weixin.qq.com shows in WeChat's browser) sends the browser straight back with a
code for the identity chosen by `authorize_as` (or `/_fake/authorize-as`), and
`sns/oauth2/access_token` and `sns/userinfo` answer for it.

Local development::

    python -m culture_cloud.testing.fake_wechat --port 8910
    curl -s -X POST localhost:8910/_fake/login-code -d '{"openid": "o-dev-1"}'
    curl -s -X POST localhost:8910/_fake/oauth-code -d '{"openid": "o-web-1", "unionid": "u-1"}'
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from culture_cloud.testing.loopback import LoopbackServer

__all__ = ["FakeWechat", "FakeWechatServer", "SentMessage", "create_app", "main"]

DEV_APPID: Final = "wx-demo-appid"
DEV_SECRET: Final = "wx-demo-secret"
DEV_WEB_APPID: Final = "wx-demo-oa-appid"
DEV_WEB_SECRET: Final = "wx-demo-oa-secret"
WEB_SCOPES: Final = frozenset({"snsapi_base", "snsapi_userinfo"})
DEV_PORT: Final = 8910

_Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SentMessage:
    touser: str
    template_id: str
    page: str | None
    data: dict[str, str]


@dataclass(slots=True)
class _LoginCode:
    openid: str
    unionid: str | None
    session_key: str
    used: bool = False


@dataclass(slots=True)
class _PhoneCode:
    phone: str
    used: bool = False


@dataclass(slots=True)
class _OAuthCode:
    openid: str
    unionid: str | None
    scope: str
    # WeChat returns unionid in the token response for snsapi_userinfo; False leaves it to
    # sns/userinfo (as some accounts see it), to exercise that path.
    unionid_in_token: bool
    snapshot: bool
    used: bool = False


@dataclass(slots=True)
class _OAuthGrant:
    openid: str
    unionid: str | None
    scope: str
    expires_at: float  # time.monotonic() value


@dataclass(slots=True)
class _Token:
    expires_at: float  # time.monotonic() value
    # 40001 / 42001 once revoked by invalidate_tokens(), else None.
    revoked_errcode: int | None = None


def _error(errcode: int, errmsg: str) -> _Payload:
    return {"errcode": errcode, "errmsg": errmsg}


class FakeWechat:
    """State and behaviour of the fake. Thread-safe: the server runs in its own thread."""

    def __init__(
        self,
        *,
        appid: str = "wx-test-appid",
        secret: str = "wx-test-secret",
        token_ttl: int = 7200,
        web_appid: str = "wx-test-oa-appid",
        web_secret: str = "wx-test-oa-secret",
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.token_ttl = token_ttl
        self.web_appid = web_appid
        self.web_secret = web_secret
        self.token_requests = 0
        self.userinfo_requests = 0
        self._oauth_codes: dict[str, _OAuthCode] = {}
        self._oauth_grants: dict[str, _OAuthGrant] = {}
        self._authorize_as: tuple[str, str | None] = ("o-web-dev-1", None)
        self._lock = threading.Lock()
        self._login_codes: dict[str, _LoginCode] = {}
        self._phone_codes: dict[str, _PhoneCode] = {}
        self._session_keys: dict[str, str] = {}
        self._tokens: dict[str, _Token] = {}
        self._current_token: str | None = None
        self._sent: list[SentMessage] = []
        self._fail_remaining = 0
        self._reject_subscriptions = False

    # -- test controls ---------------------------------------------------------------------

    def issue_login_code(self, openid: str, unionid: str | None = None) -> str:
        code = secrets.token_hex(16)
        # Same shape as WeChat's keys (base64 of 16 bytes), so leak checks are realistic.
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        with self._lock:
            self._login_codes[code] = _LoginCode(openid, unionid, session_key)
            self._session_keys[openid] = session_key
        return code

    def issue_phone_code(self, phone: str) -> str:
        code = secrets.token_hex(16)
        with self._lock:
            self._phone_codes[code] = _PhoneCode(phone)
        return code

    def issue_oauth_code(
        self,
        openid: str,
        unionid: str | None = None,
        *,
        scope: str = "snsapi_userinfo",
        unionid_in_token: bool = True,
        snapshot: bool = False,
    ) -> str:
        """A web authorisation code, as WeChat appends to the page's URL after the visitor
        agreed; `snapshot`: the visitor is a Moments snapshot page's stand-in."""
        if scope not in WEB_SCOPES:
            raise ValueError(f"scope must be one of {sorted(WEB_SCOPES)}")
        code = secrets.token_hex(16)
        with self._lock:
            self._oauth_codes[code] = _OAuthCode(openid, unionid, scope, unionid_in_token, snapshot)
        return code

    def authorize_as(self, openid: str, unionid: str | None = None) -> None:
        """Who `/connect/oauth2/authorize` signs in from now on (the browser's WeChat user)."""
        with self._lock:
            self._authorize_as = (openid, unionid)

    def last_session_key_for(self, openid: str) -> str:
        with self._lock:
            return self._session_keys[openid]

    @property
    def sent_messages(self) -> list[SentMessage]:
        with self._lock:
            return list(self._sent)

    def fail_next(self, n: int) -> None:
        """Answer the next `n` WeChat API requests with HTTP 503 (dev endpoints are exempt)."""
        with self._lock:
            self._fail_remaining = n

    def reject_subscriptions(self, flag: bool) -> None:
        with self._lock:
            self._reject_subscriptions = flag

    def invalidate_tokens(self, *, expired: bool = False) -> None:
        """Revoke every issued access token: answers 42001 if `expired`, else 40001."""
        errcode = 42001 if expired else 40001
        with self._lock:
            for token in self._tokens.values():
                token.revoked_errcode = errcode
            self._current_token = None

    # -- protocol --------------------------------------------------------------------------

    def _take_failure(self) -> bool:
        with self._lock:
            if self._fail_remaining > 0:
                self._fail_remaining -= 1
                return True
            return False

    def _check_credentials(
        self, appid: object, secret: object, *, web: bool = False
    ) -> _Payload | None:
        expected_appid, expected_secret = (
            (self.web_appid, self.web_secret) if web else (self.appid, self.secret)
        )
        if not appid:
            return _error(41002, "appid missing")
        if not secret:
            return _error(41004, "appsecret missing")
        if appid != expected_appid:
            return _error(40013, "invalid appid")
        if secret != expected_secret:
            return _error(40125, "invalid appsecret")
        return None

    def _oauth_access_token(self, params: dict[str, str]) -> _Payload:
        error = self._check_credentials(params.get("appid"), params.get("secret"), web=True)
        if error is not None:
            return error
        if params.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = params.get("code")
        if not code:
            return _error(41008, "missing code")
        with self._lock:
            entry = self._oauth_codes.get(code)
            if entry is None:
                return _error(40029, "invalid code")
            if entry.used:
                return _error(40163, "code been used")
            entry.used = True
            token = secrets.token_urlsafe(48)
            self._oauth_grants[token] = _OAuthGrant(
                entry.openid, entry.unionid, entry.scope, time.monotonic() + 7200
            )
        payload: _Payload = {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": secrets.token_urlsafe(48),
            "openid": entry.openid,
            "scope": entry.scope,
        }
        if entry.snapshot:
            payload["is_snapshotuser"] = 1
        if entry.unionid and entry.unionid_in_token and entry.scope == "snsapi_userinfo":
            payload["unionid"] = entry.unionid
        return payload

    def _userinfo(self, params: dict[str, str]) -> _Payload:
        with self._lock:
            self.userinfo_requests += 1
            grant = self._oauth_grants.get(params.get("access_token") or "")
        if grant is None:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if grant.expires_at <= time.monotonic():
            return _error(42001, "access_token expired")
        if params.get("openid") != grant.openid:
            return _error(40003, "invalid openid")
        if grant.scope != "snsapi_userinfo":
            return _error(48001, "api unauthorized")
        payload: _Payload = {
            "openid": grant.openid,
            "nickname": "微信用户",
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": "",
            "privilege": [],
        }
        if grant.unionid:
            payload["unionid"] = grant.unionid
        return payload

    def _authorize(self, params: dict[str, str]) -> Response:
        """open.weixin.qq.com's page: it shows its own error pages (not JSON) for a bad request,
        and on success sends the browser back to redirect_uri with code and state."""
        redirect_uri = params.get("redirect_uri", "")
        if params.get("appid") != self.web_appid:
            return PlainTextResponse("appid 参数错误", status_code=400)
        if params.get("response_type") != "code" or params.get("scope") not in WEB_SCOPES:
            return PlainTextResponse("参数错误：response_type 或 scope", status_code=400)
        if urlsplit(redirect_uri).scheme not in {"http", "https"}:
            return PlainTextResponse("redirect_uri 参数错误", status_code=400)
        with self._lock:
            openid, unionid = self._authorize_as
        code = self.issue_oauth_code(openid, unionid, scope=params["scope"])
        query = urlencode({"code": code, "state": params.get("state", "")})
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{query}", status_code=302)

    def _jscode2session(self, params: dict[str, str]) -> _Payload:
        error = self._check_credentials(params.get("appid"), params.get("secret"))
        if error is not None:
            return error
        if params.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = params.get("js_code")
        if not code:
            return _error(41008, "missing code")
        with self._lock:
            login = self._login_codes.get(code)
            if login is None:
                return _error(40029, "invalid code")
            if login.used:
                return _error(40163, "code been used")
            login.used = True
        payload: _Payload = {"openid": login.openid, "session_key": login.session_key}
        if login.unionid is not None:
            payload["unionid"] = login.unionid
        return payload

    def _stable_token(self, body: _Payload) -> _Payload:
        error = self._check_credentials(body.get("appid"), body.get("secret"))
        if error is not None:
            return error
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        now = time.monotonic()
        with self._lock:
            self.token_requests += 1
            # Like WeChat's normal mode: the same token while it is valid, unless forced.
            current = self._current_token
            if current is not None and not body.get("force_refresh"):
                token = self._tokens[current]
                if token.revoked_errcode is None and token.expires_at > now:
                    return {"access_token": current, "expires_in": int(token.expires_at - now)}
            value = secrets.token_urlsafe(48)
            self._tokens[value] = _Token(expires_at=now + self.token_ttl)
            self._current_token = value
        return {"access_token": value, "expires_in": self.token_ttl}

    def _check_token(self, value: str | None) -> _Payload | None:
        if not value:
            return _error(41001, "access_token missing")
        with self._lock:
            token = self._tokens.get(value)
            if token is None or token.revoked_errcode == 40001:
                return _error(40001, "invalid credential, access_token is invalid or not latest")
            if token.revoked_errcode == 42001 or token.expires_at <= time.monotonic():
                return _error(42001, "access_token expired")
        return None

    def _phone_number(self, access_token: str | None, body: _Payload) -> _Payload:
        error = self._check_token(access_token)
        if error is not None:
            return error
        code = body.get("code")
        if not isinstance(code, str) or not code:
            return _error(47001, "data format error")
        with self._lock:
            entry = self._phone_codes.get(code)
            if entry is None or entry.used:
                return _error(40029, "invalid code")
            entry.used = True
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": entry.phone,
                "purePhoneNumber": entry.phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": self.appid},
            },
        }

    def _subscribe_send(self, access_token: str | None, body: _Payload) -> _Payload:
        error = self._check_token(access_token)
        if error is not None:
            return error
        touser = body.get("touser")
        template_id = body.get("template_id")
        page = body.get("page")
        raw_data = body.get("data")
        if not isinstance(touser, str) or not touser:
            return _error(40003, "invalid openid")
        if not isinstance(template_id, str) or not template_id:
            return _error(40037, "invalid template_id")
        if page is not None and not isinstance(page, str):
            return _error(47003, "argument invalid! page invalid")
        if not isinstance(raw_data, dict):
            return _error(47003, "argument invalid! data invalid")
        data: dict[str, str] = {}
        for key, item in raw_data.items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str):
                return _error(47003, f"argument invalid! data.{key}.value invalid")
            data[key] = value
        with self._lock:
            if self._reject_subscriptions:
                return _error(43101, "user refuse to accept the msg")
            self._sent.append(SentMessage(touser, template_id, page, data))
        return {"errcode": 0, "errmsg": "ok", "msgid": secrets.randbits(63)}


async def _json_body(request: Request) -> _Payload | None:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _unavailable() -> Response:
    # Deliberately not JSON, like the HTML error page WeChat's gateway serves.
    return PlainTextResponse("503 Service Temporarily Unavailable", status_code=503)


def create_app(state: FakeWechat) -> Starlette:
    async def jscode2session(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        payload = state._jscode2session(dict(request.query_params))
        # WeChat really serves this endpoint's JSON as text/plain; clients must cope.
        return JSONResponse(payload, media_type="text/plain")

    async def stable_token(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        body = await _json_body(request)
        if body is None:
            return JSONResponse(_error(47001, "data format error"))
        return JSONResponse(state._stable_token(body))

    async def phone_number(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        body = await _json_body(request)
        if body is None:
            return JSONResponse(_error(47001, "data format error"))
        return JSONResponse(state._phone_number(request.query_params.get("access_token"), body))

    async def subscribe_send(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        body = await _json_body(request)
        if body is None:
            return JSONResponse(_error(47001, "data format error"))
        return JSONResponse(state._subscribe_send(request.query_params.get("access_token"), body))

    async def oauth_access_token(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        payload = state._oauth_access_token(dict(request.query_params))
        return JSONResponse(payload, media_type="text/plain")

    async def userinfo(request: Request) -> Response:
        if state._take_failure():
            return _unavailable()
        return JSONResponse(state._userinfo(dict(request.query_params)))

    async def authorize(request: Request) -> Response:
        return state._authorize(dict(request.query_params))

    async def fake_oauth_code(request: Request) -> Response:
        body = await _json_body(request)
        openid = body.get("openid") if body else None
        unionid = body.get("unionid") if body else None
        if not isinstance(openid, str) or not openid:
            return JSONResponse({"error": "openid (non-empty string) required"}, 400)
        if unionid is not None and not isinstance(unionid, str):
            return JSONResponse({"error": "unionid must be a string or null"}, 400)
        return JSONResponse({"code": state.issue_oauth_code(openid, unionid or None)})

    async def fake_authorize_as(request: Request) -> Response:
        body = await _json_body(request)
        openid = body.get("openid") if body else None
        unionid = body.get("unionid") if body else None
        if not isinstance(openid, str) or not openid:
            return JSONResponse({"error": "openid (non-empty string) required"}, 400)
        if unionid is not None and not isinstance(unionid, str):
            return JSONResponse({"error": "unionid must be a string or null"}, 400)
        state.authorize_as(openid, unionid or None)
        return JSONResponse({"openid": openid, "unionid": unionid or None})

    async def fake_login_code(request: Request) -> Response:
        body = await _json_body(request)
        openid = body.get("openid") if body else None
        unionid = body.get("unionid") if body else None
        if not isinstance(openid, str) or not openid:
            return JSONResponse({"error": "openid (non-empty string) required"}, 400)
        if unionid is not None and not isinstance(unionid, str):
            return JSONResponse({"error": "unionid must be a string or null"}, 400)
        return JSONResponse({"code": state.issue_login_code(openid, unionid or None)})

    async def fake_phone_code(request: Request) -> Response:
        body = await _json_body(request)
        phone = body.get("phone") if body else None
        if not isinstance(phone, str) or not phone:
            return JSONResponse({"error": "phone (non-empty string) required"}, 400)
        return JSONResponse({"code": state.issue_phone_code(phone)})

    return Starlette(
        routes=[
            Route("/sns/jscode2session", jscode2session, methods=["GET"]),
            Route("/cgi-bin/stable_token", stable_token, methods=["POST"]),
            Route("/wxa/business/getuserphonenumber", phone_number, methods=["POST"]),
            Route("/cgi-bin/message/subscribe/send", subscribe_send, methods=["POST"]),
            Route("/sns/oauth2/access_token", oauth_access_token, methods=["GET"]),
            Route("/sns/userinfo", userinfo, methods=["GET"]),
            Route("/connect/oauth2/authorize", authorize, methods=["GET"]),
            Route("/_fake/login-code", fake_login_code, methods=["POST"]),
            Route("/_fake/oauth-code", fake_oauth_code, methods=["POST"]),
            Route("/_fake/authorize-as", fake_authorize_as, methods=["POST"]),
            Route("/_fake/phone-code", fake_phone_code, methods=["POST"]),
        ]
    )


class FakeWechatServer(LoopbackServer):
    """Runs the fake on 127.0.0.1 and a free port in a background thread."""

    def __init__(self, state: FakeWechat | None = None, *, startup_timeout: float = 10.0) -> None:
        self.state = state if state is not None else FakeWechat()
        super().__init__(
            create_app(self.state), name="FakeWechatServer", startup_timeout=startup_timeout
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake WeChat API for local development.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEV_PORT)
    parser.add_argument("--appid", default=DEV_APPID)
    parser.add_argument("--secret", default=DEV_SECRET)
    parser.add_argument("--web-appid", default=DEV_WEB_APPID, help="the official account's")
    parser.add_argument("--web-secret", default=DEV_WEB_SECRET)
    args = parser.parse_args(argv)
    state = FakeWechat(
        appid=args.appid,
        secret=args.secret,
        web_appid=args.web_appid,
        web_secret=args.web_secret,
    )
    base = f"http://{args.host}:{args.port}"
    print(
        f"Fake WeChat on {base} (appid={args.appid}). Get a login code with:\n"
        f'  curl -s -X POST {base}/_fake/login-code -d \'{{"openid": "o-dev-1"}}\'\n'
        f'  curl -s -X POST {base}/_fake/phone-code -d \'{{"phone": "13800001234"}}\'\n'
        f'  curl -s -X POST {base}/_fake/oauth-code -d \'{{"openid": "o-web-1"}}\'\n'
        f"and point the API at it: CULTURE_CLOUD_WECHAT_BASE_URL={base} "
        f"CULTURE_CLOUD_WECHAT_WEB_AUTHORIZE_URL={base}/connect/oauth2/authorize",
        flush=True,
    )
    uvicorn.run(create_app(state), host=args.host, port=args.port, log_level="info", lifespan="off")


if __name__ == "__main__":
    main()
