"""Stable page URLs (numeric ids, as the issue asks) and what templates show for the API's
values: times in Beijing time, kinds, statuses, prices, and map links in each map's datum."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import MAX_PK, from_global_id, to_global_id
from culture_cloud.timeutil import to_local

PAGE_PREFIX = {
    "Event": "/events",
    "Venue": "/venues",
    "ScenicSpot": "/scenic-spots",
    "TravelAgency": "/travel-agencies",
    "Guide": "/guides",
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
EVENT_STATUSES = {
    "PUBLISHED": "报名中",
    "CANCELLED": "已取消",
    "POSTPONED": "已延期",
    "DRAFT": "草稿",
}
VENUE_KINDS = {
    "MUSEUM": "博物馆",
    "LIBRARY": "图书馆",
    "CULTURE_HALL": "文化馆",
    "TOWNSHIP_CULTURE_STATION": "乡镇综合文化站",
    "VILLAGE_CULTURE_CENTER": "村（社区）综合文化服务中心",
    "ART_TROUPE": "艺术团体",
    "HERITAGE_SITE": "文物保护单位",
}
WEEKDAYS = "一二三四五六日"


def numeric_id(global_id: str) -> int:
    return from_global_id(global_id)[1]


def global_id(type_name: str, pk: int) -> str | None:
    """The API id of a numeric URL id; None for one no row can have (a 404, not an error)."""
    if pk <= 0 or pk > MAX_PK:
        return None
    return to_global_id(type_name, pk)


def page_url(node: dict[str, Any]) -> str:
    """`/events/12` for an Event with its global id, and so on for each kind."""
    try:
        type_name, pk = from_global_id(str(node.get("id")))
    except InvalidId:
        return "/"
    prefix = PAGE_PREFIX.get(str(node.get("__typename") or type_name))
    return f"{prefix}/{pk}" if prefix else "/"


def local(value: str | None) -> datetime | None:
    return to_local(datetime.fromisoformat(value)) if value else None


def day_text(value: str | None) -> str:
    moment = local(value)
    if moment is None:
        return ""
    return f"{moment.month}月{moment.day}日（周{WEEKDAYS[moment.weekday()]}）"


def when_text(start: str, end: str | None = None, all_day: bool = False) -> str:
    """`12月6日（周六）10:00–11:30`, or the days of an all-day or multi-day event."""
    begin, finish = local(start), local(end)
    if begin is None:
        return ""
    first = day_text(start)
    if all_day:
        if finish is None or finish.date() <= begin.date():
            return f"{first} 全天"
        return f"{first} 至 {day_text(end)}"
    if finish is None:
        return f"{first} {begin:%H:%M}"
    if finish.date() == begin.date():
        return f"{first} {begin:%H:%M}–{finish:%H:%M}"
    return f"{first} {begin:%H:%M} 至 {day_text(end)} {finish:%H:%M}"


def price_text(event: dict[str, Any]) -> str:
    if event.get("isFree"):
        return "免费"
    price = event.get("priceYuan")
    if price is None:
        return "票价未说明"
    return f"{price:g} 元"


def seats_text(event: dict[str, Any]) -> str:
    if event.get("capacity") is None:
        return "不限名额"
    remaining = event.get("remainingSeats")
    if remaining is not None and remaining <= 0:
        return "名额已满"
    return f"剩余 {remaining} / {event['capacity']} 个名额"


def place_name(event: dict[str, Any]) -> str:
    place = event.get("venue") or event.get("scenicSpot") or {}
    return str(place.get("name") or "")


def map_links(name: str, event: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, URL) for Tencent, AMap and Baidu maps, each with the point in its own datum
    (Tencent and AMap: GCJ-02; Baidu: BD-09), converted by the API (`location(system:)`)."""
    gcj, bd = event.get("gcj02"), event.get("bd09")
    if not gcj or not bd:
        return []
    tencent = "https://apis.map.qq.com/uri/v1/marker?" + urlencode(
        {"marker": f"coord:{gcj['lat']},{gcj['lng']};title:{name}", "referer": "jiexiu-wenlv"}
    )
    amap = "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{gcj['lng']},{gcj['lat']}", "name": name, "coordinate": "gaode"}
    )
    baidu = "https://api.map.baidu.com/marker?" + urlencode(
        {
            "location": f"{bd['lat']},{bd['lng']}",
            "title": name,
            "content": name,
            "coord_type": "bd09ll",
            "output": "html",
            "src": "webapp.jiexiu.wenlv",
        }
    )
    return [("腾讯地图", tencent), ("高德地图", amap), ("百度地图", baidu)]


FILTERS = {
    "page_url": page_url,
    "when": when_text,
    "day": day_text,
    "price": price_text,
    "seats": seats_text,
    "place": place_name,
    "event_kind": lambda value: EVENT_KINDS.get(value, value),
    "event_status": lambda value: EVENT_STATUSES.get(value, value),
    "venue_kind": lambda value: VENUE_KINDS.get(value, value),
    "type_label": lambda value: TYPE_LABELS.get(value, ""),
}
