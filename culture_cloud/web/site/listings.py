"""The directory pages: /venues, /scenic-spots, /travel-agencies and /guides.

Each is a GET form of the filters its API filter input supports, one document run with them,
and keyset pages (`after` = the API's endCursor; there is no page number to jump to). A filter
value that cannot be used is named beside its field in Chinese and left out, the rest still
apply (status 400, so a crawler does not keep the URL); what the API itself refuses ends on the
400 page with the API's message."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from culture_cloud.global_ids import MAX_PK, to_global_id
from culture_cloud.web.frontend import FrontEnd
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site.filters import LANGUAGES
from culture_cloud.web.site.lookups import townships
from culture_cloud.web.site.places import cursor_param

PAGE_SIZE = 20
MAX_TEXT = 32  # the API's longest tag
MAX_RADIUS_KM = 200.0  # the API's NearInput limit
SORTS = {"name": "NAME", "rating": "RATING", "distance": "DISTANCE"}
RATINGS = tuple((value, f"{value} 分及以上") for value in ("3", "3.5", "4", "4.5"))


class Params:
    """The filter form's query string, read leniently: a value that cannot be used gets a
    message beside its field and is left out of the filter; `values` refills the form."""

    def __init__(self, request: Request) -> None:
        self.query = request.query_params
        self.errors = FormErrors()
        self.values: dict[str, str] = {}

    def raw(self, name: str) -> str | None:
        value = (self.query.get(name) or "").strip()
        if value:
            self.values[name] = value[:200]
        return value or None

    def text(self, name: str, max_length: int = MAX_TEXT) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        if len(value) > max_length:
            self.errors.add(name, f"不能超过 {max_length} 个字符")
            return None
        if any(ch < " " for ch in value):
            self.errors.add(name, "包含不允许的控制字符")
            return None
        return value

    def number(self, name: str, low: float, high: float, message: str) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and low <= number <= high):
            self.errors.add(name, message)
            return None
        return number

    def choice(self, name: str, allowed: Iterable[str], message: str) -> str | None:
        value = self.raw(name)
        if value is None:
            return None
        if value not in set(allowed):
            self.errors.add(name, message)
            return None
        return value

    def row_id(self, name: str, type_name: str, message: str) -> str | None:
        """A row picked from a select by its number, as the API's global id."""
        value = self.raw(name)
        if value is None:
            return None
        if not value.isdigit() or not 1 <= int(value) <= MAX_PK:
            self.errors.add(name, message)
            return None
        return to_global_id(type_name, int(value))

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("1", "on", "true")

    def rating(self) -> float | None:
        return self.number("min_rating", 0, 5, "评分须在 0 到 5 之间")

    def tags(self) -> list[str] | None:
        tag = self.text("tag")
        return [tag] if tag else None

    def near(self) -> dict[str, Any] | None:
        """A circle around a point the visitor gave (the browser's location is WGS84)."""
        lat = self.number("lat", -90, 90, "纬度须在 -90 到 90 度之间")
        lng = self.number("lng", -180, 180, "经度须在 -180 到 180 度之间")
        km = self.number("km", 0.1, MAX_RADIUS_KM, f"半径须在 0.1 到 {MAX_RADIUS_KM:g} 公里之间")
        given = {name for name in ("lat", "lng") if self.values.get(name)}
        if not given:
            return None
        if lat is None or lng is None:
            if given != {"lat", "lng"}:
                self.errors.add("lng" if "lat" in given else "lat", "请同时填写纬度和经度")
            return None
        return {"lat": lat, "lng": lng, "radiusKm": km or 5.0, "system": "WGS84"}

    def order(self, near: dict[str, Any] | None) -> str:
        """NAME unless asked; DISTANCE when a point is given (the "near me" button gives one)."""
        default = "distance" if near else "name"
        sort = self.choice("sort", SORTS, "请选择排序方式") or default
        if sort == "distance" and near is None:
            if "lat" not in self.errors.fields and "lng" not in self.errors.fields:
                self.errors.add("sort", "按距离排序需要先给出位置（纬度和经度）")
            sort = "name"
        return SORTS[sort]


def enum_names(web: FrontEnd, enum: str) -> list[str]:
    return list(web.kit.gateway.schema._schema.type_map[enum].values)  # type: ignore[attr-defined]


def page_urls(
    request: Request, page_info: dict[str, Any], values: dict[str, str]
) -> dict[str, Any]:
    """The next page's URL (same filters, after = endCursor) and the first page's."""
    kept = {k: v for k, v in values.items() if k != "after"}
    base = request.url.path
    next_url = None
    if page_info.get("hasNextPage") and page_info.get("endCursor"):
        next_url = base + "?" + urlencode({**kept, "after": page_info["endCursor"]})
    first_url = None
    if request.query_params.get("after"):
        first_url = base + ("?" + urlencode(kept) if kept else "")
    return {"next_url": next_url, "first_url": first_url}


@dataclass(frozen=True)
class Listing:
    document: str
    field: str
    template: str
    title: str
    description: str


async def render_listing(
    request: Request,
    web: FrontEnd,
    listing: Listing,
    params: Params,
    filter_: dict[str, Any],
    order: str,
    *,
    extra: dict[str, Any] | None = None,
    status_code: int | None = None,
) -> Response:
    """Runs the listing's document with the filter and renders its page; `extra` adds to the
    template's context (a form on the page, say)."""
    after = cursor_param(request, "after")
    filter_ = {key: value for key, value in filter_.items() if value not in (None, False)}
    variables = {"first": PAGE_SIZE, "after": after, "filter": filter_ or None, "orderBy": order}
    data = await web.data(request, listing.document, variables)
    data = {**data, "regions": await townships(request, web)}
    connection = data[listing.field]
    return web.render(
        request,
        listing.template,
        {
            "data": data,
            "connection": connection,
            "filters": params.values,
            "filter_errors": params.errors,
            "filtered": bool(filter_),
            "ratings": RATINGS,
            **page_urls(request, connection["pageInfo"], params.values),
            "title": listing.title,
            "description": listing.description,
            **(extra or {}),
        },
        status_code=status_code or (400 if params.errors else 200),
        # "Near me" puts the visitor's position in the form: theirs, not for a shared cache.
        private="lat" in params.values or "lng" in params.values,
    )


VENUES = Listing(
    "venues",
    "venues",
    "venues.html",
    "文化场馆",
    "介休市的博物馆、图书馆、文化馆、乡镇文化站、村（社区）文化中心、艺术团体和文物保护单位：开放时间、门票、设施与评价。",
)
SCENIC_SPOTS = Listing(
    "scenic_spots",
    "scenicSpots",
    "scenic_spots.html",
    "景区",
    "介休市的景区：绵山、张壁古堡等，A 级、开放时间、门票与评价。",
)
TRAVEL_AGENCIES = Listing(
    "travel_agencies",
    "travelAgencies",
    "travel_agencies.html",
    "旅行社",
    "介休市的旅行社：许可证号、联系方式、导游与评价。",
)
GUIDES = Listing(
    "guides", "guides", "guides.html", "导游", "介休市的导游：讲解语言、擅长内容与评价。"
)


async def venues(request: Request, web: FrontEnd) -> Response:
    params = Params(request)
    kind = params.choice("kind", enum_names(web, "VenueKind"), "请从列表中选择类别")
    near = params.near()
    filter_ = {
        "regionId": params.row_id("region", "Region", "请从列表中选择乡镇"),
        "kinds": [kind] if kind else None,
        "free": True if params.flag("free") else None,
        "tags": params.tags(),
        "minRating": params.rating(),
        "near": near,
    }
    return await render_listing(request, web, VENUES, params, filter_, params.order(near))


async def scenic_spots(request: Request, web: FrontEnd) -> Response:
    params = Params(request)
    level = params.choice("min_level", ("1", "2", "3", "4", "5"), "A 级须在 1 到 5 之间")
    near = params.near()
    filter_ = {
        "regionId": params.row_id("region", "Region", "请从列表中选择乡镇"),
        "minALevel": int(level) if level is not None else None,
        "tags": params.tags(),
        "minRating": params.rating(),
        "near": near,
    }
    return await render_listing(request, web, SCENIC_SPOTS, params, filter_, params.order(near))


async def travel_agencies(request: Request, web: FrontEnd) -> Response:
    params = Params(request)
    near = params.near()
    filter_ = {
        "regionId": params.row_id("region", "Region", "请从列表中选择乡镇"),
        "tags": params.tags(),
        "minRating": params.rating(),
        "near": near,
    }
    return await render_listing(request, web, TRAVEL_AGENCIES, params, filter_, params.order(near))


async def guides(request: Request, web: FrontEnd) -> Response:
    params = Params(request)
    filter_ = {
        "agencyId": params.row_id("agency", "TravelAgency", "请从列表中选择旅行社"),
        "language": params.choice("language", LANGUAGES, "请从列表中选择语言"),
        "speciality": params.text("speciality"),
        "tags": params.tags(),
        "minRating": params.rating(),
    }
    order = SORTS[params.choice("sort", ("name", "rating"), "请选择排序方式") or "name"]
    return await render_listing(request, web, GUIDES, params, filter_, order)
