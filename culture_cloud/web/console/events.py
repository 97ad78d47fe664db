"""活动 and 预约名单 lists: the organisation's events (drafts included; administrators: every
organisation's) by start time, with a title search, a status and "not yet ended" filter and
keyset pages; and what the event pages share: the event of a URL, loaded for its own
organisation's staff only.

URLs carry the event's number (`/console/events/12`), as the website's do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import from_global_id
from culture_cloud.web.console.nav import EDITING, EVENT_EDITORS, NAV, NavEntry
from culture_cloud.web.console.staff import StaffViewer, require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors, InvalidInput, PageForbidden, PageNotFound
from culture_cloud.web.site.links import global_id

NAV.append(NavEntry("/console/events", "活动", EDITING, order=20))
NAV.append(NavEntry("/console/bookings", "预约名单", EDITING, order=40))

PAGE_SIZE = 20
STATUSES = {
    "DRAFT": "草稿",
    "PUBLISHED": "已发布",
    "POSTPONED": "已延期",
    "CANCELLED": "已取消",
}
OTHER_ORGANISATION = "这是其他单位的活动，您不能管理"
DONE = {
    "created": "已保存为草稿。确认无误后点击“发布”。",
    "saved": "修改已保存。",
    "published": "已发布。",
    "cancelled": "活动已取消，已预约的居民会收到通知。",
    "postponed": "活动已延期，已预约的居民会收到通知。",
    "copied": "已复制为新的草稿，请修改时间等信息后发布。",
    "uploaded": "图片已上传并添加到活动。",
    "removed": "图片已从活动中移除。",
}


def event_number(gid: str) -> int:
    try:
        return from_global_id(gid)[1]
    except InvalidId:
        raise PageNotFound() from None


def event_gid(request: Request) -> str:
    """The Event ID of the URL's number; a number no event can have is a 404."""
    gid = global_id("Event", int(request.path_params["id"]))
    if gid is None:
        raise PageNotFound()
    return gid


def event_path(gid: str, tail: str = "") -> str:
    return f"/console/events/{event_number(gid)}{tail}"


async def load_event(
    request: Request, web: FrontEnd, viewer: StaffViewer, gid: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the event, the places it may be held at) of the URL. A missing event, or another
    organisation's draft, is a 404 (the API shows neither); another organisation's published
    event is a 403 page: its staff's console is not for it (the API refuses every change).
    `gid`: another event than the URL's."""
    variables = {"id": gid or event_gid(request)}
    data = (await web.run(request, "console_event", variables)).check()
    event = data.get("node")
    if not event or "title" not in event:
        raise PageNotFound()
    owner = (event.get("organization") or {}).get("id")
    if not viewer.is_admin and owner != viewer.organization_id:
        raise PageForbidden(shown=OTHER_ORGANISATION)
    return event, data["myOrganizationPlaces"]


def done_message(request: Request) -> str | None:
    """The "done" notice of a page reached after a successful post (`?done=saved`)."""
    message = DONE.get(request.query_params.get("done", ""))
    count = request.query_params.get("n", "")
    if message and count.isdigit() and int(count) > 1:
        message = f"{message}（共 {int(count)} 场）"
    return message


def _filters(request: Request) -> dict[str, str]:
    query = request.query_params
    status = query.get("status", "")
    return {
        "q": query.get("q", "").strip(),
        "status": status if status in STATUSES else "",
        "when": "all" if query.get("when") == "all" else "upcoming",
    }


async def _list(request: Request, web: FrontEnd, template: str, title: str) -> Response:
    viewer = await require_staff(request, web)
    filters = _filters(request)
    after = request.query_params.get("after") or None
    variables = {
        "first": PAGE_SIZE,
        "after": after,
        "status": filters["status"] or None,
        "search": filters["q"] or None,
        "upcoming": filters["when"] == "upcoming",
    }
    errors = FormErrors()
    try:
        connection = (await web.data(request, "console_events", variables))["myOrganizationEvents"]
    except InvalidInput as refused:  # a search too long, a cursor from another list
        errors = refused.errors
        connection = {"totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": False}}
        errors.fields = {"q" if k == "search" else k: v for k, v in errors.fields.items()}
    next_url = None
    if connection["pageInfo"]["hasNextPage"]:
        next_query = {k: v for k, v in filters.items() if v} | {
            "after": connection["pageInfo"]["endCursor"]
        }
        next_url = f"{request.url.path}?{urlencode(next_query)}"
    first_url = f"{request.url.path}?{urlencode({k: v for k, v in filters.items() if v})}"
    return web.render(
        request,
        template,
        {
            "title": title,
            "viewer": viewer,
            "events": [edge["node"] for edge in connection["edges"]],
            "total": connection["totalCount"],
            "filters": filters,
            "statuses": STATUSES,
            "errors": errors,
            "values": {"q": filters["q"]},
            "next_url": next_url,
            "first_url": first_url if after else None,
            "can_edit": viewer.role in EVENT_EDITORS,
        },
        status_code=400 if errors else 200,
    )


async def events_page(request: Request, web: FrontEnd) -> Response:
    return await _list(request, web, "console_events.html", "活动")


async def bookings_index(request: Request, web: FrontEnd) -> Response:
    return await _list(request, web, "console_bookings_index.html", "预约名单")


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [
        web.route("/events", events_page, name="console_events"),
        web.route("/bookings", bookings_index, name="console_bookings"),
    ]
