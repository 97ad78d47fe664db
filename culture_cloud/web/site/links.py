"""Stable page URLs (numeric ids, as the issue asks): a global id's number and back, the page
of an API object, and links that open a point in the maps people in China use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import MAX_PK, from_global_id, to_global_id

PAGE_PREFIX = {
    "Event": "/events",
    "Venue": "/venues",
    "ScenicSpot": "/scenic-spots",
    "TravelAgency": "/travel-agencies",
    "Guide": "/guides",
    "Wish": "/wishes",
    "Offering": "/menu",
}
TYPE_LABELS = {
    "Event": "活动",
    "Venue": "场馆",
    "ScenicSpot": "景区",
    "TravelAgency": "旅行社",
    "Guide": "导游",
}
EVENT_KINDS = {
    "PERFORMANCE": "演出",
    "EXHIBITION": "展览",
    "LECTURE": "讲座",
    "TRAINING": "培训",
    "ACTIVITY": "群众活动",
    "FESTIVAL": "节庆",
}
MAP_SOURCE = "jiexiu-culture-cloud"  # who opened the map, as AMap and Tencent ask callers to say
BAIDU_SOURCE = "webapp.jiexiu.culturecloud"  # Baidu's form: webapp.<company>.<app>


def pk(global_id: str) -> int:
    """The number in a page URL (`/venues/3`) for an API global id."""
    return from_global_id(global_id)[1]


def global_id(type_name: str, number: int) -> str | None:
    """The API id of a numeric URL id; None for one no row can have (a 404, not an error)."""
    if number <= 0 or number > MAX_PK:
        return None
    return to_global_id(type_name, number)


def page_url(node: Mapping[str, Any]) -> str:
    """`/events/12` for an Event with its global id, and so on for each kind."""
    try:
        type_name, number = from_global_id(str(node.get("id")))
    except InvalidId:
        return "/"
    prefix = PAGE_PREFIX.get(str(node.get("__typename") or type_name))
    return f"{prefix}/{number}" if prefix else "/"


def _marker_text(value: str) -> str:
    # Tencent's marker parameter is "coord:…;title:…;addr:…": keep its separators out.
    return value.replace(";", " ").replace(":", " ").replace("；", " ").strip()


def map_links(
    name: str,
    address: str | None,
    gcj: Mapping[str, float] | None,
    bd: Mapping[str, float] | None,
) -> list[tuple[str, str]]:
    """(map name, URL) for the maps people in China use, each in its own datum: AMap and
    Tencent take GCJ-02, Baidu BD-09 (documents ask the API for both conversions)."""
    links: list[tuple[str, str]] = []
    where = address or name
    if gcj:
        lat, lng = f"{gcj['lat']:.6f}", f"{gcj['lng']:.6f}"
        amap = {
            "position": f"{lng},{lat}",
            "name": name,
            "src": MAP_SOURCE,
            "coordinate": "gaode",
            "callnative": "0",
        }
        links.append(("高德地图", "https://uri.amap.com/marker?" + urlencode(amap)))
        marker = f"coord:{lat},{lng};title:{_marker_text(name)};addr:{_marker_text(where)}"
        tencent = {"marker": marker, "referer": MAP_SOURCE}
        links.append(("腾讯地图", "https://apis.map.qq.com/uri/v1/marker?" + urlencode(tencent)))
    if bd:
        baidu = {
            "location": f"{bd['lat']:.6f},{bd['lng']:.6f}",
            "title": name,
            "content": where,
            "output": "html",
            "coord_type": "bd09ll",
            "src": BAIDU_SOURCE,
        }
        links.append(("百度地图", "https://api.map.baidu.com/marker?" + urlencode(baidu)))
    return links
