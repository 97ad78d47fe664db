"""SQL expressions that render one value exactly as the GraphQL scalar (and orjson) would.

Every function takes SQL text (a column reference such as `t0.start_at`) and returns SQL text
whose value, put into `json_build_object`, serialises to the bytes the general executor sends:

* `ID` global ids: base64url("Type:pk") without padding (culture_cloud/global_ids.py);
* `DateTime`: RFC 3339 in Beijing time with microseconds only when not zero, and +08:00 where
  Asia/Shanghai kept local mean time (graphql/scalars.py serialize_datetime);
* `Float`: as orjson writes it: `30.0` where PostgreSQL writes `30`, `0.00001` and `1e-7`
  where it writes `1e-05` and `1e-07` (`float_text`);
* enums: the GraphQL name (upper case) of the stored lower-case value.

Column references are ours (never client text); type names and enum values are checked below
so nothing unquoted reaches the statement.
"""

from __future__ import annotations

import re
from enum import Enum

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_:.+ -]*")


def identifier(name: str) -> str:
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def literal(value: str) -> str:
    """A SQL string literal for one of our own constants (type names, enum values, orders)."""
    if not _SAFE_VALUE.fullmatch(value):
        raise ValueError(f"unexpected character in constant {value!r}")
    return f"'{value}'"


def base64url(text_sql: str) -> str:
    # encode(..., 'base64') wraps lines at 76 characters: translate drops the newlines too.
    return (
        f"rtrim(translate(encode(convert_to({text_sql}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
    )


def global_id(type_name: str, pk_sql: str) -> str:
    return base64url(f"{literal(identifier(type_name) + ':')} || {pk_sql}")


def _offset(ts_sql: str) -> str:
    """Asia/Shanghai's offset at that instant, +08:00 where the zone kept local mean time."""
    raw = f"(({ts_sql} AT TIME ZONE 'Asia/Shanghai') - ({ts_sql} AT TIME ZONE 'UTC'))"
    return (
        f"(CASE WHEN extract(epoch FROM {raw})::bigint % 60 <> 0 "
        f"THEN interval '8 hours' ELSE {raw} END)"
    )


def _iso(local_sql: str) -> str:
    return (
        f"to_char({local_sql}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"(CASE WHEN extract(microseconds FROM {local_sql})::bigint % 1000000 <> 0 "
        f"THEN '.' || to_char({local_sql}, 'US') ELSE '' END)"
    )


# Asia/Shanghai has been +08:00 all year since China's last summer time ended (1991-09-15).
_FIXED_OFFSET_SINCE = "timestamptz '1992-01-01 00:00:00+00'"


def _iso_fixed(utc_sql: str, offset: str) -> str:
    """One to_char: microseconds are dropped again when zero (Python's isoformat)."""
    return (
        f"(replace(to_char({utc_sql}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') "
        f"|| {literal(offset)})"
    )


def local_datetime(ts_sql: str) -> str:
    """A timestamptz as the DateTime scalar writes it (Beijing time). NULL stays NULL.

    Since 1992 the offset is fixed, and a fixed +8 hours is several times cheaper than a time
    zone lookup (measured: ~2 µs against ~15 µs a value); older instants take the lookup."""
    offset = _offset(ts_sql)
    local = f"(({ts_sql} AT TIME ZONE 'UTC') + {offset})"
    fixed = _iso_fixed(f"(({ts_sql} AT TIME ZONE 'UTC') + interval '8 hours')", "+08:00")
    return (
        f"(CASE WHEN {ts_sql} >= {_FIXED_OFFSET_SINCE} THEN {fixed} "
        f"ELSE {_iso(local)} || '+' || to_char({offset}, 'HH24:MI') END)"
    )


def utc_isoformat(ts_sql: str) -> str:
    """Python's `isoformat()` of the UTC datetime the driver returns (keyset cursors)."""
    return _iso_fixed(f"({ts_sql} AT TIME ZONE 'UTC')", "+00:00")


def float_text(number_sql: str) -> str:
    """A float8 as orjson writes it (the executor's answer), from PostgreSQL's shortest text.

    orjson writes decimals for 1e-5 <= |x| < 1e16 and integral values with `.0`; otherwise
    `1e-7`, `1.2e-6`, `1e+16` (no zero padding). PostgreSQL writes decimals only for
    1e-4 <= |x| < 1e15 and pads exponents (`1e-05`, `1e+15`), so its scientific texts are
    respelled: exponent -5 and 15 as decimals, others unpadded. -0.0 keeps its sign.
    From 1e16 on (integers only) PostgreSQL's "shortest" text is sometimes a digit longer than
    Python's (measured: ~4 % of doubles between 1e16 and 1e18, none below), so there the
    statement fails (a stable function, evaluated only when reached) and the executor answers;
    so do NaN and infinities, which are not JSON and which the executor refuses.
    """
    x = f"({number_sql})"
    text = f"({x}::text)"
    mantissa = f"split_part({text}, 'e', 1)"
    exponent = f"split_part({text}, 'e', 2)::int"
    sign = f"(CASE WHEN {x} < 0 THEN '-' ELSE '' END)"
    digits = f"replace(replace({mantissa}, '-', ''), '.', '')"
    return (
        f"(CASE WHEN {x} = 0 THEN "
        f"(CASE WHEN get_byte(float8send({x}), 0) >= 128 THEN '-0.0' ELSE '0.0' END) "
        # The common case first, with one text conversion: PostgreSQL writes decimals there.
        f"WHEN abs({x}) >= 1e-4 AND abs({x}) < 1e15 AND {x} <> trunc({x}) THEN {text} "
        f"WHEN NOT abs({x}) < 1e16 THEN "
        "current_setting('culture_cloud.float_beyond_exact_spelling') "
        f"WHEN {x} = trunc({x}) THEN trunc({x})::bigint::text || '.0' "
        f"WHEN {exponent} = -5 THEN {sign} || '0.0000' || {digits} "
        f"WHEN {exponent} = 15 THEN {sign} || left({digits}, 16) || '.' || substr({digits}, 17) "
        f"ELSE {mantissa} || 'e' || (CASE WHEN {exponent} < 0 THEN '-' ELSE '+' END) "
        f"|| abs({exponent})::text END)"
    )


def float_json(number_sql: str) -> str:
    return f"({float_text(number_sql)})::json"


def enum_name(value_sql: str, enum_cls: type[Enum]) -> str:
    """The GraphQL enum name for a stored value (strawberry uses the member's name)."""
    branches = " ".join(
        f"WHEN {literal(str(member.value))} THEN {literal(member.name)}" for member in enum_cls
    )
    return f"(CASE {value_sql} {branches} END)"
