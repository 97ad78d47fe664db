"""The event form of /console/events/new and /console/events/<id>/edit: what was posted, as
the strings the form shows again and as a CreateEventInput / UpdateEventInput.

Field names are the input's own (`title`, `startAt`, `recurrence-until`), so an API error's
`field` lands beside its field (forms.form_field); the venue or scenic spot is one `place`
select whose value is the place's global ID. Times are typed in Beijing time
(`<input type=datetime-local>`: 2030-05-04T10:00) and sent with their +08:00 offset.

An edit sends only the fields that differ from what the form showed (kept in the hidden
`was` field): an event with bookings keeps its times unless they were changed on purpose (the
API then asks for a postponement), and the audit log records what the editor changed.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from starlette.datastructures import FormData

from culture_cloud.errors import InvalidId
from culture_cloud.global_ids import from_global_id
from culture_cloud.timeutil import SHANGHAI, to_local
from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

KINDS = {
    "ACTIVITY": "群众活动",
    "LECTURE": "讲座",
    "PERFORMANCE": "演出",
    "EXHIBITION": "展览",
    "TRAINING": "培训",
    "FESTIVAL": "节庆",
}
WEEKDAYS = [
    (1, "周一"),
    (2, "周二"),
    (3, "周三"),
    (4, "周四"),
    (5, "周五"),
    (6, "周六"),
    (7, "周日"),
]
TIMES = {
    "startAt": "开始时间",
    "endAt": "结束时间",
    "bookingOpensAt": "开放预约时间",
    "bookingClosesAt": "预约截止时间",
}
NUMBERS = {"capacity": "名额", "ageMin": "最小年龄", "ageMax": "最大年龄"}
FLAGS = ("allDay", "bookingRequired", "allowWaitlist", "realNameRequired")
TEXT_FIELDS = ("title", "kind", "description", "place", "priceYuan", "tags", *TIMES, *NUMBERS)
EDITABLE = (*TEXT_FIELDS, *FLAGS)
# Fields of the form an API error may name (input paths with dots as dashes).
KNOWN = frozenset(
    {*EDITABLE, "venueId", "scenicSpotId", "images", "recurrence-weekdays", "recurrence-until"}
)
TITLE_MAX = 100
DESCRIPTION_MAX = 5000
TAGS_MAX_TEXT = 300
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def local_input(value: object) -> str:
    """An API DateTime as `<input type=datetime-local>` shows it, in Beijing time."""
    if not isinstance(value, str) or not value:
        return ""
    return f"{to_local(datetime.fromisoformat(value)):%Y-%m-%dT%H:%M}"


def parse_local(raw: str) -> datetime | None:
    for pattern in _LOCAL_FORMATS:
        try:
            return datetime.strptime(raw, pattern).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    return None


def event_values(event: dict[str, Any]) -> dict[str, Any]:
    """What the edit form shows for an event (a `console_event` node), as posted strings."""
    place = event.get("venue") or event.get("scenicSpot") or {}
    price = event.get("priceYuan")
    values: dict[str, Any] = {
        "title": event["title"],
        "kind": event["kind"],
        "description": event.get("description") or "",
        "place": place.get("id") or "",
        "priceYuan": "" if price is None else f"{price:g}",
        "tags": "，".join(event.get("tags") or []),
    }
    for name in TIMES:
        values[name] = local_input(event.get(name))
    for name in NUMBERS:
        number = event.get(name)
        values[name] = "" if number is None else str(number)
    for name in FLAGS:
        values[name] = "1" if event.get(name) else ""
    return values


def posted_values(form: FormData) -> dict[str, Any]:
    """The form as posted, for showing it again (strings; weekdays a list)."""
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        raw = form.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else ""
    for name in FLAGS:
        values[name] = "1" if form.get(name) == "1" else ""
    values["recurrence-weekdays"] = [str(v) for v in form.getlist("recurrence-weekdays")]
    raw_until = form.get("recurrence-until")
    values["recurrence-until"] = raw_until.strip() if isinstance(raw_until, str) else ""
    return values


def _number(raw: str, name: str, label: str, errors: FormErrors) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors.add(name, f"{label}请填写不小于 0 的整数")
        return None
    return int(raw)


def _price(raw: str, errors: FormErrors) -> float | None:
    if not raw:
        return None
    try:
        price = float(raw)
    except ValueError:
        errors.add("priceYuan", "票价请填写数字（元），免费填 0")
        return None
    if not price >= 0 or price > 1_000_000:
        errors.add("priceYuan", "票价请填写 0 到 1000000 之间的数字（元）")
        return None
    return price


def _time(raw: str, name: str, errors: FormErrors, *, required: bool) -> str | None:
    if not raw:
        if required:
            errors.add(name, f"请填写{TIMES[name]}")
        return None
    moment = parse_local(raw)
    if moment is None:
        errors.add(name, f"{TIMES[name]}格式应为 年-月-日 时:分")
        return None
    return moment.isoformat()


def _place(raw: str, errors: FormErrors, *, required: bool) -> dict[str, str | None]:
    if not raw:
        if required:
            errors.add("place", "请选择举办地点")
        return {}
    try:
        type_name, _ = from_global_id(raw)
    except InvalidId:
        type_name = ""
    if type_name == "Venue":
        return {"venueId": raw}
    if type_name == "ScenicSpot":
        return {"scenicSpotId": raw}
    errors.add("place", "请选择举办地点")
    return {}


def _text(values: dict[str, Any], name: str, label: str, limit: int, errors: FormErrors) -> str:
    value = str(values.get(name) or "")
    if forms.unprintable(value):
        errors.add(name, f"{label}含有无法识别的字符，请删除后重试")
    elif len(value) > limit:
        errors.add(name, f"{label}不能超过 {limit} 个字")
    return value


def event_input(
    values: dict[str, Any], errors: FormErrors, *, creating: bool, changed: set[str] | None = None
) -> dict[str, Any]:
    """The CreateEventInput (`creating`) or UpdateEventInput of posted `values`; for an update
    only the `changed` fields. Problems the page can see go into `errors` beside their field;
    the API checks the rest (times in order, capacity, tags …)."""
    wanted = set(EDITABLE) if changed is None else changed
    result: dict[str, Any] = {}
    if "title" in wanted:
        title = _text(values, "title", "标题", TITLE_MAX, errors)
        if not title:
            errors.add("title", "请填写标题")
        result["title"] = title
    if "kind" in wanted:
        if values.get("kind") not in KINDS:
            errors.add("kind", "请选择类别")
        result["kind"] = values.get("kind")
    if "description" in wanted:
        description = _text(values, "description", "介绍", DESCRIPTION_MAX, errors)
        result["description"] = description or None
    if "place" in wanted:
        result.update(_place(str(values.get("place") or ""), errors, required=True))
    for name in TIMES:
        if name in wanted:
            required = name in ("startAt", "endAt")
            result[name] = _time(str(values.get(name) or ""), name, errors, required=required)
    for name, label in NUMBERS.items():
        if name in wanted:
            result[name] = _number(str(values.get(name) or ""), name, label, errors)
    if "priceYuan" in wanted:
        result["priceYuan"] = _price(str(values.get("priceYuan") or ""), errors)
    if "tags" in wanted:
        text = _text(values, "tags", "标签", TAGS_MAX_TEXT, errors)
        result["tags"] = [tag for tag in _TAG_SPLIT.split(text) if tag]
    for name in FLAGS:
        if name in wanted:
            result[name] = values.get(name) == "1"
    if creating:
        recurrence = _recurrence(values, errors)
        if recurrence is not None:
            result["recurrence"] = recurrence
        # Optional fields left empty are simply not sent on creation.
        result = {k: v for k, v in result.items() if v is not None}
    return result


def _recurrence(values: dict[str, Any], errors: FormErrors) -> dict[str, Any] | None:
    """Weekly repetition: the weekdays ticked and the last date; neither is no repetition."""
    raw_days = values.get("recurrence-weekdays") or []
    until_raw = str(values.get("recurrence-until") or "")
    if not raw_days and not until_raw:
        return None
    days = sorted({int(d) for d in raw_days if d in {str(n) for n, _ in WEEKDAYS}})
    if not days:
        errors.add("recurrence-weekdays", "每周重复请至少选择一天")
    until = None
    if not until_raw:
        errors.add("recurrence-until", "每周重复请填写最后一场的日期")
    else:
        try:
            until = date.fromisoformat(until_raw)
        except ValueError:
            errors.add("recurrence-until", "日期格式应为 年-月-日")
    if not days or until is None:
        return None
    return {"weekdays": days, "until": until.isoformat()}


def changed_fields(values: dict[str, Any], was_raw: object) -> set[str]:
    """The editable fields whose posted value differs from what the form showed. A missing or
    broken `was` counts every field as changed (the API still checks everything)."""
    try:
        was = json.loads(was_raw) if isinstance(was_raw, str) else None
    except ValueError:
        was = None
    if not isinstance(was, dict):
        return set(EDITABLE)
    return {name for name in EDITABLE if values.get(name, "") != was.get(name, "")}


def remember(values: dict[str, Any]) -> str:
    """The hidden `was` field: what the edit form shows, to compare the post with."""
    return json.dumps({name: values.get(name, "") for name in EDITABLE}, ensure_ascii=False)


def place_errors(errors: FormErrors) -> FormErrors:
    """The API's venueId / scenicSpotId errors beside the form's one `place` select."""
    for name in ("venueId", "scenicSpotId"):
        message = errors.fields.pop(name, None)
        if message:
            errors.add("place", message)
    return errors
