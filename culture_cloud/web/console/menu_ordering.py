"""Ordering from the culture menu (/console/menu): township-station and village-centre managers
see the approved offerings (one township's, or all), best rated first, with their township's
open wishes and the quarter's budget and quota of the townships of their venues beside them
(administrators: every township's). An offering's order form
(/console/menu/offerings/<id>/order) names the organisation's culture station or centre, the
preferred dates and the expected audience (orderOffering); the supplier then answers it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.administration import current_quarter
from culture_cloud.web.console.labels import OFFERING_KIND
from culture_cloud.web.console.nav import ADMIN, MANAGER, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

NAV.append(NavEntry("/console/menu", "文化菜单", frozenset({MANAGER, ADMIN}), order=90))

NOTE_MAX = 500
# Venues an order may be delivered to (the API's rule; other kinds are not offered).
CENTRE_KINDS = ("TOWNSHIP_CULTURE_STATION", "VILLAGE_CULTURE_CENTER", "CULTURE_HALL")


async def menu(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    query = request.query_params
    region = actions.optional_id(query.get("region"), "Region")
    kind = actions.choice(query.get("kind"), OFFERING_KIND)
    data = await web.data(
        request,
        "menu_ordering",
        {
            "first": actions.PAGE_SIZE,
            "after": actions.cursor(request),
            "regionId": region,
            "kind": kind,
            "period": current_quarter(),
            "budgets": viewer.can(MANAGER, ADMIN),
        },
    )
    offerings = data["offerings"]
    budgets = data.get("menuBudgets") or []
    if region is not None:
        budgets = [b for b in budgets if (b.get("region") or {}).get("id") == region]
    return web.render(
        request,
        "menu_ordering.html",
        {
            "title": "文化菜单点单",
            "offerings": offerings,
            "wishes": data["wishes"],
            "regions": data["regions"],
            "budgets": budgets,
            "period": current_quarter(),
            "kinds": OFFERING_KIND,
            "filters": {"region": str(actions.number_of(region) or ""), "kind": kind or ""},
            "next_url": actions.next_page(request, offerings["pageInfo"]),
            "first_url": actions.first_page(request),
        },
    )


async def _order_page(
    request: Request,
    web: FrontEnd,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    await require_staff(request, web)
    gid = actions.path_id(request, "Offering")
    result = await web.run(request, "order_form", {"id": gid})
    offering: dict[str, Any] = result.node("offering")
    venues = [
        venue
        for venue in (result.check()["myOrganizationPlaces"] or {}).get("venues", [])
        if venue["kind"] in CENTRE_KINDS
    ]
    return web.render(
        request,
        "menu_order_form.html",
        {
            "title": f"点单：{offering['title']}",
            "offering": offering,
            "venues": venues,
            "values": values or {"expectedAudience": str(offering["audienceMin"])},
            "errors": errors or FormErrors(),
            "note_max": NOTE_MAX,
        },
        status_code=status_code,
    )


async def order_form(request: Request, web: FrontEnd) -> Response:
    return await _order_page(request, web)


async def place_order(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    form = await web.form(request)
    gid = actions.path_id(request, "Offering")
    errors = FormErrors()
    venue = actions.id_field(
        form, "venueId", errors, label="送达地点", type_name="Venue", required=True
    )
    first = actions.local_date(form, "preferredFrom", errors, label="期望日期（起）")
    last = actions.local_date(form, "preferredTo", errors, label="期望日期（止）")
    audience = actions.integer(form, "expectedAudience", errors, label="预计观众人数", low=1)
    note = forms.text(form, "note", errors, label="备注", max_length=NOTE_MAX, required=False)
    variables = {
        "input": {
            "offeringId": gid,
            "venueId": venue,
            "preferredFrom": first,
            "preferredTo": last,
            "expectedAudience": audience,
            "note": note or None,
        }
    }
    payload, errors = await actions.act(
        request,
        web,
        "order_offering",
        variables,
        known={"venueId", "preferredFrom", "preferredTo", "expectedAudience", "note"},
        errors=errors,
    )
    if payload is not None:
        number = actions.number_of(payload["order"]["id"])
        return see_other(f"/console/menu/orders/{number}?done=placed")
    return await _order_page(
        request, web, values=actions.typed(form), errors=errors, status_code=400
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/menu", menu, name="console_menu"),
        web.route("/menu/offerings/{id:int}/order", order_form),
        web.route("/menu/offerings/{id:int}/order", place_order, methods=["POST"]),
    ]
