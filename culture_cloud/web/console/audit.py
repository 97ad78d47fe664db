"""The audit log (/console/audit, administrators): newest first, filtered by who acted
(account number) and by the kind of object (Event, User, Organization ...), page by page.
Snapshots are shown as the API gives them: they never hold passwords or personal data."""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from culture_cloud.web.console import actions
from culture_cloud.web.console.nav import ADMINISTERING, NAV, NavEntry
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors

NAV.append(NavEntry("/console/audit", "审计日志", ADMINISTERING, order=150))

# GraphQL type names: what the log's targetType holds.
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]{0,49}")
COMMON_TYPES = (
    "User",
    "Organization",
    "Event",
    "Venue",
    "ScenicSpot",
    "Booking",
    "Feedback",
    "Review",
    "Offering",
    "MenuOrder",
    "MenuBudget",
    "Wish",
    "CommunityGroup",
    "GroupProject",
)


def snapshot(value: object) -> str:
    """A before/after snapshot as readable JSON (Chinese kept as is)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


async def audit_log(request: Request, web: FrontEnd) -> Response:
    await require_staff(request, web)
    query = request.query_params
    errors = FormErrors()
    actor_text = (query.get("actor") or "").strip()[:20]
    actor = actions.optional_id(actor_text, "User") if actor_text else None
    if actor_text and actor is None:
        errors.add("actor", "操作人账号编号应为正整数")
    type_text = (query.get("type") or "").strip()[:50]
    target_type = type_text if _TYPE_NAME.fullmatch(type_text) else None
    if type_text and target_type is None:
        errors.add("type", "对象类型应为英文类型名，如 Event、User")
    data = await web.data(
        request,
        "audit_log",
        {
            "first": actions.PAGE_SIZE * 2,
            "after": actions.cursor(request),
            "actorId": actor,
            "targetType": target_type,
        },
    )
    log = data["auditLog"]
    return web.render(
        request,
        "audit_log.html",
        {
            "title": "审计日志",
            "log": log,
            "types": COMMON_TYPES,
            "values": {"actor": actor_text, "type": type_text},
            "errors": errors,
            "next_url": actions.next_page(request, log["pageInfo"]),
            "first_url": actions.first_page(request),
        },
        status_code=400 if errors else 200,
    )


def routes(web: FrontEnd) -> list[BaseRoute]:
    return [web.route("/audit", audit_log, name="console_audit")]
