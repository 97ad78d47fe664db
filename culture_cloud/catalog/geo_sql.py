"""Distance and radius in SQL, one expression per database.

PostgreSQL answers with PostGIS: each located table has a generated `geog` column
(geography(Point, 4326), migration 0013) with a GiST index, so a radius is a box on that index
(what ST_DWithin does) and "nearest first" is the index's KNN order (`geog <-> point`, metres on
the sphere).
SQLite has no spatial index here: a bounding box on the (lat, lng) index, then the haversine
function culture_cloud.db registers. Both compute great-circle distance on a sphere of the Earth's
mean radius (PostGIS 6,371,008.77 m, ours 6,371,008.8 m: 0.5 mm apart at 100 km), so both
databases find and order the same rows.

Distances are in metres in SQL (what the KNN operator returns, so ORDER BY can use the index);
the API reports kilometres.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, and_, bindparam, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from culture_cloud.catalog import kinds
from culture_cloud.catalog.filters import Near
from culture_cloud.geo import bounding_box


class _Geo(FunctionElement[Any]):
    """Arguments: lat column, lng column, centre lat, centre lng[, radius in metres]; the
    table's name is kept for PostgreSQL's `geog` column."""

    inherit_cache = True

    def __init__(self, table: str, *clauses: Any) -> None:
        self.table = table
        super().__init__(*clauses)


class distance_m(_Geo):
    type = Float()
    name = "distance_m"
    inherit_cache = True


class within_m(_Geo):
    type = Boolean()
    name = "within_m"
    inherit_cache = True


def _args(element: _Geo, compiler: SQLCompiler, **kw: Any) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


def _point(lat: str, lng: str) -> str:
    return f"ST_SetSRID(ST_MakePoint({lng}, {lat}), 4326)::geography"


@compiles(distance_m, "postgresql")
def _distance_pg(element: distance_m, compiler: SQLCompiler, **kw: Any) -> str:
    _lat, _lng, lat, lng = _args(element, compiler, **kw)
    return f"({element.table}.geog <-> {_point(lat, lng)})"


@compiles(distance_m)
def _distance_default(element: distance_m, compiler: SQLCompiler, **kw: Any) -> str:
    lat_col, lng_col, lat, lng = _args(element, compiler, **kw)
    return f"(geo_distance_km({lat_col}, {lng_col}, {lat}, {lng}) * 1000.0)"


@compiles(within_m, "postgresql")
def _within_pg(element: within_m, compiler: SQLCompiler, **kw: Any) -> str:
    _lat, _lng, lat, lng, radius = _args(element, compiler, **kw)
    # What ST_DWithin(geog, point, r, false) expands to, written out: the box (`&&`, the GiST
    # index's condition) then the sphere distance of `<->` itself, so the radius and the order
    # agree to the last bit. Spelled out because PostGIS declares ST_DWithin so costly (and so
    # selective) that the planner stops preferring the KNN-ordered index scan for a page.
    point = _point(lat, lng)
    geog = f"{element.table}.geog"
    return f"({geog} && _ST_Expand({point}, {radius}) AND ({geog} <-> {point}) <= {radius})"


@compiles(within_m)
def _within_default(element: within_m, compiler: SQLCompiler, **kw: Any) -> str:
    lat_col, lng_col, lat, lng, radius = _args(element, compiler, **kw)
    return f"(geo_distance_km({lat_col}, {lng_col}, {lat}, {lng}) * 1000.0 <= {radius})"


def _table(model: Any) -> str:
    return str(kinds.by_model(model).table.name)


def distance_expr(model: Any, near: Near | None) -> ColumnElement[float]:
    """Metres from the centre of `near` to the row's point (NULL without one). `near` None:
    the centre is the bound parameters of NEAR_PARAMS (values from near_param_values)."""
    lat, lng = (_P["lat"], _P["lng"]) if near is None else _centre(near)
    return distance_m(_table(model), model.lat, model.lng, lat, lng)


def near_conditions(model: Any, near: Near | None) -> list[ColumnElement[bool]]:
    """Rows within `near`'s radius. SQLite: an indexable bounding box first, the exact distance
    then trims its corners; PostgreSQL: ST_DWithin on the GiST index does both. `near` None:
    the circle is the bound parameters of NEAR_PARAMS, as in distance_expr."""
    box_values: tuple[Any, Any, Any, Any]
    if near is None:
        lat, lng, radius = _P["lat"], _P["lng"], _P["radius_m"]
        box_values = (_P["min_lat"], _P["max_lat"], _P["min_lng"], _P["max_lng"])
    else:
        lat, lng = _centre(near)
        radius = _float(near.radius_km * 1000.0)
        box_values = bounding_box(near.center, near.radius_km)
    min_lat, max_lat, min_lng, max_lng = box_values
    exact = within_m(_table(model), model.lat, model.lng, lat, lng, radius)
    box = and_(model.lat.between(min_lat, max_lat), model.lng.between(min_lng, max_lng))
    return [_SqliteOnly(box), exact]


def _centre(near: Near) -> tuple[Any, Any]:
    return _float(near.center.lat), _float(near.center.lng)


# Statements built once and run with these parameters (search/service.py caches nearby's: building
# the union of per-kind subqueries was the largest Python cost of a nearby request).
NEAR_PARAMS = ("lat", "lng", "radius_m", "min_lat", "max_lat", "min_lng", "max_lng")
_P = {name: bindparam(f"near_{name}", type_=Float()) for name in NEAR_PARAMS}


def near_param_values(near: Near) -> dict[str, float]:
    """The values of NEAR_PARAMS for `near`: exactly what the literal form would bind."""
    box = bounding_box(near.center, near.radius_km)
    values = (near.center.lat, near.center.lng, near.radius_km * 1000.0, *box)
    return {f"near_{name}": float(v) for name, v in zip(NEAR_PARAMS, values, strict=True)}


def _float(value: float) -> Any:
    return literal(float(value), Float())


class _SqliteOnly(FunctionElement[Any]):
    """A condition PostgreSQL does not need (its index condition covers it): TRUE there."""

    type = Boolean()
    name = "sqlite_only"
    inherit_cache = True


@compiles(_SqliteOnly, "postgresql")
def _sqlite_only_pg(element: _SqliteOnly, compiler: SQLCompiler, **kw: Any) -> str:
    return "true"


@compiles(_SqliteOnly)
def _sqlite_only_default(element: _SqliteOnly, compiler: SQLCompiler, **kw: Any) -> str:
    return "(" + ", ".join(compiler.process(c, **kw) for c in element.clauses) + ")"


__all__ = ["distance_expr", "near_conditions"]
