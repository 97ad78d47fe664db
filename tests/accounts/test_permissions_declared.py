"""Default deny: every mutation says who may call it. A mutation without permission_classes is
a mutation anybody can call, so this test fails on one."""

from __future__ import annotations

from typing import Any

import strawberry

from culture_cloud.graphql.permissions import Public, StaffRole
from culture_cloud.identity import StaffRole as Role
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings

EXPECTED_MUTATIONS = {
    "loginWithWechat",
    "bindPhone",
    "loginWithPassword",
    "refreshToken",
    "logout",
    "createOrganization",
    "createStaffAccount",
    "setDesignatedReviewer",
    "exportMyData",
    "deleteMyAccount",
}


def _undeclared_mutations(schema: strawberry.Schema) -> tuple[set[str], list[str]]:
    """(all mutation names, those without permission classes), read from the built schema."""
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None, "the schema has no Mutation type"
    names: set[str] = set()
    undeclared: list[str] = []
    for name, field in mutation_type.fields.items():
        names.add(name)
        definition: Any = (field.extensions or {}).get("strawberry-definition")
        if definition is None or not definition.permission_classes:
            undeclared.append(name)
    return names, undeclared


def test_mutations__every_field__declares_permission_classes() -> None:
    names, undeclared = _undeclared_mutations(create_schema(Settings()))
    assert names >= EXPECTED_MUTATIONS
    assert undeclared == [], f"mutations without permission_classes: {undeclared}"


def test_mutations__undeclared_field__detected() -> None:
    # The control: the same walk over a schema with one undeclared mutation must catch it.
    @strawberry.type
    class Query:
        ok: bool = True

    @strawberry.type
    class Mutation:
        @strawberry.mutation(permission_classes=[Public])
        def fine(self) -> bool:
            return True

        @strawberry.mutation
        def forgotten(self) -> bool:
            return True

    names, undeclared = _undeclared_mutations(strawberry.Schema(query=Query, mutation=Mutation))
    assert names == {"fine", "forgotten"}
    assert undeclared == ["forgotten"]


def test_staff_role__same_roles__same_permission_class() -> None:
    assert StaffRole(Role.EDITOR, Role.MANAGER) is StaffRole(Role.MANAGER, Role.EDITOR)
    assert StaffRole(Role.EDITOR) is not StaffRole(Role.CHECKER)
