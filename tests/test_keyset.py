"""keyset cursors: round trips, and tampered cursors refused as InvalidCursor. Pure, no database."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from culture_cloud.errors import ErrorCode, InvalidCursor
from culture_cloud.keyset import decode_cursor, encode_cursor

START_TIME = (datetime, int)
NAME = (str, int)
RATING = (float, int)
SEARCH = (int, str, int)
NEARBY = (float, str, int)

WHEN = {"dt": "2026-01-01T02:00:00+00:00"}


def _raw(order: str, values: list[Any]) -> str:
    """A cursor in the wire format with exactly these JSON values (what a tamperer would send)."""
    payload = orjson.dumps({"o": order, "v": values})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    ("types", "values"),
    [
        (START_TIME, [datetime(2026, 1, 1, 2, 0, tzinfo=UTC), 7]),
        (NAME, ["介休市博物馆", 3]),
        (NAME, ["", 1]),
        (RATING, [4.5, 12]),
        (RATING, [0.0, 1]),
        (SEARCH, [15, "venue", 2]),
        (NEARBY, [0.123456789, "scenic_spot", 4]),
    ],
)
def test_decode_cursor__own_cursor__same_values(types: tuple[type, ...], values: list[Any]) -> None:
    cursor = encode_cursor("o", values)
    assert decode_cursor(cursor, "o", len(values), types) == values


def test_decode_cursor__whole_number_for_float__accepted_as_float() -> None:
    values = decode_cursor(_raw("o", [4, 1]), "o", 2, RATING)
    assert values == [4.0, 1] and isinstance(values[0], float)


def test_decode_cursor__other_utc_offset__same_instant_in_utc() -> None:
    cursor = _raw("o", [{"dt": "2026-01-01T10:00:00+08:00"}, 1])
    moment = decode_cursor(cursor, "o", 2, START_TIME)[0]
    assert moment == datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_decode_cursor__without_types__values_as_before() -> None:
    cursor = encode_cursor("o", [datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))), "x"])
    assert decode_cursor(cursor, "o", 2) == [
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8))),
        "x",
    ]


TAMPERED: list[tuple[str, tuple[type, ...], list[Any]]] = [
    # timestamp orders: (start time, id)
    ("number for timestamp", START_TIME, [123, 1]),
    ("bare string for timestamp", START_TIME, ["2026-01-01T02:00:00+00:00", 1]),
    ("non-ISO timestamp", START_TIME, [{"dt": "yesterday"}, 1]),
    ("number inside timestamp", START_TIME, [{"dt": 5}, 1]),
    ("null inside timestamp", START_TIME, [{"dt": None}, 1]),
    ("extra key in timestamp", START_TIME, [{"dt": WHEN["dt"], "x": 1}, 1]),
    ("naive timestamp", START_TIME, [{"dt": "2026-01-01T02:00:00"}, 1]),
    ("timestamp beyond UTC range", START_TIME, [{"dt": "0001-01-01T00:00:00+14:00"}, 1]),
    ("null timestamp", START_TIME, [None, 1]),
    ("string id", START_TIME, [WHEN, "1"]),
    ("boolean id", START_TIME, [WHEN, True]),
    ("fractional id", START_TIME, [WHEN, 1.5]),
    ("null id", START_TIME, [WHEN, None]),
    ("id beyond int4", START_TIME, [WHEN, 2**31]),
    ("id below int4", START_TIME, [WHEN, -(2**31) - 1]),
    # name orders: (name, id)
    ("number for name", NAME, [42, 1]),
    ("null name", NAME, [None, 1]),
    ("list for name", NAME, [["绵山"], 1]),
    ("timestamp for name", NAME, [WHEN, 1]),
    ("boolean for name", NAME, [False, 1]),
    ("NUL in name", NAME, ["a\x00b", 1]),
    # rating / distance orders: (number, id)
    ("string for rating", RATING, ["4.5", 1]),
    ("boolean for rating", RATING, [True, 1]),
    ("null rating", RATING, [None, 1]),
    ("object for rating", RATING, [{"v": 1}, 1]),
    ("fractional id after rating", RATING, [4.5, 2.5]),
    ("boolean id after rating", RATING, [4.5, False]),
    ("huge id after rating", RATING, [4.5, 2**63]),
    # search: (score, kind, id); nearby: (distance, kind, id)
    ("string score", SEARCH, ["10", "venue", 1]),
    ("fractional score", SEARCH, [10.5, "venue", 1]),
    ("boolean score", SEARCH, [True, "venue", 1]),
    ("number for kind", SEARCH, [10, 3, 1]),
    ("string id in search", SEARCH, [10, "venue", "1"]),
    ("string distance", NEARBY, ["0.5", "venue", 1]),
    ("number for kind in nearby", NEARBY, [0.5, 7, 1]),
    ("boolean id in nearby", NEARBY, [0.5, "venue", True]),
    ("NUL in kind", NEARBY, [0.5, "venue\x00", 1]),
]


@pytest.mark.parametrize(
    ("types", "values"), [(t, v) for _, t, v in TAMPERED], ids=[name for name, _, _ in TAMPERED]
)
def test_decode_cursor__value_of_wrong_type__invalid_cursor(
    types: tuple[type, ...], values: list[Any]
) -> None:
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(_raw("o", values), "o", len(types), types)
    assert caught.value.code is ErrorCode.INVALID_CURSOR
    assert caught.value.field == "after"


@pytest.mark.parametrize(
    "cursor",
    [
        _raw("other", [WHEN, 1]),  # another order
        _raw("o", [WHEN]),  # too few values
        _raw("o", [WHEN, 1, 2]),  # too many values
        base64.urlsafe_b64encode(b'{"o": "o", "v": {"dt": 1}}').decode(),  # values not a list
        base64.urlsafe_b64encode(b'["o", 1]').decode(),  # payload not an object
        "not a cursor!",
        "",
    ],
)
def test_decode_cursor__malformed__invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, "o", 2, START_TIME)


def test_decode_cursor__without_types__number_inside_timestamp_still_invalid_cursor() -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(_raw("o", [{"dt": 5}, 1]), "o", 2)


def test_decode_cursor__types_for_other_arity__programming_error() -> None:
    with pytest.raises(ValueError, match="types"):
        decode_cursor(encode_cursor("o", ["a", 1]), "o", 2, (str,))
