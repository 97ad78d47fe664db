"""预约名单 of one event: the seat counts (remaining seats kept live by booking.js over the
eventSeats subscription, as on the event's public page), the bookings with names and phones
masked by the API, filtered by status and paged, and CSV / Excel downloads.

The downloads are the API's export endpoint (/exports/bookings.{csv,xlsx}), which reads a
bearer token; the console calls it in process with the session's token (refreshed as for any
page), so a browser with the session cookie downloads without handling a token, and the
export's own permission checks decide."""

from __future__ import annotations

import json
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

PAGE_SIZE = 50
STATUSES = {
    "CONFIRMED": "已确认",
    "CHECKED_IN": "已签到",
    "WAITLISTED": "候补中",
    "CANCELLED": "已取消",
    "NO_SHOW": "未到场",
}


async def bookings_page(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    gid = event_gid(request)
    status = request.query_params.get("status", "")
    status = status if status in STATUSES else ""
    after = request.query_params.get("after") or None
    variables = {"eventId": gid, "first": PAGE_SIZE, "after": after, "status": status or None}
    data = await web.data(request, "console_event_bookings", variables)
    listing = data["bookingList"]
    page = listing["bookings"]
    next_url = None
    if page["pageInfo"]["hasNextPage"]:
        query = {"status": status, "after": page["pageInfo"]["endCursor"]}
        next_url = f"{request.url.path}?{urlencode({k: v for k, v in query.items() if v})}"
    return web.render(
        request,
        "console_bookings.html",
        {
            "title": f"预约名单 · {listing['title']}",
            "viewer": viewer,
            "listing": listing,
            "event_id": gid,
            "event_path": event_path(gid),
            "bookings": [edge["node"] for edge in page["edges"]],
            "total": page["totalCount"],
            "status": status,
            "statuses": STATUSES,
            "next_url": next_url,
            "first_url": f"{request.url.path}?status={status}" if after else None,
        },
    )


async def download(request: Request, web: FrontEnd) -> Response:
    """The export endpoint's answer for this event, as the signed-in member of staff."""
    await require_staff(request, web)
    gid = event_gid(request)
    extension = request.url.path.rsplit(".", 1)[-1]
    authorization = await web.sessions.authorization(request)
    headers = [
        (name, value)
        for name, value in request.scope["headers"]
        if name not in (b"authorization", b"cookie")
    ]
    if authorization:
        headers.append((b"authorization", authorization.encode("latin-1")))
    scope: dict[str, Any] = {
        **request.scope,
        "path": f"/exports/bookings.{extension}",
        "raw_path": f"/exports/bookings.{extension}".encode(),
        "root_path": "",
        "query_string": urlencode({"eventId": gid}).encode(),
        "headers": headers,
    }
    response = await bookings_download(Request(scope, request.receive))
    if response.status_code >= 400:
        raise _page_error(response)
    return response


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
        web.route("/events/{id:int}/bookings", bookings_page, name="console_event_bookings"),
        web.route("/events/{id:int}/bookings.csv", download),
        web.route("/events/{id:int}/bookings.xlsx", download),
    ]
