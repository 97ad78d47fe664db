"""Feedback tables. No strawberry here.

A feedback item moves submitted → accepted → resolved → closed, or to rejected (with a reason)
from submitted or accepted; the resident's rating closes a resolved or rejected item. Items about
a catalogue object go to its organisation (`organization_id`); general ones (no target) to the
bureau's administrators (`organization_id` NULL).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from sqlalchemy import CheckConstraint, Index, Table
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, enum_column, json_column, utc_column
from culture_cloud.reviews.models import ReviewTargetKind


class FeedbackCategory(StrEnum):
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    CONSULTATION = "consultation"  # 咨询
    PRAISE = "praise"  # 表扬


class FeedbackStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


# Statuses in which the response deadline runs; past it, the item is overdue.
OPEN_STATUSES = (FeedbackStatus.SUBMITTED, FeedbackStatus.ACCEPTED)


class Feedback(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("(target_kind IS NULL) = (target_id IS NULL)", name="target_pair"),
        CheckConstraint("target_id IS NOT NULL OR topic IS NOT NULL", name="target_or_topic"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_in_range"),
        Index("ix_feedback_user_created", "user_id", "created_at", "id"),
        # The inbox: most urgent first, per organisation and overall.
        Index("ix_feedback_organization_deadline", "organization_id", "deadline_at", "id"),
        Index("ix_feedback_status_deadline", "status", "deadline_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    category: FeedbackCategory = enum_column(FeedbackCategory)
    target_kind: ReviewTargetKind | None = enum_column(
        ReviewTargetKind, default=None, nullable=True
    )
    target_id: int | None = None
    topic: str | None = Field(default=None, max_length=50)
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    text: str = Field(max_length=2000)
    images: list[str] = json_column(list)
    # Optional way to reach the resident; shown only to them and to the handling staff.
    contact: str | None = Field(default=None, max_length=64)
    status: FeedbackStatus = enum_column(FeedbackStatus)
    deadline_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    response: str | None = Field(default=None, max_length=2000)
    responded_by: int | None = Field(default=None, foreign_key="app_user.id")
    reject_reason: str | None = Field(default=None, max_length=200)
    accepted_at: datetime | None = utc_column()
    resolved_at: datetime | None = utc_column()
    rejected_at: datetime | None = utc_column()
    closed_at: datetime | None = utc_column()
    rating: int | None = None
    rating_comment: str | None = Field(default=None, max_length=200)
    rated_at: datetime | None = utc_column()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
FEEDBACK_TABLE: Final = cast(Table, Feedback.__table__)  # type: ignore[attr-defined]
