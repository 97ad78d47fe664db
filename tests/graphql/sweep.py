"""Requests for the input sweep, built from the committed SDL (schema/schema.graphql).

Every root Query and Mutation field is found in the SDL, so a new field or argument is swept
without anyone touching the test. For each field the builder fills the required arguments with
valid-looking values (a real-looking global id of the right type, today's date, the first enum
value), so the one bad value a case puts in is what the server judges.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    ast_from_value,
    build_schema,
    get_named_type,
    is_leaf_type,
    print_ast,
)
from graphql.pyutils import Undefined

from culture_cloud.global_ids import to_global_id

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

# Global id type for an argument or input field, by its name.
ID_TYPES_BY_NAME = {
    "eventId": "Event",
    "venueId": "Venue",
    "scenicSpotId": "ScenicSpot",
    "regionId": "Region",
    "regionIds": "Region",
    "agencyId": "TravelAgency",
    "organizationId": "Organization",
    "supplierId": "Organization",
    "userId": "User",
    "actorId": "User",
    "offeringId": "Offering",
    "orderId": "MenuOrder",
    "wishId": "Wish",
    "groupId": "CommunityGroup",
    "projectId": "GroupProject",
    "slotId": "VenueSlot",
    "targetId": "Venue",
    "ids": "Notification",
}
# For a plain `id`: the first of these the root field's name mentions (specific before general:
# reviewGroupApplication is about a group, not a review).
ID_TYPES_BY_FIELD = [
    ("group", "CommunityGroup"),
    ("project", "GroupProject"),
    ("offering", "Offering"),
    ("order", "MenuOrder"),
    ("review", "Review"),
    ("feedback", "Feedback"),
    ("booking", "Booking"),
    ("wish", "Wish"),
    ("scenicspot", "ScenicSpot"),
    ("venue", "Venue"),
    ("event", "Event"),
    ("user", "User"),
]


# Strings with a format of their own; any other string gets "测试<name>".
STRINGS_BY_NAME = {
    "period": "2026-05",
    "username": "sweep-user",
    "password": "correct-horse-battery",
    "phone": "13800000000",
    "key": "sweep-key",
    "open": "09:00",
    "close": "17:00",
    "lastEntry": "16:30",
    "fromDate": "05-01",
    "toDate": "10-31",
}
# Optional arguments without which a mutation never reads the rest of its input (one of two
# places must be named).
EXTRA_INPUT_FIELDS = {
    "createEvent": {"venueId": to_global_id("Venue", 1)},
    "submitOffering": {"supplierId": to_global_id("Organization", 1)},
}


def load_schema() -> GraphQLSchema:
    return build_schema(SDL.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Root:
    operation: str  # "query" | "mutation"
    name: str
    field: GraphQLField


@dataclass(frozen=True)
class Slot:
    """One place a string goes: argument name, then input-field names (list levels skipped)."""

    root: Root
    path: tuple[str, ...]
    is_list: bool

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def roots(schema: GraphQLSchema) -> list[Root]:
    found: list[Root] = []
    for operation, type_ in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert type_ is not None
        found.extend(Root(operation, name, field) for name, field in type_.fields.items())
    return found


def _is_list(type_: GraphQLInputType) -> bool:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return isinstance(inner, GraphQLList)


def _string_paths(
    type_: GraphQLInputType, path: tuple[str, ...], seen: frozenset[str]
) -> Iterator[tuple[tuple[str, ...], bool]]:
    named = get_named_type(type_)
    if named.name in {"String", "ID"}:
        yield path, _is_list(type_)
    elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for name, field in named.fields.items():
            yield from _string_paths(field.type, (*path, name), seen | {named.name})


def string_slots(schema: GraphQLSchema) -> list[Slot]:
    return [
        Slot(root, path, is_list)
        for root in roots(schema)
        for arg_name, arg in root.field.args.items()
        for path, is_list in _string_paths(arg.type, (arg_name,), frozenset())
    ]


def _required(definition: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(definition.type, GraphQLNonNull) and definition.default_value is Undefined


def id_for(root: str, name: str) -> str:
    type_name = ID_TYPES_BY_NAME.get(name)
    if type_name is None:
        lowered = root.lower()
        type_name = next((t for key, t in ID_TYPES_BY_FIELD if key in lowered), "Event")
    return to_global_id(type_name, 1)


def filler(type_: GraphQLInputType, root: str, name: str) -> Any:
    """A valid-looking value of `type_` for the argument or input field `name`."""
    if isinstance(type_, GraphQLNonNull):
        return filler(type_.of_type, root, name)
    if isinstance(type_, GraphQLList):
        return [filler(type_.of_type, root, name)]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            field_name: filler(field.type, root, field_name)
            for field_name, field in type_.fields.items()
            if _required(field)
        }
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType), type_
    return {
        "ID": lambda: id_for(root, name),
        "String": lambda: STRINGS_BY_NAME.get(name, f"测试{name}"),
        "Int": lambda: 1,
        "Float": lambda: {"lat": 37.03, "lng": 111.91}.get(name, 5.0),
        "Boolean": lambda: False,
        "Date": lambda: (date.today() + timedelta(days=7)).isoformat(),
        "DateTime": lambda: (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        "JSON": lambda: {},
        # No JSON value is a file (uploadImage is called in process): refused, as it should be.
        "Upload": lambda: "not-a-file",
    }[type_.name]()


def base_arguments(root: Root) -> dict[str, Any]:
    arguments = {
        name: filler(arg.type, root.name, name)
        for name, arg in root.field.args.items()
        if _required(arg)
    }
    if root.name in EXTRA_INPUT_FIELDS:
        arguments["input"].update(EXTRA_INPUT_FIELDS[root.name])
    return arguments


def _input_object(type_: GraphQLInputType) -> GraphQLInputObjectType:
    named = get_named_type(type_)
    assert isinstance(named, GraphQLInputObjectType), named
    return named


def with_value(root: Root, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """The base arguments with `value` placed at `path`, creating the objects on the way."""
    arguments = copy.deepcopy(base_arguments(root))
    arg = root.field.args[path[0]]
    if len(path) == 1:
        arguments[path[0]] = value
        return arguments
    container_type: GraphQLInputType = arg.type
    holder: dict[str, Any] = arguments
    key = path[0]
    for name in path[1:]:
        current = holder.get(key)
        if current is None:
            current = filler(get_named_type(container_type), root.name, key)  # type: ignore[arg-type]
            holder[key] = [current] if _is_list(container_type) else current
        elif isinstance(current, list):
            current = current[0]
        input_type = _input_object(container_type)
        holder, key, container_type = current, name, input_type.fields[name].type
    holder[key] = value
    return arguments


def selection(root: Root) -> str:
    return "" if is_leaf_type(get_named_type(root.field.type)) else " { __typename }"


def with_variables(root: Root, arguments: dict[str, Any]) -> str:
    """An operation passing every argument as a variable of its declared type."""
    if not arguments:
        return f"{root.operation} Sweep {{ {root.name}{selection(root)} }}"
    definitions = ", ".join(f"${name}: {root.field.args[name].type}" for name in arguments)
    passed = ", ".join(f"{name}: ${name}" for name in arguments)
    return f"{root.operation} Sweep({definitions}) {{ {root.name}({passed}){selection(root)} }}"


def with_literals(root: Root, arguments: dict[str, Any]) -> str:
    """The same operation with every argument written into the document."""
    if not arguments:
        return with_variables(root, arguments)
    passed = []
    for name, value in arguments.items():
        node = ast_from_value(value, root.field.args[name].type)
        assert node is not None, (root.name, name, value)
        passed.append(f"{name}: {print_ast(node)}")
    return f"{root.operation} {{ {root.name}({', '.join(passed)}){selection(root)} }}"


def wrong_values(type_: GraphQLInputType) -> list[Any]:
    """Values a client might send by mistake that the declared type cannot take."""
    non_null = isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    values: list[Any] = [None] if non_null else []
    if isinstance(inner, GraphQLList):
        return [*values, {"not": "a list"}, [[1, 2]]]
    if isinstance(inner, GraphQLInputObjectType):
        return [*values, "abc", [1, 2], {"noSuchField": 1}]
    if isinstance(inner, GraphQLEnumType):
        return [*values, "NOT_A_VALUE", 1, ["x"]]
    return [
        *values,
        *{
            "ID": [["a"], {"a": 1}, True, 1.5],
            "String": [1, ["a"], {"a": 1}, True],
            "Int": ["abc", 2**31, -(2**31) - 1, 1.5, [1], True],
            "Float": ["abc", [1.0], True],
            "Boolean": ["true", 1, [True]],
            "Date": ["2026-13-45", "not a date", 20260101, "2026-05-01T10:00:00+08:00"],
            "DateTime": ["not a time", "2026-05-01T25:00:00+08:00", 1_700_000_000, ["x"]],
            "JSON": [],
            "Upload": ["data:image/jpeg;base64,/9j/", 1, [1], {"filename": "a.jpg"}, True],
        }[inner.name],  # type: ignore[union-attr]
    ]
