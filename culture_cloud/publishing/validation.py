"""Checks and normalisation of what staff type into the console. Pure functions: each raises a
BadInput naming the input field (camelCase, as the API spells it), with a Chinese message.

Per-field checks run only on the values a request gives; cross-field rules (times, booking
window, ages) run on the event as it would be saved, so a partial update cannot leave an
inconsistent row behind. A place profile's structured fields (location, opening hours,
ticket prices) are checked in place_validation.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Final, Literal, TypeAlias, TypeVar
from urllib.parse import urlsplit

from culture_cloud.errors import BadInput
from culture_cloud.text import clean_text, required_text
from culture_cloud.timeutil import SHANGHAI

T = TypeVar("T")


class Unset(Enum):
    """ "Not given" in a partial update, as opposed to None ("clear this value")."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET
Patch: TypeAlias = T | Literal[Unset.UNSET]

TITLE_MAX = 200  # the column's length
DESCRIPTION_MAX = 5000
REASON_MAX = 500
MAX_IMAGES = 9  # what a WeChat image grid shows
URL_MAX = 1000
MAX_TAGS = 10
TAG_MAX = 32  # catalog_tag.tag
MAX_LIST_ITEMS = 30
LIST_ITEM_MAX = 64
ADDRESS_MAX = 200
NOTE_MAX = 500
MAX_CAPACITY = 100_000
MAX_PRICE_FEN = 10_000_000  # 100,000 yuan: anything above is a typing mistake
MAX_AGE = 150
MAX_OCCURRENCES = 52

PHONE_PATTERN: Final = re.compile(r"\+?[0-9][0-9-]{5,30}")
ADMISSION_VALUES: Final = frozenset({"free", "ticket"})


# --- single values ----------------------------------------------------------------------------


def title(value: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise BadInput("标题不能为空", field="title")
    if len(cleaned) > TITLE_MAX:
        raise BadInput(f"标题不能超过 {TITLE_MAX} 个字符", field="title")
    return cleaned


def moment(value: datetime, *, field: str) -> datetime:
    """A time without an offset is read as Beijing time, the only zone our users live in."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    try:
        return value.astimezone(SHANGHAI)
    except OverflowError:
        raise BadInput("时间超出范围", field=field) from None


def optional_moment(value: datetime | None, *, field: str) -> datetime | None:
    return None if value is None else moment(value, field=field)


def capacity(value: int | None) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise BadInput("名额不能为负数", field="capacity")
    if value > MAX_CAPACITY:
        raise BadInput(f"名额不能超过 {MAX_CAPACITY}", field="capacity")
    return value


def price_fen(yuan: float | None) -> int | None:
    """Yuan as typed (at most two decimals) to integer fen."""
    if yuan is None:
        return None
    try:
        # str() first: the float 19.9 must become 19.90 yuan, not 19.899999…
        amount = Decimal(str(yuan))
    except InvalidOperation:
        raise BadInput("票价无效", field="priceYuan") from None
    if not amount.is_finite() or amount < 0:
        raise BadInput("票价不能为负数", field="priceYuan")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise BadInput("票价最多保留两位小数", field="priceYuan")
    if fen > MAX_PRICE_FEN:
        raise BadInput("票价过高，请检查输入", field="priceYuan")
    return int(fen)


def age(value: int | None, *, field: str) -> int | None:
    if value is not None and not 0 <= value <= MAX_AGE:
        raise BadInput(f"年龄须在 0 到 {MAX_AGE} 之间", field=field)
    return value


def images(urls: Sequence[str]) -> tuple[str, ...]:
    """Image URLs (uploads go to object storage; we keep links): http(s), at most nine."""
    if len(urls) > MAX_IMAGES:
        raise BadInput(f"最多 {MAX_IMAGES} 张图片", field="images")
    cleaned = []
    for index, raw in enumerate(urls, start=1):
        url = raw.strip()
        parts = urlsplit(url)
        if (
            parts.scheme.lower() not in {"http", "https"}
            or not parts.hostname
            or len(url) > URL_MAX
            or any(ch.isspace() or ord(ch) < 32 for ch in url)
        ):
            raise BadInput(f"第 {index} 张图片地址须为 http:// 或 https:// 链接", field="images")
        cleaned.append(url)
    return tuple(cleaned)


def tags(values: Sequence[str], *, field: str = "tags") -> tuple[str, ...]:
    """Stripped and de-duplicated, first spelling wins; tag filters match them exactly."""
    unique: dict[str, None] = {}
    for raw in values:
        tag = raw.strip()
        if not tag or len(tag) > TAG_MAX:
            raise BadInput(f"标签不能为空且不超过 {TAG_MAX} 个字符", field=field)
        unique.setdefault(tag, None)
    if len(unique) > MAX_TAGS:
        raise BadInput(f"最多 {MAX_TAGS} 个标签", field=field)
    return tuple(unique)


def short_list(values: Sequence[str], *, field: str) -> tuple[str, ...]:
    """Facilities, accessibility features: short labels."""
    cleaned = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(cleaned) > MAX_LIST_ITEMS or any(len(v) > LIST_ITEM_MAX for v in cleaned):
        raise BadInput(f"最多 {MAX_LIST_ITEMS} 项，每项不超过 {LIST_ITEM_MAX} 个字符", field=field)
    return cleaned


def phone(value: str | None) -> str | None:
    cleaned = clean_text(value, field="phone", max_length=32)
    if cleaned is not None and not PHONE_PATTERN.fullmatch(cleaned):
        raise BadInput("电话号码格式无效", field="phone")
    return cleaned


def admission(value: str | None) -> str | None:
    cleaned = clean_text(value, field="admission", max_length=16)
    if cleaned is not None and cleaned not in ADMISSION_VALUES:
        raise BadInput("入场方式须为 free（免费）或 ticket（收费）", field="admission")
    return cleaned


def reason(value: str) -> str:
    return required_text(value, field="reason", max_length=REASON_MAX, label="原因")


# --- event invariants -------------------------------------------------------------------------


def check_event_times(
    *,
    start_at: datetime,
    end_at: datetime,
    booking_opens_at: datetime | None,
    booking_closes_at: datetime | None,
    end_field: str = "endAt",
) -> None:
    if end_at <= start_at:
        raise BadInput("结束时间必须晚于开始时间", field=end_field)
    if booking_closes_at is not None and booking_closes_at > start_at:
        raise BadInput("预约截止时间不能晚于活动开始时间", field="bookingClosesAt")
    if booking_opens_at is not None:
        if booking_closes_at is not None and booking_opens_at >= booking_closes_at:
            raise BadInput("预约开始时间必须早于预约截止时间", field="bookingOpensAt")
        if booking_opens_at >= start_at:
            raise BadInput("预约开始时间必须早于活动开始时间", field="bookingOpensAt")


def check_ages(age_min: int | None, age_max: int | None) -> None:
    if age_min is not None and age_max is not None and age_max < age_min:
        raise BadInput("最大年龄不能小于最小年龄", field="ageMax")


# --- recurrence -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Weekly on `weekdays` (1 = Monday … 7 = Sunday) from the first start until `until`
    (inclusive, Beijing date)."""

    weekdays: tuple[int, ...]
    until: date


def occurrence_starts(start_at: datetime, rule: Recurrence) -> list[datetime]:
    """Every start of the series: the first start's Beijing wall-clock time on each matching
    day from its date to `until`. The first start itself need not match a weekday."""
    if not rule.weekdays:
        raise BadInput("请至少选择一个星期几", field="recurrence.weekdays")
    if any(not 1 <= day <= 7 for day in rule.weekdays):
        raise BadInput("星期几须为 1（周一）到 7（周日）", field="recurrence.weekdays")
    local = start_at.astimezone(SHANGHAI)
    first_day = local.date()
    if rule.until < first_day:
        raise BadInput("重复结束日期不能早于首场日期", field="recurrence.until")
    # Enough days for MAX_OCCURRENCES + 1 weekly hits; anything beyond is refused below.
    if (rule.until - first_day).days > 7 * (MAX_OCCURRENCES + 1):
        raise BadInput(f"重复活动最多 {MAX_OCCURRENCES} 场", field="recurrence.until")
    wanted = set(rule.weekdays)
    wall_clock: time = local.timetz().replace(tzinfo=None)
    starts = []
    day = first_day
    while day <= rule.until:
        if day.isoweekday() in wanted:
            starts.append(datetime.combine(day, wall_clock, tzinfo=SHANGHAI))
        day += timedelta(days=1)
    if not starts:
        raise BadInput("所选日期范围内没有符合的星期几", field="recurrence.weekdays")
    if len(starts) > MAX_OCCURRENCES:
        raise BadInput(f"重复活动最多 {MAX_OCCURRENCES} 场", field="recurrence.until")
    return starts
