"""The website's template filters and globals: one name per job, installed once on the site's
template environment (routes.site_frontend). Everything a template shows of the API's values
goes through here: times in Beijing time as people in Jiexiu read them, money, scores, enum
labels taken from the schema's own descriptions, opening hours grouped by day, and the page
and map links of links.py.

Filters: pk, page_url, when, day, month_day, machine_time, yuan, price, score, label,
type_label, feature, language, excerpt. Globals: weekly_hours, season_now, map_links,
review_scores, options, enum_values."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from graphql import GraphQLEnumType, GraphQLSchema
from jinja2 import Environment

from culture_cloud.db import utcnow
from culture_cloud.timeutil import local_today, to_local
from culture_cloud.web.site.links import TYPE_LABELS, map_links, page_url, pk

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
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
# An enum value's label is its description up to the first "，：；" or a bracket that ends
# the phrase: "征集中，可支持" → 征集中, "已延期（新时间待定）" → 已延期, but a bracket inside
# a name stays: "村（社区）综合文化服务中心".
_SHORT = re.compile(r"(?:[^，：；（]|（[^（）]*）(?=[^，：；（]))*")


# ---- times (Beijing time) --------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 DateTime with its offset from a document's answer (None for anything else)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _day_text(moment: datetime, this_year: int) -> str:
    year = "" if moment.year == this_year else f"{moment.year}年"
    return f"{year}{moment.month}月{moment.day}日（{WEEKDAYS[moment.weekday()]}）"


def when(start: object, end: object = None, all_day: bool = False) -> str:
    """A moment or an event's time as people say it, in Beijing time, the year only when it is
    not this one: `12月6日（周六）10:00`, `12月6日（周六）10:00–11:30`,
    `12月6日（周六）全天`, `12月6日（周六）10:00 至 12月7日（周日）16:00`."""
    this_year = local_today(utcnow()).year
    if isinstance(start, str) and isinstance(end, str | None):
        # The documents' answers are strings: the same event times come back on every page,
        # and a list page shows twenty of them (parsing and formatting was ~10% of its CPU).
        return _when_text(start, end, bool(all_day), this_year)
    return _when(start, end, bool(all_day), this_year)


@lru_cache(maxsize=4096)
def _when_text(start: str, end: str | None, all_day: bool, this_year: int) -> str:
    return _when(start, end, all_day, this_year)


def _when(start: object, end: object, all_day: bool, this_year: int) -> str:
    first, last = parse_time(start), parse_time(end)
    if first is None:
        return ""
    begin = to_local(first)
    text = _day_text(begin, this_year)
    finish = None if last is None else to_local(last)
    if all_day:
        if finish is None or finish.date() <= begin.date():
            return f"{text}全天"
        return f"{text} 至 {_day_text(finish, this_year)}"
    text += f"{begin:%H:%M}"
    if finish is None:
        return text
    if finish.date() == begin.date():
        return f"{text}–{finish:%H:%M}"
    return f"{text} 至 {_day_text(finish, this_year)}{finish:%H:%M}"


def day(value: object) -> str:
    """A Date (`2025-04-03`) or the day of a DateTime in Beijing time: 2025年4月3日."""
    moment = parse_time(value)
    if moment is not None:
        found = to_local(moment).date()
    elif isinstance(value, str) and value:
        try:
            found = date.fromisoformat(value)
        except ValueError:
            return value
    else:
        return ""
    return f"{found.year}年{found.month}月{found.day}日"


def month_day(value: str) -> str:
    """A yearly date `04-01` → 4月1日."""
    month, _, number = value.partition("-")
    return f"{int(month)}月{int(number)}日" if month.isdigit() and number.isdigit() else value


def machine_time(value: object) -> str:
    """For `<time datetime="…">`: ISO 8601 in Beijing time."""
    moment = parse_time(value)
    return "" if moment is None else to_local(moment).isoformat()


def in_season(season: Mapping[str, Any], today: date) -> bool:
    current = f"{today:%m-%d}"
    first, last = str(season["fromDate"]), str(season["toDate"])
    return first <= current <= last if first <= last else current >= first or current <= last


def season_now(seasons: Sequence[Mapping[str, Any]]) -> str | None:
    """The label of the season whose hours apply today (Beijing time), if any."""
    today = local_today(utcnow())
    return next((str(s["label"]) for s in seasons if in_season(s, today)), None)


def weekly_hours(weekly: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Days with the same hours grouped: [("周二至周日", "09:00–17:00"), ("周一", "闭馆")]."""
    by_day: dict[int, str] = {}
    for entry in weekly:
        periods = entry.get("periods") or []
        by_day[int(entry["weekday"])] = (
            "闭馆"
            if entry.get("closed") or not periods
            else "、".join(f"{p['open']}–{p['close']}" for p in periods)
        )
    runs: list[tuple[int, int, str]] = []
    for weekday in range(1, 8):
        hours = by_day.get(weekday, "未知")
        if runs and runs[-1][2] == hours and runs[-1][1] == weekday - 1:
            runs[-1] = (runs[-1][0], weekday, hours)
        else:
            runs.append((weekday, weekday, hours))
    rows: list[tuple[str, str]] = []
    for first, last, hours in runs:
        days = WEEKDAYS[first - 1]
        if last > first:
            days += ("、" if last == first + 1 else "至") + WEEKDAYS[last - 1]
        rows.append((days, hours))
    open_rows = [row for row in rows if row[1] != "闭馆"]
    return open_rows + [row for row in rows if row[1] == "闭馆"]


# ---- money, scores, words --------------------------------------------------------------------


def yuan(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f} 元" if float(value).is_integer() else f"{value:.2f} 元"


def price(event: Mapping[str, Any]) -> str:
    """An event's price: 免费, an amount, or 票价未说明."""
    if event.get("isFree"):
        return "免费"
    amount = event.get("priceYuan")
    return "票价未说明" if amount is None else yuan(amount)


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def review_scores(scores: Mapping[str, int | None] | None) -> list[tuple[str, int]]:
    """A review's dimension scores that were given, with their labels."""
    if not scores:
        return []
    return [(label, value) for key, label in DIMENSION_SCORES if (value := scores.get(key))]


def feature(code: str) -> str:
    return FEATURES.get(code, code)


def language(code: str) -> str:
    return LANGUAGES.get(code.lower(), code)


def type_label(type_name: str) -> str:
    """活动, 场馆, … for a search result's __typename."""
    return TYPE_LABELS.get(type_name, "")


def excerpt(text: str | None, length: int = 110) -> str:
    """The first sentence-ish part of a description, for meta descriptions and cards."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip("，。；、 ") + "…"


def options(rows: Sequence[Mapping[str, Any]], label: str = "name") -> list[tuple[str, str]]:
    """(number, label) pairs for a select of rows (townships, agencies) picked by number."""
    return [(str(pk(row["id"])), str(row[label])) for row in rows]


def enum_labels(schema: GraphQLSchema) -> dict[str, dict[str, str]]:
    """Chinese labels of every enum value, from the schema's descriptions (see _SHORT)."""
    labels: dict[str, dict[str, str]] = {}
    for name, kind in schema.type_map.items():
        if isinstance(kind, GraphQLEnumType) and not name.startswith("__"):
            labels[name] = {
                value: _short(definition.description or value)
                for value, definition in kind.values.items()
            }
    return labels


def _short(text: str) -> str:
    found = _SHORT.match(text)
    return (found.group(0) if found else text).strip() or text


# ---- installing ------------------------------------------------------------------------------


def install(environment: Environment, schema: GraphQLSchema) -> None:
    """Every filter and global the site's templates use, on their environment."""
    labels = enum_labels(schema)

    def label(value: str | None, enum: str) -> str:
        """An enum value's Chinese label: `{{ event.kind | label('EventKind') }}`."""
        if value is None:
            return ""
        return labels.get(enum, {}).get(value, value)

    environment.filters.update(
        pk=pk,
        page_url=page_url,
        when=when,
        day=day,
        month_day=month_day,
        machine_time=machine_time,
        yuan=yuan,
        price=price,
        score=score,
        label=label,
        type_label=type_label,
        feature=feature,
        language=language,
        excerpt=excerpt,
    )
    environment.globals.update(
        weekly_hours=weekly_hours,
        season_now=season_now,
        map_links=map_links,
        review_scores=review_scores,
        options=options,
        enum_values=lambda enum: list(labels.get(enum, {}).items()),
    )
