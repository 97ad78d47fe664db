"""Payload error codes are one GraphQL enum, `UserErrorCode`, whose values are the strings the
domain enums always had: clients reading `code` as a string see no change."""

from __future__ import annotations

from enum import StrEnum

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType

from culture_cloud.accounts.service import LoginFailure
from culture_cloud.bookings.errors import BookingErrorCode
from culture_cloud.errors import UserErrorCode
from culture_cloud.graphql.user_errors import TYPED_CODES
from culture_cloud.media.errors import Reason as MediaReason
from culture_cloud.menu.errors import MenuErrorCode
from culture_cloud.reviews.errors import Reason
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings


@pytest.mark.parametrize(
    "domain", [BookingErrorCode, MenuErrorCode, Reason, LoginFailure, MediaReason]
)
def test_user_error_code__every_domain_reason__is_a_value_with_the_same_string(
    domain: type[StrEnum],
) -> None:
    missing = {member.value for member in domain} - {code.value for code in UserErrorCode}

    assert missing == set()


def test_user_error_code__generic_payload_codes__are_values() -> None:
    assert {code.value for code in TYPED_CODES} <= {code.value for code in UserErrorCode}


def test_schema__every_user_error_type__code_is_the_user_error_code_enum() -> None:
    schema = create_schema(Settings(environment="test"))._schema
    interface = schema.type_map["UserError"]
    implementations = [
        type_
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and interface in type_.interfaces
    ]
    enum = schema.type_map["UserErrorCode"]
    assert isinstance(enum, GraphQLEnumType)

    assert {name for name in enum.values} == {code.value for code in UserErrorCode}
    assert len(implementations) >= 6
    for type_ in [interface, *implementations]:
        field_type = type_.fields["code"].type  # type: ignore[attr-defined]
        assert isinstance(field_type, GraphQLNonNull) and field_type.of_type is enum, type_
