"""Root schema: per-domain query and mutation mixins composed here, with the hardening
extensions. A domain adds its mixin to `Query` or `Mutation` and its types to TYPES."""

from __future__ import annotations

import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution.values import get_argument_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from culture_cloud.accounts import types as accounts_types
from culture_cloud.accounts.mutations import AccountsMutation
from culture_cloud.accounts.queries import AccountsQuery, visible_audit_entry, visible_user
from culture_cloud.bookings import types as bookings_types
from culture_cloud.bookings.mutations import BookingsMutation
from culture_cloud.bookings.queries import BookingsQuery, venue_slot, visible_booking
from culture_cloud.catalog import types as catalog_types
from culture_cloud.catalog.queries import NODE_FETCHERS as CATALOG_NODES
from culture_cloud.catalog.queries import CatalogQuery
from culture_cloud.feedback.queries import visible_feedback
from culture_cloud.graphql import descriptions, fallbacks, nodes
from culture_cloud.graphql.compiled import Fallback, PlanRunner, compiled_for
from culture_cloud.graphql.errors import CodedErrors, is_expected
from culture_cloud.graphql.input_guard import string_literal_rule
from culture_cloud.graphql.pipeline import RequestPipeline
from culture_cloud.graphql.scalars import SCALAR_OVERRIDES
from culture_cloud.live import types as live_types
from culture_cloud.live.subscriptions import LiveSubscription
from culture_cloud.menu import types as menu_types
from culture_cloud.menu.incubation.api import visible_group, visible_project
from culture_cloud.menu.mutations import MenuMutation
from culture_cloud.menu.offerings.api import visible_offering
from culture_cloud.menu.orders.api import visible_order
from culture_cloud.menu.queries import MenuQuery
from culture_cloud.menu.wishes.api import wish
from culture_cloud.notifications import types as notifications_types
from culture_cloud.notifications.mutations import NotificationsMutation
from culture_cloud.notifications.queries import NotificationsQuery, own_notification
from culture_cloud.publishing.mutations import PublishingMutation
from culture_cloud.publishing.queries import PublishingQuery
from culture_cloud.reviews import types as reviews_types
from culture_cloud.reviews.mutations import ReviewsMutation
from culture_cloud.reviews.queries import ReviewsQuery, visible_review
from culture_cloud.search.queries import SearchQuery
from culture_cloud.settings import Settings
from culture_cloud.statistics.queries import StatisticsQuery

logger = logging.getLogger("culture_cloud.graphql")

# `node(id:)` for every type implementing Node: each through the function its own field uses
# (tests/graphql/test_node.py checks that no Node type is missing here).
nodes.install(
    {
        **CATALOG_NODES,
        "User": visible_user,
        "AuditEntry": visible_audit_entry,
        "Notification": own_notification,
        "Booking": visible_booking,
        "VenueSlot": venue_slot,
        "Review": visible_review,
        "Feedback": visible_feedback,
        "Offering": visible_offering,
        "MenuOrder": visible_order,
        "Wish": wish,
        "CommunityGroup": visible_group,
        "GroupProject": visible_project,
    }
)


@strawberry.type
class Query(
    CatalogQuery,
    SearchQuery,
    AccountsQuery,
    NotificationsQuery,
    PublishingQuery,
    BookingsQuery,
    ReviewsQuery,
    MenuQuery,
    StatisticsQuery,
):
    pass


@strawberry.type
class Mutation(
    AccountsMutation,
    NotificationsMutation,
    PublishingMutation,
    BookingsMutation,
    ReviewsMutation,
    MenuMutation,
):
    """Every mutation declares permission_classes (tests/accounts/test_permissions_declared.py)."""


@strawberry.type
class Subscription(LiveSubscription):
    """Served over WebSocket (graphql-transport-ws) only; see culture_cloud/live."""


class CompilingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Runs plain queries through the compiled path; everything else through graphql-core."""

    def get_argument_values_for(self, field_def: Any, node: Any) -> dict[str, Any]:
        return get_argument_values(
            field_def, node, self.variable_values, None, self.hide_suggestions
        )

    def execute_collected_root_fields(
        self,
        root_type: Any,
        root_value: Any,
        grouped_field_set: Any,
        serially: bool,
        new_defer_usages: Any,
    ) -> Any:
        compiled = None if serially else compiled_for(self.schema, self.operation)
        if compiled is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )

        async def run() -> Any:
            try:
                return await PlanRunner(self).run(compiled, root_value)
            except Fallback:
                fallbacks.record(self.operation, None)
            except (
                Exception
            ) as exc:  # any surprise: the standard executor gives the standard answer
                fallbacks.record(self.operation, exc)
            result = super(CompilingExecutionContext, self).execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
            return await result if self.is_awaitable(result) else result

        return run()


# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?", sometimes mid-message.
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def strip_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


class Schema(strawberry.Schema):
    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        # Called for every error when disable_field_suggestions is on (production). Strawberry
        # only strips unknown-field suggestions; graphql-core also suggests argument names, enum
        # values, type names and input fields: with introspection off, a map of the schema.
        error.message = strip_suggestions(error.message)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents; CodedErrors logs the unexpected ones.
        del errors, execution_context

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # `execute` serves HTTP; subscriptions run over WebSocket only (culture_cloud/live),
        # where connection_init authenticates and per-connection caps apply.
        allowed = kwargs.get("allowed_operation_types")
        if allowed is not None:
            kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        result = await super().execute(*args, **kwargs)
        # Errors raised inside an extension hook (ParserCache's parse: syntax errors, the token
        # limit) skip the operation hook where CodedErrors runs; code them here. Idempotent.
        if result.errors:
            result.errors = CodedErrors()._process_errors(result.errors)
        return result


def _validation_rules(settings: Settings) -> list[Any]:
    # Built once per schema: the limiters create a new rule class per instance, and a new class
    # per request would make every request miss the validation cache (measured: ~5 ms each).
    rules: list[Any] = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
        string_literal_rule(settings.max_input_string_length),
    ]
    if settings.is_production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def _extensions(settings: Settings) -> list[Any]:
    # Factories, not instances: Strawberry builds fresh extensions per request; the parser and
    # validation LRU caches live at module level, so they are still shared.
    rules = _validation_rules(settings)
    return [
        lambda: RequestPipeline(
            rules=rules,
            max_tokens=settings.max_query_tokens,
            max_string_length=settings.max_input_string_length,
        )
    ]


TYPES: list[Any] = [
    catalog_types.Venue,
    catalog_types.Event,
    catalog_types.ScenicSpot,
    catalog_types.TravelAgency,
    catalog_types.Guide,
    catalog_types.Region,
    catalog_types.Organization,
    accounts_types.User,
    bookings_types.Booking,
    bookings_types.VenueSlot,
    notifications_types.Notification,
    live_types.EventSeats,
    *reviews_types.TYPES,
    *menu_types.TYPES,
]


def create_schema(settings: Settings) -> Schema:
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=CompilingExecutionContext if settings.compiled_execution else None,
        types=TYPES,
        extensions=_extensions(settings),
        config=StrawberryConfig(disable_field_suggestions=settings.is_production),
        scalar_overrides=SCALAR_OVERRIDES,  # Date/DateTime: one accepted range (scalars.py)
    )
    descriptions.apply(schema._schema)
    return schema


__all__ = ["Schema", "create_schema", "is_expected"]
