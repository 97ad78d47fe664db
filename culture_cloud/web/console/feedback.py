"""The complaints inbox (/console/feedback): complaints and suggestions the API routes to the
viewer's organisation (administrators: the whole city, or one organisation), open ones first
and the overdue at the top; one item's page accepts it, answers it (办结, with a response),
refuses it (不予受理, with a reason) or closes it (updateFeedbackStatus)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import FEEDBACK_STATUS
from culture_cloud.web.console.nav import ADMINISTERING, EDITING, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/feedback", "投诉", EDITING, order=70))
NAV.append(NavEntry("/console/feedback", "投诉（全市）", ADMINISTERING, order=130))

TEXT_MAX = 2000
REASON_MAX = 500
# The steps each state offers on the item's page (the API says whether they are allowed).
STEPS = {
    "SUBMITTED": ("ACCEPTED", "REJECTED"),
    "ACCEPTED": ("RESOLVED", "REJECTED"),
    "RESOLVED": ("CLOSED",),
    "REJECTED": ("CLOSED",),
    "CLOSED": (),
}


async def inbox(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    query = request.query_params
    status = actions.choice(query.get("status"), FEEDBACK_STATUS)
    overdue = query.get("overdue") == "1"
    organization = actions.optional_id(query.get("org"), "Organization")
    data = await web.data(
        request,
        "feedback_inbox",
        {
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "status": status,
            "overdue": True if overdue else None,
            "organizationId": organization,
            "admin": viewer.is_admin,
        },
    )
    organizations = [edge["node"] for edge in (data.get("organizations") or {}).get("edges", [])]
    return web.render(
        request,
        "feedback_inbox.html",
        {
            "title": "投诉建议",
            "inbox": data["feedbackInbox"],
            "next_url": actions.next_page(request, data["feedbackInbox"]["pageInfo"]),
            "first_url": actions.first_page(request),
            "statuses": FEEDBACK_STATUS,
            "organizations": organizations,
            "filters": {
                "status": status or "",
                "overdue": overdue,
                "org": str(actions.number_of(organization) or ""),
            },
        },
    )


async def _item_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    gid = actions.path_id(request, "Feedback")
    item = (await web.run(request, "feedback_item", {"id": gid})).node("feedback")
    return web.render(
        request,
        "feedback_item.html",
        {
            "title": "投诉建议详情",
            "item": item,
            "steps": STEPS.get(item["status"], ()),
            "done": request.query_params.get("done") == "1",
            "values": values or {},
            "errors": errors or FormErrors(),
            "text_max": TEXT_MAX,
            "reason_max": REASON_MAX,
        },
        status_code=status_code,
    )


async def item(request: Request, web: FrontEnd) -> Response:
    return await _item_page(request, web)


async def update_status(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Feedback")
    errors = FormErrors()
    status = forms.choice(form, "status", errors, label="处理方式", options=FEEDBACK_STATUS)
    variables: dict[str, Any] = {"id": gid, "status": status}
    if status == "RESOLVED":
        variables["response"] = forms.text(
            form, "response", errors, label="答复", max_length=TEXT_MAX, multiline=True
        )
    elif status == "REJECTED":
        variables["reason"] = forms.text(
            form, "reason", errors, label="不予受理的理由", max_length=REASON_MAX, multiline=True
        )
    payload, errors = await actions.act(
        request,
        web,
        "update_feedback_status",
        variables,
        known={"response", "reason"},
        errors=errors,
    )
    if payload is not None:
        return see_other(f"/console/feedback/{request.path_params['id']}?done=1")
    return await _item_page(
        request, web, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/feedback", inbox, name="console_feedback"),
        web.route("/feedback/{id:int}", item),
        web.route("/feedback/{id:int}", update_status, methods=["POST"]),
    ]
