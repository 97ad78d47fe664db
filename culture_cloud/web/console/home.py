"""The console's first page: who is signed in, the organisation's next events, its events by
state, and the pages the role may use."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console.events import STATUSES
from culture_cloud.web.console.nav import EVENT_EDITORS
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd

STATES = (
    ("all", "全部活动", None),
    ("drafts", "草稿", "DRAFT"),
    ("published", "已发布", "PUBLISHED"),
    ("postponed", "已延期", "POSTPONED"),
    ("cancelled", "已取消", "CANCELLED"),
)


async def home(request: Request, web: FrontEnd) -> Response:
    viewer = await require_staff(request, web)
    data = await web.data(request, "console_home")
    counts = [
        {"label": label, "status": status, "count": data[key]["totalCount"]}
        for key, label, status in STATES
    ]
    upcoming = data["upcoming"]
    return web.render(
        request,
        "console_home.html",
        {
            "title": "工作台",
            "viewer": viewer,
            "counts": counts,
            "upcoming": [edge["node"] for edge in upcoming["edges"]],
            "upcoming_total": upcoming["totalCount"],
            "statuses": STATUSES,
            "event_pages": viewer.role in EVENT_EDITORS,
        },
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [web.route("/", home, name="console_home")]
