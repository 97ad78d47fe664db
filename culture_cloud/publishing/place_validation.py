"""Checks and normalisation of a venue's or scenic spot's structured profile fields: location
(in any datum, stored in WGS84), weekly and seasonal opening hours, ticket prices. Pure
functions: each raises a BadInput naming the input field (camelCase), with a Chinese message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from culture_cloud.catalog.models import LocationPrecision
from culture_cloud.errors import BadInput
from culture_cloud.geo import CoordSystem, LatLng, coordinate_problem, to_wgs84
from culture_cloud.publishing.validation import NOTE_MAX, price_fen
from culture_cloud.text import clean_text, required_text

CLOCK_PATTERN: Final = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00")
MONTH_DAY_PATTERN: Final = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
WEEKDAY_KEYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Location:
    """As given by the client, in any datum; `wgs84()` is what is stored."""

    lat: float
    lng: float
    system: CoordSystem = CoordSystem.WGS84
    precision: LocationPrecision = LocationPrecision.EXACT
    note: str | None = None

    def columns(self) -> dict[str, Any]:
        problem = coordinate_problem(self.lat, self.lng)
        if problem is not None:
            which, message = problem
            raise BadInput(message, field=f"location.{which}")
        point = to_wgs84(LatLng(self.lat, self.lng), self.system)
        return {
            # 1e-7 degrees is about a centimetre: what the seed stores too.
            "lat": round(point.lat, 7),
            "lng": round(point.lng, 7),
            "location_precision": self.precision,
            "location_note": clean_text(self.note, field="location.note", max_length=NOTE_MAX),
        }


NO_LOCATION: Final = {
    "lat": None,
    "lng": None,
    "location_precision": None,
    "location_note": None,
}


@dataclass(frozen=True, slots=True)
class DayHours:
    weekday: int  # 1 = Monday … 7 = Sunday
    periods: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OpeningHours:
    weekly: tuple[DayHours, ...]
    last_entry: str | None = None
    closed_note: str | None = None
    as_of: int | None = None


def _clock(value: str, *, field: str) -> str:
    value = value.strip()
    if not CLOCK_PATTERN.fullmatch(value):
        raise BadInput("时间须为 HH:MM（24 小时制）", field=field)
    return value


def opening_hours_json(hours: OpeningHours) -> dict[str, Any]:
    """The stored shape (see seeds/jiexiu/venues.json): days not given are closed."""
    field = "openingHours"
    weekly: dict[str, list[list[str]]] = {key: [] for key in WEEKDAY_KEYS}
    seen: set[int] = set()
    for day in hours.weekly:
        if not 1 <= day.weekday <= 7 or day.weekday in seen:
            raise BadInput("星期几须为 1 到 7 且不能重复", field=f"{field}.weekly")
        seen.add(day.weekday)
        periods = sorted(
            (_clock(o, field=f"{field}.weekly"), _clock(c, field=f"{field}.weekly"))
            for o, c in day.periods
        )
        for index, (open_, close) in enumerate(periods):
            if open_ >= close:
                raise BadInput("开放时间须早于关闭时间", field=f"{field}.weekly")
            if index and periods[index - 1][1] > open_:
                raise BadInput("同一天的开放时段不能重叠", field=f"{field}.weekly")
        weekly[WEEKDAY_KEYS[day.weekday - 1]] = [[o, c] for o, c in periods]
    if hours.as_of is not None and not 1900 <= hours.as_of <= 2100:
        raise BadInput("信息年份无效", field=f"{field}.asOf")
    return {
        "weekly": weekly,
        "last_entry": None
        if hours.last_entry is None
        else _clock(hours.last_entry, field=f"{field}.lastEntry"),
        "closed_note": clean_text(
            hours.closed_note, field=f"{field}.closedNote", max_length=NOTE_MAX
        ),
        "as_of": hours.as_of,
    }


@dataclass(frozen=True, slots=True)
class SeasonalHours:
    label: str
    from_date: str  # MM-DD
    to_date: str
    open: str
    close: str
    last_entry: str | None = None
    as_of: int | None = None


def seasonal_hours_json(items: Sequence[SeasonalHours]) -> list[dict[str, Any]]:
    field = "seasonalHours"
    if len(items) > 12:
        raise BadInput("季节开放时间最多 12 条", field=field)
    out = []
    for item in items:
        for value in (item.from_date, item.to_date):
            if not MONTH_DAY_PATTERN.fullmatch(value.strip()):
                raise BadInput("日期须为 MM-DD", field=field)
        open_, close = _clock(item.open, field=field), _clock(item.close, field=field)
        if open_ >= close:
            raise BadInput("开放时间须早于关闭时间", field=field)
        out.append(
            {
                "label": required_text(item.label, field=field, max_length=32, label="名称"),
                # A season may wrap the new year (11-01 to 03-31), so from > to is fine.
                "from": item.from_date.strip(),
                "to": item.to_date.strip(),
                "open": open_,
                "close": close,
                "last_entry": None
                if item.last_entry is None
                else _clock(item.last_entry, field=field),
                "as_of": item.as_of,
            }
        )
    return out


@dataclass(frozen=True, slots=True)
class TicketPrice:
    label: str
    yuan: float | None = None
    note: str | None = None


def ticket_prices_json(items: Sequence[TicketPrice]) -> list[dict[str, Any]]:
    field = "ticketPrices"
    if len(items) > 20:
        raise BadInput("票价最多 20 条", field=field)
    out = []
    for item in items:
        fen = None
        if item.yuan is not None:
            try:
                fen = price_fen(item.yuan)
            except BadInput as exc:
                raise BadInput(exc.message, field=field) from None
        out.append(
            {
                "label": required_text(item.label, field=field, max_length=32, label="名称"),
                # Stored in yuan like the seed (a display list, not money we compute with).
                "yuan": None if fen is None else (fen // 100 if fen % 100 == 0 else fen / 100),
                "note": clean_text(item.note, field=field, max_length=NOTE_MAX),
            }
        )
    return out
