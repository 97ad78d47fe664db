"""The console's own template filters on top of the site's (culture_cloud/web/site/filters.py):
Beijing times as staff read them, a lenient `pk`, seats, place names and event labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import from_global_id, to_global_id
from culture_cloud.timeutil import to_local

WEEKDAYS = "一二三四五六日"


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 DateTime from a document's answer (None for anything else)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def local_time(value: object) -> str:
    """`2026年12月5日（周六）19:30` in Beijing time; empty for no value."""
    moment = parse_time(value)
    if moment is None:
        return ""
    local = to_local(moment)
    return (
        f"{local.year}年{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"
    )


def local_span(start: object, end: object) -> str:
    """A start and end time; the end without its date when both fall on the same day."""
    first, last = parse_time(start), parse_time(end)
    if first is None:
        return ""
    if last is None:
        return local_time(first)
    if to_local(first).date() == to_local(last).date():
        return f"{local_time(first)}–{to_local(last):%H:%M}"
    return f"{local_time(first)} – {local_time(last)}"


def machine_time(value: object) -> str:
    """For `<time datetime="…">`."""
    moment = parse_time(value)
    return "" if moment is None else to_local(moment).isoformat()


def pk(global_id: object) -> int | None:
    """The number in a global id, for URLs; None for anything that is not one."""
    if not isinstance(global_id, str):
        return None
    try:
        return from_global_id(global_id)[1]
    except InvalidId:
        return None


def global_id(type_name: str, number: int) -> str:
    return to_global_id(type_name, number)


EVENT_STATUSES = {
    "PUBLISHED": "报名中",
    "CANCELLED": "已取消",
    "POSTPONED": "已延期",
    "DRAFT": "草稿",
}
EVENT_KINDS = {
    "PERFORMANCE": "演出",
    "EXHIBITION": "展览",
    "LECTURE": "讲座",
    "TRAINING": "培训",
    "ACTIVITY": "群众活动",
    "FESTIVAL": "节庆",
}


def seats(event: dict[str, Any]) -> str:
    if event.get("capacity") is None:
        return "不限名额"
    remaining = event.get("remainingSeats")
    if remaining is not None and remaining <= 0:
        return "名额已满"
    return f"剩余 {remaining} / {event['capacity']} 个名额"


def place(event: dict[str, Any]) -> str:
    found = event.get("venue") or event.get("scenicSpot") or {}
    return str(found.get("name") or "")


def install(environment: Environment) -> None:
    environment.filters.update(
        local_time=local_time,
        local_span=local_span,
        machine_time=machine_time,
        pk=pk,
        seats=seats,
        place=place,
        event_status=lambda value: EVENT_STATUSES.get(value, value),
        event_kind=lambda value: EVENT_KINDS.get(value, value),
    )
