"""Root schema: per-domain query mixins composed here, with the hardening extensions."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from culture_cloud.catalog import types as catalog_types
from culture_cloud.catalog.queries import CatalogQuery
from culture_cloud.graphql.errors import CodedErrors, is_expected
from culture_cloud.search.queries import SearchQuery
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.graphql")


@strawberry.type
class Query(CatalogQuery, SearchQuery):
    pass


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents; CodedErrors logs the unexpected ones.
        del errors, execution_context


def _extensions(settings: Settings) -> list[Any]:
    # Factories, not instances: Strawberry builds fresh extensions per request; the parser and
    # validation LRU caches live at module level, so they are still shared.
    extensions: list[Any] = [
        CodedErrors,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
    ]
    if settings.is_production:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return extensions


TYPES: list[Any] = [
    catalog_types.Venue,
    catalog_types.Event,
    catalog_types.ScenicSpot,
    catalog_types.TravelAgency,
    catalog_types.Guide,
    catalog_types.Region,
    catalog_types.Organization,
]


def create_schema(settings: Settings) -> Schema:
    return Schema(
        query=Query,
        types=TYPES,
        extensions=_extensions(settings),
        config=StrawberryConfig(disable_field_suggestions=settings.is_production),
    )


__all__ = ["Schema", "create_schema", "is_expected"]
