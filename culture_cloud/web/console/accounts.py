"""Signing in to the console with a staff or administrator password, and signing out.

The session is the website's (the same cookies, web/sessions.py): one sign-in serves both. A
resident's account — whatever way it signed in — is not let into the console: a password
that belongs to a resident is refused with "工作台仅供工作人员使用" and its new session ended
at once, and a resident already signed in on the website gets the same answer on every page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console.staff import STAFF_ONLY, staff_viewer
from culture_cloud.web.frontend import FrontEnd, safe_next, see_other
from culture_cloud.web.results import FormErrors, SignInRequired
from culture_cloud.web.site import forms

HOME = "/console/"
LOGIN = "/console/login"
MAX_USERNAME = 100
MAX_PASSWORD = 200


def _render(
    request: Request,
    web: FrontEnd,
    *,
    next_url: str,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "console_login.html",
        {
            "title": "工作台登录",
            "next_url": next_url,
            "values": values or {},
            "errors": errors or FormErrors(),
        },
        status_code=status_code,
    )


async def login_page(request: Request, web: FrontEnd) -> Response:
    next_url = safe_next(request.query_params.get("next"), HOME)
    if web.sessions.signed_in(request):
        try:
            me = (await web.data(request, "console_viewer"))["me"]
        except SignInRequired:
            web.sessions.forget(request)  # expired or revoked: sign in again
        else:
            if staff_viewer(me) is not None:
                return see_other(next_url)
            errors = FormErrors()
            errors.add(None, STAFF_ONLY + "。居民请在网站首页使用手机号登录。")
            return _render(request, web, next_url=next_url, errors=errors, status_code=403)
    return _render(request, web, next_url=next_url)


async def sign_in(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    next_url = safe_next(form.get("next"), HOME)
    errors = FormErrors()
    username = forms.text(form, "username", errors, label="用户名", max_length=MAX_USERNAME)
    password = form.get("password")
    if not isinstance(password, str) or not password:
        errors.add("password", "请填写密码")
        password = ""
    elif len(password) > MAX_PASSWORD:
        errors.add("password", f"密码不能超过 {MAX_PASSWORD} 个字")
    values = {"username": username}
    if errors:
        return _render(
            request, web, next_url=next_url, values=values, errors=errors, status_code=400
        )
    result = await web.run(request, "console_sign_in", {"username": username, "password": password})
    payload, errors = forms.outcome(result, "loginWithPassword", known={"username", "password"})
    if payload is None:
        return _render(
            request, web, next_url=next_url, values=values, errors=errors, status_code=400
        )
    if payload["user"]["kind"] not in ("STAFF", "ADMIN"):
        await _end_new_session(request, web, payload)
        errors.add(None, STAFF_ONLY + "。居民请在网站首页使用手机号登录。")
        return _render(
            request, web, next_url=next_url, values=values, errors=errors, status_code=403
        )
    if web.sessions.signed_in(request):
        await web.sessions.end(request)  # whoever was signed in before (a resident, say)
    web.sessions.start(request, payload)
    return see_other(next_url)


async def _end_new_session(request: Request, web: FrontEnd, payload: dict[str, Any]) -> None:
    """A session the console will not keep ends at once, so its tokens are worthless."""
    await web.kit.gateway.run(
        request,
        web.sessions.documents["sign_out"],
        authorization=f"Bearer {payload['accessToken']}",
    )


async def sign_out(request: Request, web: FrontEnd) -> Response:
    await web.form(request)
    await web.sessions.end(request)
    return see_other(LOGIN)


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/login", login_page, name="console_login"),
        web.route("/login", sign_in, methods=["POST"]),
        web.route("/logout", sign_out, methods=["POST"], name="console_logout"),
    ]
