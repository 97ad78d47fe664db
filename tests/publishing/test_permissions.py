"""Who may call each publishing field at all (object rules are tested per operation)."""

from __future__ import annotations

from typing import Any

from culture_cloud.graphql.permissions import IsStaff, StaffRole
from culture_cloud.identity import StaffRole as Role
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings

EXPECTED = {
    ("Mutation", "createEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "updateEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "publishEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "cancelEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "postponeEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "copyEvent"): StaffRole(Role.EDITOR, Role.MANAGER),
    ("Mutation", "updateVenue"): StaffRole(Role.MANAGER),
    ("Mutation", "updateScenicSpot"): StaffRole(Role.MANAGER),
    ("Query", "myOrganizationEvents"): IsStaff,
}


def test_publishing_fields__declared__with_expected_permission_classes() -> None:
    schema = create_schema(Settings())._schema
    for (type_name, field_name), permission in EXPECTED.items():
        graphql_type: Any = schema.get_type(type_name)
        field = graphql_type.fields[field_name]
        definition = field.extensions["strawberry-definition"]
        assert definition.permission_classes == [permission], field_name
