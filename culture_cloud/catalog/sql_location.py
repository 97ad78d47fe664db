"""`location(system:)` in the SQL compiler (graphql/sql/fields.py): the GeoPoint of an event,
venue, scenic spot or travel agency, exactly as the resolver (catalog/values.py `geo_point`)
answers it.

The statement carries the stored point (each double's eight bytes, so nothing is lost on the
way), its precision and note; once it has answered, the resolver's
own conversion and rounding (`values.rounded_point`) finish the GeoPoint in Python
(`fields.finished`). A point with no lat or lng is null. A stored point that is not a finite
number (the API never writes one) sends the request to the general path, which reports it.

`system` written in the document (or left to its default) is part of the plan; a variable is a
parameter. The selection may hold lat, lng, system, precision, note and __typename; anything
else takes the general path.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from graphql import EnumValueNode, FieldNode, GraphQLField

from culture_cloud.catalog import models
from culture_cloud.catalog.values import rounded_point
from culture_cloud.geo import CoordSystem
from culture_cloud.graphql.sql.fields import PlanContext, RunValues, finished
from culture_cloud.graphql.sql.objects import (
    Unsupported,
    fields_of,
    named_object_type,
    response_key,
)
from culture_cloud.graphql.sql.values import identifier, literal

_FIELDS = frozenset({"lat", "lng", "system", "precision", "note", "__typename"})


def location(ctx: PlanContext, alias: str, node: FieldNode, field_def: GraphQLField) -> str:
    """The FieldPlanner of `location(system:)` on a table with lat, lng, location_precision and
    location_note (the located tables)."""
    point_type = named_object_type(field_def.type)
    selection = fields_of(node.selection_set, point_type, ctx.schema)
    for field in selection:
        if field.name.value not in _FIELDS or field.arguments or field.selection_set:
            raise Unsupported(f"GeoPoint.{field.name.value} as selected")
    keys = tuple((response_key(field), field.name.value) for field in selection)
    written = _written_system(node, field_def)
    if written is not None:
        system = literal(written.name)
    else:

        def system_name(values: RunValues) -> str:
            return CoordSystem(values.arguments(field_def, node)["system"]).name

        system = ctx.slots.add(system_name, "text")
    row = identifier(alias)
    # The doubles' own bytes (hex): exact whatever the session's extra_float_digits, -0.0 kept.
    payload = (
        f"json_build_array(encode(float8send({row}.lat), 'hex'), "
        f"encode(float8send({row}.lng), 'hex'), {system}, "
        f"{row}.location_precision, {row}.location_note)"
    )
    return (
        f"(CASE WHEN {row}.lat IS NULL OR {row}.lng IS NULL THEN NULL "
        f"ELSE {finished(('GeoPoint', keys), lambda v: point_json(keys, v), payload)} END)"
    )


def point_json(keys: tuple[tuple[str, str], ...], payload: list[Any]) -> dict[str, Any]:
    """The GeoPoint's JSON, keys in selection order, from [lat, lng, system, precision, note]."""
    lat_hex, lng_hex, system_name, precision, note = payload
    lat, lng = _double(lat_hex), _double(lng_hex)
    if not (math.isfinite(lat) and math.isfinite(lng)):
        # The resolver's Float refuses NaN and infinities (no write path stores them).
        raise Unsupported("a stored point that is not finite")
    system = CoordSystem[system_name]
    rounded_lat, rounded_lng = rounded_point(lat, lng, system)
    values = {
        "lat": rounded_lat,
        "lng": rounded_lng,
        "system": system.name,
        "precision": None if precision is None else models.LocationPrecision(precision).name,
        "note": note,
        "__typename": "GeoPoint",
    }
    return {key: values[name] for key, name in keys}


def _double(hex_bytes: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(hex_bytes))[0]
    return value


def _written_system(node: FieldNode, field_def: GraphQLField) -> CoordSystem | None:
    """The datum the document fixes (an enum literal, or no argument: the default); None for a
    variable."""
    for argument in node.arguments or ():
        if argument.name.value == "system":
            if isinstance(argument.value, EnumValueNode):
                return CoordSystem[argument.value.value]
            return None
    return CoordSystem(field_def.args["system"].default_value)
