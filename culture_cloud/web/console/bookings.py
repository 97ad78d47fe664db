"""预约名单 of one event or one venue entry slot: the seat counts (an event's remaining seats
kept live by booking.js over the eventSeats subscription, as on its public page), the bookings
with names and phones masked by the API, filtered by status and paged, and CSV / Excel
downloads.

The downloads are the API's export endpoint (/exports/bookings.{csv,xlsx}), which reads a
bearer token; the console calls it in process with the session's token (refreshed as for any
page), so a browser with the session cookie downloads without handling a token, and the
export's own permission checks decide."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.exports.routes import bookings_download
from culture_cloud.web.console.events import event_gid, event_path
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import (
    FormErrors,
    InvalidInput,
    PageError,
    PageForbidden,
    PageNotFound,
    PageUnavailable,
    SignInRequired,
    TooManyRequests,
)
from culture_cloud.web.site.links import global_id

PAGE_SIZE = 50
STATUSES = {
    "CONFIRMED": "已确认",
    "CHECKED_IN": "已签到",
    "WAITLISTED": "候补中",
    "CANCELLED": "已取消",
    "NO_SHOW": "未到场",
}


@dataclass(frozen=True)
class Target:
    """Whose list: `variable` is bookingList's argument (eventId or slotId), `path` the page."""

    variable: str
    gid: str
    path: str


def _event(request: Request) -> Target:
    gid = event_gid(request)
    return Target("eventId", gid, event_path(gid, "/bookings"))


def _slot(request: Request) -> Target:
    number = int(request.path_params["id"])
    gid = global_id("VenueSlot", number)
    if gid is None:
        raise PageNotFound()
    return Target("slotId", gid, f"/console/slots/{number}/bookings")


async def _page(request: Request, web: FrontEnd, target: Target) -> Response:
    viewer = await require_staff(request, web)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES else ""
    after = request.query_params.get("after") or None
    variables = {target.variable: target.gid, "first": PAGE_SIZE, "after": after}
    variables["status"] = status or None
    listing = (await web.data(request, "console_bookings", variables))["bookingList"]
    page = listing["bookings"]
    next_url = None
    if page["pageInfo"]["hasNextPage"]:
        query = {"status": status, "after": page["pageInfo"]["endCursor"]}
        next_url = f"{target.path}?{urlencode({k: v for k, v in query.items() if v})}"
    return web.render(
        request,
        "console_bookings.html",
        {
            "title": f"预约名单 · {listing['title']}",
            "viewer": viewer,
            "listing": listing,
            "target": target,
            "event_id": target.gid if target.variable == "eventId" else None,
            "bookings": [edge["node"] for edge in page["edges"]],
            "total": page["totalCount"],
            "status": status,
            "statuses": STATUSES,
            "next_url": next_url,
            "first_url": f"{target.path}?status={status}" if after else None,
        },
    )


async def event_bookings(request: Request, web: FrontEnd) -> Response:
    return await _page(request, web, _event(request))


async def slot_bookings(request: Request, web: FrontEnd) -> Response:
    return await _page(request, web, _slot(request))


async def _download(request: Request, web: FrontEnd, target: Target) -> Response:
    """The export endpoint's answer for the target, as the signed-in member of staff."""
    await require_staff(request, web)
    extension = request.url.path.rsplit(".", 1)[-1]
    authorization = await web.sessions.authorization(request)
    headers = [
        (name, value)
        for name, value in request.scope["headers"]
        if name not in (b"authorization", b"cookie")
    ]
    if authorization:
        headers.append((b"authorization", authorization.encode("latin-1")))
    path = f"/exports/bookings.{extension}"
    scope: dict[str, Any] = {
        **request.scope,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode({target.variable: target.gid}).encode(),
        "headers": headers,
    }
    response = await bookings_download(Request(scope, request.receive))
    if response.status_code >= 400:
        raise _page_error(response)
    return response


async def event_download(request: Request, web: FrontEnd) -> Response:
    return await _download(request, web, _event(request))


async def slot_download(request: Request, web: FrontEnd) -> Response:
    return await _download(request, web, _slot(request))


def _page_error(response: Response) -> PageError:
    """The export's typed JSON refusal as the console's error page."""
    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        body = {}
    message = str(body.get("message") or "") or None
    status = response.status_code
    if status == 401:
        return SignInRequired(message)
    if status == 403:
        return PageForbidden(message, shown=message)
    if status == 404:
        return PageNotFound(message)
    if status == 429:
        return TooManyRequests(message)
    if status == 503:
        return PageUnavailable(message)
    errors = FormErrors()
    errors.add(None, message or "无法导出预约名单")
    return InvalidInput(errors)


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/events/{id:int}/bookings", event_bookings, name="console_event_bookings"),
        web.route("/events/{id:int}/bookings.csv", event_download),
        web.route("/events/{id:int}/bookings.xlsx", event_download),
        web.route("/slots/{id:int}/bookings", slot_bookings, name="console_slot_bookings"),
        web.route("/slots/{id:int}/bookings.csv", slot_download),
        web.route("/slots/{id:int}/bookings.xlsx", slot_download),
    ]
