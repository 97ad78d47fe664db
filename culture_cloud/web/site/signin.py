"""Residents sign in: phone + SMS code, or inside WeChat's browser WeChat web authorisation.

`/login` shows the phone form; "获取验证码" posts `/login/sms/code` (requestSmsCode) and the
page comes back with the code field, "已发送" and when a new code may be asked for (a
countdown with JavaScript, the plain figure without); the code posts `/login/sms`
(loginWithSmsCode). Inside WeChat (User-Agent MicroMessenger) `/login` sends the browser to
WeChat's authorisation page, which returns to `/login/wechat/callback?code=&state=`; `state`
is the visitor's CSRF token, so another site cannot make a browser sign in as someone else.
`next` survives every step and is always a local path. Staff sign in with their password at
`/login?method=password` (accounts.py). After a first sign-in, or a new privacy notice, the
visitor reads and accepts the notice (privacy.py) before going on."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from culture_cloud.accounts.wechat_web import authorize_url
from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import FormErrors, PageUnavailable, SignInRequired
from culture_cloud.web.site import forms
from culture_cloud.web.site.privacy import to_notice

MAX_PHONE = 20
MAX_CODE = 10
MAX_OAUTH_CODE = 128
SMS_UNAVAILABLE = "短信服务暂时不可用，请稍后重试"
WECHAT_UNAVAILABLE = "微信登录暂时不可用，请使用手机号登录"
METHODS = ("sms", "password")


def render_login(
    request: Request,
    web: FrontEnd,
    *,
    next_url: str,
    method: str = "sms",
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    sent: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "login.html",
        {
            "title": "登录",
            "method": method,
            "next_url": next_url,
            "values": values or {},
            "errors": errors or FormErrors(),
            "sent": sent,
            "sms_enabled": web.settings.sms_enabled,
        },
        status_code=status_code,
    )


def in_wechat(request: Request) -> bool:
    return "micromessenger" in request.headers.get("user-agent", "").lower()


async def login_page(request: Request, web: FrontEnd) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    method = request.query_params.get("method", "")
    if web.sessions.signed_in(request):
        try:
            viewer = (await web.data(request, "viewer"))["me"]
        except SignInRequired:
            web.sessions.forget(request)  # expired or revoked: sign in again
        else:
            return web.render(
                request,
                "signed_in.html",
                {"title": "已登录", "viewer": viewer, "next_url": next_url},
            )
    if method not in METHODS and in_wechat(request) and web.settings.wechat_web_enabled:
        return _to_wechat(request, web, next_url)
    return render_login(request, web, next_url=next_url, method=method or "sms")


def _to_wechat(request: Request, web: FrontEnd, next_url: str) -> Response:
    callback = web.public_url(request, "/login/wechat/callback?next=" + quote(next_url, safe=""))
    url = authorize_url(web.settings, redirect_uri=callback, state=web.kit.csrf.token(request))
    return RedirectResponse(url, status_code=302)


def _signed_in(request: Request, web: FrontEnd, payload: dict[str, Any], next_url: str) -> Response:
    web.sessions.start(request, payload)
    if payload["user"]["privacyConsentRequired"]:
        return to_notice(next_url)
    return see_other(next_url)


def _masked(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) == 11 else "您的手机"


def _phone(form: Any, errors: FormErrors) -> str:
    return forms.text(form, "phone", errors, label="手机号", max_length=MAX_PHONE)


async def request_code(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    next_url = safe_next(form.get("next"))
    errors = FormErrors()
    phone = _phone(form, errors)
    values = {"phone": phone}
    sent = None
    if not errors:
        try:
            result = await web.run(request, "request_sms_code", {"phone": phone})
            payload, errors = forms.outcome(result, "requestSmsCode", known={"phone"})
        except PageUnavailable:
            payload, errors = None, FormErrors()
            errors.add("phone", SMS_UNAVAILABLE)
        if payload is not None:
            sent = payload  # its phone is masked (138****1234): the form keeps what was typed
    return render_login(
        request,
        web,
        next_url=next_url,
        values=values,
        errors=errors,
        sent=sent,
        status_code=200 if sent else 400,
    )


async def sign_in_with_code(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    next_url = safe_next(form.get("next"))
    errors = FormErrors()
    phone = _phone(form, errors)
    code = forms.text(form, "code", errors, label="验证码", max_length=MAX_CODE)
    if not errors:
        result = await web.run(request, "sign_in_sms", {"phone": phone, "code": code})
        payload, errors = forms.outcome(result, "loginWithSmsCode", known={"phone", "code"})
        if payload is not None:
            return _signed_in(request, web, payload, next_url)
    # The code field again (the code was sent; a wrong one can be typed again).
    sent = {"phone": _masked(phone), "resendAfterSeconds": 0} if phone else None
    return render_login(
        request,
        web,
        next_url=next_url,
        values={"phone": phone, "code": code},
        errors=errors,
        sent=sent,
        status_code=400,
    )


async def wechat_callback(request: Request, web: FrontEnd) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    code = request.query_params.get("code", "")
    state = request.query_params.get("state", "")
    errors = FormErrors()
    # Checked before anything else: a callback this browser did not start (another site's
    # link carrying someone else's code) must not sign it in.
    expected = web.kit.csrf.token(request)
    if not state or not hmac.compare_digest(state.encode(), expected.encode()):
        errors.add(None, "登录链接已失效，请重新登录")
    elif not code or len(code) > MAX_OAUTH_CODE:
        errors.add(None, "微信未完成授权，请重新登录")  # the visitor refused, or a broken link
    else:
        try:
            result = await web.run(request, "sign_in_wechat_web", {"code": code})
            payload, errors = forms.outcome(result, "loginWithWechatWeb", known=())
        except PageUnavailable:
            payload = None
            errors.add(None, WECHAT_UNAVAILABLE)
        if payload is not None:
            return _signed_in(request, web, payload, next_url)
    # No automatic second trip to WeChat: the phone form, with the reason above it.
    return render_login(request, web, next_url=next_url, errors=errors, status_code=400)


def routes(web: FrontEnd) -> list[Any]:
    post = ["POST"]
    return [
        web.route("/login/sms/code", request_code, methods=post),
        web.route("/login/sms", sign_in_with_code, methods=post),
        web.route("/login/wechat/callback", wechat_callback, name="wechat_callback"),
    ]
