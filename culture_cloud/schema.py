"""Root composition: every domain's query, mutation and subscription mixins, its types and its
`node(id:)` fetchers, put together into the one schema. The only module (with app.py) that
imports every domain; graphql/ stays plumbing. A domain adds its mixin to `Query` or
`Mutation`, its types to TYPES and its Node types' fetchers to `nodes.install`."""

from __future__ import annotations

from typing import Any

import strawberry

from culture_cloud.accounts import types as accounts_types
from culture_cloud.accounts.mutations import AccountsMutation
from culture_cloud.accounts.queries import AccountsQuery, visible_audit_entry, visible_user
from culture_cloud.accounts.sms.api import SmsSignInMutation
from culture_cloud.accounts.staff_api import StaffAdminMutation, StaffAdminQuery
from culture_cloud.accounts.web_api import PrivacyQuery, WebSignInMutation
from culture_cloud.audit.types import AuditEntry
from culture_cloud.bookings import types as bookings_types
from culture_cloud.bookings.mutations import BookingsMutation
from culture_cloud.bookings.queries import BookingsQuery, venue_slot, visible_booking
from culture_cloud.bookings.staff_api import DoorMutation, StaffBookingsQuery
from culture_cloud.catalog import types as catalog_types
from culture_cloud.catalog.queries import NODE_FETCHERS as CATALOG_NODES
from culture_cloud.catalog.queries import CatalogQuery
from culture_cloud.catalog.sql_location import location
from culture_cloud.catalog.sql_node import EVENT_VISIBLE, NodeMember, node_compiler, series_dates
from culture_cloud.catalog.sql_reads import COMPILERS as CATALOG_SQL_READS
from culture_cloud.catalog.sql_reads import EVENT as EVENT_SQL
from culture_cloud.feedback import types as feedback_types
from culture_cloud.feedback.mutations import FeedbackMutation
from culture_cloud.feedback.queries import FeedbackQuery, visible_feedback
from culture_cloud.graphql import composition, nodes
from culture_cloud.graphql.execution import (
    Schema,
    build_schema,
    document_validator,
    schema_settings,
)
from culture_cloud.graphql.sql.objects import SqlObject
from culture_cloud.graphql.sql.reads import CompiledReads
from culture_cloud.live import types as live_types
from culture_cloud.live.subscriptions import LiveSubscription
from culture_cloud.media import types as media_types
from culture_cloud.media.mutations import MediaMutation
from culture_cloud.media.queries import MediaQuery, visible_uploaded_image
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
from culture_cloud.publishing.copy_api import EventCopyMutation
from culture_cloud.publishing.mutations import PublishingMutation
from culture_cloud.publishing.queries import PublishingQuery
from culture_cloud.reviews import types as reviews_types
from culture_cloud.reviews.mutations import ReviewsMutation
from culture_cloud.reviews.queries import ReviewsQuery, visible_review
from culture_cloud.reviews.reviewable import REVIEWABLE_TYPES, Reviewable
from culture_cloud.reviews.sql_fields import reviewable_fields
from culture_cloud.search.nearby_sql import COMPILERS as NEARBY_SQL_READS
from culture_cloud.search.queries import SearchQuery
from culture_cloud.search.sql_reads import COMPILERS as SEARCH_SQL_READS
from culture_cloud.settings import Settings
from culture_cloud.statistics.queries import StatisticsQuery

# Fields a higher domain contributes to a lower domain's type (graphql/composition.py): the
# lower domain cannot import the higher one.
composition.add_fields(AuditEntry, accounts_types.audit_entry_actor)
composition.implement(Reviewable, *REVIEWABLE_TYPES, before=nodes.Node)

# The SQL compiler's Event with its fields planned once (graphql/sql/fields.py), for `node(id:)`
# (the website's event page): each domain contributes its own, as for the types above.
EVENT_NODE_SQL: SqlObject = EVENT_SQL.with_fields(
    location=location,
    seriesDates=series_dates(lambda: EVENT_NODE_SQL),
    **reviewable_fields("Event"),
)
NODE_SQL_READS = {"node": node_compiler({"Event": NodeMember(EVENT_NODE_SQL, EVENT_VISIBLE)})}

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
        "UploadedImage": visible_uploaded_image,
    }
)


@strawberry.type
class Query(
    CatalogQuery,
    SearchQuery,
    AccountsQuery,
    PrivacyQuery,
    StaffAdminQuery,
    NotificationsQuery,
    PublishingQuery,
    BookingsQuery,
    StaffBookingsQuery,
    # FeedbackQuery's fields come before ReviewsQuery's in the SDL, as when it was its base
    FeedbackQuery,
    ReviewsQuery,
    MenuQuery,
    StatisticsQuery,
    MediaQuery,
):
    pass


@strawberry.type
class Mutation(
    AccountsMutation,
    SmsSignInMutation,
    WebSignInMutation,
    StaffAdminMutation,
    NotificationsMutation,
    PublishingMutation,
    EventCopyMutation,
    BookingsMutation,
    DoorMutation,
    # FeedbackMutation's fields come before ReviewsMutation's in the SDL, as when it was its base
    FeedbackMutation,
    ReviewsMutation,
    MenuMutation,
    MediaMutation,
):
    """Every mutation declares permission_classes (tests/accounts/test_permissions_declared.py)."""


@strawberry.type
class Subscription(LiveSubscription):
    """Served over WebSocket (graphql-transport-ws) only; see culture_cloud/live."""


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
    *feedback_types.TYPES,
    *menu_types.TYPES,
    media_types.UploadedImage,
]


# One schema per configuration and process. A production process builds one app, but tests,
# the CLI and `serve`'s checks build many apps in one process, and building the schema (types,
# descriptions, validation rules) costs ~0.2 s each time.
_SCHEMAS: dict[tuple[object, ...], Schema] = {}


def create_schema(settings: Settings) -> Schema:
    key = schema_settings(settings)
    schema = _SCHEMAS.get(key)
    if schema is None:
        schema = _SCHEMAS[key] = build_schema(
            settings, query=Query, mutation=Mutation, subscription=Subscription, types=TYPES
        )
    return schema


def create_compiled_reads(settings: Settings, schema: Schema) -> CompiledReads | None:
    """The SQL compiler for read documents, on PostgreSQL only (SQLite: the executors)."""
    if not settings.sql_compiled_reads or not settings.database_url.startswith("postgresql"):
        return None
    return CompiledReads(
        schema._schema,
        compilers={**CATALOG_SQL_READS, **SEARCH_SQL_READS, **NEARBY_SQL_READS, **NODE_SQL_READS},
        validate=document_validator(settings),
        max_tokens=settings.max_query_tokens,
        max_string_length=settings.max_input_string_length,
    )


__all__ = ["Schema", "create_compiled_reads", "create_schema"]
