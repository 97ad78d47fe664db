"""`values.float_text`: a float8 spelled by PostgreSQL exactly as orjson (the executor) spells
it: decimals, `.0`, tiny values, -0.0; from 1e16 on, NaN and infinities the statement fails and
the executor answers (PostgreSQL only)."""

from __future__ import annotations

import math
import struct

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from culture_cloud.graphql.sql.values import float_text
from tests.conftest import Database

EDGES = [
    *(0.0, -0.0, 1.0, -1.5, 30.0, 4.25, 0.1, 4.333333333333333, 36.8890893, 111.9863467),
    *(0.0001, 0.00001, -0.000015, 9.99e-6, 1e-7, 1.2e-6, 5e-324, -2.2250738585072014e-308),
    *(123456.789, 1e15, 1e15 + 0.5, -9.99e15, 9999999999999998.0),
]
# PostgreSQL's text is not always the shortest from 1e16 on (integers only there).
REFUSED = [1e16, -1.5e16, 5.744580796321466e16, 1e22, 1.7976931348623157e308, math.inf, math.nan]


@pytest.fixture
def pg(db: Database) -> Database:
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: the SQL compiler runs there (SQLite: by design)")
    return db


async def _spelled(db: Database, values: list[float]) -> list[str]:
    sql = (
        f"SELECT {float_text('v')} FROM unnest(CAST(:values AS float8[])) "
        "WITH ORDINALITY AS t(v, i) ORDER BY i"
    )
    async with db.engine.connect() as conn:
        return list((await conn.execute(text(sql), {"values": values})).scalars())


async def test_float_text__edges__orjsons_spelling(pg: Database) -> None:
    assert await _spelled(pg, EDGES) == [orjson.dumps(v).decode() for v in EDGES]
    for value in REFUSED:
        with pytest.raises(DBAPIError, match="float_beyond_exact_spelling"):
            await _spelled(pg, [1.0, value])


def _double(bits: int) -> float:
    value: float = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
    return value


DOUBLES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e-3, 1e-3),
    st.floats(1e14, 1e16, exclude_max=True),
    st.integers(0, 2**64 - 1).map(_double),
).filter(lambda v: math.isfinite(v) and abs(v) < 1e16)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(DOUBLES, min_size=1, max_size=50))
async def test_float_text__any_double__orjsons_spelling(pg: Database, values: list[float]) -> None:
    assert await _spelled(pg, values) == [orjson.dumps(v).decode() for v in values]
