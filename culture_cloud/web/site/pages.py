"""The reading pages: home, search (with its suggestions), nearby, the event list and an event.
Each runs one document as the visitor and renders one template."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors, InvalidInput, PageNotFound
from culture_cloud.web.site import event_filters, structured
from culture_cloud.web.site.booking import booking_window
from culture_cloud.web.site.links import EVENT_KINDS, TYPE_LABELS, global_id, page_url, pk
from culture_cloud.web.site.lookups import townships
from culture_cloud.web.site.places import REVIEWS_AFTER, cursor_param
from culture_cloud.web.site.reviewing import offer, run_reading_page

MAX_QUERY = 100  # the API's own limit on search text
SUGGESTIONS = 8
SEARCH_PAGE = 20
COORD_SYSTEMS = {
    "WGS84": "WGS84（GPS、浏览器定位）",
    "GCJ02": "GCJ-02（腾讯、高德、微信）",
    "BD09": "BD-09（百度）",
}


def _week_and_weekend() -> dict[str, str]:
    """Today to Sunday, and the coming Saturday and Sunday (today, if it is the weekend)."""
    today = local_today(utcnow())
    sunday = today + timedelta(days=6 - today.weekday())
    saturday = max(today, sunday - timedelta(days=1))
    return {
        "weekFrom": today.isoformat(),
        "weekTo": sunday.isoformat(),
        "weekendFrom": saturday.isoformat(),
        "weekendTo": sunday.isoformat(),
    }


async def home(request: Request, web: FrontEnd) -> Response:
    days = _week_and_weekend()
    data = await web.data(request, "home", days)
    return web.render(
        request,
        "home.html",
        {
            "description": "介休文旅云：本周活动、周末去哪儿、绵山等景区、14 个乡镇的文化场馆与服务。",
            "week": data["thisWeek"],
            "weekend": data["thisWeekend"],
            "spots": [edge["node"] for edge in data["scenicSpots"]["edges"]],
            "regions": data["regions"],
            "coord_systems": COORD_SYSTEMS,
            "week_from": days["weekFrom"],
            "week_to": days["weekTo"],
            "json_ld": structured.website(web.public_url(request, "/")),
        },
    )


def _search_text(request: Request) -> tuple[str, FormErrors]:
    text = request.query_params.get("q", "")
    errors = FormErrors()
    if len(text) > MAX_QUERY:
        errors.add("q", f"搜索词不能超过 {MAX_QUERY} 个字")
    elif any(ch < " " for ch in text):
        errors.add("q", "搜索词含有无效字符")
    return ("" if errors else text.strip()), errors


async def search(request: Request, web: FrontEnd) -> Response:
    text, errors = _search_text(request)
    after = request.query_params.get("after") or None
    results: dict[str, Any] | None = None
    if text:
        try:
            results = (
                await web.data(
                    request, "search", {"text": text, "first": SEARCH_PAGE, "after": after}
                )
            )["search"]
        except InvalidInput as refused:
            errors = refused.errors
    return web.render(
        request,
        "search.html",
        {
            "title": f"搜索：{text}" if text else "搜索",
            "q": request.query_params.get("q", "")[:MAX_QUERY] if not errors else "",
            "text": text,
            "results": results,
            "errors": errors,
            "canonical_path": "/search",
        },
        status_code=400 if errors else 200,
    )


async def suggest(request: Request, web: FrontEnd) -> Response:
    """Suggestions as one types (site.js): the same `search` document, a few results, JSON.
    Not logged as searches: a prefix typed on the way to a word is not something searched."""
    text, errors = _search_text(request)
    items: list[dict[str, str]] = []
    if text and not errors:
        result = await web.run(
            request, "search", {"text": text, "first": SUGGESTIONS}, log_searches=False
        )
        for edge in (result.data or {}).get("search", {}).get("edges", []):
            node = edge["node"]
            items.append(
                {
                    "label": node.get("name") or node.get("title") or "",
                    "url": page_url(node),
                    "kind": TYPE_LABELS.get(node["__typename"], ""),
                }
            )
    return JSONResponse({"items": items}, headers={"Cache-Control": "no-store"})


def _coordinate(raw: str | None) -> float | None:
    try:
        return float(raw) if raw and len(raw) <= 30 else None
    except ValueError:
        return None


async def nearby(request: Request, web: FrontEnd) -> Response:
    params = request.query_params
    values = {name: params.get(name, "")[:30] for name in ("lat", "lng", "system")}
    system = values["system"] if values["system"] in COORD_SYSTEMS else "WGS84"
    values["system"] = system
    errors = FormErrors()
    lat, lng = _coordinate(params.get("lat")), _coordinate(params.get("lng"))
    edges: list[dict[str, Any]] | None = None
    if params.get("lat") or params.get("lng"):
        if lat is None:
            errors.add("lat", "请输入纬度，如 37.0269")
        if lng is None:
            errors.add("lng", "请输入经度，如 111.9169")
    if lat is not None and lng is not None and not errors:
        variables = {"lat": lat, "lng": lng, "system": system, "radiusKm": 10.0}
        try:
            edges = (await web.data(request, "nearby", variables))["nearby"]["edges"]
        except InvalidInput as refused:
            errors = refused.errors
    return web.render(
        request,
        "nearby.html",
        {
            "title": "我的附近",
            "edges": edges,
            "values": values,
            "errors": errors,
            "coord_systems": COORD_SYSTEMS,
            "canonical_path": "/nearby",
        },
        status_code=400 if errors else 200,
    )


async def events(request: Request, web: FrontEnd) -> Response:
    query = event_filters.parse(request.query_params, local_today(utcnow()))
    try:
        data = await web.data(request, "events", query.variables())
    except InvalidInput as refused:
        query.drop(refused.errors)
        data = await web.data(request, "events", query.variables())
    connection = data["events"]
    regions = [(str(pk(r["id"])), r["name"]) for r in await townships(request, web)]
    page_info = connection["pageInfo"]
    return web.render(
        request,
        "events.html",
        {
            "title": "活动",
            "description": "介休市的演出、展览、讲座、培训、群众活动和节庆，按日期、乡镇、类别查找。",
            "events": [edge["node"] for edge in connection["edges"]],
            "total": connection["totalCount"],
            "region_options": regions,
            "kind_options": list(EVENT_KINDS.items()),
            "values": query.values,
            "errors": query.errors,
            "next_link": query.next_link(page_info["endCursor"])
            if page_info["hasNextPage"]
            else None,
            "previous_link": query.previous_link(),
            "canonical_path": "/events",
        },
        status_code=400 if query.errors else 200,
    )


async def event(request: Request, web: FrontEnd) -> Response:
    gid = global_id("Event", request.path_params["id"])
    if gid is None:
        raise PageNotFound()
    variables = {"id": gid, "reviewsAfter": cursor_param(request, REVIEWS_AFTER)}
    result = await run_reading_page(request, web, "event", variables)
    item = result.node("node")
    if item.get("__typename") != "Event":
        raise PageNotFound()
    path = f"/events/{request.path_params['id']}"
    # None for a city-wide event (no venue, no scenic spot): the page says 介休市.
    place = item.get("venue") or item.get("scenicSpot")
    return web.render(
        request,
        "event.html",
        {
            "title": item["title"],
            "description": (item.get("description") or item["title"])[:150],
            "og_type": "article",
            "event": item,
            "place": place,
            "map_place": {
                "name": (place or {}).get("name") or item["title"],
                "address": (place or {}).get("address"),
                "location": item.get("wgs84"),
                "gcj": item.get("gcj02"),
                "bd": item.get("bd09"),
            },
            "page_path": path,
            "booking_window": booking_window(item, utcnow()),
            "json_ld": structured.event(item, web.public_url(request, path)),
            "canonical_path": path,
            **offer(result, gid, path),
        },
    )
