import math

import pytest

from culture_cloud.geo import (
    JIEXIU_CENTRE,
    CoordSystem,
    LatLng,
    bounding_box,
    from_wgs84,
    haversine_km,
    to_wgs84,
    validate_lat_lng,
)

TAIYUAN = LatLng(37.87059, 112.548879)

CHINA_POINTS = [
    JIEXIU_CENTRE,
    LatLng(36.8891, 111.9863),  # Mianshan
    TAIYUAN,
    LatLng(39.9042, 116.4074),  # Beijing
    LatLng(31.2304, 121.4737),  # Shanghai
    LatLng(22.5431, 114.0579),  # Shenzhen
    LatLng(43.8256, 87.6168),  # Ürümqi
    LatLng(45.8038, 126.5350),  # Harbin
]

OUTSIDE_CHINA_POINTS = [
    LatLng(51.5074, -0.1278),  # London
    LatLng(-33.8688, 151.2093),  # Sydney
    LatLng(40.7128, -74.0060),  # New York
    LatLng(0.5, 110.0),  # just south of the box
]


def _bearing_point(origin: LatLng, bearing_deg: float, distance_km: float) -> LatLng:
    # Spherical destination formula, independent of bounding_box's own maths.
    r = 6371.0088
    delta = distance_km / r
    theta = math.radians(bearing_deg)
    lat1 = math.radians(origin.lat)
    lng1 = math.radians(origin.lng)
    lat2 = math.asin(
        math.sin(lat1) * math.cos(delta) + math.cos(lat1) * math.sin(delta) * math.cos(theta)
    )
    lng2 = lng1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(lat1),
        math.cos(delta) - math.sin(lat1) * math.sin(lat2),
    )
    return LatLng(math.degrees(lat2), math.degrees(lng2))


def _in_box(p: LatLng, box: tuple[float, float, float, float]) -> bool:
    min_lat, max_lat, min_lng, max_lng = box
    return min_lat <= p.lat <= max_lat and min_lng <= p.lng <= max_lng


def test_mianshan_bd09_to_wgs84_matches_independent_value() -> None:
    result = to_wgs84(LatLng(36.895317, 111.999227), CoordSystem.BD09)
    assert result.lat == pytest.approx(36.8891, abs=0.0003)
    assert result.lng == pytest.approx(111.9863, abs=0.0003)


def test_gcj02_offset_in_jiexiu_is_a_few_hundred_metres() -> None:
    gcj = from_wgs84(JIEXIU_CENTRE, CoordSystem.GCJ02)
    offset_m = haversine_km(JIEXIU_CENTRE, gcj) * 1000.0
    assert 100.0 < offset_m < 1000.0


def test_bd09_is_further_offset_than_gcj02() -> None:
    gcj = from_wgs84(JIEXIU_CENTRE, CoordSystem.GCJ02)
    bd = from_wgs84(JIEXIU_CENTRE, CoordSystem.BD09)
    assert bd.lat > gcj.lat
    assert bd.lng > gcj.lng


@pytest.mark.parametrize("system", [CoordSystem.GCJ02, CoordSystem.BD09])
@pytest.mark.parametrize("point", CHINA_POINTS)
def test_round_trip_in_china(point: LatLng, system: CoordSystem) -> None:
    converted = from_wgs84(point, system)
    assert converted != point
    back = to_wgs84(converted, system)
    assert back.lat == pytest.approx(point.lat, abs=1e-6)
    assert back.lng == pytest.approx(point.lng, abs=1e-6)


@pytest.mark.parametrize("point", OUTSIDE_CHINA_POINTS)
def test_gcj02_equals_wgs84_outside_china(point: LatLng) -> None:
    assert from_wgs84(point, CoordSystem.GCJ02) == point
    assert to_wgs84(point, CoordSystem.GCJ02) == point


@pytest.mark.parametrize("point", OUTSIDE_CHINA_POINTS)
def test_bd09_round_trip_outside_china(point: LatLng) -> None:
    back = to_wgs84(from_wgs84(point, CoordSystem.BD09), CoordSystem.BD09)
    assert back.lat == pytest.approx(point.lat, abs=1e-6)
    assert back.lng == pytest.approx(point.lng, abs=1e-6)


def test_wgs84_is_identity() -> None:
    assert from_wgs84(JIEXIU_CENTRE, CoordSystem.WGS84) == JIEXIU_CENTRE
    assert to_wgs84(JIEXIU_CENTRE, CoordSystem.WGS84) == JIEXIU_CENTRE


def test_haversine_jiexiu_to_taiyuan() -> None:
    assert haversine_km(JIEXIU_CENTRE, TAIYUAN) == pytest.approx(109.0, abs=2.0)


def test_haversine_is_symmetric_and_zero_for_same_point() -> None:
    assert haversine_km(JIEXIU_CENTRE, JIEXIU_CENTRE) == 0.0
    assert haversine_km(JIEXIU_CENTRE, TAIYUAN) == pytest.approx(
        haversine_km(TAIYUAN, JIEXIU_CENTRE)
    )


def test_haversine_antipodal_is_half_circumference() -> None:
    d = haversine_km(LatLng(0.0, 0.0), LatLng(0.0, 180.0))
    assert d == pytest.approx(math.pi * 6371.0088)


@pytest.mark.parametrize(
    "center",
    [JIEXIU_CENTRE, LatLng(0.0, 0.0), LatLng(-45.0, 100.0), LatLng(70.0, -20.0)],
)
@pytest.mark.parametrize("radius_km", [0.5, 10.0, 250.0])
def test_bounding_box_contains_circle(center: LatLng, radius_km: float) -> None:
    box = bounding_box(center, radius_km)
    assert _in_box(center, box)
    # Cardinal directions plus a dense sweep: at high latitudes the widest longitude is
    # reached away from due east/west, which a naive box would miss.
    for bearing in [*range(0, 360, 5), 0.0, 90.0, 180.0, 270.0]:
        p = _bearing_point(center, float(bearing), radius_km)
        assert haversine_km(center, p) == pytest.approx(radius_km)
        assert _in_box(p, box), (bearing, p, box)


def test_bounding_box_is_tight_enough_to_be_useful() -> None:
    min_lat, max_lat, min_lng, max_lng = bounding_box(JIEXIU_CENTRE, 10.0)
    assert max_lat - min_lat == pytest.approx(2 * 10.0 / 111.195, rel=1e-3)
    assert max_lng - min_lng < 0.3


def test_bounding_box_touching_pole_spans_all_longitudes() -> None:
    min_lat, max_lat, min_lng, max_lng = bounding_box(LatLng(89.5, 10.0), 100.0)
    assert max_lat == 90.0
    assert (min_lng, max_lng) == (-180.0, 180.0)
    assert min_lat < 89.5


def test_bounding_box_crossing_antimeridian_spans_all_longitudes() -> None:
    _, _, min_lng, max_lng = bounding_box(LatLng(0.0, 179.9), 50.0)
    assert (min_lng, max_lng) == (-180.0, 180.0)


@pytest.mark.parametrize("radius_km", [-1.0, math.nan, math.inf])
def test_bounding_box_rejects_bad_radius(radius_km: float) -> None:
    with pytest.raises(ValueError, match="radius_km"):
        bounding_box(JIEXIU_CENTRE, radius_km)


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(0.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (JIEXIU_CENTRE.lat, JIEXIU_CENTRE.lng)],
)
def test_validate_lat_lng_accepts_valid(lat: float, lng: float) -> None:
    validate_lat_lng(lat, lng)


@pytest.mark.parametrize(
    ("lat", "lng", "message"),
    [
        (math.nan, 0.0, "finite"),
        (0.0, math.nan, "finite"),
        (math.inf, 0.0, "finite"),
        (0.0, -math.inf, "finite"),
        (90.0001, 0.0, "latitude"),
        (-91.0, 0.0, "latitude"),
        (0.0, 180.5, "longitude"),
        (0.0, -181.0, "longitude"),
    ],
)
def test_validate_lat_lng_rejects_invalid(lat: float, lng: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_lat_lng(lat, lng)
