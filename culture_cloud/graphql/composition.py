"""Fields and interfaces a higher domain contributes to a lower domain's GraphQL type.

A domain imports only the domains below it, yet a few fields of a lower type are a higher
domain's code: `AuditEntry.actor` is an accounts `User` (accounts imports audit), and the
`reviews`/`ratingSummary` fields of the catalogue types (the `Reviewable` interface) are
reviews' (reviews imports catalog). The higher domain declares them; the root
(culture_cloud/schema.py) adds them to the lower type once, before any schema is built. The
lower domain never imports the higher one, and the SDL is what it would be had the type
declared the fields itself.

A contributed resolver gets the object as `self` (or `root`) and may rely only on what every
instance of the type carries whichever way it was built: its id (`_pk` on the catalogue types,
so their column projections know such a field needs no column of its own: `contributed`).
"""

from __future__ import annotations

from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private
from strawberry.utils.str_converters import to_camel_case

_CONTRIBUTED: dict[type, set[str]] = {}


def add_fields(type_: type, *fields: StrawberryField) -> None:
    """Appends `fields` (built with `@strawberry.field` on module-level resolvers) to `type_`.
    Adding the same field again changes nothing; another field of the same name is an error."""
    definition = get_object_definition(type_, strict=True)
    _insert(type_, definition, list(fields), position=len(definition.fields))


def implement(interface: type, *types: type, before: type | None = None) -> None:
    """Makes each of `types` implement `interface`: the interface joins their interfaces and
    its fields join their fields, placed before those of `before` (an interface they already
    implement), where a Python base class listed before it would have put them. Implementing
    it again changes nothing."""
    contributed_interface = get_object_definition(interface, strict=True)
    if not contributed_interface.is_interface:
        raise TypeError(f"{interface.__name__} is not a strawberry.interface")
    anchor = None if before is None else get_object_definition(before, strict=True)
    for type_ in types:
        definition = get_object_definition(type_, strict=True)
        if contributed_interface in definition.interfaces:
            continue
        if anchor is None:
            definition.interfaces.append(contributed_interface)
            position = len(definition.fields)
        else:
            if anchor not in definition.interfaces:
                raise TypeError(f"{type_.__name__} does not implement {anchor.name}")
            definition.interfaces.insert(definition.interfaces.index(anchor), contributed_interface)
            anchor_names = {f.python_name for f in anchor.fields}
            position = next(
                i for i, f in enumerate(definition.fields) if f.python_name in anchor_names
            )
        _insert(type_, definition, list(contributed_interface.fields), position=position)


def contributed(type_: type) -> frozenset[str]:
    """Python names of the fields other domains contributed to `type_`."""
    return frozenset(_CONTRIBUTED.get(type_, ()))


def _insert(
    type_: type,
    definition: StrawberryObjectDefinition,
    fields: list[StrawberryField],
    *,
    position: int,
) -> None:
    existing = {_graphql_name(f): f for f in definition.fields}
    new = []
    for field in fields:
        if is_private(field.type):
            continue  # the type declares its own (an interface's `_pk`, say)
        present = existing.get(_graphql_name(field))
        if present is field:
            continue
        if present is not None:
            raise TypeError(f"{definition.name}.{_graphql_name(field)} is defined twice")
        new.append(field)
    definition.fields[position:position] = new
    _CONTRIBUTED.setdefault(type_, set()).update(f.python_name for f in new)


def _graphql_name(field: StrawberryField) -> str:
    return field.graphql_name or to_camel_case(field.python_name)
