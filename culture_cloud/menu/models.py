"""Menu tables: offerings and their suppliers' scores, orders and the per-region budgets they
draw on, residents' wishes, and the incubation pipeline (community groups, their projects and
trial events). No strawberry here.

Aggregates live on the rows they describe and change only incrementally, in the transaction
that changes what they count: `support_count` with each support row, rating sums with each
rating delta (culture_cloud/menu/scores.py), budget `spent_fen`/`order_count` with each
approval or cancellation (culture_cloud/menu/orders/budgets.py).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, cast

from sqlalchemy import CheckConstraint, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from culture_cloud.catalog.models import EventKind
from culture_cloud.db import UTCDateTime, enum_column, json_column, utc_column

# --- states ----------------------------------------------------------------------------------


class OfferingKind(StrEnum):
    PERFORMANCE = "performance"
    LECTURE = "lecture"
    EXHIBITION = "exhibition"
    TRAINING = "training"
    ACTIVITY = "activity"

    @property
    def event_kind(self) -> EventKind:
        return EventKind(self.value)


class OfferingStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETIRED = "retired"


class OrderStatus(StrEnum):
    REQUESTED = "requested"
    PROPOSED_DATE = "proposed_date"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    DELIVERED = "delivered"
    RATED = "rated"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class WishStatus(StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    LINKED = "linked"
    DECLINED = "declined"
    # A duplicate: its supports moved to `merged_into_id` (menu/wishes/merging.py).
    MERGED = "merged"


class GroupStage(StrEnum):
    APPLIED = "applied"
    REJECTED = "rejected"
    REGISTERED = "registered"
    PROMOTED = "promoted"


class ProjectStage(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    TRIALING = "trialing"


class MemberRole(StrEnum):
    LEADER = "leader"


def _created() -> Any:
    return Field(sa_type=UTCDateTime, nullable=False)


# --- offerings -------------------------------------------------------------------------------


class MenuOffering(SQLModel, table=True):
    __tablename__ = "menu_offering"
    __table_args__ = (
        CheckConstraint(
            "audience_min >= 1 AND audience_max >= audience_min", name="audience_range"
        ),
        CheckConstraint("cost_fen >= 0 AND duration_minutes > 0", name="cost_and_duration"),
        CheckConstraint("rating_count >= 0 AND order_count >= 0", name="counters"),
        # The three menu orders, each within the public (approved) status.
        Index("ix_menu_offering_rating", "status", "rating_avg", "rating_count", "id"),
        Index("ix_menu_offering_orders", "status", "order_count", "id"),
        Index("ix_menu_offering_newest", "status", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    kind: OfferingKind = enum_column(OfferingKind)
    description: str | None = None
    duration_minutes: int
    audience_min: int
    audience_max: int
    # {"stage": bool, "power": str | None, "space": str | None}
    requirements: dict[str, Any] = json_column(dict)
    # True: every township; otherwise the menu_offering_region rows.
    serves_all_regions: bool = False
    # [{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}]; empty means "any time".
    available_periods: list[dict[str, str]] = json_column(list)
    cost_fen: int
    images: list[str] = json_column(list)
    status: OfferingStatus = enum_column(OfferingStatus)
    rejection_reason: str | None = Field(default=None, max_length=500)
    submitted_by: int = Field(foreign_key="app_user.id")
    reviewed_by: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = utc_column()
    retired_at: datetime | None = utc_column()
    rating_sum: int = 0
    rating_count: int = 0
    rating_avg: float = 0.0
    # Orders placed (whatever became of them): what the menu's ORDERS sort shows.
    order_count: int = 0
    created_at: datetime = _created()
    updated_at: datetime = _created()


class MenuOfferingRegion(SQLModel, table=True):
    __tablename__ = "menu_offering_region"
    __table_args__ = (Index("ix_menu_offering_region_region", "region_id", "offering_id"),)

    offering_id: int = Field(foreign_key="menu_offering.id", primary_key=True)
    region_id: int = Field(foreign_key="region.id", primary_key=True)


class MenuSupplier(SQLModel, table=True):
    """A supplier's score over the rated deliveries of all its offerings (and, for a promoted
    community group, its trial events)."""

    __tablename__ = "menu_supplier"

    organization_id: int = Field(foreign_key="organization.id", primary_key=True)
    rating_sum: int = 0
    rating_count: int = 0
    rating_avg: float = 0.0
    created_at: datetime = _created()


# --- orders and budgets ----------------------------------------------------------------------


class MenuOrder(SQLModel, table=True):
    __tablename__ = "menu_order"
    __table_args__ = (
        CheckConstraint("preferred_to >= preferred_from", name="preferred_range"),
        CheckConstraint("expected_audience > 0", name="audience_positive"),
        Index("ix_menu_order_orderer", "ordering_organization_id", "created_at", "id"),
        Index("ix_menu_order_supplier", "supplier_organization_id", "created_at", "id"),
        Index("ix_menu_order_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int = Field(foreign_key="menu_offering.id", index=True)
    supplier_organization_id: int = Field(foreign_key="organization.id")
    # Where it is delivered, and who runs that place (the ordering centre).
    venue_id: int = Field(foreign_key="venue.id")
    region_id: int = Field(foreign_key="region.id", index=True)
    ordering_organization_id: int = Field(foreign_key="organization.id")
    ordered_by: int = Field(foreign_key="app_user.id")
    preferred_from: date
    preferred_to: date
    expected_audience: int
    note: str | None = Field(default=None, max_length=500)
    status: OrderStatus = enum_column(OrderStatus, index=True)
    # The supplier's counter-proposal while PROPOSED_DATE.
    proposed_start_at: datetime | None = utc_column()
    # Agreed time (ACCEPTED and later).
    start_at: datetime | None = utc_column()
    end_at: datetime | None = utc_column()
    # The offering's cost when ordered: what approval charges to the region's budget.
    cost_fen: int
    # Budget periods charged at approval ("2026-11", "2026-Q4"), refunded on cancellation.
    charged_periods: list[str] = json_column(list)
    event_id: int | None = Field(default=None, foreign_key="event.id", unique=True)
    # Why it was declined, rejected or cancelled (or why a proposed date was refused).
    reason: str | None = Field(default=None, max_length=500)
    approved_by: int | None = Field(default=None, foreign_key="app_user.id")
    approved_at: datetime | None = utc_column()
    delivered_at: datetime | None = utc_column()
    rated_at: datetime | None = utc_column()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class MenuBudget(SQLModel, table=True):
    """What one region may spend on menu orders in one period (a month "2026-11" or a quarter
    "2026-Q4"); approval locks the row, checks and charges it in one transaction."""

    __tablename__ = "menu_budget"
    __table_args__ = (
        UniqueConstraint("period", "region_id", name="uq_menu_budget_period_region"),
        CheckConstraint(
            "budget_fen >= 0 AND max_orders >= 0 AND spent_fen >= 0 AND order_count >= 0",
            name="amounts",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    region_id: int = Field(foreign_key="region.id", index=True)
    budget_fen: int
    max_orders: int
    spent_fen: int = 0
    order_count: int = 0
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


# --- wishes ----------------------------------------------------------------------------------


class MenuWish(SQLModel, table=True):
    __tablename__ = "menu_wish"
    __table_args__ = (
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_menu_wish_support", "support_count", "id"),
        Index("ix_menu_wish_region_support", "region_id", "support_count", "id"),
        Index("ix_menu_wish_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    title: str = Field(max_length=100)
    text: str = Field(max_length=1000)
    region_id: int = Field(foreign_key="region.id")
    preferred_period: str | None = Field(default=None, max_length=50)
    status: WishStatus = enum_column(WishStatus, index=True)
    # The author's own support included: a wish starts at 1.
    support_count: int = 0
    # Distinct index terms of title + text (the similarity score's denominator).
    term_count: int = 0
    reply: str | None = Field(default=None, max_length=1000)
    answered_by: int | None = Field(default=None, foreign_key="app_user.id")
    answered_at: datetime | None = utc_column()
    linked_offering_id: int | None = Field(default=None, foreign_key="menu_offering.id")
    linked_event_id: int | None = Field(default=None, foreign_key="event.id")
    # MERGED: the wish this duplicate was merged into (answered_by/answered_at: who and when).
    merged_into_id: int | None = Field(default=None, foreign_key="menu_wish.id")
    created_at: datetime = _created()


class MenuWishSupport(SQLModel, table=True):
    __tablename__ = "menu_wish_support"

    wish_id: int = Field(foreign_key="menu_wish.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)
    created_at: datetime = _created()


class MenuWishTerm(SQLModel, table=True):
    """Search terms of a wish (jieba words and pinyin, culture_cloud/search/tokenize.py)."""

    __tablename__ = "menu_wish_term"
    __table_args__ = (Index("ix_menu_wish_term_term", "term", "wish_id"),)

    wish_id: int = Field(foreign_key="menu_wish.id", primary_key=True)
    term: str = Field(max_length=64, primary_key=True)


# --- incubation ------------------------------------------------------------------------------


class CommunityGroup(SQLModel, table=True):
    __tablename__ = "menu_community_group"
    __table_args__ = (
        CheckConstraint("trial_rating_count >= 0", name="trial_rating_count"),
        Index("ix_menu_community_group_stage", "stage", "created_at", "id"),
        Index("ix_menu_community_group_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    intent: str = Field(max_length=2000)
    region_id: int | None = Field(default=None, foreign_key="region.id")
    applicant_user_id: int = Field(foreign_key="app_user.id", index=True)
    # [{"name": ..., "phone": ... | absent, "role": ... | absent}]: personal data, shown in
    # full only to the applicant.
    members: list[dict[str, Any]] = json_column(list)
    stage: GroupStage = enum_column(GroupStage)
    # Created at registration: the group as an organisation (kind community_group).
    organization_id: int | None = Field(default=None, foreign_key="organization.id", unique=True)
    review_reason: str | None = Field(default=None, max_length=500)
    reviewed_by: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = utc_column()
    trial_rating_sum: int = 0
    trial_rating_count: int = 0
    # The last promotion check: {"trialEventsHeld": n, "rating": x, ...} (see promotion.py).
    last_evaluation: dict[str, Any] | None = json_column()
    evaluated_at: datetime | None = utc_column()
    promoted_at: datetime | None = utc_column()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class GroupMembership(SQLModel, table=True):
    """Accounts that act for a registered group (its leader), the way staff act for their
    organisation."""

    __tablename__ = "menu_group_member"

    group_id: int = Field(foreign_key="menu_community_group.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)
    role: MemberRole = enum_column(MemberRole)
    created_at: datetime = _created()


class GroupProject(SQLModel, table=True):
    __tablename__ = "menu_group_project"
    __table_args__ = (
        CheckConstraint("support_count >= 0 AND planned_trial_events >= 1", name="counts"),
        Index("ix_menu_group_project_stage", "stage", "created_at", "id"),
        Index("ix_menu_group_project_group", "group_id", "created_at", "id"),
        Index("ix_menu_group_project_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="menu_community_group.id")
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    planned_trial_events: int
    stage: ProjectStage = enum_column(ProjectStage)
    support_count: int = 0
    review_reason: str | None = Field(default=None, max_length=500)
    reviewed_by: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = utc_column()
    proposed_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ProjectSupport(SQLModel, table=True):
    __tablename__ = "menu_project_support"

    project_id: int = Field(foreign_key="menu_group_project.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)
    created_at: datetime = _created()


class TrialEvent(SQLModel, table=True):
    """An event run as a trial of a group's project; its ratings and attendance count
    towards the group's promotion."""

    __tablename__ = "menu_trial_event"

    event_id: int = Field(foreign_key="event.id", primary_key=True)
    project_id: int = Field(foreign_key="menu_group_project.id", index=True)
    group_id: int = Field(foreign_key="menu_community_group.id", index=True)
    created_at: datetime = _created()


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
MENU_OFFERING_TABLE: Final = cast(Table, MenuOffering.__table__)  # type: ignore[attr-defined]
MENU_OFFERING_REGION_TABLE: Final = cast(Table, MenuOfferingRegion.__table__)  # type: ignore[attr-defined]
MENU_SUPPLIER_TABLE: Final = cast(Table, MenuSupplier.__table__)  # type: ignore[attr-defined]
MENU_ORDER_TABLE: Final = cast(Table, MenuOrder.__table__)  # type: ignore[attr-defined]
MENU_BUDGET_TABLE: Final = cast(Table, MenuBudget.__table__)  # type: ignore[attr-defined]
MENU_WISH_TABLE: Final = cast(Table, MenuWish.__table__)  # type: ignore[attr-defined]
MENU_WISH_SUPPORT_TABLE: Final = cast(Table, MenuWishSupport.__table__)  # type: ignore[attr-defined]
MENU_WISH_TERM_TABLE: Final = cast(Table, MenuWishTerm.__table__)  # type: ignore[attr-defined]
COMMUNITY_GROUP_TABLE: Final = cast(Table, CommunityGroup.__table__)  # type: ignore[attr-defined]
GROUP_MEMBERSHIP_TABLE: Final = cast(Table, GroupMembership.__table__)  # type: ignore[attr-defined]
GROUP_PROJECT_TABLE: Final = cast(Table, GroupProject.__table__)  # type: ignore[attr-defined]
PROJECT_SUPPORT_TABLE: Final = cast(Table, ProjectSupport.__table__)  # type: ignore[attr-defined]
TRIAL_EVENT_TABLE: Final = cast(Table, TrialEvent.__table__)  # type: ignore[attr-defined]
