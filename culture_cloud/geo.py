"""Coordinate-system conversion and distance helpers for Chinese map data.

Maps served inside mainland China do not use WGS84: AMap/Tencent use the obfuscated GCJ-02
datum and Baidu adds a further BD-09 offset on top of it. Points copied from those maps are
off by several hundred metres unless converted, so everything is stored as WGS84 and the
other systems only appear at the import/export boundary.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "EARTH_RADIUS_KM",
    "JIEXIU_CENTRE",
    "CoordSystem",
    "LatLng",
    "bounding_box",
    "coordinate_problem",
    "from_wgs84",
    "haversine_km",
    "to_wgs84",
    "validate_lat_lng",
]


class CoordSystem(enum.Enum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


@dataclass(frozen=True, slots=True)
class LatLng:
    lat: float
    lng: float


# WGS84 town centre as published on Wikipedia; used as the default map centre and as the
# reference point when a sanity check needs "somewhere in Jiexiu".
JIEXIU_CENTRE = LatLng(37.0269, 111.9169)

# IUGG mean Earth radius: minimises the average error of the spherical approximation.
EARTH_RADIUS_KM = 6371.0088

# GCJ-02 is defined against the Krasovsky 1940 ellipsoid, not WGS84's, so these constants must
# stay as-is for results to match what Chinese map providers produce.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Round trips must be far better than a metre (1e-7 degrees is about 1 cm); the iteration
# contracts by roughly five orders of magnitude per step so the cap is only a safety net.
_INVERSE_TOLERANCE = 1e-7
_MAX_INVERSE_ITERATIONS = 30


def validate_lat_lng(lat: float, lng: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise ValueError(f"latitude/longitude must be finite numbers, got ({lat!r}, {lng!r})")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude must be between -90 and 90 degrees, got {lat!r}")
    if not -180.0 <= lng <= 180.0:
        raise ValueError(f"longitude must be between -180 and 180 degrees, got {lng!r}")


def coordinate_problem(lat: float, lng: float) -> tuple[str, str] | None:
    """For a coordinate a user sent: ("lat" or "lng", what is wrong in zh-CN), or None."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        return "lat", "纬度须在 -90 到 90 度之间"
    if not (math.isfinite(lng) and -180.0 <= lng <= 180.0):
        return "lng", "经度须在 -180 到 180 度之间"
    return None


def _out_of_china(lat: float, lng: float) -> bool:
    # The de-facto standard box used by every public GCJ-02 implementation; providers do not
    # offset points outside it, so matching it exactly matters more than political accuracy.
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_delta(lat: float, lng: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def _wgs84_to_gcj02(p: LatLng) -> LatLng:
    if _out_of_china(p.lat, p.lng):
        return p
    d_lat, d_lng = _gcj02_delta(p.lat, p.lng)
    return LatLng(p.lat + d_lat, p.lng + d_lng)


def _invert(forward: Callable[[LatLng], LatLng], target: LatLng, guess: LatLng) -> LatLng:
    # Both offsets are small and smooth (the Jacobian is almost the identity), so plain
    # fixed-point iteration, subtracting the residual each step, converges in two or three steps.
    lat, lng = guess.lat, guess.lng
    for _ in range(_MAX_INVERSE_ITERATIONS):
        image = forward(LatLng(lat, lng))
        err_lat = image.lat - target.lat
        err_lng = image.lng - target.lng
        lat -= err_lat
        lng -= err_lng
        if abs(err_lat) < _INVERSE_TOLERANCE and abs(err_lng) < _INVERSE_TOLERANCE:
            break
    return LatLng(lat, lng)


def _gcj02_to_wgs84(p: LatLng) -> LatLng:
    if _out_of_china(p.lat, p.lng):
        return p
    # No closed-form inverse exists for the GCJ-02 obfuscation.
    return _invert(_wgs84_to_gcj02, p, p)


def _gcj02_to_bd09(p: LatLng) -> LatLng:
    x, y = p.lng, p.lat
    z = math.hypot(x, y) + 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) + 0.000003 * math.cos(x * _X_PI)
    return LatLng(z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065)


def _bd09_to_gcj02(p: LatLng) -> LatLng:
    # The widely copied closed-form inverse is only an approximation (errors around 2e-6
    # degrees); it is a good starting point but has to be refined to meet the round-trip bound.
    return _invert(_gcj02_to_bd09, p, _bd09_to_gcj02_approx(p))


def _bd09_to_gcj02_approx(p: LatLng) -> LatLng:
    x, y = p.lng - 0.0065, p.lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return LatLng(z * math.sin(theta), z * math.cos(theta))


def from_wgs84(point: LatLng, system: CoordSystem) -> LatLng:
    if system is CoordSystem.WGS84:
        return point
    gcj = _wgs84_to_gcj02(point)
    if system is CoordSystem.GCJ02:
        return gcj
    return _gcj02_to_bd09(gcj)


def to_wgs84(point: LatLng, system: CoordSystem) -> LatLng:
    if system is CoordSystem.WGS84:
        return point
    gcj = _bd09_to_gcj02(point) if system is CoordSystem.BD09 else point
    return _gcj02_to_wgs84(gcj)


def haversine_km(a: LatLng, b: LatLng) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    d_lat = lat2 - lat1
    d_lng = math.radians(b.lng - a.lng)
    h = math.sin(d_lat / 2.0) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lng / 2.0) ** 2
    # min() guards against h creeping past 1.0 through rounding for antipodal points.
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


# Widens the box by ~0.1 mm so points exactly on the circle are not lost to float rounding.
_BOX_EPSILON_DEG = 1e-9


def bounding_box(center: LatLng, radius_km: float) -> tuple[float, float, float, float]:
    validate_lat_lng(center.lat, center.lng)
    if not math.isfinite(radius_km) or radius_km < 0.0:
        raise ValueError(f"radius_km must be a finite non-negative number, got {radius_km!r}")

    angular = radius_km / EARTH_RADIUS_KM
    d_lat = math.degrees(angular) + _BOX_EPSILON_DEG
    min_lat = center.lat - d_lat
    max_lat = center.lat + d_lat

    # A circle that reaches a pole contains every meridian, so no longitude filter is valid.
    if max_lat >= 90.0 or min_lat <= -90.0 or angular >= math.pi / 2.0:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0

    # The widest longitude of a spherical circle is at its tangent meridians, not at the
    # centre's latitude; using radius / cos(lat) alone would under-cover at high latitudes.
    d_lng = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(center.lat))))
    d_lng += _BOX_EPSILON_DEG
    min_lng = center.lng - d_lng
    max_lng = center.lng + d_lng

    # A single (min, max) pair cannot express a range that wraps the antimeridian; returning
    # the full range keeps the pre-filter correct at the cost of selectivity there.
    if min_lng < -180.0 or max_lng > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lng, max_lng
