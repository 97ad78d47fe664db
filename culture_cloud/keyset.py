"""Keyset ("seek") pagination: the sort values of the last row travel inside the cursor.

Never OFFSET: pages stay fast and stable while rows are inserted. The last sort key is always a
unique column so the order is total.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import Select, SQLColumnExpression, and_, func, label, or_
from sqlalchemy.sql.elements import ColumnElement

from culture_cloud.db import Executor
from culture_cloud.errors import BadInput, InvalidCursor

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class SortKey:
    # Any column expression: a Core column or expression, or an ORM attribute (`col(Model.x)`).
    column: SQLColumnExpression[Any]
    descending: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    return value


# Integer sort keys are INTEGER ids (or small score sums): PostgreSQL refuses a parameter outside
# int4 for an int4 column, so a larger number can only come from a tampered cursor.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _decode_typed(value: Any, expected: type) -> Any:
    """`value` as `expected`, or ValueError: a cursor value must match its column's type.

    Checked here because SQLite compares anything with anything while PostgreSQL rejects a
    mistyped parameter only when the statement runs, which would surface as INTERNAL.
    """
    if expected is datetime:
        if not (isinstance(value, dict) and set(value) == {"dt"} and isinstance(value["dt"], str)):
            raise ValueError("timestamp expected")
        moment = datetime.fromisoformat(value["dt"])
        if moment.tzinfo is None:
            raise ValueError("timestamp without time zone")
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("timestamp out of range") from exc
    # bool is a subclass of int, but a JSON true/false is never a valid sort value.
    if isinstance(value, bool) and expected is not bool:
        raise ValueError(f"{expected.__name__} expected, got a boolean")
    if expected is int:
        if not isinstance(value, int) or not _INT_MIN <= value <= _INT_MAX:
            raise ValueError("integer expected")
        return value
    if expected is float:
        if not isinstance(value, int | float):
            raise ValueError("number expected")
        return float(value)
    if expected is str:
        # PostgreSQL text cannot hold NUL; the database would refuse the parameter.
        if not isinstance(value, str) or "\x00" in value:
            raise ValueError("string expected")
        return value
    if not isinstance(value, expected):
        raise ValueError(f"{expected.__name__} expected")
    return value


def encode_cursor(order: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps({"o": order, "v": [_encode_value(v) for v in values]})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(
    cursor: str, order: str, arity: int, types: Sequence[type] | None = None
) -> list[Any]:
    """The order name travels in the cursor so a cursor from another ordering is refused.

    `types` gives the Python type of each sort value (`datetime`, `int`, `float` or `str`); a
    value of another type (a tampered cursor) is refused instead of reaching the database.
    """
    if types is not None and len(types) != arity:
        raise ValueError(f"{len(types)} types given for {arity} cursor values")
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
        if types is None:
            return [_decode_value(v) for v in values]
        return [_decode_typed(v, t) for v, t in zip(values, types, strict=True)]
    except (ValueError, TypeError) as exc:
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
    cursors: Sequence[str]
    has_next_page: bool


class LazyCursors(Sequence[str]):
    """Cursors encoded only when read: a page usually needs just `endCursor`."""

    def __init__(self, order: str, values: list[list[Any]]) -> None:
        self._order = order
        self._values = values
        self._encoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        index = index + len(self._values) if index < 0 else index
        cursor = self._encoded.get(index)
        if cursor is None:
            cursor = self._encoded[index] = encode_cursor(self._order, self._values[index])
        return cursor


async def fetch_page(
    conn: Executor,
    stmt: Select[Any],
    *,
    keys: list[SortKey],
    order_name: str,
    first: int | None,
    after: str | None,
    types: Sequence[type] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Page[Any]:
    """Runs `stmt` (a Core select of one table) as a keyset page of plain rows; `params`:
    values of its named bound parameters (a statement built once, see reviews/reading.py).

    Core rows, not ORM entities: a list page needs no identity map or change tracking, and
    skipping them is most of the per-row cost. `types` are the Python types of the sort values,
    checked when a cursor comes back (see keyset.decode_cursor).
    """
    limit = page_size(first)
    labels = [f"_sort{i}" for i in range(len(keys))]
    stmt = stmt.add_columns(*[label(name, k.column) for k, name in zip(keys, labels, strict=True)])
    if after is not None:
        values = decode_cursor(after, order_name, len(keys), types)
        stmt = stmt.where(seek_condition(keys, values))
    if limit == 0:
        return Page(items=[], cursors=[], has_next_page=False)
    rows = (await conn.execute(stmt.order_by(*order_clauses(keys)).limit(limit + 1), params)).all()
    has_next = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=list(rows),
        cursors=LazyCursors(order_name, [[getattr(row, n) for n in labels] for row in rows]),
        has_next_page=has_next,
    )


async def count(conn: Executor, stmt: Select[Any]) -> int:
    # maintain_column_froms keeps `FROM <table>` when there is no WHERE clause to imply it;
    # without it an unfiltered list counts `SELECT count(*)` = 1.
    counted = stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int((await conn.execute(counted)).scalar_one())
