"""Staff sign in with their password, everybody signs out, and the 长辈模式 switch: form posts
that end in a redirect. Residents sign in by SMS code or WeChat (signin.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.web.cookies import clear_cookie, set_cookie
from culture_cloud.web.frontend import ELDER_COOKIE, FrontEnd, safe_next, see_other
from culture_cloud.web.results import FormErrors, InvalidInput, payload_errors
from culture_cloud.web.site.signin import render_login

ELDER_SECONDS = 365 * 24 * 3600
MAX_USERNAME = 100
MAX_PASSWORD = 200


async def sign_in_with_password(request: Request, web: FrontEnd) -> Response:
    form = await web.form(request)
    next_url = safe_next(form.get("next"))
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    values = {"username": username}
    errors = FormErrors()
    if not username:
        errors.add("username", "请输入用户名")
    elif len(username) > MAX_USERNAME:
        errors.add("username", f"用户名不能超过 {MAX_USERNAME} 个字符")
    if not password:
        errors.add("password", "请输入密码")
    elif len(password) > MAX_PASSWORD:
        errors.add("password", f"密码不能超过 {MAX_PASSWORD} 个字符")
    if not errors:
        try:
            data = await web.data(
                request, "sign_in_password", {"username": username, "password": password}
            )
        except InvalidInput as refused:
            errors = refused.errors
        else:
            payload = data["loginWithPassword"]
            if payload["__typename"] == "AuthPayload":
                web.sessions.start(request, payload)
                return see_other(next_url)
            errors = payload_errors(payload)
    return render_login(
        request,
        web,
        next_url=next_url,
        method="password",
        values=values,
        errors=errors,
        status_code=400,
    )


async def sign_out(request: Request, web: FrontEnd) -> Response:
    await web.form(request)
    await web.sessions.end(request)
    return see_other("/")


async def elder_mode(request: Request, web: FrontEnd) -> Response:
    """Turns 长辈模式 on or off for this browser (a cookie) and goes back to the page."""
    form = await web.form(request)
    if form.get("elder") == "1":
        set_cookie(request, ELDER_COOKIE, "1", ELDER_SECONDS)
    else:
        clear_cookie(request, ELDER_COOKIE)
    return see_other(safe_next(form.get("next")))
