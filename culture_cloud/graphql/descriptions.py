"""Descriptions for the parts of the schema that Python cannot describe inline.

Strawberry takes a description for types, fields and arguments in code, and that is where
most of them live. Values of enums built from the domain's `StrEnum`s (the models must not
import strawberry) and fields declared as bare annotations have no place for one; they are
described in `descriptions.toml`, one table per GraphQL type:

    [Event]
    "" = "type description"          # only if the type has none in code
    title = "field / input field / enum value"
    "bookings(first)" = "argument"

Applied once to the built schema, in this order: the description in code wins; a field or
argument implementing an interface's takes the interface's; `first`/`after`, the parts of
connections and edges take the Relay paging texts; a result union lists its members; then the
catalogue. `missing()` and `stale()` keep both complete and honest
(tests/graphql/test_descriptions.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    specified_scalar_types,
)

RELAY_FIELDS = {
    "edges": "本页的条目，按列表的排序",
    "pageInfo": "翻页信息：是否还有下一页及首尾游标",
    "totalCount": "符合条件的总条数（不受分页影响）",
    "node": "该条目对应的对象",
    "cursor": "该条目的游标，可作为 after 参数取其后的条目",
}

PAGING = {
    "first": "每页条数，1–100，默认 20",
    "after": "游标：上一页 pageInfo.endCursor；为空时从第一条开始",
}


@cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    text = files("culture_cloud.graphql").joinpath("descriptions.toml").read_text("utf-8")
    return tomllib.loads(text)


def _public_types(schema: GraphQLSchema) -> Iterator[GraphQLNamedType]:
    for name, type_ in schema.type_map.items():
        if not name.startswith("__") and name not in specified_scalar_types:
            yield type_


def _parts(type_: GraphQLNamedType) -> Iterator[tuple[str, Any]]:
    """(catalogue key, part) for every describable part of a type, the type itself first."""
    yield "", type_
    if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
        for name, field in type_.fields.items():
            yield name, field
            for arg_name, arg in field.args.items():
                yield f"{name}({arg_name})", arg
    elif isinstance(type_, GraphQLInputObjectType):
        yield from type_.fields.items()
    elif isinstance(type_, GraphQLEnumType):
        yield from type_.values.items()


def _inherited(type_: GraphQLNamedType, key: str) -> str | None:
    if not isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) or not key:
        return None
    field_name, _, arg = key.partition("(")
    for interface in type_.interfaces:
        field: GraphQLField | None = interface.fields.get(field_name)
        if field is None:
            continue
        if not arg:
            return field.description
        argument: GraphQLArgument | None = field.args.get(arg.rstrip(")"))
        if argument is not None:
            return argument.description
    return None


def _relay(type_: GraphQLNamedType, key: str) -> str | None:
    """Connections and edges are generated per node type; their parts mean the same everywhere."""
    name = type_.name
    for suffix, text in (
        ("Connection", "{}列表（Relay 连接，键集分页）"),
        ("Edge", "{}列表中的一条"),
    ):
        if name.endswith(suffix) and isinstance(type_, GraphQLObjectType):
            return text.format(name.removesuffix(suffix)) if not key else RELAY_FIELDS.get(key)
    return None


def _result_union(type_: GraphQLNamedType, key: str) -> str | None:
    if key or not isinstance(type_, GraphQLUnionType):
        return None
    return "以下之一（按 __typename 区分）：" + "、".join(t.name for t in type_.types)


def apply(schema: GraphQLSchema) -> None:
    # Interfaces first, so that an interface described by the catalogue passes it on.
    ordered = sorted(_public_types(schema), key=lambda t: not isinstance(t, GraphQLInterfaceType))
    table = catalogue()
    for type_ in ordered:
        entries = table.get(type_.name, {})
        for key, part in _parts(type_):
            if part.description:
                continue
            arg = key.partition("(")[2].rstrip(")")
            part.description = (
                _inherited(type_, key)
                or (PAGING.get(arg) if arg else None)
                or _relay(type_, key)
                or _result_union(type_, key)
                or entries.get(key)
            )


def missing(schema: GraphQLSchema) -> list[str]:
    return [
        f"{type_.name}.{key}" if key else type_.name
        for type_ in _public_types(schema)
        for key, part in _parts(type_)
        if not (part.description or "").strip()
    ]


def stale(schema: GraphQLSchema) -> list[str]:
    """Catalogue entries for parts that do not exist (renamed, removed)."""
    known = {(t.name, key) for t in _public_types(schema) for key, _ in _parts(t)}
    return [
        f"{type_name}.{key}"
        for type_name, entries in catalogue().items()
        for key in entries
        if (type_name, key) not in known
    ]
