"""`location(system:)` compiled to SQL (catalog/sql_location.py) answers byte for byte as the
resolver (catalog/values.py `geo_point`: geo.from_wgs84, then round(…, 7), written by orjson).

The statement carries the stored point and Python finishes it (graphql/sql/fields.py
`finish`): the tests check that nothing is lost on the way, float8 to PostgreSQL's text and back
to the same double. The JSON is compared with every number kept as its text (37.0 is not 37,
0.00001 is not 1e-05), for points anywhere, inside China, on the edges of its box, integers,
short decimals, dyadic ties such as 37.00390625, near zero and negative, in all three datums.
Last, whole `node(id:)` documents through the compiled read path against the general executor.

PostgreSQL only: the SQL compiler runs there (SQLite: the executors, by design).
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, parse
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culture_cloud.app import create_app
from culture_cloud.catalog import models as m
from culture_cloud.catalog.sql_location import location
from culture_cloud.catalog.sql_node import EVENT_VISIBLE, NodeMember, node_compiler
from culture_cloud.catalog.sql_reads import EVENT, SCENIC_SPOT, TRAVEL_AGENCY, VENUE
from culture_cloud.catalog.values import geo_point
from culture_cloud.db import transaction
from culture_cloud.geo import CoordSystem
from culture_cloud.global_ids import to_global_id
from culture_cloud.graphql.execution import document_validator
from culture_cloud.graphql.sql.connection import Params
from culture_cloud.graphql.sql.fields import PlanContext, RunValues, Slots, finish
from culture_cloud.graphql.sql.objects import Unsupported
from culture_cloud.graphql.sql.reads import CompiledReads, fetch_bytes
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings
from tests.catalog.factories import add_agency, add_event, add_scenic_spot, add_venue
from tests.conftest import Database

SCHEMA = create_schema(Settings(environment="test"))._schema
LOCATION = SCHEMA.get_type("Event").fields["location"]  # type: ignore[union-attr]
EVERYTHING = "lat lng system precision note __typename"
BOX = (0.8293, 55.8271, 72.004, 137.8347)  # geo._out_of_china's edges

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def pg(db: Database) -> Database:
    if db.backend != "postgres":
        pytest.skip("PostgreSQL only: the SQL compiler runs there (SQLite: by design)")
    return db


# -- what the resolver answers ---------------------------------------------------------------


def _number(text: str) -> tuple[str, str]:
    return ("number", text)


def _refuse(text: str) -> None:
    raise ValueError(f"not JSON: {text}")


def decoded(raw: bytes | str) -> Any:
    """JSON with each number kept as its text, so that 37.0 and 37 differ."""
    return json.loads(raw, parse_float=_number, parse_int=_number, parse_constant=_refuse)


Point = tuple[float, float, str | None, str | None]  # lat, lng, precision, note


def resolver_json(point: Point, system: CoordSystem, keys: Sequence[str]) -> Any:
    """What the general path writes for `location(system:) { <keys> }` on that row."""
    lat, lng, precision, note = point
    row = SimpleNamespace(
        lat=lat,
        lng=lng,
        location_precision=None if precision is None else m.LocationPrecision(precision),
        location_note=note,
    )
    found = geo_point(row, system)
    if found is None:
        return decoded(b"null")
    every = {
        "lat": found.lat,
        "lng": found.lng,
        "system": system.name,
        "precision": None if found.precision is None else found.precision.name,
        "note": found.note,
        "__typename": "GeoPoint",
    }
    return decoded(orjson.dumps({key: every[key] for key in keys}))


# -- the compiled field over rows given as parameters -----------------------------------------


def _document(field: str) -> tuple[FieldNode, OperationDefinitionNode]:
    document = parse(
        "query($s: CoordSystem = GCJ02, $flag: Boolean!) "
        f'{{ node(id: "x") {{ ... on Event {{ {field} }} }} }}'
    )
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragment = operation.selection_set.selections[0].selection_set.selections[0]  # type: ignore[attr-defined]
    assert isinstance(fragment, InlineFragmentNode)
    node = fragment.selection_set.selections[0]
    assert isinstance(node, FieldNode)
    return node, operation


def _variables(operation: OperationDefinitionNode, inputs: dict[str, Any]) -> VariableValues:
    coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), inputs)
    assert not isinstance(coerced, list), coerced
    return coerced


async def compiled(
    db: Database, field: str, points: Sequence[Point], variables: dict[str, Any] | None = None
) -> list[Any]:
    """The planned field's JSON for each point, as one statement over the points."""
    node, operation = _document(field)
    ctx = PlanContext(SCHEMA, Slots())
    expression = location(ctx, "n", node, LOCATION)
    params = Params()
    columns = [
        params.add([p[i] for p in points], t)
        for i, t in enumerate(("_float8",) * 2 + ("_text",) * 2)
    ]
    template = ctx.slots.template(
        f"SELECT convert_to(json_agg({expression} ORDER BY n.i)::text, 'UTF8') "
        f"FROM unnest({', '.join(columns)}) WITH ORDINALITY "
        "AS n(lat, lng, location_precision, location_note, i)"
    )
    run = RunValues(_variables(operation, {"flag": True, **(variables or {})}), datetime.now(UTC))
    sql = template.render(params, run)
    return decoded(finish(await fetch_bytes(db.engine, sql, params.values)))  # type: ignore[no-any-return]


# -- points ----------------------------------------------------------------------------------


def _ulps_from(value: float, steps: int) -> float:
    for _ in range(abs(steps)):
        value = math.nextafter(value, math.inf if steps > 0 else -math.inf)
    return value


def _coordinate(limit: float, inside: tuple[float, float]) -> st.SearchStrategy[float]:
    whole = int(limit)
    return st.one_of(
        st.floats(-limit, limit),
        st.floats(*inside),
        st.integers(-whole, whole).map(float),
        st.builds(
            lambda k, d: k / 10**d, st.integers(-whole * 10**4, whole * 10**4), st.integers(1, 4)
        ),
        # exact ties of the 8th decimal: odd multiples of 1/256, such as 37.00390625
        st.integers(-whole * 128, whole * 128 - 1).map(lambda k: (2 * k + 1) / 256),
        st.builds(
            lambda k, e: k / 2**e, st.integers(-whole * 2**10, whole * 2**10), st.integers(1, 10)
        ),
        st.sampled_from(inside).flatmap(
            lambda edge: st.integers(-3, 3).map(lambda k: _ulps_from(edge, k))
        ),
        st.floats(-1e-6, 1e-6),
        st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-200, 5e-8, -5e-8, 1.5e-7]),
    )


LATS = _coordinate(90.0, BOX[:2])
LNGS = _coordinate(180.0, BOX[2:])
PRECISIONS = st.sampled_from([None, "exact", "region_approx"])
# PostgreSQL text holds no NUL (a write would fail before any read)
NOTES = st.one_of(
    st.none(), st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
)
POINTS = st.lists(st.tuples(LATS, LNGS, PRECISIONS, NOTES), min_size=5, max_size=40)


# -- the tests -------------------------------------------------------------------------------


@HYPOTHESIS
@given(points=POINTS)
async def test_location__any_point_in_each_datum__the_resolvers_bytes(
    pg: Database, points: list[Point]
) -> None:
    for system in CoordSystem:
        field = f"location(system: {system.name}) {{ {EVERYTHING} }}"
        got = await compiled(pg, field, points)
        assert got == [resolver_json(p, system, EVERYTHING.split()) for p in points], system


async def test_location__rounding_edges__the_resolvers_bytes(pg: Database) -> None:
    """Ties of the 8th decimal go to even on the exact binary value; the exponent form orjson
    uses below 1e-5 (1e-7, 1.2e-6, but 0.00001); negative zero; the box's own edges."""
    ties = [37.00390625, 37.01171875, -37.00390625, 111.9921875, 0.5 + 2**-9]
    small = [k * 1e-7 for k in range(-130, 131)] + [k * 1e-6 for k in range(-12, 13)]
    edges = [(lat, lng) for lat in BOX[:2] for lng in BOX[2:]]
    points: list[Point] = [(v, v, "exact", None) for v in [*ties, *small, -0.0, -1e-9]]
    points += [(lat, lng, None, "边界") for lat, lng in edges]
    for system in CoordSystem:
        got = await compiled(pg, f"location(system: {system.name}) {{ lat lng }}", points)
        assert got == [resolver_json(p, system, ["lat", "lng"]) for p in points], system
    wgs84 = await compiled(pg, "location { lat lng }", [(37.00390625, -0.0, None, None)])
    assert wgs84 == [{"lat": _number("37.0039062"), "lng": _number("-0.0")}]
    tiny = await compiled(pg, "location { lat lng }", [(1.2e-6, 1e-5, None, None)])
    assert tiny == [{"lat": _number("1.2e-6"), "lng": _number("0.00001")}]


async def test_location__no_point_nan_infinity__null_or_the_general_path(pg: Database) -> None:
    """No lat or lng: null. NaN and infinities (no write path stores them; the resolver's Float
    refuses them) leave the request to the general path; huge values convert as in Python."""
    nan, inf = math.nan, math.inf
    for system in CoordSystem:
        field = f"location(system: {system.name}) {{ {EVERYTHING} }}"
        missing: list[Any] = [(None, 111.9, "exact", None), (37.0, None, None, "x")]
        assert await compiled(pg, field, missing) == [None, None]
        for lat, lng in ((nan, 111.9), (37.0, nan), (inf, 111.9), (-inf, -inf)):
            with pytest.raises(Unsupported):
                await compiled(pg, field, [(lat, lng, None, None)])
        huge: list[Point] = [(1e8, 111.9, None, None), (37.0, -1e300, None, None)]
        assert await compiled(pg, field, huge) == [
            resolver_json(p, system, EVERYTHING.split()) for p in huge
        ]


async def test_location__datum_from_a_variable__a_case_per_row(pg: Database) -> None:
    points: list[Point] = [(37.0269, 111.9169, "exact", "介休"), (-33.8688, 151.2093, None, None)]
    field = f"a: location(system: $s) {{ {EVERYTHING} }}"
    for system in CoordSystem:
        got = await compiled(pg, field, points, {"s": system.name})
        assert got == [resolver_json(p, system, EVERYTHING.split()) for p in points]
    # the variable's default (GCJ02), and no argument at all (WGS84)
    assert await compiled(pg, field, points) == [
        resolver_json(p, CoordSystem.GCJ02, EVERYTHING.split()) for p in points
    ]
    assert await compiled(pg, "location { lat lng }", points) == [
        resolver_json(p, CoordSystem.WGS84, ["lat", "lng"]) for p in points
    ]


async def test_location__selection__keys_in_order_with_aliases(pg: Database) -> None:
    field = (
        "location(system: BD09) { __typename n: note ... on GeoPoint { p: precision } "
        "s: system lng lat again: lat }"
    )
    point: Point = (37.0269, 111.9169, "region_approx", '引号 " \\ 换行\n')
    (got,) = await compiled(pg, field, [point])
    expected = resolver_json(point, CoordSystem.BD09, ["lat"])
    assert list(got) == ["__typename", "n", "p", "s", "lng", "lat", "again"]
    assert got["lat"] == got["again"] == expected["lat"]
    assert (got["n"], got["p"], got["s"]) == (point[3], "REGION_APPROX", "BD09")
    with pytest.raises(Unsupported):
        await compiled(pg, "location { lat @include(if: $flag) }", [point])


# -- whole documents: the compiled read path against the general executor ---------------------

DOCUMENT = """
query Where($id: ID!, $s: CoordSystem!) {
  node(id: $id) {
    __typename
    ... on Event { id wgs84: location(system: WGS84) { ...Point } gcj02: location(system: GCJ02) { lat lng }
                   bd09: location(system: BD09) { lng lat } chosen: location(system: $s) { system lat lng } }
    ... on Place { plain: location { ...Point } gcj02: location(system: GCJ02) { lat lng }
                   bd09: location(system: BD09) { lng lat } chosen: location(system: $s) { system lat lng } }
  }
}
fragment Point on GeoPoint { __typename lat lng system precision note }
"""


@pytest.fixture
async def general(pg: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(pg.settings.model_copy(update={"sql_compiled_reads": False}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield client


def _compiled_reads(db: Database) -> CompiledReads:
    """The node compiler with `location` on each located type (schema.py wires Event's)."""
    members = {
        "Event": NodeMember(EVENT.with_fields(location=location), EVENT_VISIBLE),
        **{
            obj.type_name: NodeMember(obj.with_fields(location=location))
            for obj in (VENUE, SCENIC_SPOT, TRAVEL_AGENCY)
        },
    }
    return CompiledReads(
        SCHEMA,
        compilers={"node": node_compiler(members)},
        validate=document_validator(db.settings),
        max_tokens=db.settings.max_query_tokens,
        max_string_length=db.settings.max_input_string_length,
    )


async def test_location__node_documents__same_answer_as_the_general_executor(
    seeded: Database, pg: Database, general: httpx.AsyncClient
) -> None:
    """Every seeded event and place, and odd ones: a dyadic tie, the southern and western
    hemispheres, the box's corner, no coordinates, a note with quotes."""
    async with transaction(seeded.factory) as session:
        venues = [
            await add_venue(session, "tie", at=(37.00390625, 111.9921875), location_note='"引号"'),
            await add_venue(session, "Sydney", at=(-33.8688, 151.2093)),
            await add_venue(
                session,
                "corner",
                at=(0.8293, 72.004),
                location_precision=m.LocationPrecision.REGION_APPROX,
            ),
        ]
        for venue in venues:
            start = datetime(2031, 5, 4, 2, tzinfo=UTC)
            await add_event(session, f"at {venue.name}", start, place=venue)
        await add_scenic_spot(session, "west", at=(51.4779, -0.0015))
        await add_agency(session, "nowhere")
    ids = []
    async with seeded.engine.connect() as conn:
        for type_name, table in (
            ("Event", "event"),
            ("Venue", "venue"),
            ("ScenicSpot", "scenic_spot"),
            ("TravelAgency", "travel_agency"),
        ):
            rows = await conn.exec_driver_sql(f"SELECT id FROM {table} ORDER BY id")
            ids += [to_global_id(type_name, pk) for (pk,) in rows]
    reads = _compiled_reads(seeded)
    systems = list(CoordSystem)
    for index, node_id in enumerate(ids):
        variables = {"id": node_id, "s": systems[index % 3].name}
        data = await reads.data(DOCUMENT, variables, seeded.engine, signed_in=False)
        assert data is not None, node_id  # answered by the statement, not handed over
        expected = await general.post("/graphql", json={"query": DOCUMENT, "variables": variables})
        assert decoded(data) == decoded(expected.content)["data"], node_id
    assert len(ids) > 20
