"""The door page script's JSON endpoints (static/door.js), under /console/door/<kind>/<id>/:

    GET  entries.json?after=…   one page (100) of the door list to keep offline
    POST search.json            {"text": "1234"} → {"entries": [...]}
    POST check-ins.json         {"items": [{clientRef, scannedAt, code | bookingId}]}
                                → {"checkedInSeats": n, "results": [...]}

Each runs one document in process as the signed-in checker, like a page. Each needs the
page's CSRF token in the X-CSRF-Token header (reads too: the list holds masked personal data
and the verifiers), checked as a form's field is. Refusals are JSON `{"error": {"code",
"message"}}` with the HTTP status a script can act on: 401 signed out, 403 CSRF or not this
door's checker, 404, 400 bad input, 429, 503 (the script keeps its queue and retries)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from culture_cloud.web.console.door import (
    DOOR,
    DOOR_ONLY,
    MAX_SEARCH,
    check_in,
    door_refusals,
    search,
    target_of,
)
from culture_cloud.web.console.staff import require_staff
from culture_cloud.web.csrf import EXPIRED_MESSAGE
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import (
    CsrfFailed,
    FormErrors,
    InvalidInput,
    PageError,
    PageForbidden,
    PageNotFound,
    PageUnavailable,
    SignInRequired,
    TooManyRequests,
)

MAX_BODY: Final = 128 * 1024  # 200 queued scans are about 40 KiB
MAX_ITEMS: Final = 200  # checkInBatch's own limit
MAX_CURSOR: Final = 500
ITEM_FIELDS: Final = ("clientRef", "scannedAt", "code", "bookingId")

Handler = Callable[[Request, FrontEnd], Awaitable[dict[str, Any]]]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _refusal(exc: PageError) -> JSONResponse:
    if isinstance(exc, SignInRequired):
        return _error(401, "UNAUTHENTICATED", "登录已过期，请重新登录")
    if isinstance(exc, CsrfFailed):
        return _error(403, "CSRF_FAILED", EXPIRED_MESSAGE)
    if isinstance(exc, PageForbidden):
        return _error(403, "FORBIDDEN", exc.shown or DOOR_ONLY)
    if isinstance(exc, PageNotFound):
        return _error(404, "NOT_FOUND", "这场活动或入场时段不存在")
    if isinstance(exc, TooManyRequests):
        return _error(429, "RATE_LIMITED", exc.message or "操作太频繁，请稍后再试")
    if isinstance(exc, PageUnavailable):
        return _error(503, "SERVICE_UNAVAILABLE", "系统繁忙，请稍后重试")
    if isinstance(exc, InvalidInput):
        return _error(400, "BAD_USER_INPUT", exc.message or "输入有误")
    return _error(500, "INTERNAL", "服务器出错了，请稍后重试")


def _bad(message: str) -> InvalidInput:
    return InvalidInput(FormErrors(general=[message]))


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise _bad("提交的内容太多，请分批提交")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bad("请求格式有误") from None
    if not isinstance(body, dict):
        raise _bad("请求格式有误")
    return body


def _json(handler: Handler) -> Callable[[Request, FrontEnd], Awaitable[Response]]:
    """The CSRF header and the signed-in member of staff first, then `handler`; every page
    outcome (signed out, refused, bad input, outage) as a JSON error."""

    async def endpoint(request: Request, web: FrontEnd) -> Response:
        try:
            web.kit.csrf.header(request)
            await require_staff(request, web)
            data = await handler(request, web)
        except PageError as exc:
            return _refusal(exc)
        return JSONResponse(data, headers={"Cache-Control": "no-store"})

    return endpoint


async def entries(request: Request, web: FrontEnd) -> dict[str, Any]:
    after = request.query_params.get("after") or None
    if after is not None and len(after) > MAX_CURSOR:
        raise _bad("翻页参数有误")
    with door_refusals():
        result = await web.run(request, "door_entries", {**target_of(request), "after": after})
        door = result.node("doorList")
    page = door["entries"]
    return {
        "bookedSeats": door["bookedSeats"],
        "checkedInSeats": door["checkedInSeats"],
        "verifierKey": door["verifierKey"],
        "serverTime": door["serverTime"],
        "entries": [edge["node"] for edge in page["edges"]],
        "hasNextPage": page["pageInfo"]["hasNextPage"],
        "endCursor": page["pageInfo"]["endCursor"],
    }


async def search_entries(request: Request, web: FrontEnd) -> dict[str, Any]:
    text = (await _body(request)).get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad("请输入手机号后四位或姓名")
    if len(text) > MAX_SEARCH:
        raise _bad(f"查找内容不能超过 {MAX_SEARCH} 个字")
    return {"entries": await search(request, web, text.strip())}


async def check_ins(request: Request, web: FrontEnd) -> dict[str, Any]:
    items = (await _body(request)).get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise _bad("请求格式有误：items 应为扫码记录的列表")
    if len(items) > MAX_ITEMS:
        raise _bad(f"每次最多提交 {MAX_ITEMS} 条")
    # Only the fields the API knows; their values are the API's to check.
    sent = [{key: item[key] for key in ITEM_FIELDS if key in item} for item in items]
    batch = await check_in(request, web, sent)
    return {"checkedInSeats": batch["checkedInSeats"], "results": batch["results"]}


def routes(web: FrontEnd) -> list[BaseRoute]:
    """The script's endpoints (relative to /console), beside door.routes' pages."""
    post = ["POST"]
    return [
        web.route(DOOR + "/entries.json", _json(entries)),
        web.route(DOOR + "/search.json", _json(search_entries), methods=post),
        web.route(DOOR + "/check-ins.json", _json(check_ins), methods=post),
    ]
