"""入场时段: a venue's entry slots of one day (Beijing time), each with its remaining places
and a link to its 预约名单 (bookings.py). The venue is one of the organisation's
(myOrganizationPlaces); the day defaults to today."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site.links import global_id
from culture_cloud.web.site.links import pk as numeric_id


def _day(raw: str, errors: FormErrors) -> date:
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors.add("date", "日期格式应为 年-月-日")
    return local_today(utcnow())


async def slots_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    errors = FormErrors()
    day = _day(request.query_params.get("date", ""), errors)
    raw_venue = request.query_params.get("venue", "")
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
        },
        status_code=400 if errors else 200,
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [web.route("/slots", slots_page, name="console_slots")]
