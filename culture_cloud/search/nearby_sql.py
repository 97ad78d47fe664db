"""`nearby` as one SQL expression on PostgreSQL (the compiler: culture_cloud/graphql/sql): the
KNN page as a CTE, each object as its type's JSON (graphql/sql/unions.py).

The rules are the resolver's (queries.py `nearby`, service.py `nearby` with `knn`), restated:
the circle is checked and converted to WGS84 by the same Python code (NearInput); per kind, the
GiST index yields rows nearest first (`geog <-> point`, FETCH ... WITH TIES), with the cursor's
(distance, kind, id) seek; past events and drafts never appear; the union is ordered by
(distance, kind, id). The cursor is keyset.encode_cursor's `{"o":"nearby","v":[m,kind,id]}`
with the metres as orjson writes a float, and `distanceKm` is Python's round(m / 1000, 3).
totalCount is counted as the resolver counts it (not cached: it depends on the place and the
time), and only when the page does not answer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLSchema

from culture_cloud.catalog import kinds as catalogue_kinds
from culture_cloud.catalog.filters import Near
from culture_cloud.catalog.inputs import NearInput
from culture_cloud.catalog.service import PUBLIC_EVENT_STATUSES
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.objects import named_object_type
from culture_cloud.graphql.sql.planner import ReadRun, RootCompiler
from culture_cloud.graphql.sql.ranked import RankedConnection, page_rows
from culture_cloud.graphql.sql.values import float_json, float_text, identifier, literal
from culture_cloud.keyset import decode_cursor, page_size
from culture_cloud.search import service
from culture_cloud.search.sql_reads import CATALOGUE_MEMBERS, cursor_sql

EMPTY_PAGE = (
    "SELECT NULL::text AS kind, NULL::int4 AS id, NULL::float8 AS distance, 0::int8 AS _n "
    "WHERE false"
)


def orjson_float(number_sql: str) -> str:
    """A non-negative float8 as orjson writes it: Python's repr (float_text) from 1e-4 on,
    plain decimals between 1e-5 and 1e-4 (0.000012345), exponents without padding below
    (2.5e-6), where PostgreSQL and repr write 1.2345e-05 and 2.5e-06."""
    text = f"({number_sql})::text"
    return (
        f"(CASE WHEN {number_sql} = 0 OR {number_sql} >= 1e-4 THEN {float_text(number_sql)} "
        f"WHEN {number_sql} >= 1e-5 THEN '0.0000' || replace(split_part({text}, 'e', 1), '.', '') "
        f"ELSE regexp_replace({text}, 'e-0*', 'e-') END)"
    )


def round3(number_sql: str) -> str:
    """Python's round(x, 3) of a non-negative float8 x (correctly rounded from x's exact
    binary value, ties to even). PostgreSQL's float8 -> numeric keeps 15 digits and rounds
    ties away from zero, which agrees except within 1e-9 of a midpoint (x.xxx5); there the
    midpoint is compared as a float8 with x itself. Left: an x that is the float8 nearest to
    a midpoint the float8s cannot hold (taken as a tie, ties to even)."""
    n = f"({number_sql})::numeric"
    k = f"floor({n} * 1000)"
    midpoint = f"(({k} + 0.5) / 1000)::float8"
    exact = (
        f"(CASE WHEN {number_sql} < {midpoint} THEN {k} "
        f"WHEN {number_sql} > {midpoint} THEN {k} + 1 "
        f"WHEN mod({k}, 2) = 0 THEN {k} ELSE {k} + 1 END)"
    )
    return (
        f"(CASE WHEN abs({n} * 1000 - {k} - 0.5) > 1e-9 THEN round({n}, 3)::float8 "
        f"ELSE ({exact} / 1000)::float8 END)"
    )


def _nearby_cursor(row: str) -> str:
    return cursor_sql(
        "nearby", [orjson_float(f"{row}.distance"), f"to_json({row}.kind)::text", f"{row}.id::text"]
    )


class _Circle:
    """The circle's parameters, bound once per statement."""

    def __init__(self, near: Near, params: Params) -> None:
        lat = params.add(float(near.center.lat), "float8")
        lng = params.add(float(near.center.lng), "float8")
        self.point = f"ST_SetSRID(ST_MakePoint({lng}, {lat}), 4326)::geography"
        self.radius = params.add(float(near.radius_km * 1000.0), "float8")

    def distance(self, table: str) -> str:
        return f"({table}.geog <-> {self.point})"

    def within(self, table: str) -> str:
        # geo_sql._within_pg: the box on the GiST index, then the distance of `<->` itself.
        return (
            f"({table}.geog && _ST_Expand({self.point}, {self.radius}) "
            f"AND {self.distance(table)} <= {self.radius})"
        )


def _conditions(kind: str, circle: _Circle, now: str) -> list[str]:
    conditions = [circle.within("t")]
    if kind == catalogue_kinds.EVENT.key:
        statuses = ", ".join(literal(s.value) for s in PUBLIC_EVENT_STATUSES)
        conditions += [f"t.status IN ({statuses})", f"t.end_at >= {now}"]
    return conditions


def _nearest(
    kind: str, circle: _Circle, now: str, n: int, after: Sequence[Any] | None, seek: list[str]
) -> str:
    """service._nearest with knn: at least the first n rows of one kind after the cursor."""
    table = identifier(catalogue_kinds.by_key(kind).table.name)
    distance = circle.distance("t")
    conditions = _conditions(kind, circle, now)
    if after is not None:
        at, after_id = seek[0], seek[2]
        if kind > after[1]:
            conditions.append(f"{distance} >= {at}")
        elif kind < after[1]:
            conditions.append(f"{distance} > {at}")
        else:
            conditions.append(f"({distance} > {at} OR ({distance} = {at} AND t.id > {after_id}))")
    return (
        f"(SELECT {literal(kind)}::text AS kind, t.id AS id, {distance} AS distance "
        f"FROM {table} t WHERE {' AND '.join(conditions)} "
        f"ORDER BY {distance} FETCH FIRST {n} ROWS WITH TIES)"
    )


def page_sql(
    wanted: list[str],
    circle: _Circle,
    now: str,
    after: Sequence[Any] | None,
    limit: int,
    params: Params,
) -> str:
    seek: list[str] = []
    if after is not None:
        seek = [
            params.add(float(after[0]), "float8"),
            params.add(after[1], "text"),
            params.add(after[2], "int4"),
        ]
    parts = " UNION ALL ".join(_nearest(k, circle, now, limit + 1, after, seek) for k in wanted)
    where = "TRUE"
    if after is not None:
        at, kind, id_ = seek
        where = (
            f"(c.distance > {at} OR (c.distance = {at} AND c.kind > {kind}) "
            f"OR (c.distance = {at} AND c.kind = {kind} AND c.id > {id_}))"
        )
    order = "c.distance, c.kind, c.id"
    return (
        f"SELECT c.kind, c.id, c.distance, row_number() OVER (ORDER BY {order}) AS _n "
        f"FROM ({parts}) c WHERE {where} ORDER BY {order} LIMIT {limit + 1}"
    )


def _everything(wanted: list[str], circle: _Circle, now: str) -> str:
    """What the resolver's totalCount counts: every row in the circle, without a cursor."""
    counts = [
        f"(SELECT count(*) FROM {identifier(catalogue_kinds.by_key(k).table.name)} t "
        f"WHERE {' AND '.join(_conditions(k, circle, now))})"
        for k in wanted
    ]
    return "(" + " + ".join(counts) + ")"


class NearbyPlan:
    """`nearby(lat, lng, radiusKm, coordSystem, kinds, first, after)`: the same for everyone."""

    viewer_independent = True

    def __init__(self, schema: GraphQLSchema, field: GraphQLField, node: FieldNode) -> None:
        self.connection = RankedConnection(
            schema,
            named_object_type(field.type),
            node.selection_set,
            CATALOGUE_MEMBERS,
            {"distanceKm": lambda row: float_json(round3(f"({row}.distance / 1000.0)"))},
        )

    async def render(self, arguments: dict[str, Any], params: Params, run: ReadRun) -> str:
        near = NearInput(
            lat=arguments["lat"],
            lng=arguments["lng"],
            radius_km=arguments["radiusKm"],
            system=arguments["coordSystem"],
        ).to_domain("")
        first, after = arguments.get("first"), arguments.get("after")
        limit = page_size(first)
        kinds = [k.value for k in arguments.get("kinds") or []]
        nearby_keys = catalogue_kinds.NEARBY_KEYS
        wanted = [k for k in (kinds or nearby_keys) if k in nearby_keys]
        if not wanted:
            return self.connection.render(EMPTY_PAGE, _nearby_cursor, limit, "0")
        if limit == 0 and not self.connection.wants_total:
            return self.connection.render(EMPTY_PAGE, _nearby_cursor, limit, "NULL")
        # Every parameter must appear in the statement: `now` only where events are looked at.
        circle = _Circle(near, params)
        now = (
            "NULL"
            if catalogue_kinds.EVENT.key not in wanted
            else params.add(run.now, "timestamptz")
        )
        total = "NULL"
        if self.connection.wants_total:
            total = _everything(wanted, circle, now)
        if limit == 0:
            return self.connection.render(EMPTY_PAGE, _nearby_cursor, limit, total)
        cursor = (
            None
            if after is None
            else decode_cursor(after, "nearby", 3, service.NEARBY_CURSOR_TYPES)
        )
        page = page_sql(wanted, circle, now, cursor, limit, params)
        if self.connection.wants_total and after is None and first != 0:
            complete = f"NOT EXISTS (SELECT 1 FROM p WHERE p._n > {limit})"
            total = f"(CASE WHEN {complete} THEN {page_rows(limit)} ELSE {total} END)"
        return self.connection.render(page, _nearby_cursor, limit, total)


COMPILERS: dict[str, RootCompiler] = {"nearby": NearbyPlan}
