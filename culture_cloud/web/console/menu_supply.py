"""The supply side of the culture menu: a supplier's offerings by status
(/console/menu/supply; offerings with the organisation as supplier), a new offering
(/console/menu/supply/new; submitOffering, reviewed by the bureau before it is on the menu)
and taking one off the menu (retireOffering); administrators review the pending ones
(/console/menu/review; reviewOffering: approve, or reject with a reason)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import OFFERING_KIND, OFFERING_STATUS
from culture_cloud.web.console.nav import ADMINISTERING, EDITING, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/menu/supply", "供给项目", EDITING, order=92))
NAV.append(NavEntry("/console/menu/review", "菜单审核", ADMINISTERING, order=125))

TITLE_MAX = 100
DESCRIPTION_MAX = 2000
REQUIREMENT_MAX = 200
REASON_MAX = 200
MAX_REGIONS = 14


async def _supply_page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    status = actions.choice(request.query_params.get("status"), OFFERING_STATUS) or "APPROVED"
    data = await web.data(
        request,
        "supplier_offerings",
        {
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "supplierId": viewer.organization_id,
            "status": status,
        },
    )
    offerings = data["offerings"]
    return web.render(
        request,
        "menu_supply.html",
        {
            "title": "供给项目",
            "offerings": offerings,
            "pending": data["pending"]["totalCount"],
            "statuses": OFFERING_STATUS,
            "status": status,
            "done": request.query_params.get("done"),
            "failed": failed,
            "errors": errors or FormErrors(),
            "next_url": actions.next_page(request, offerings["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def supply(request: Request, web: FrontEnd) -> Response:
    return await _supply_page(request, web)


async def retire(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    await web.form(request)
    gid = actions.path_id(request, "Offering")
    payload, errors = await actions.act(request, web, "retire_offering", {"id": gid})
    if payload is not None:
        return see_other("/console/menu/supply?status=RETIRED&done=retired")
    return await _supply_page(request, web, failed=gid, errors=errors, status_code=400)


async def _new_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    data = await web.data(request, "offering_form", {"supplierId": viewer.organization_id})
    return web.render(
        request,
        "menu_offering_new.html",
        {
            "title": "新的菜单项目",
            "regions": data["regions"],
            "pending": data["pending"]["totalCount"],
            "kinds": OFFERING_KIND,
            "values": values or {},
            "chosen_regions": set((values or {}).get("regions", [])),
            "errors": errors or FormErrors(),
            "title_max": TITLE_MAX,
            "description_max": DESCRIPTION_MAX,
            "requirement_max": REQUIREMENT_MAX,
        },
        status_code=status_code,
    )


async def new_page(request: Request, web: FrontEnd) -> Response:
    return await _new_page(request, web)


async def submit(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    title = forms.text(form, "title", errors, label="项目名称", max_length=TITLE_MAX)
    kind = forms.choice(form, "kind", errors, label="类别", options=OFFERING_KIND)
    duration = actions.integer(form, "durationMinutes", errors, label="时长（分钟）", low=1)
    low = actions.integer(form, "audienceMin", errors, label="最少观众人数", low=1)
    high = actions.integer(form, "audienceMax", errors, label="最多观众人数", low=1)
    cost = actions.amount(form, "costYuan", errors, label="每场费用")
    description = forms.text(
        form,
        "description",
        errors,
        label="项目说明",
        max_length=DESCRIPTION_MAX,
        multiline=True,
        required=False,
    )
    power = forms.text(
        form,
        "requirements-power",
        errors,
        label="用电要求",
        max_length=REQUIREMENT_MAX,
        required=False,
    )
    space = forms.text(
        form,
        "requirements-space",
        errors,
        label="场地要求",
        max_length=REQUIREMENT_MAX,
        required=False,
    )
    regions = [
        region
        for value in form.getlist("regions")[:MAX_REGIONS]
        if (region := actions.optional_id(value, "Region")) is not None
    ]
    variables = {
        "input": {
            "title": title,
            "kind": kind,
            "durationMinutes": duration,
            "audienceMin": low,
            "audienceMax": high,
            "costYuan": cost,
            "description": description or None,
            "requirements": {
                "stage": form.get("requirements-stage") == "1",
                "power": power or None,
                "space": space or None,
            },
            "regionIds": regions or None,
        }
    }
    known = {
        "title",
        "kind",
        "durationMinutes",
        "audienceMin",
        "audienceMax",
        "costYuan",
        "description",
        "requirements-power",
        "requirements-space",
    }
    payload, errors = await actions.act(
        request, web, "submit_offering", variables, known=known, errors=errors
    )
    if payload is not None:
        return see_other("/console/menu/supply?status=PENDING_REVIEW&done=submitted")
    values: dict[str, Any] = {**actions.typed(form), "regions": form.getlist("regions")}
    return await _new_page(request, web, values=values, errors=errors, status_code=400)


async def _review_page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    data = await web.data(
        request,
        "supplier_offerings",
        {
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "supplierId": None,
            "status": "PENDING_REVIEW",
        },
    )
    offerings = data["offerings"]
    return web.render(
        request,
        "menu_review.html",
        {
            "title": "菜单项目审核",
            "offerings": offerings,
            "done": request.query_params.get("done") == "1",
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reason_max": REASON_MAX,
            "next_url": actions.next_page(request, offerings["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def review_queue(request: Request, web: FrontEnd) -> Response:
    return await _review_page(request, web)


async def review(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Offering")
    errors = FormErrors()
    approve = forms.choice(form, "approve", errors, label="审核结果", options=("1", "0"))
    reason = forms.text(
        form,
        "reason",
        errors,
        label="驳回理由",
        max_length=REASON_MAX,
        multiline=True,
        required=approve == "0",
    )
    payload, errors = await actions.act(
        request,
        web,
        "review_offering",
        {"id": gid, "approve": approve == "1", "reason": reason or None},
        known={"reason"},
        errors=errors,
    )
    if payload is not None:
        return see_other("/console/menu/review?done=1")
    return await _review_page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/menu/supply", supply, name="console_menu_supply"),
        web.route("/menu/supply/new", new_page),
        web.route("/menu/supply/new", submit, methods=post),
        web.route("/menu/supply/{id:int}/retire", retire, methods=post),
        web.route("/menu/review", review_queue, name="console_menu_review"),
        web.route("/menu/review/{id:int}", review, methods=post),
    ]
