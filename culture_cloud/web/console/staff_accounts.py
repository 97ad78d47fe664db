"""Staff accounts (/console/staff): managers list and look after their organisation's
accounts, administrators any organisation's (organizationStaff); a new account
(createStaffAccount); one account's page changes its role (setStaffRole), disables or enables
it (setStaffAccountActive) and sets a new password (resetStaffPassword); one's own password
is changed at /console/password (password.py). Who may act on whom is the API's
rule (docs/decisions.md, "Staff accounts: who administers whom"): a refusal is a 403 page or a
message beside the field."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import STAFF_ROLE
from culture_cloud.web.console.nav import ADMIN, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, PageNotFound
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/staff", "员工", frozenset({MANAGER, ADMIN}), order=100))

NAME_MAX = 64
USERNAME_MAX = 32
PASSWORD_MAX = 200
PHONE_MAX = 20
# What a manager may hand out (the API refuses anything else); administrators any role.
MANAGER_ROLES = ("EDITOR", "CHECKER")
STATES = {"1": "启用中", "0": "已停用"}


def _roles(viewer: StaffViewer) -> dict[str, str]:
    if viewer.is_admin:
        return dict(STAFF_ROLE)
    return {role: STAFF_ROLE[role] for role in MANAGER_ROLES}


def _organizations(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (data.get("organizations") or {}).get("edges", [])]


async def staff_list(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    query = request.query_params
    role = actions.choice(query.get("role"), STAFF_ROLE)
    active = {"1": True, "0": False}.get(query.get("active") or "")
    if viewer.is_admin:
        organization = actions.optional_id(query.get("org"), "Organization")
        if organization is None:  # not chosen yet: only the organisations to choose from
            data = await web.data(request, "staff_form", {"organizationId": "", "admin": True})
            return _render_list(request, web, viewer, None, _organizations(data), None)
    elif viewer.organization_id is None:
        raise PageNotFound()
    else:
        organization = viewer.organization_id
    data = await web.data(
        request,
        "staff_list",
        {
            "organizationId": organization,
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "role": role,
            "active": active,
            "admin": viewer.is_admin,
        },
    )
    staff = data["organizationStaff"]
    return _render_list(request, web, viewer, staff, _organizations(data), organization)


def _render_list(
    request: Request,
    web: FrontEnd,
    viewer: StaffViewer,
    staff: dict[str, Any] | None,
    organizations: list[dict[str, Any]],
    organization: str | None,
) -> Response:
    query = request.query_params
    names = {org["id"]: org["name"] for org in organizations}
    return web.render(
        request,
        "staff_list.html",
        {
            "title": "员工账号",
            "staff": staff,
            "organizations": organizations,
            "organization_name": names.get(organization or "") or viewer.organization_name,
            "organization_number": actions.number_of(organization),
            "roles": STAFF_ROLE,
            "states": STATES,
            "filters": {
                "org": str(actions.number_of(organization) or ""),
                "role": query.get("role") or "",
                "active": query.get("active") or "",
            },
            "next_url": actions.next_page(request, staff["pageInfo"]) if staff else None,
            "first_url": actions.first_page(request),
        },
    )


async def _new_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    data = await web.data(
        request,
        "staff_form",
        {"organizationId": viewer.organization_id or "", "admin": viewer.is_admin},
    )
    chosen = request.query_params.get("org") or ""
    return web.render(
        request,
        "staff_new.html",
        {
            "title": "新建员工账号",
            "organizations": _organizations(data),
            "staff_count": (data.get("organizationStaff") or {}).get("totalCount"),
            "roles": _roles(viewer),
            "values": values or {"organizationId": chosen},
            "errors": errors or FormErrors(),
            "name_max": NAME_MAX,
            "username_max": USERNAME_MAX,
        },
        status_code=status_code,
    )


async def new_page(request: Request, web: FrontEnd) -> Response:
    return await _new_page(request, web)


async def create(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    if viewer.is_admin:
        organization = actions.id_field(
            form,
            "organizationId",
            errors,
            label="所属单位",
            type_name="Organization",
            required=True,
        )
    else:
        organization = viewer.organization_id
    username = forms.text(form, "username", errors, label="用户名", max_length=USERNAME_MAX)
    password = _password(form, "password", errors, label="初始密码")
    role = forms.choice(form, "role", errors, label="岗位", options=STAFF_ROLE)
    nickname = forms.text(
        form, "nickname", errors, label="昵称", max_length=NAME_MAX, required=False
    )
    real_name = forms.text(
        form, "realName", errors, label="真实姓名", max_length=NAME_MAX, required=False
    )
    phone = forms.text(form, "phone", errors, label="手机号", max_length=PHONE_MAX, required=False)
    variables = {
        "input": {
            "organizationId": organization,
            "username": username,
            "password": password,
            "role": role,
            "nickname": nickname or None,
            "realName": real_name or None,
            "phone": phone or None,
        }
    }
    known = {"organizationId", "username", "password", "role", "nickname", "realName", "phone"}
    payload, errors = await actions.act(
        request, web, "create_staff_account", variables, known=known, errors=errors
    )
    if payload is not None:
        number = actions.number_of(payload["user"]["id"])
        return see_other(f"/console/staff/{number}?done=created")
    return await _new_page(request, web, values=actions.typed(form), errors=errors, status_code=400)


def _password(form: FormData, name: str, errors: FormErrors, *, label: str) -> str:
    """A password as typed (spaces are part of it); the API checks its strength."""
    value = form.get(name)
    if not isinstance(value, str) or not value:
        errors.add(name, f"请填写{label}")
        return ""
    if len(value) > PASSWORD_MAX:
        errors.add(name, f"{label}不能超过 {PASSWORD_MAX} 个字符")
    return value


DONE = {
    "created": "账号已创建，请把用户名和初始密码告知本人，并提醒其登录后修改密码。",
    "role": "岗位已变更，该账号的下一次操作起生效。",
    "active": "账号状态已更新。",
    "password": "已设置新密码，该账号的所有登录均已退出。",
}


async def _member_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    gid = actions.path_id(request, "User")
    member = (await web.run(request, "staff_member", {"id": gid})).node("user")
    return web.render(
        request,
        "staff_member.html",
        {
            "title": f"员工账号：{member.get('username') or ''}",
            "member": member,
            "roles": _roles(viewer),
            "done": DONE.get(request.query_params.get("done") or ""),
            "values": values or {"role": member.get("staffRole") or ""},
            "errors": errors or FormErrors(),
            "failed": failed,
        },
        status_code=status_code,
    )


async def member(request: Request, web: FrontEnd) -> Response:
    return await _member_page(request, web)


async def _member_action(
    request: Request,
    web: FrontEnd,
    form: FormData,
    what: str,
    document: str,
    variables: dict[str, Any],
    errors: FormErrors,
    known: set[str],
) -> Response:
    gid = actions.path_id(request, "User")
    payload, errors = await actions.act(
        request, web, document, {"userId": gid, **variables}, known=known, errors=errors
    )
    if payload is not None:
        return see_other(f"/console/staff/{request.path_params['id']}?done={what}")
    return await _member_page(
        request, web, values=actions.typed(form), errors=errors, failed=what, status_code=400
    )


async def set_role(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    role = forms.choice(form, "role", errors, label="岗位", options=STAFF_ROLE)
    return await _member_action(
        request, web, form, "role", "set_staff_role", {"role": role}, errors, {"role"}
    )


async def set_active(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    active = forms.choice(form, "active", errors, label="账号状态", options=STATES)
    return await _member_action(
        request,
        web,
        form,
        "active",
        "set_staff_account_active",
        {"active": active == "1"},
        errors,
        {"active"},
    )


async def reset_password(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    password = _password(form, "newPassword", errors, label="新密码")
    return await _member_action(
        request,
        web,
        form,
        "password",
        "reset_staff_password",
        {"newPassword": password},
        errors,
        {"newPassword"},
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/staff", staff_list, name="console_staff"),
        web.route("/staff/new", new_page),
        web.route("/staff/new", create, methods=post),
        web.route("/staff/{id:int}", member),
        web.route("/staff/{id:int}/role", set_role, methods=post),
        web.route("/staff/{id:int}/active", set_active, methods=post),
        web.route("/staff/{id:int}/password", reset_password, methods=post),
    ]
