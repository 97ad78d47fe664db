"""culture_cloud/geo.py's `from_wgs84` as float8 SQL, operation for operation.

The functions below are copies of geo.py's, written over `Float8` (graphql/sql/float8.py), whose
operators build SQL in the order Python evaluates them: the same source gives the same double.
Keep them in step with geo.py; tests/catalog/test_sql_location.py compares the unrounded results
bit for bit, so a difference in the order of two operations fails there.

Where geo.py would compute something the answer does not use, the SQL must not (PostgreSQL
raises on underflow where C does not): the GCJ-02 offset only inside China's box (a CASE, lazily
evaluated), and BD-09's tiny terms as described in `_gcj02_to_bd09`.
"""

from __future__ import annotations

import math

from culture_cloud import geo
from culture_cloud.geo import CoordSystem
from culture_cloud.graphql.sql.float8 import Float8, Lets, atan2, cos, hypot, of, sin, sqrt

_PI = math.pi
_GCJ_A = geo._GCJ_A
_GCJ_EE = geo._GCJ_EE
_X_PI = geo._X_PI


def _inside_china(lat: Float8, lng: Float8) -> str:
    # geo._out_of_china, negated; NaN compares as in Python here too (PostgreSQL orders NaN
    # above everything, so `NaN <= 137.8347` is false and a NaN coordinate is outside).
    return (
        f"({lng.sql} >= float8 '72.004' AND {lng.sql} <= float8 '137.8347' "
        f"AND {lat.sql} >= float8 '0.8293' AND {lat.sql} <= float8 '55.8271')"
    )


def _transform_lat(x: Float8, y: Float8) -> Float8:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * _PI) + 20.0 * sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * sin(y * _PI) + 40.0 * sin(y / 3.0 * _PI)) * 2.0 / 3.0
    ret += (160.0 * sin(y / 12.0 * _PI) + 320 * sin(y * _PI / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: Float8, y: Float8) -> Float8:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
    ret += (20.0 * sin(6.0 * x * _PI) + 20.0 * sin(2.0 * x * _PI)) * 2.0 / 3.0
    ret += (20.0 * sin(x * _PI) + 40.0 * sin(x / 3.0 * _PI)) * 2.0 / 3.0
    ret += (150.0 * sin(x / 12.0 * _PI) + 300.0 * sin(x / 30.0 * _PI)) * 2.0 / 3.0
    return ret


def _gcj02_delta(lat: Float8, lng: Float8) -> tuple[Float8, Float8]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * _PI
    magic = 1.0 - _GCJ_EE * sin(rad_lat) ** 2
    sqrt_magic = sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * _PI)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * cos(rad_lat) * _PI)
    return d_lat, d_lng


def _wgs84_to_gcj02(lets: Lets, lat: Float8, lng: Float8) -> tuple[Float8, Float8]:
    """References to the GCJ-02 point (one layer). `magic` and the rest are short: inlined
    into both offsets rather than a layer of their own."""
    d_lat, d_lng = _gcj02_delta(lat, lng)
    inside = _inside_china(lat, lng)
    point = lets.floats(
        lat=Float8(f"(CASE WHEN {inside} THEN {(lat + d_lat).sql} ELSE {lat.sql} END)"),
        lng=Float8(f"(CASE WHEN {inside} THEN {(lng + d_lng).sql} ELSE {lng.sql} END)"),
    )
    return point["lat"], point["lng"]


# BD-09 of coordinates this small is (0.006, 0.0065) whatever their size: z * sin(theta) is
# below a billionth of the last bit of 0.006. SQL takes z = 0 there (hypot and its products
# would underflow, which PostgreSQL refuses).
_NEGLIGIBLE_POINT = 1e-200
# y below this: 0.00002 * sin(y * _X_PI) (< 1.1e-303) is lost when added to hypot(x, y) >= 1e-200
# (its last bit is above 1e-216), and the product could underflow.
_NEGLIGIBLE_WAVE = 1e-300


def _gcj02_to_bd09(lets: Lets, lat: Float8, lng: Float8) -> tuple[Float8, Float8]:
    x, y = lng, lat
    point, wave_limit = of(_NEGLIGIBLE_POINT).sql, of(_NEGLIGIBLE_WAVE).sql
    tiny = f"(abs({x.sql}) < {point} AND abs({y.sql}) < {point})"
    wave = Float8(
        f"(CASE WHEN abs({y.sql}) < {wave_limit} THEN float8 '0' "
        f"ELSE {(0.00002 * sin(y * _X_PI)).sql} END)"
    )
    z_exact = hypot(lets, x, y) + wave
    polar = lets.floats(
        z=Float8(f"(CASE WHEN {tiny} THEN float8 '0' ELSE {z_exact.sql} END)"),
        theta=atan2(y, x) + 0.000003 * cos(x * _X_PI),
    )
    z, theta = polar["z"], polar["theta"]
    return z * sin(theta) + 0.006, z * cos(theta) + 0.0065


def from_wgs84(lets: Lets, lat: Float8, lng: Float8, system: CoordSystem) -> tuple[Float8, Float8]:
    """geo.from_wgs84 of the point (lat, lng): the converted (lat, lng), layers added to `lets`.
    The results are cheap expressions over references (each may be read several times)."""
    if system is CoordSystem.WGS84:
        return lat, lng
    gcj = _wgs84_to_gcj02(lets, lat, lng)
    if system is CoordSystem.GCJ02:
        return gcj
    return _gcj02_to_bd09(lets, *gcj)
