"""Keyset ("seek") pagination: the sort values of the last row travel inside the cursor.

Never OFFSET: pages stay fast and stable while rows are inserted. The last sort key is always a
unique column so the order is total.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from culture_cloud.errors import BadInput, InvalidCursor

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class SortKey:
    column: ColumnElement[Any]
    descending: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(order: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps({"o": order, "v": [_encode_value(v) for v in values]})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, order: str, arity: int) -> list[Any]:
    """The order name travels in the cursor so a cursor from another ordering is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
        values = payload["v"]
        ok = payload["o"] == order and isinstance(values, list) and len(values) == arity
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        ok = False
    if not ok:
        raise InvalidCursor("分页游标无效或已过期，请从第一页重新加载", field="after")
    try:
        return [_decode_value(v) for v in values]
    except ValueError as exc:
        raise InvalidCursor("分页游标无效", field="after") from exc


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 0 or first > MAX_PAGE_SIZE:
        raise BadInput(f"first 必须在 0 到 {MAX_PAGE_SIZE} 之间", field="first")
    return first


def seek_condition(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order given by `keys`."""
    branches = []
    for i, key in enumerate(keys):
        equal_prefix = [keys[j].column == values[j] for j in range(i)]
        step = key.column < values[i] if key.descending else key.column > values[i]
        branches.append(and_(*equal_prefix, step))
    return or_(*branches)


def order_clauses(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [k.column.desc() if k.descending else k.column.asc() for k in keys]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
