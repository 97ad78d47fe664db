"""The bureau's administrators: organisations (/console/organizations: organizations,
createOrganization), designated reviewers (/console/reviewers: setDesignatedReviewer for a
resident found by account number), township menu budgets (/console/budgets: menuBudgets,
setMenuBudget) and the link to the data dashboard. The documents are administrators-only in
the API, so these pages are too (anybody else gets the API's 403), except reading budgets:
managers see those of their venues' townships, without the form that sets them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import ORGANIZATION_KIND
from culture_cloud.web.console.nav import ADMINISTERING, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors, InvalidInput
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/organizations", "机构与账号", ADMINISTERING, order=110))
NAV.append(NavEntry("/console/reviewers", "文化体验师", ADMINISTERING, order=115))
NAV.append(NavEntry("/console/budgets", "点单预算", ADMINISTERING, order=135))
NAV.append(NavEntry("/dashboard", "数据看板", ADMINISTERING, order=160))

NAME_MAX = 100
KEY_MAX = 64
DESCRIPTION_MAX = 1000
PERIOD_MAX = 7


# ---- organisations -------------------------------------------------------------------------


async def _organizations_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    kind = actions.choice(request.query_params.get("kind"), ORGANIZATION_KIND)
    data = await web.data(
        request,
        "organization_list",
        {"first": actions.PAGE_SIZE * 5, "after": actions.cursor(request), "kind": kind},
    )
    organizations = data["organizations"]
    return web.render(
        request,
        "organizations.html",
        {
            "title": "机构与账号",
            "organizations": organizations,
            "kinds": ORGANIZATION_KIND,
            "kind": kind or "",
            "created": request.query_params.get("created"),
            "values": values or {},
            "errors": errors or FormErrors(),
            "name_max": NAME_MAX,
            "key_max": KEY_MAX,
            "description_max": DESCRIPTION_MAX,
            "next_url": actions.next_page(request, organizations["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def organizations(request: Request, web: FrontEnd) -> Response:
    return await _organizations_page(request, web)


async def create_organization(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    name = forms.text(form, "name", errors, label="单位名称", max_length=NAME_MAX)
    kind = forms.choice(form, "kind", errors, label="单位类别", options=ORGANIZATION_KIND)
    key = forms.text(form, "key", errors, label="标识", max_length=KEY_MAX, required=False)
    description = forms.text(
        form,
        "description",
        errors,
        label="简介",
        max_length=DESCRIPTION_MAX,
        multiline=True,
        required=False,
    )
    variables = {
        "input": {
            "name": name,
            "kind": kind,
            "key": key or None,
            "description": description or None,
        }
    }
    payload, errors = await actions.act(
        request,
        web,
        "create_organization",
        variables,
        known={"name", "kind", "key", "description"},
        errors=errors,
    )
    if payload is not None:
        number = actions.number_of(payload["organization"]["id"])
        return see_other(f"/console/organizations?created={number}")
    return await _organizations_page(
        request, web, values=actions.typed(form), errors=errors, status_code=400
    )


# ---- designated reviewers ------------------------------------------------------------------


async def _reviewers_page(
    request: Request,
    web: FrontEnd,
    *,
    number: str | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    errors = errors or FormErrors()
    number = number if number is not None else (request.query_params.get("user") or "")[:20]
    gid = actions.optional_id(number, "User") if number else None
    if number and gid is None:
        errors.add("user", "账号编号应为正整数")
        status_code = 400
    data = await web.data(request, "reviewers_page", {"id": gid or "", "lookup": gid is not None})
    user = data.get("user")
    if gid is not None and user is None and not errors:
        errors.add("user", "找不到该账号")
        status_code = 404
    changes = [
        edge["node"]
        for edge in data["auditLog"]["edges"]
        if edge["node"]["action"] == "user.set_designated_reviewer"
    ]
    return web.render(
        request,
        "reviewers.html",
        {
            "title": "文化体验师",
            "user": user,
            "changes": changes,
            "values": {"user": number},
            "errors": errors,
            "done": request.query_params.get("done") == "1",
        },
        status_code=status_code,
    )


async def reviewers(request: Request, web: FrontEnd) -> Response:
    return await _reviewers_page(request, web)


async def set_reviewer(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    number = str(form.get("user") or "").strip()
    gid = actions.id_field(form, "user", errors, label="账号编号", type_name="User", required=True)
    value = forms.choice(form, "value", errors, label="操作", options=("1", "0"))
    payload, errors = await actions.act(
        request,
        web,
        "set_designated_reviewer",
        {"userId": gid, "value": value == "1"},
        known={"user"},
        errors=errors,
    )
    if payload is not None:
        return see_other(f"/console/reviewers?user={number}&done=1")
    return await _reviewers_page(request, web, number=number, errors=errors, status_code=400)


# ---- township menu budgets -----------------------------------------------------------------


def current_quarter() -> str:
    today = local_today(utcnow())
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


async def _budgets_page(
    request: Request,
    web: FrontEnd,
    *,
    period: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    errors = errors or FormErrors()
    asked = (request.query_params.get("period") or "").strip()[:PERIOD_MAX]
    period = period or asked or current_quarter()
    try:
        data = await web.data(request, "menu_budget_list", {"period": period})
    except InvalidInput as refused:
        # A period the API does not read (2026-13): say so and show the current quarter.
        errors.add("period", "; ".join([*refused.errors.fields.values(), *refused.errors.general]))
        period = current_quarter()
        data = await web.data(request, "menu_budget_list", {"period": period})
        status_code = 400
    return web.render(
        request,
        "budgets.html",
        {
            "title": "文化点单预算",
            "period": period,
            "budgets": data["menuBudgets"],
            "regions": data["regions"],
            "done": request.query_params.get("done") == "1",
            "values": values or {"period": period},
            "errors": errors,
        },
        status_code=status_code,
    )


async def budgets(request: Request, web: FrontEnd) -> Response:
    return await _budgets_page(request, web)


async def set_budget(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    period = forms.text(form, "period", errors, label="周期", max_length=PERIOD_MAX)
    region = actions.id_field(
        form, "regionId", errors, label="乡镇", type_name="Region", required=True
    )
    budget = actions.amount(form, "budgetYuan", errors, label="预算")
    orders = actions.integer(form, "maxOrders", errors, label="点单次数上限")
    variables = {
        "input": {
            "period": period,
            "regionId": region,
            "budgetYuan": budget,
            "maxOrders": orders,
        }
    }
    payload, errors = await actions.act(
        request,
        web,
        "set_menu_budget",
        variables,
        known={"period", "regionId", "budgetYuan", "maxOrders"},
        errors=errors,
    )
    if payload is not None:
        return see_other(f"/console/budgets?period={payload['budget']['period']}&done=1")
    return await _budgets_page(
        request,
        web,
        period=period if not errors.get("period") else None,
        values=actions.typed(form),
        errors=errors,
        status_code=400,
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/organizations", organizations, name="console_organizations"),
        web.route("/organizations", create_organization, methods=post),
        web.route("/reviewers", reviewers, name="console_reviewers"),
        web.route("/reviewers", set_reviewer, methods=post),
        web.route("/budgets", budgets, name="console_budgets"),
        web.route("/budgets", set_budget, methods=post),
    ]
