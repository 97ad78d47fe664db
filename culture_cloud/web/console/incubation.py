"""Incubation (/console/incubation, administrators): community groups' applications
(reviewGroupApplication: register, or reject with a reason), projects (reviewProject), trial
events of approved projects (scheduleTrialEvent, at a venue by its number) and promotion to
menu supplier (evaluateGroupPromotion). One page lists every stage; each decision is a form
of its row, and a refusal comes back beside that row's fields."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.nav import ADMINISTERING, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/incubation", "孵化", ADMINISTERING, order=140))

REASON_MAX = 200
TITLE_MAX = 100
DECISIONS = {"1": "通过", "0": "驳回"}
DONE = {
    "group": "已审核团队申请。",
    "project": "已审核项目。",
    "trial": "试运行活动已安排并发布。",
    "promoted": "团队已达标，晋升为文化菜单供给方。",
    "evaluated": "已评估：尚未全部达标，详见评估结果。",
}


async def _page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    data = await web.data(request, "incubation")
    return web.render(
        request,
        "incubation.html",
        {
            "title": "活动孵化",
            "data": data,
            "done": DONE.get(request.query_params.get("done") or ""),
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reason_max": REASON_MAX,
            "title_max": TITLE_MAX,
        },
        status_code=status_code,
    )


async def incubation(request: Request, web: FrontEnd) -> Response:
    return await _page(request, web)


async def _decide(
    request: Request, web: FrontEnd, type_name: str, document: str, done: str
) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, type_name)
    errors = FormErrors()
    approve = forms.choice(form, "approve", errors, label="审核结果", options=DECISIONS)
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
        document,
        {"id": gid, "approve": approve == "1", "reason": reason or None},
        known={"reason"},
        errors=errors,
    )
    if payload is not None:
        return see_other(f"/console/incubation?done={done}")
    return await _page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


async def review_group(request: Request, web: FrontEnd) -> Response:
    return await _decide(request, web, "CommunityGroup", "review_group_application", "group")


async def review_project(request: Request, web: FrontEnd) -> Response:
    return await _decide(request, web, "GroupProject", "review_project", "project")


async def evaluate(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    await web.form(request)
    gid = actions.path_id(request, "CommunityGroup")
    payload, errors = await actions.act(request, web, "evaluate_group_promotion", {"id": gid})
    if payload is not None:
        return see_other(
            "/console/incubation?done=" + ("promoted" if payload["promoted"] else "evaluated")
        )
    return await _page(request, web, failed=gid, errors=errors, status_code=400)


async def schedule_trial(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "GroupProject")
    errors = FormErrors()
    venue = actions.id_field(
        form, "venueId", errors, label="场馆编号", type_name="Venue", required=True
    )
    start = actions.local_datetime(form, "startAt", errors, label="开始时间")
    end = actions.local_datetime(form, "endAt", errors, label="结束时间")
    capacity = actions.integer(form, "capacity", errors, label="名额", low=1)
    title = forms.text(
        form, "title", errors, label="活动名称", max_length=TITLE_MAX, required=False
    )
    variables: dict[str, Any] = {
        "input": {
            "projectId": gid,
            "venueId": venue,
            "startAt": start,
            "endAt": end,
            "capacity": capacity,
            "title": title or None,
        }
    }
    payload, errors = await actions.act(
        request,
        web,
        "schedule_trial_event",
        variables,
        known={"venueId", "startAt", "endAt", "capacity", "title"},
        errors=errors,
    )
    if payload is not None:
        return see_other("/console/incubation?done=trial")
    return await _page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/incubation", incubation, name="console_incubation"),
        web.route("/incubation/groups/{id:int}/review", review_group, methods=post),
        web.route("/incubation/groups/{id:int}/evaluate", evaluate, methods=post),
        web.route("/incubation/projects/{id:int}/review", review_project, methods=post),
        web.route("/incubation/projects/{id:int}/trial", schedule_trial, methods=post),
    ]
