"""The place pages: /venues/<id>, /scenic-spots/<id>, /travel-agencies/<id> and /guides/<id>.

Each runs its one document (the place, its reviews with the per-dimension summary, its coming
events or guides, whether the visitor may review it) and renders one template. The number in the URL is the row's id; the page
asks the API for the global id of its own type, so /venues/3 can only ever show a venue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.db import utcnow
from culture_cloud.global_ids import MAX_PK, to_global_id
from culture_cloud.timeutil import local_today
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors, InvalidInput, PageNotFound
from culture_cloud.web.site.filters import excerpt, language
from culture_cloud.web.site.reviewing import offer, run_reading_page
from culture_cloud.web.site.structured_data import guide_json_ld, place_json_ld

MAX_CURSOR_LENGTH = 500
REVIEWS_AFTER = "reviews_after"


@dataclass(frozen=True)
class PlaceKind:
    type_name: str  # the GraphQL type, e.g. Venue
    document: str
    template: str
    path: str  # the list page, e.g. /venues
    has_events: bool


VENUE = PlaceKind("Venue", "venue", "venue.html", "/venues", has_events=True)
SCENIC_SPOT = PlaceKind(
    "ScenicSpot", "scenic_spot", "scenic_spot.html", "/scenic-spots", has_events=True
)
TRAVEL_AGENCY = PlaceKind(
    "TravelAgency", "travel_agency", "travel_agency.html", "/travel-agencies", has_events=False
)


def path_id(request: Request, type_name: str) -> str:
    """The global id for the number in the URL; a number no row can have is a 404."""
    value = request.path_params["id"]
    if not isinstance(value, int) or not 1 <= value <= MAX_PK:
        raise PageNotFound()
    return to_global_id(type_name, value)


def cursor_param(request: Request, name: str) -> str | None:
    """A keyset cursor from the query string (the API checks it; this only bounds its size)."""
    value = request.query_params.get(name)
    if not value:
        return None
    if len(value) > MAX_CURSOR_LENGTH:
        errors = FormErrors()
        errors.add(None, "翻页链接无效，请从第一页开始浏览")
        raise InvalidInput(errors)
    return value


def today() -> str:
    return local_today(utcnow()).isoformat()


def _description(place: dict[str, Any], fallback: str) -> str:
    region = (place.get("region") or {}).get("name")
    where = f"，位于介休市{region}" if region else "，位于介休市"
    return excerpt(place.get("description")) or f"{place['name']}{where}。{fallback}"


async def _place_page(request: Request, web: FrontEnd, kind: PlaceKind) -> Response:
    variables: dict[str, Any] = {
        "id": path_id(request, kind.type_name),
        "reviewsAfter": cursor_param(request, REVIEWS_AFTER),
    }
    if kind.has_events:
        variables["today"] = today()
    result = await run_reading_page(request, web, kind.document, variables)
    place = result.node("place")
    if place.get("__typename") != kind.type_name:
        raise PageNotFound()
    data = result.check()
    path = f"{kind.path}/{request.path_params['id']}"
    return web.render(
        request,
        kind.template,
        {
            "place": place,
            "events": data.get("events"),
            "guides": data.get("guides"),
            "page_path": path,
            "title": place["name"],
            "description": _description(place, "开放时间、门票、设施、位置与评价。"),
            "json_ld": place_json_ld(kind.type_name, place, web.public_url(request, path)),
            "canonical_path": path,
            **offer(result, variables["id"], path),
        },
    )


async def venue(request: Request, web: FrontEnd) -> Response:
    return await _place_page(request, web, VENUE)


async def scenic_spot(request: Request, web: FrontEnd) -> Response:
    return await _place_page(request, web, SCENIC_SPOT)


async def travel_agency(request: Request, web: FrontEnd) -> Response:
    return await _place_page(request, web, TRAVEL_AGENCY)


async def guide(request: Request, web: FrontEnd) -> Response:
    gid = path_id(request, "Guide")
    variables = {"id": gid, "reviewsAfter": cursor_param(request, REVIEWS_AFTER)}
    result = await run_reading_page(request, web, "guide", variables)
    found = result.node("guide")
    if found.get("__typename") != "Guide":
        raise PageNotFound()
    path = f"/guides/{request.path_params['id']}"
    agency = (found.get("agency") or {}).get("name")
    languages = "、".join(language(code) for code in found.get("languages") or [])
    description = f"导游{found['name']}" + (f"，{agency}" if agency else "")
    description += f"，讲解语言：{languages}。" if languages else "。"
    return web.render(
        request,
        "guide.html",
        {
            "guide": found,
            "page_path": path,
            "title": found["name"],
            "description": description,
            "json_ld": guide_json_ld(found, web.public_url(request, path)),
            "og_type": "profile",
            "canonical_path": path,
            **offer(result, gid, path),
        },
    )
