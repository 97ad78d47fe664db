"""Checks of what people type into the menu forms. Pure functions: each raises a BadInput
naming the input field (camelCase, as the API spells it), with a Chinese message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from culture_cloud.errors import BadInput
from culture_cloud.text import required_text

MAX_YUAN_FEN = 100_000_000  # one million yuan: anything above is a typing mistake
MAX_PERIODS = 24


def reason(value: str | None, *, field: str = "reason") -> str:
    if value is None:
        raise BadInput("请说明原因", field=field)
    return required_text(value, field=field, max_length=500, label="原因")


def yuan_to_fen(yuan: float, *, field: str) -> int:
    try:
        # str() first: 19.9 must become 19.90 yuan, not 19.899999…
        amount = Decimal(str(yuan))
    except InvalidOperation:
        raise BadInput("金额无效", field=field) from None
    if not amount.is_finite() or amount < 0:
        raise BadInput("金额不能为负数", field=field)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise BadInput("金额最多保留两位小数", field=field)
    if fen > MAX_YUAN_FEN:
        raise BadInput("金额过大，请检查输入", field=field)
    return int(fen)


def int_in(value: int, *, field: str, low: int, high: int, label: str) -> int:
    if not low <= value <= high:
        raise BadInput(f"{label}须在 {low} 到 {high} 之间", field=field)
    return value


def date_ranges(ranges: Sequence[tuple[date, date]], *, field: str) -> list[dict[str, str]]:
    if len(ranges) > MAX_PERIODS:
        raise BadInput(f"最多 {MAX_PERIODS} 个时间段", field=field)
    stored = []
    for index, (start, end) in enumerate(ranges):
        if end < start:
            raise BadInput("结束日期不能早于开始日期", field=f"{field}.{index}.endDate")
        stored.append({"from": start.isoformat(), "to": end.isoformat()})
    return sorted(stored, key=lambda r: (r["from"], r["to"]))


def overlaps_any(start: date, end: date, periods: Sequence[dict[str, str]]) -> bool:
    """Whether [start, end] meets one of the stored periods; no periods means any time."""
    if not periods:
        return True
    return any(
        date.fromisoformat(p["from"]) <= end and start <= date.fromisoformat(p["to"])
        for p in periods
    )
