"""Fields and interfaces contributed to another module's type (graphql/composition.py) land in
the schema exactly as if the type had declared them, once, and never over an existing field.

No `from __future__ import annotations`: the types are local to each test, so Strawberry must
see their annotations as objects."""

from typing import Any

import pytest
import strawberry

from culture_cloud.graphql import composition


def _types() -> tuple[Any, Any, Any]:
    @strawberry.interface
    class Named:
        name: str

    @strawberry.interface(description="rated")
    class Rated:
        _pk: strawberry.Private[int]

        @strawberry.field
        def stars(self) -> int:
            return self._pk * 2

    @strawberry.type
    class Shop(Named):
        _pk: strawberry.Private[int]
        city: str

    return Named, Rated, Shop


def _schema(shop_type: Any) -> strawberry.Schema:
    @strawberry.type
    class Query:
        @strawberry.field
        def shop(self) -> shop_type:  # type: ignore[valid-type]
            return shop_type(_pk=21, name="云峰书店", city="介休")  # type: ignore[no-any-return]

    return strawberry.Schema(query=Query)


def test_implement__interface_before_anchor__fields_where_a_base_class_puts_them() -> None:
    named, rated, shop = _types()

    composition.implement(rated, shop, before=named)
    composition.implement(rated, shop, before=named)  # again: no change

    sdl = str(_schema(shop))
    assert (
        "type Shop implements Rated & Named {\n  stars: Int!\n  name: String!\n  city: String!"
        in sdl
    )
    assert composition.contributed(shop) == {"stars"}


def test_implement__query__contributed_resolver_reads_the_object() -> None:
    named, rated, shop = _types()
    composition.implement(rated, shop, before=named)

    result = _schema(shop).execute_sync("{ shop { name stars } }")
    assert result.errors is None
    assert result.data == {"shop": {"name": "云峰书店", "stars": 42}}


def test_add_fields__appended_once__same_name_refused() -> None:
    _, _, shop = _types()

    @strawberry.field(name="region")
    def shop_region(root: Any) -> str:
        return f"{root.city}市"

    @strawberry.field(name="city")
    def another_city(root: Any) -> str:
        return "平遥"

    composition.add_fields(shop, shop_region)
    composition.add_fields(shop, shop_region)
    assert "  city: String!\n  region: String!\n}" in str(_schema(shop))
    with pytest.raises(TypeError, match=r"Shop\.city is defined twice"):
        composition.add_fields(shop, another_city)
