"""Culture menu orders in the console (/console/menu/orders): the orders the organisation
placed or supplies (administrators: all), and one order's page with the steps of its state
for each side: the supplier accepts with a start time, proposes another or declines
(respondToOrder); the ordering centre takes or refuses a proposed date (answerOrderProposal)
or cancels (cancelOrder); administrators approve, charging the township's budget, or reject
(approveOrder, rejectOrder); after the event either side confirms delivery
(confirmOrderDelivered). Rating is the residents' reviews of the event the approval created:
its score is shown here. Which steps a viewer may take is the API's machine; the page only
offers the ones of the viewer's side."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.labels import ORDER_STATUS
from culture_cloud.web.console.nav import ADMIN, EDITOR, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(
    NavEntry("/console/menu/orders", "点单记录", frozenset({EDITOR, MANAGER, ADMIN}), order=91)
)

REASON_MAX = 200
RESPONSES = {"ACCEPT": "接单", "PROPOSE_DATE": "另提时间", "DECLINE": "拒绝"}
DONE = {
    "placed": "已点单，等待供给方答复。",
    "respond": "已答复点单方。",
    "proposal": "已答复供给方提议的时间。",
    "cancel": "点单已取消。",
    "delivered": "已确认送达。",
    "approve": "已审批通过：预算已扣减，活动已发布。",
    "reject": "已驳回点单。",
}
OPEN = ("REQUESTED", "PROPOSED_DATE", "ACCEPTED")


def sides(viewer: StaffViewer, order: dict[str, Any]) -> dict[str, bool]:
    """Which side of the order the viewer is on, to offer that side's steps."""
    supplier = ((order.get("supplier") or {}).get("organization") or {}).get("id")
    centre = (order.get("orderingOrganization") or {}).get("id")
    mine = viewer.organization_id
    return {
        "supplier": mine is not None and mine == supplier and viewer.can(EDITOR, MANAGER),
        "centre": mine is not None and mine == centre and viewer.can(MANAGER),
        "admin": viewer.is_admin,
    }


async def orders(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    status = actions.choice(request.query_params.get("status"), ORDER_STATUS)
    data = await web.data(
        request,
        "menu_orders",
        {"first": actions.PAGE_SIZE, "after": actions.cursor(request), "status": status},
    )
    found = data["myOrders"]
    return web.render(
        request,
        "menu_orders.html",
        {
            "title": "点单记录",
            "orders": found,
            "statuses": ORDER_STATUS,
            "status": status or "",
            "next_url": actions.next_page(request, found["pageInfo"]),
            "first_url": actions.first_page(request),
        },
    )


async def _order_page(
    request: Request,
    web: FrontEnd,
    *,
    failed: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    viewer = await require_staff(request, web)
    gid = actions.path_id(request, "MenuOrder")
    order = (await web.run(request, "menu_order", {"id": gid})).node("menuOrder")
    return web.render(
        request,
        "menu_order.html",
        {
            "title": "点单详情",
            "order": order,
            "side": sides(viewer, order),
            "open": OPEN,
            "responses": RESPONSES,
            "done": DONE.get(request.query_params.get("done") or ""),
            "failed": failed,
            "values": values or {},
            "errors": errors or FormErrors(),
            "reason_max": REASON_MAX,
        },
        status_code=status_code,
    )


async def order(request: Request, web: FrontEnd) -> Response:
    return await _order_page(request, web)


async def _step(
    request: Request,
    web: FrontEnd,
    form: FormData,
    step: str,
    document: str,
    variables: dict[str, Any],
    errors: FormErrors,
    known: set[str],
) -> Response:
    payload, errors = await actions.act(
        request, web, document, variables, known=known, errors=errors
    )
    if payload is not None:
        return see_other(f"/console/menu/orders/{request.path_params['id']}?done={step}")
    return await _order_page(
        request, web, failed=step, values=actions.typed(form), errors=errors, status_code=400
    )


def _reason(form: FormData, errors: FormErrors, *, required: bool) -> str:
    return forms.text(
        form,
        "reason",
        errors,
        label="原因",
        max_length=REASON_MAX,
        multiline=True,
        required=required,
    )


async def respond(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    response = forms.choice(form, "response", errors, label="答复", options=RESPONSES)
    start = None
    if response in ("ACCEPT", "PROPOSE_DATE"):
        start = actions.local_datetime(form, "startAt", errors, label="开始时间")
    reason = _reason(form, errors, required=response == "DECLINE")
    variables = {
        "input": {
            "orderId": actions.path_id(request, "MenuOrder"),
            "response": response,
            "startAt": start,
            "reason": reason or None,
        }
    }
    known = {"startAt", "reason", "response"}
    return await _step(request, web, form, "respond", "respond_to_order", variables, errors, known)


async def answer_proposal(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    accept = forms.choice(form, "accept", errors, label="答复", options=("1", "0"))
    reason = _reason(form, errors, required=False)
    variables = {
        "id": actions.path_id(request, "MenuOrder"),
        "accept": accept == "1",
        "reason": reason or None,
    }
    return await _step(
        request, web, form, "proposal", "answer_order_proposal", variables, errors, {"reason"}
    )


async def cancel(request: Request, web: FrontEnd) -> Response:
    return await _with_reason(request, web, "cancel", "cancel_order")


async def reject(request: Request, web: FrontEnd) -> Response:
    return await _with_reason(request, web, "reject", "reject_order")


async def _with_reason(request: Request, web: FrontEnd, step: str, document: str) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    errors = FormErrors()
    reason = _reason(form, errors, required=True)
    variables = {"id": actions.path_id(request, "MenuOrder"), "reason": reason}
    return await _step(request, web, form, step, document, variables, errors, {"reason"})


async def delivered(request: Request, web: FrontEnd) -> Response:
    return await _plain(request, web, "delivered", "confirm_order_delivered")


async def approve(request: Request, web: FrontEnd) -> Response:
    return await _plain(request, web, "approve", "approve_order")


async def _plain(request: Request, web: FrontEnd, step: str, document: str) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    variables = {"id": actions.path_id(request, "MenuOrder")}
    return await _step(request, web, form, step, document, variables, FormErrors(), set())


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    base = "/menu/orders/{id:int}"
    return [
        web.route("/menu/orders", orders, name="console_menu_orders"),
        web.route(base, order),
        web.route(base + "/respond", respond, methods=post),
        web.route(base + "/proposal", answer_proposal, methods=post),
        web.route(base + "/cancel", cancel, methods=post),
        web.route(base + "/delivered", delivered, methods=post),
        web.route(base + "/approve", approve, methods=post),
        web.route(base + "/reject", reject, methods=post),
    ]
