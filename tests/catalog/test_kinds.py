"""The registry of catalogue kinds is the one place the five kinds are spelled out: what the
database stores, the GraphQL enums and the schema's types must all agree with it."""

from __future__ import annotations

from culture_cloud.catalog import kinds
from culture_cloud.reviews.models import ReviewTargetKind
from culture_cloud.schema import create_schema
from culture_cloud.search.queries import CatalogKind
from culture_cloud.settings import Settings


def test_registry__keys__are_the_stored_review_target_kinds() -> None:
    assert set(kinds.KEYS) == {k.value for k in ReviewTargetKind}


def test_registry__keys__are_the_searchable_catalog_kinds() -> None:
    assert set(kinds.KEYS) == {k.value for k in CatalogKind}


def test_registry__type_names__are_node_types_of_the_catalog_item_union() -> None:
    schema = create_schema(Settings(environment="test"))._schema
    union = schema.get_type("CatalogItem")
    assert {t.name for t in union.types} == {k.type_name for k in kinds.KINDS}  # type: ignore[union-attr]
    for kind in kinds.KINDS:
        interfaces = {i.name for i in schema.get_type(kind.type_name).interfaces}  # type: ignore[union-attr]
        assert "Node" in interfaces


def test_registry__lookups__find_each_kind_by_key_type_name_and_model() -> None:
    for kind in kinds.KINDS:
        assert kinds.by_key(kind.key) is kind
        assert kinds.by_type_name(kind.type_name) is kind
        assert kinds.by_model(kind.model) is kind
        assert kind.table.name == kind.model.__tablename__


def test_registry__type_name_of_another_type__is_not_a_kind() -> None:
    assert kinds.by_type_name("Booking") is None
    assert kinds.by_type_name("Region") is None


def test_registry__nearby__lists_every_kind_with_a_place_but_guides() -> None:
    assert set(kinds.NEARBY_KEYS) == set(kinds.KEYS) - {"guide"}
