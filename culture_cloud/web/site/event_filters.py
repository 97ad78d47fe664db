"""The /events filter form: query parameters → the API's EventFilter, with a Chinese message
beside each field a visitor got wrong (and that field left out) instead of an error page.
Checks here are about the URL's shape (a date that is a date, a known kind); what the API
refuses beyond that comes back as its own typed errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from culture_cloud.web.results import FormErrors
from culture_cloud.web.site.links import EVENT_KINDS, global_id

PAGE_SIZE = 20
MAX_PARAM = 200  # a cursor is ~40 characters; nothing here needs more
MAX_TRAIL = 30  # pages one can step back through with "上一页"
FIELDS = ("from", "to", "region", "kind", "free", "bookable", "seats")
# The API's names for what went wrong (error `field`) → the form field it came from.
API_FIELDS = {
    "dateFrom": "from",
    "dateTo": "to",
    "regionId": "region",
    "kinds": "kind",
    "free": "free",
    "bookable": "bookable",
    "hasSeatsLeft": "seats",
}
# Yes/no fields: form name → the API's filter name ("1" yes, "0" no; the form's checkbox for
# seats sends only "1", a link may carry either).
FLAGS = {"free": "free", "bookable": "bookable", "seats": "hasSeatsLeft"}


@dataclass
class EventQuery:
    values: dict[str, str] = field(default_factory=dict)  # what the form shows again
    filter: dict[str, Any] = field(default_factory=dict)
    after: str | None = None
    trail: list[str] = field(default_factory=list)  # the cursors of the pages before this one
    errors: FormErrors = field(default_factory=FormErrors)

    def variables(self) -> dict[str, Any]:
        return {"first": PAGE_SIZE, "after": self.after, "filter": self.filter or None}

    def link(self, *, after: str | None, trail: list[str]) -> str:
        """This list (same filters) from another page."""
        params = [(name, value) for name, value in self.values.items() if value]
        if after:
            params.append(("after", after))
            params.extend(("trail", cursor) for cursor in trail[-MAX_TRAIL:])
        query = urlencode(params)
        return "/events" + (f"?{query}" if query else "")

    def drop(self, errors: FormErrors) -> None:
        """Leave out what the API refused (shown beside its field), and the cursor if that was
        it, so the page still lists something."""
        for api_name, message in errors.fields.items():
            self.filter.pop(api_name, None)
            self.errors.add(API_FIELDS.get(api_name), message)
            if api_name == "after":
                self.after, self.trail = None, []
        for message in errors.general:
            self.errors.add(None, message)
        if not errors.fields:  # nothing to leave out: start over unfiltered
            self.filter, self.after, self.trail = {}, None, []

    def next_link(self, end_cursor: str) -> str:
        trail = [*self.trail, self.after] if self.after else []
        return self.link(after=end_cursor, trail=[c for c in trail if c])

    def previous_link(self) -> str | None:
        if not self.after:
            return None
        if not self.trail:
            return self.link(after=None, trail=[])
        return self.link(after=self.trail[-1], trail=self.trail[:-1])


def _clean(value: str | None) -> str | None:
    """None for a value no field could take (too long, control characters)."""
    if value is None:
        return ""
    if len(value) > MAX_PARAM or any(ch < " " for ch in value):
        return None
    return value.strip()


def _date(query: EventQuery, name: str, raw: str, key: str) -> date | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        query.errors.add(name, "请输入有效日期，格式如 2026-12-06")
        return None
    query.filter[key] = day.isoformat()
    return day


def parse(params: QueryParams, today: date) -> EventQuery:
    query = EventQuery()
    raw: dict[str, str] = {}
    for name in FIELDS:
        value = _clean(params.get(name))
        if value is None:
            query.errors.add(name, "输入过长或含有无效字符")
            continue
        raw[name] = value
    query.values = {name: value for name, value in raw.items() if value}
    start = _date(query, "from", raw["from"], "dateFrom") if raw.get("from") else None
    if not raw.get("from"):
        # Without a start date the list begins today: what a visitor can still go to.
        query.filter["dateFrom"] = today.isoformat()
    end = _date(query, "to", raw["to"], "dateTo") if raw.get("to") else None
    if start and end and end < start:
        query.errors.add("to", "结束日期不能早于开始日期")
        query.filter.pop("dateTo", None)
    if raw.get("region"):
        region = global_id("Region", int(raw["region"])) if raw["region"].isdigit() else None
        if region is None:
            query.errors.add("region", "请选择列表中的乡镇")
        else:
            query.filter["regionId"] = region
    if raw.get("kind"):
        if raw["kind"] in EVENT_KINDS:
            query.filter["kinds"] = [raw["kind"]]
        else:
            query.errors.add("kind", "请选择列表中的类别")
    for name, api_name in FLAGS.items():
        if raw.get(name) in ("1", "0"):
            query.filter[api_name] = raw[name] == "1"
        elif raw.get(name):
            query.errors.add(name, "请选择列表中的选项")
    cursors = [_clean(value) for value in params.getlist("trail")[:MAX_TRAIL]]
    after = _clean(params.get("after"))
    if after is None or any(cursor is None for cursor in cursors):
        query.errors.add(None, "翻页参数无效，已回到第一页")
    else:
        query.after = after or None
        query.trail = [cursor for cursor in cursors if cursor]
    return query
