"""`location(system:)` in the SQL compiler (graphql/sql/fields.py): the GeoPoint of an event,
venue, scenic spot or travel agency, byte for byte as the resolver (catalog/values.py
`geo_point`) answers it.

The resolver converts the stored WGS84 point (geo.from_wgs84) and rounds to 7 decimals; the SQL
does the same arithmetic in float8 (catalog/datum_sql.py) and rounds exactly as Python's round()
(graphql/sql/float8.py), writing the number as orjson would. A point with no lat or lng is null.

`system` written in the document (or left to its default) is planned for that datum alone; a
variable is a parameter, and a CASE picks the datum's expression (only that branch is
evaluated). BD-09 needs this interpreter's math.hypot in SQL (graphql/sql/float8.py): where
that is not reproduced, BD-09 takes the general path. The selection may hold lat, lng, system, precision, note and __typename; anything
else takes the general path.
"""

from __future__ import annotations

from graphql import EnumValueNode, FieldNode, GraphQLField, GraphQLObjectType

from culture_cloud.catalog import models
from culture_cloud.catalog.datum_sql import from_wgs84
from culture_cloud.geo import CoordSystem
from culture_cloud.graphql.sql.fields import PlanContext, RunValues
from culture_cloud.graphql.sql.float8 import Float8, Lets, python_round_json
from culture_cloud.graphql.sql.objects import (
    Unsupported,
    build_object,
    fields_of,
    named_object_type,
    response_key,
)
from culture_cloud.graphql.sql.values import enum_name, identifier, literal

# geo_point's round(…, 7): about a centimetre.
DIGITS = 7
_FIELDS = frozenset({"lat", "lng", "system", "precision", "note", "__typename"})


def location(ctx: PlanContext, alias: str, node: FieldNode, field_def: GraphQLField) -> str:
    """The FieldPlanner of `location(system:)` on a table with lat, lng, location_precision and
    location_note (the located tables)."""
    point_type = named_object_type(field_def.type)
    selection = fields_of(node.selection_set, point_type, ctx.schema)
    for field in selection:
        if field.name.value not in _FIELDS or field.arguments or field.selection_set:
            raise Unsupported(f"GeoPoint.{field.name.value} as selected")
    written = _written_system(node, field_def)
    if written is not None:
        return point_json(alias, selection, point_type, written)

    # A variable: every datum this interpreter compiles, picked per request (another datum
    # takes the general path then).
    branches: dict[CoordSystem, str] = {}
    for system in CoordSystem:
        try:
            branches[system] = point_json(alias, selection, point_type, system)
        except Unsupported:
            continue

    def system_name(values: RunValues) -> str:
        chosen = CoordSystem(values.arguments(field_def, node)["system"])
        if chosen not in branches:
            raise Unsupported(f"location in {chosen.name}")
        return chosen.name

    cases = " ".join(f"WHEN {literal(s.name)} THEN {sql}" for s, sql in branches.items())
    return f"(CASE {ctx.slots.add(system_name, 'text')} {cases} END)"


def _written_system(node: FieldNode, field_def: GraphQLField) -> CoordSystem | None:
    """The datum the document fixes (an enum literal, or no argument: the default); None for a
    variable."""
    for argument in node.arguments or ():
        if argument.name.value == "system":
            if isinstance(argument.value, EnumValueNode):
                return CoordSystem[argument.value.value]
            return None
    return CoordSystem(field_def.args["system"].default_value)


def point_json(
    alias: str, selection: list[FieldNode], point_type: GraphQLObjectType, system: CoordSystem
) -> str:
    """The GeoPoint of the row `alias` in `system` (json), null without a point."""
    lets = Lets(f"{identifier(alias)}_geo")
    numbers: dict[str, str] = {}
    if any(field.name.value in ("lat", "lng") for field in selection):
        lat, lng = from_wgs84(lets, Float8(f"{alias}.lat"), Float8(f"{alias}.lng"), system)
        numbers = python_round_json(lets, {"lat": lat, "lng": lng}, DIGITS)
    values = {
        **numbers,
        "system": literal(system.name),
        "precision": enum_name(f"{alias}.location_precision", models.LocationPrecision),
        "note": f"{alias}.location_note",
        "__typename": literal(point_type.name),
    }
    pairs = [(response_key(field), values[field.name.value]) for field in selection]
    return (
        f"(CASE WHEN {alias}.lat IS NULL OR {alias}.lng IS NULL THEN NULL "
        f"ELSE {lets.select(build_object(pairs))} END)"
    )
