"""The venue and scenic-spot forms of /console/places: what was posted, as the strings the form
shows again and as an UpdateVenueInput / UpdateScenicSpotInput.

Opening hours are typed one line per weekday ("09:00-12:00, 14:00-17:00"; empty is closed);
a scenic spot's seasons and tickets one per line ("旺季 04-01 10-31 08:00 18:00 17:30",
"成人票 60 60 岁以上免票"). The location is typed as latitude and longitude in the datum the
manager chose (WGS84, GCJ-02 as AMap and Tencent show, BD-09 as Baidu shows); the API converts.
Only the fields that differ from what the form showed (the hidden `was`) are sent; the API
checks everything else and its errors come back beside their fields (`api_field`)."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.datastructures import FormData

from culture_cloud.web.results import FormErrors
from culture_cloud.web.site import forms

WEEKDAYS = [(n, label) for n, label in enumerate("一二三四五六日", start=1)]
HOURS = tuple(f"hours-{n}" for n, _ in WEEKDAYS)
SYSTEMS = {
    "WGS84": "WGS84（GPS、天地图）",
    "GCJ02": "GCJ-02（高德、腾讯地图）",
    "BD09": "BD-09（百度地图）",
}
ADMISSIONS = {"free": "免费", "ticket": "收费"}
COMMON = ("description", "address", "phone", "lat", "lng", "system")
VENUE_FIELDS = (
    *COMMON,
    "facilities",
    "accessibility",
    "admission",
    "admissionNote",
    *HOURS,
    "lastEntry",
    "closedNote",
)
SPOT_FIELDS = (*COMMON, "seasonal", "tickets")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
_RANGE_SPLIT = re.compile(r"\s*[-–—~至]\s*")
_LIST_SPLIT = re.compile(r"[\n,，、;；]+")
_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
LIMIT = 2000


def _clock(raw: str) -> str | None:
    match = _CLOCK.match(raw.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def _number(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _coordinate(value: object) -> str:
    # Six decimals (about 10 cm), not `g`'s six digits, which cut 111.91234 to 111.912 (100 m).
    if not isinstance(value, int | float):
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def place_values(place: dict[str, Any], *, venue: bool) -> dict[str, str]:
    """What the edit form shows for a place (a console_place node), as posted strings."""
    location = place.get("location") or {}
    values = {
        "description": place.get("description") or "",
        "address": place.get("address") or "",
        "phone": place.get("phone") or "",
        "lat": _coordinate(location.get("lat")),
        "lng": _coordinate(location.get("lng")),
        "system": "WGS84",
    }
    if venue:
        hours = place.get("openingHours") or {}
        by_day = {int(d["weekday"]): d for d in hours.get("weekly") or []}
        for n, _ in WEEKDAYS:
            periods = (by_day.get(n) or {}).get("periods") or []
            values[f"hours-{n}"] = ", ".join(f"{p['open']}-{p['close']}" for p in periods)
        values["lastEntry"] = hours.get("lastEntry") or ""
        values["closedNote"] = hours.get("closedNote") or ""
        values["facilities"] = "\n".join(place.get("facilities") or [])
        values["accessibility"] = "\n".join(place.get("accessibility") or [])
        values["admission"] = place.get("admission") or ""
        values["admissionNote"] = place.get("admissionNote") or ""
    else:
        values["seasonal"] = "\n".join(
            " ".join(
                x
                for x in (s["label"], s["fromDate"], s["toDate"], s["open"], s["close"])
                + ((s["lastEntry"],) if s.get("lastEntry") else ())
            )
            for s in place.get("seasonalHours") or []
        )
        values["tickets"] = "\n".join(
            " ".join(
                x for x in (t["label"], _number(t.get("yuan")) or "免费", t.get("note") or "") if x
            )
            for t in place.get("ticketPrices") or []
        )
    return values


def posted_values(form: FormData, fields: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in fields:
        raw = form.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else ""
    return values


def remember(values: dict[str, str], fields: tuple[str, ...]) -> str:
    return json.dumps({name: values.get(name, "") for name in fields}, ensure_ascii=False)


def changed_fields(values: dict[str, str], was_raw: object, fields: tuple[str, ...]) -> set[str]:
    """The fields that differ from what the form showed; a broken `was` counts all."""
    try:
        was = json.loads(was_raw) if isinstance(was_raw, str) else None
    except ValueError:
        was = None
    if not isinstance(was, dict):
        return set(fields)
    return {name for name in fields if values.get(name, "") != was.get(name, "")}


def _text(values: dict[str, str], name: str, label: str, errors: FormErrors) -> str | None:
    value = values.get(name, "")
    if forms.unprintable(value):
        errors.add(name, f"{label}含有无法识别的字符，请删除后重试")
    elif len(value) > LIMIT:
        errors.add(name, f"{label}不能超过 {LIMIT} 个字")
    return value or None


def _location(values: dict[str, str], errors: FormErrors) -> dict[str, Any] | None:
    lat_raw, lng_raw = values.get("lat", ""), values.get("lng", "")
    if not lat_raw and not lng_raw:
        return None
    if values.get("system") not in SYSTEMS:
        errors.add("system", "请选择坐标系")
    numbers = {}
    for name, raw, limit, label in (("lat", lat_raw, 90, "纬度"), ("lng", lng_raw, 180, "经度")):
        try:
            number = float(raw)
        except ValueError:
            errors.add(name, f"请填写{label}（小数，如 37.03）")
            continue
        if not -limit <= number <= limit:
            errors.add(name, f"{label}须在 -{limit} 到 {limit} 之间")
            continue
        numbers[name] = number
    if len(numbers) < 2:
        return None
    return {**numbers, "system": values.get("system")}


def _periods(raw: str, name: str, errors: FormErrors) -> list[dict[str, str | None]]:
    periods = []
    for part in filter(None, (p.strip() for p in _LIST_SPLIT.split(raw))):
        ends = _RANGE_SPLIT.split(part)
        times = [_clock(t) for t in ends] if len(ends) == 2 else [None]
        if None in times:
            errors.add(name, "开放时段格式应为 09:00-17:00，多个时段用逗号分隔；闭馆留空")
            return []
        if str(times[0]) >= str(times[1]):
            errors.add(name, "开放时间须早于关闭时间")
            return []
        periods.append({"open": times[0], "close": times[1]})
    return periods


def _opening_hours(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    weekly = [
        {"weekday": n, "periods": _periods(values.get(f"hours-{n}", ""), f"hours-{n}", errors)}
        for n, _ in WEEKDAYS
    ]
    last = values.get("lastEntry", "")
    last_entry = _clock(last) if last else None
    if last and last_entry is None:
        errors.add("lastEntry", "最晚入场时间格式应为 时:分，如 16:30")
    return {
        "weekly": weekly,
        "lastEntry": last_entry,
        "closedNote": _text(values, "closedNote", "闭馆说明", errors),
    }


def _seasons(raw: str, errors: FormErrors) -> list[dict[str, str | None]]:
    seasons = []
    for line in filter(None, (x.strip() for x in raw.splitlines())):
        parts = line.split()
        clocks = [_clock(p) for p in parts[3:6]]
        if (
            len(parts) not in (5, 6)
            or not (_DAY.match(parts[1]) and _DAY.match(parts[2]))
            or None in clocks
        ):
            errors.add(
                "seasonal", f"“{line[:30]}”格式应为：名称 起始月-日 结束月-日 开门 关门 [最晚入场]"
            )
            return []
        season: dict[str, str | None] = {
            "label": parts[0],
            "fromDate": parts[1],
            "toDate": parts[2],
        }
        season |= {"open": clocks[0], "close": clocks[1]}
        season["lastEntry"] = clocks[2] if len(clocks) == 3 else None
        seasons.append(season)
    return seasons


def _tickets(raw: str, errors: FormErrors) -> list[dict[str, Any]]:
    tickets = []
    for line in filter(None, (x.strip() for x in raw.splitlines())):
        parts = line.split(maxsplit=2)
        yuan: float | None = None
        if len(parts) < 2:
            errors.add("tickets", f"“{line[:30]}”格式应为：票种 价格（元，或“免费”） [说明]")
            return []
        if parts[1] != "免费":
            try:
                yuan = float(parts[1])
            except ValueError:
                errors.add("tickets", f"“{line[:30]}”的价格应为数字（元）或“免费”")
                return []
        tickets.append(
            {"label": parts[0], "yuan": yuan, "note": parts[2] if len(parts) > 2 else None}
        )
    return tickets


def _items(values: dict[str, str], name: str, label: str, errors: FormErrors) -> list[str]:
    text = _text(values, name, label, errors) or ""
    return [item.strip() for item in _LIST_SPLIT.split(text) if item.strip()]


def place_input(
    values: dict[str, str], errors: FormErrors, changed: set[str], *, venue: bool
) -> dict[str, Any]:
    """The UpdateVenueInput (`venue`) or UpdateScenicSpotInput of the `changed` fields."""
    result: dict[str, Any] = {}
    for name, label in (("description", "介绍"), ("address", "地址"), ("phone", "联系电话")):
        if name in changed:
            result[name] = _text(values, name, label, errors)
    if changed & {"lat", "lng", "system"}:
        location = _location(values, errors)
        if location is not None or not (values.get("lat") or values.get("lng")):
            result["location"] = location
    if venue:
        if changed & {*HOURS, "lastEntry", "closedNote"}:
            result["openingHours"] = _opening_hours(values, errors)
        for name, label in (("facilities", "设施"), ("accessibility", "无障碍设施")):
            if name in changed:
                result[name] = _items(values, name, label, errors)
        if "admission" in changed:
            admission = values.get("admission") or None
            if admission is not None and admission not in ADMISSIONS:
                errors.add("admission", "请选择免费或收费")
            result["admission"] = admission
        if "admissionNote" in changed:
            result["admissionNote"] = _text(values, "admissionNote", "入场须知", errors)
    else:
        if "seasonal" in changed:
            result["seasonalHours"] = _seasons(values.get("seasonal", ""), errors)
        if "tickets" in changed:
            result["ticketPrices"] = _tickets(values.get("tickets", ""), errors)
    return result


def api_field(path: str) -> str | None:
    """The form field beside which an API error's `field` (dashes for dots) is shown."""
    if not path:
        return None
    parts = path.split("-")
    head = parts[0]
    if head == "openingHours":
        if len(parts) > 2 and parts[1] == "weekly" and parts[2].isdigit():
            return f"hours-{int(parts[2]) + 1}"
        # The API names no day ("openingHours.weekly"): such an error goes above the form.
        return (
            "lastEntry" if "lastEntry" in parts else "closedNote" if "closedNote" in parts else None
        )
    if head == "location":
        return {"lng": "lng", "system": "system"}.get(parts[-1], "lat")
    return {"seasonalHours": "seasonal", "ticketPrices": "tickets"}.get(head, head)
