"""How the place, township, wish and menu pages show what their documents return: enum labels
taken from the schema's own descriptions, Beijing-time dates, opening hours grouped by day,
links that open Tencent/AMap (GCJ-02) and Baidu (BD-09) maps at the API's converted point, and
schema.org JSON-LD. Template filters and globals are installed by `install`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from graphql import GraphQLEnumType, GraphQLSchema

from culture_cloud.db import utcnow
from culture_cloud.global_ids import from_global_id
from culture_cloud.timeutil import SHANGHAI, local_today
from culture_cloud.web.frontend import FrontEnd

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAP_SOURCE = "jiexiu-culture-cloud"  # who opened the map, as AMap and Tencent ask callers to say
BAIDU_SOURCE = "webapp.jiexiu.culturecloud"  # Baidu's form: webapp.<company>.<app>
# Facilities and accessibility are free-form codes in the data; these are the ones it uses.
FEATURES = {
    "exhibition_hall": "展厅",
    "children_area": "少儿阅读区",
    "rare_books": "古籍收藏",
    "parking": "停车场",
    "accessible_toilet": "无障碍卫生间",
    "wheelchair": "轮椅可达",
    "wheelchair_access": "轮椅可达",
    "ramp": "无障碍坡道",
    "elevator": "无障碍电梯",
    "guide_dog": "允许导盲犬",
}
LANGUAGES = {
    "zh": "普通话",
    "en": "英语",
    "ja": "日语",
    "ko": "韩语",
    "fr": "法语",
    "de": "德语",
    "ru": "俄语",
    "es": "西班牙语",
}
DIMENSION_SCORES = (
    ("facilities", "硬件设施"),
    ("service", "服务"),
    ("content", "活动内容"),
    ("tourismService", "旅游服务"),
    ("guideExplanation", "讲解"),
)


def enum_labels(schema: GraphQLSchema) -> dict[str, dict[str, str]]:
    """Chinese labels of every enum value, from the schema's descriptions: the short form
    before the first comma or bracket ("征集中，可支持" → "征集中")."""
    labels: dict[str, dict[str, str]] = {}
    for name, kind in schema.type_map.items():
        if isinstance(kind, GraphQLEnumType) and not name.startswith("__"):
            labels[name] = {
                value: _short(definition.description or value)
                for value, definition in kind.values.items()
            }
    return labels


def _short(text: str) -> str:
    for mark in ("，", "（", "：", "；"):
        text = text.split(mark, 1)[0]
    return text.strip()


def pk(global_id: str) -> int:
    """The number in a page URL (`/venues/3`) for an API global id."""
    return from_global_id(global_id)[1]


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(SHANGHAI)


def date_zh(value: str | None) -> str:
    """`2025-04-03` or an ISO timestamp → 2025年4月3日 (Beijing time)."""
    if not value:
        return ""
    day = _moment(value).date() if "T" in value else date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(value: str) -> str:
    """A yearly date `04-01` → 4月1日."""
    month, _, day = value.partition("-")
    return f"{int(month)}月{int(day)}日" if month.isdigit() and day.isdigit() else value


def when_zh(start: str, end: str | None = None, all_day: bool = False) -> str:
    """An event's time as people say it: 4月3日 周四 14:30–16:30 (the year when not this one)."""
    begin = _moment(start)
    year = "" if begin.year == local_today(utcnow()).year else f"{begin.year}年"
    text = f"{year}{begin.month}月{begin.day}日 {WEEKDAYS[begin.weekday()]}"
    if all_day:
        return text + " 全天"
    text += f" {begin:%H:%M}"
    if end:
        finish = _moment(end)
        text += f"–{finish:%H:%M}" if finish.date() == begin.date() else f" 至 {date_zh(end)}"
    return text


def yuan(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f} 元" if float(value).is_integer() else f"{value:.2f} 元"


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def feature(code: str) -> str:
    return FEATURES.get(code, code)


def language(code: str) -> str:
    return LANGUAGES.get(code.lower(), code)


def review_scores(scores: Mapping[str, int | None] | None) -> list[tuple[str, int]]:
    """A review's dimension scores that were given, with their labels."""
    if not scores:
        return []
    return [(label, value) for key, label in DIMENSION_SCORES if (value := scores.get(key))]


def weekly_hours(weekly: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Days with the same hours grouped: [("周二至周日", "09:00–17:00"), ("周一", "闭馆")]."""
    by_day: dict[int, str] = {}
    for day in weekly:
        periods = day.get("periods") or []
        by_day[int(day["weekday"])] = (
            "闭馆"
            if day.get("closed") or not periods
            else "、".join(f"{p['open']}–{p['close']}" for p in periods)
        )
    rows: list[tuple[str, str]] = []
    runs: list[tuple[int, int, str]] = []
    for weekday in range(1, 8):
        hours = by_day.get(weekday, "未知")
        if runs and runs[-1][2] == hours and runs[-1][1] == weekday - 1:
            runs[-1] = (runs[-1][0], weekday, hours)
        else:
            runs.append((weekday, weekday, hours))
    for first, last, hours in runs:
        days = WEEKDAYS[first - 1]
        if last > first:
            days += ("、" if last == first + 1 else "至") + WEEKDAYS[last - 1]
        rows.append((days, hours))
    open_rows = [row for row in rows if row[1] != "闭馆"]
    return open_rows + [row for row in rows if row[1] == "闭馆"]


def in_season(season: Mapping[str, Any], today: date) -> bool:
    day = f"{today:%m-%d}"
    first, last = str(season["fromDate"]), str(season["toDate"])
    return first <= day <= last if first <= last else day >= first or day <= last


def season_now(seasons: Sequence[Mapping[str, Any]]) -> str | None:
    """The label of the season whose hours apply today (Beijing time), if any."""
    today = local_today(utcnow())
    return next((str(s["label"]) for s in seasons if in_season(s, today)), None)


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
    Tencent take GCJ-02, Baidu BD-09 (the document asks the API for both conversions)."""
    links: list[tuple[str, str]] = []
    where = address or name
    if gcj:
        lat, lng = f"{gcj['lat']:.6f}", f"{gcj['lng']:.6f}"
        links.append(
            (
                "高德地图",
                "https://uri.amap.com/marker?"
                + urlencode(
                    {
                        "position": f"{lng},{lat}",
                        "name": name,
                        "src": MAP_SOURCE,
                        "coordinate": "gaode",
                        "callnative": "0",
                    }
                ),
            )
        )
        marker = f"coord:{lat},{lng};title:{_marker_text(name)};addr:{_marker_text(where)}"
        links.append(
            (
                "腾讯地图",
                "https://apis.map.qq.com/uri/v1/marker?"
                + urlencode({"marker": marker, "referer": MAP_SOURCE}),
            )
        )
    if bd:
        links.append(
            (
                "百度地图",
                "https://api.map.baidu.com/marker?"
                + urlencode(
                    {
                        "location": f"{bd['lat']:.6f},{bd['lng']:.6f}",
                        "title": name,
                        "content": where,
                        "output": "html",
                        "coord_type": "bd09ll",
                        "src": BAIDU_SOURCE,
                    }
                ),
            )
        )
    return links


def excerpt(text: str | None, length: int = 110) -> str:
    """The first sentence-ish part of a description, for meta descriptions and cards."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip("，。；、 ") + "…"


def options(rows: Sequence[Mapping[str, Any]], label: str = "name") -> list[tuple[str, str]]:
    """(number, label) pairs for a select of rows (townships, agencies) picked by number."""
    return [(str(pk(row["id"])), str(row[label])) for row in rows]


def _filters() -> dict[str, Callable[..., Any]]:
    return {
        "pk": pk,
        "date_zh": date_zh,
        "month_day": month_day,
        "yuan": yuan,
        "score": score,
        "feature": feature,
        "language": language,
        "excerpt": excerpt,
    }


def install(web: FrontEnd) -> None:
    """The filters and globals these pages' templates use, on the front end's environment."""
    labels = enum_labels(web.kit.gateway.schema._schema)
    env = web.templates.env

    def label(value: str | None, enum: str) -> str:
        if value is None:
            return ""
        return labels.get(enum, {}).get(value, value)

    env.filters.update(_filters(), label=label)
    env.globals.update(
        when_zh=when_zh,
        weekly_hours=weekly_hours,
        season_now=season_now,
        map_links=map_links,
        review_scores=review_scores,
        options=options,
        enum_values=lambda enum: list(labels.get(enum, {}).items()),
    )
