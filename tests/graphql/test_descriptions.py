"""Every type, field, argument, input field and enum value of the public schema is described,
and the description catalogue names only parts that exist."""

from __future__ import annotations

from graphql import GraphQLSchema

from culture_cloud.graphql import descriptions
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings


def _schema() -> GraphQLSchema:
    return create_schema(Settings(environment="test"))._schema


def test_schema__every_public_part__has_a_description() -> None:
    missing = descriptions.missing(_schema())

    assert missing == [], "without a description:\n" + "\n".join(missing)


def test_schema__no_description__merely_repeats_the_name() -> None:
    schema = _schema()
    repeated = [
        f"{type_.name}.{key}"
        for type_ in schema.type_map.values()
        if not type_.name.startswith("__")
        for key, part in descriptions._parts(type_)
        if key and (part.description or "").strip().lower() == key.lower()
    ]

    assert repeated == []


def test_description_catalogue__every_entry__names_an_existing_part() -> None:
    assert descriptions.stale(_schema()) == []
