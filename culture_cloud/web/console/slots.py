"""入场时段: a venue's entry slots of one day (Beijing time), each with its remaining places
and a link to its 预约名单 (bookings.py). The venue is one of the organisation's
(myOrganizationPlaces); the day defaults to today. Managers adjust one slot from here: its
capacity (updateVenueSlot, never below the seats booked) or closing it with a reason
(closeVenueSlot: its bookings are cancelled and each booker told)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.console.nav import ADMIN, MANAGER
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd, see_other
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms
from culture_cloud.web.site.links import global_id
from culture_cloud.web.site.links import pk as numeric_id

REASON_MAX = 200


def _day(raw: str, errors: FormErrors) -> date:
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors.add("date", "日期格式应为 年-月-日")
    return local_today(utcnow())


SLOT_MANAGERS = frozenset({MANAGER, ADMIN})
DONE = {"capacity": "名额已修改。", "closed": "时段已关闭，已预约的居民会收到通知。"}


async def slots_page(
    request: Request,
    web: FrontEnd,
    *,
    params: Mapping[str, str] | None = None,
    refused: FormErrors | None = None,
) -> Response:
    viewer = await require_staff(request, web)
    params = request.query_params if params is None else params
    errors = FormErrors()
    day = _day(params.get("date", ""), errors)
    raw_venue = params.get("venue", "")
    venue = global_id("Venue", int(raw_venue)) if raw_venue.isdigit() else None
    variables: dict[str, Any] = {"date": day.isoformat(), "chosen": venue is not None}
    if venue is not None:
        variables["venueId"] = venue
    data = await web.data(request, "console_slots", variables)
    venues = data["myOrganizationPlaces"]["venues"]
    if venue is not None and venue not in {v["id"] for v in venues}:
        errors.add("venue", "请选择本单位的场馆")
        slots = None
    else:
        slots = data.get("venueSlots")
    return web.render(
        request,
        "console_slots.html",
        {
            "title": "入场时段",
            "viewer": viewer,
            "venues": [(str(numeric_id(v["id"])), v["name"]) for v in venues],
            "values": {"venue": raw_venue, "date": day.isoformat()},
            "errors": errors,
            "slots": slots,
            "can_adjust": viewer.role in SLOT_MANAGERS,
            "refused": refused or FormErrors(),
            "done": DONE.get(params.get("done", "")),
        },
        status_code=400 if errors or refused else 200,
    )


def _back(form: FormData) -> dict[str, str]:
    """The page the form was posted from (its venue and day)."""
    return {name: str(form.get(name) or "") for name in ("venue", "date")}


async def _adjust(
    request: Request, web: FrontEnd, document: str, mutation: str, variables: dict[str, Any]
) -> Response:
    form = await web.form(request)
    back = _back(form)
    errors = FormErrors()
    variables = {"id": global_id("VenueSlot", request.path_params["id"]), **variables}
    if "capacity" in variables:
        raw = str(form.get("capacity") or "").strip()
        if not raw.isdigit() or len(raw) > 6:
            errors.add(None, "名额请填写 1–100000 的整数")
        else:
            variables["capacity"] = int(raw)
    if "reason" in variables:
        variables["reason"] = str(form.get("reason") or "").strip()[:REASON_MAX]
    if not errors:
        result = await web.run(request, document, variables)
        payload, errors = forms.outcome(result, mutation, known=())
        if payload is not None:
            done = "capacity" if "capacity" in variables else "closed"
            return see_other(f"/console/slots?{urlencode({**back, 'done': done})}")
    return await slots_page(request, web, params=back, refused=errors)


async def update_capacity(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web, SLOT_MANAGERS)
    return await _adjust(
        request, web, "console_update_venue_slot", "updateVenueSlot", {"capacity": None}
    )


async def close(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web, SLOT_MANAGERS)
    return await _adjust(request, web, "console_close_venue_slot", "closeVenueSlot", {"reason": ""})


def routes(web: FrontEnd) -> list[BaseRoute]:
    post = ["POST"]
    return [
        web.route("/slots", slots_page, name="console_slots"),
        web.route("/slots/{id:int}/capacity", update_capacity, methods=post),
        web.route("/slots/{id:int}/close", close, methods=post),
    ]
