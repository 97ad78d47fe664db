"""修改密码: every member of staff and administrator changes their own password
(`changeMyPassword`). The API checks the current password (a wrong one counts like a failed
sign-in) and the new one's strength; every other sign-in of the account ends, this one goes on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console.nav import EVERYONE, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

PATH = "/console/password"
MAX_PASSWORD = 200
FIELDS = ("currentPassword", "newPassword", "confirmPassword")

NAV.append(NavEntry(PATH, "修改密码", EVERYONE, order=900))


def _render(
    request: Request,
    web: FrontEnd,
    *,
    errors: FormErrors | None = None,
    done: dict[str, int] | None = None,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "console_password.html",
        {"title": "修改密码", "errors": errors or FormErrors(), "done": done},
        status_code=status_code,
    )


async def password_page(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    return _render(request, web)


async def change_password(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    values: dict[str, str] = {}
    for name, label in zip(FIELDS, ("当前密码", "新密码", "确认新密码"), strict=True):
        value = form.get(name)
        if not isinstance(value, str) or not value:
            errors.add(name, f"请填写{label}")
        elif len(value) > MAX_PASSWORD:
            errors.add(name, f"{label}不能超过 {MAX_PASSWORD} 个字")
        else:
            values[name] = value
    if not errors and values["newPassword"] != values["confirmPassword"]:
        errors.add("confirmPassword", "两次输入的新密码不一致")
    if errors:
        return _render(request, web, errors=errors, status_code=400)
    result = await web.run(
        request,
        "console_change_password",
        {"currentPassword": values["currentPassword"], "newPassword": values["newPassword"]},
    )
    payload, errors = forms.outcome(result, "changeMyPassword", known=FIELDS)
    if payload is None:
        return _render(request, web, errors=errors, status_code=400)
    return _render(request, web, done={"revoked": int(payload["revokedSessions"])})


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/password", password_page, name="console_password"),
        web.route("/password", change_password, methods=["POST"]),
    ]
