"""Residents' wishes in the console (/console/wishes): by township and status, most supported
first, with the answer so far; administrators answer each one publicly (answerWish: planned,
linked to a menu offering or an event by its number, or declined with a reason). Managers
read them to order what their township asks for."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import WISH_ANSWER, WISH_STATUS
from culture_cloud.web.console.nav import ADMIN, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/wishes", "心愿", frozenset({MANAGER, ADMIN}), order=80))

REPLY_MAX = 500


async def _page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    query = request.query_params
    region = actions.optional_id(query.get("region"), "Region")
    status = actions.choice(query.get("status"), WISH_STATUS)
    data = await web.data(
        request,
        "console_wishes",
        {
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "regionId": region,
            "status": status,
        },
    )
    wishes = data["wishes"]
    return web.render(
        request,
        "console_wishes.html",
        {
            "title": "居民心愿",
            "wishes": wishes,
            "regions": data["regions"],
            "statuses": WISH_STATUS,
            "answers": WISH_ANSWER,
            "may_answer": viewer.is_admin,
            "filters": {"region": str(actions.number_of(region) or ""), "status": status or ""},
            "done": query.get("done") == "1",
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reply_max": REPLY_MAX,
            "next_url": actions.next_page(request, wishes["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=status_code,
    )


async def wishes(request: Request, web: FrontEnd) -> Response:
    return await _page(request, web)


async def answer(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Wish")
    errors = FormErrors()
    status = forms.choice(form, "status", errors, label="答复方式", options=WISH_ANSWER)
    reply = forms.text(
        form,
        "reply",
        errors,
        label="答复",
        max_length=REPLY_MAX,
        multiline=True,
        required=status == "DECLINED",
    )
    offering = actions.id_field(
        form, "offeringId", errors, label="菜单项目编号", type_name="Offering", required=False
    )
    event = actions.id_field(
        form, "eventId", errors, label="活动编号", type_name="Event", required=False
    )
    variables = {
        "input": {
            "wishId": gid,
            "status": status,
            "reply": reply or None,
            "offeringId": offering if status == "LINKED" else None,
            "eventId": event if status == "LINKED" else None,
        }
    }
    payload, errors = await actions.act(
        request,
        web,
        "answer_wish",
        variables,
        known={"status", "reply", "offeringId", "eventId"},
        errors=errors,
    )
    if payload is not None:
        return see_other(actions.with_done(actions.safe_back(form, "/console/wishes")))
    return await _page(
        request, web, failed=gid, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/wishes", wishes, name="console_wishes"),
        web.route("/wishes/{id:int}/answer", answer, methods=["POST"]),
    ]
