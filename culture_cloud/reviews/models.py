"""Review tables: reviews with their edit history, official replies, helpful votes, abuse reports
and the per-target rating aggregate. No strawberry here.

A review counts towards its target's aggregate exactly while it is APPROVED and not deleted
(`aggregates.contribution_of`); every change of that state moves the aggregate row and the
catalogue row's `rating_avg` / `rating_count` by the difference, in the same transaction.
The feedback tables (投诉建议) live in culture_cloud/feedback/models.py, imported at the bottom so
that every table of this domain registers with the metadata.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from sqlalchemy import CheckConstraint, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, enum_column, json_column, utc_column


class ReviewTargetKind(StrEnum):
    VENUE = "venue"
    EVENT = "event"
    SCENIC_SPOT = "scenic_spot"
    TRAVEL_AGENCY = "travel_agency"
    GUIDE = "guide"


class Dimension(StrEnum):
    """Scored aspects; which of them fit which kind of target is in targets.DIMENSIONS_BY_KIND."""

    FACILITIES = "facilities"  # 硬件设施
    SERVICE = "service"  # 服务
    CONTENT = "content"  # 活动内容
    TOURISM_SERVICE = "tourism_service"  # 旅游服务
    GUIDE_EXPLANATION = "guide_explanation"  # 讲解


class ReviewStatus(StrEnum):
    PENDING = "pending"  # waiting for a moderator: hidden, not counted
    APPROVED = "approved"  # public and counted
    REJECTED = "rejected"  # hidden, not counted; the author sees the reason


class HoldReason(StrEnum):
    """Why a review waits for moderation."""

    SENSITIVE_WORDS = "sensitive_words"
    PERSONAL_DATA = "personal_data"  # a phone number, ID number or e-mail address in the text
    REPORTS = "reports"
    RESUBMITTED = "resubmitted"  # edited after a rejection


class ReportReason(StrEnum):
    ABUSE = "abuse"
    ADVERTISING = "advertising"
    PRIVACY = "privacy"
    FALSE_INFORMATION = "false_information"
    OTHER = "other"


_SCORE_RANGE = " AND ".join(f"({d.value} IS NULL OR {d.value} BETWEEN 1 AND 5)" for d in Dimension)
_NOT_DELETED = text("deleted_at IS NULL")


class Review(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_in_range"),
        CheckConstraint(_SCORE_RANGE, name="scores_in_range"),
        CheckConstraint("helpful_count >= 0 AND open_reports >= 0", name="counters_positive"),
        # One live review per person and target; a deleted one may be written again.
        Index(
            "uq_review_user_target",
            "user_id",
            "target_kind",
            "target_id",
            unique=True,
            sqlite_where=_NOT_DELETED,
            postgresql_where=_NOT_DELETED,
        ),
        # A target's public list (newest first; the other orders filter on the same prefix).
        Index("ix_review_target_list", "target_kind", "target_id", "status", "created_at", "id"),
        # The moderation queue and the organisation's list.
        Index("ix_review_status_created", "status", "created_at", "id"),
        Index("ix_review_organization", "organization_id", "status", "created_at", "id"),
        # myReviews and the daily limit.
        Index("ix_review_user_created", "user_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    target_kind: ReviewTargetKind = enum_column(ReviewTargetKind)
    target_id: int
    # The organisation owning the target when the review was written: its staff reply.
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    overall: int
    facilities: int | None = None
    service: int | None = None
    content: int | None = None
    tourism_service: int | None = None
    guide_explanation: int | None = None
    text: str = Field(max_length=2000)
    images: list[str] = json_column(list)
    image_count: int = 0
    status: ReviewStatus = enum_column(ReviewStatus)
    hold_reason: HoldReason | None = enum_column(HoldReason, default=None, nullable=True)
    # Words of the sensitive-word list the text matched, for the moderator.
    flagged_words: list[str] = json_column(list)
    # The author had a checked-in booking for the target (or its events).
    is_verified: bool = False
    # Written by a designated reviewer (文化体验师), as they were when writing.
    by_designated_reviewer: bool = False
    helpful_count: int = 0
    # Reports since the last moderation decision; at the threshold the review is held.
    open_reports: int = 0
    moderation_reason: str | None = Field(default=None, max_length=200)
    moderated_by: int | None = Field(default=None, foreign_key="app_user.id")
    moderated_at: datetime | None = utc_column()
    edit_count: int = 0
    edited_at: datetime | None = utc_column()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    deleted_at: datetime | None = utc_column()


class ReviewRevision(SQLModel, table=True):
    """What a review said before an edit."""

    __tablename__ = "review_revision"
    __table_args__ = (Index("ix_review_revision_review", "review_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    overall: int
    facilities: int | None = None
    service: int | None = None
    content: int | None = None
    tourism_service: int | None = None
    guide_explanation: int | None = None
    text: str = Field(max_length=2000)
    images: list[str] = json_column(list)
    status: ReviewStatus = enum_column(ReviewStatus)
    # When the replaced version had been written (the review's creation or its previous edit).
    written_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    edited_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ReviewReply(SQLModel, table=True):
    """The owning organisation's one public reply to a review."""

    __tablename__ = "review_reply"

    review_id: int = Field(primary_key=True, foreign_key="review.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    author_user_id: int = Field(foreign_key="app_user.id")
    text: str = Field(max_length=1000)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ReviewVote(SQLModel, table=True):
    """ "Helpful" votes: the primary key makes it one per person and review."""

    __tablename__ = "review_vote"

    review_id: int = Field(primary_key=True, foreign_key="review.id")
    user_id: int = Field(primary_key=True, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ReviewReport(SQLModel, table=True):
    __tablename__ = "review_report"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id", name="uq_review_report_review_user"),
        Index("ix_review_report_user_created", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id")
    user_id: int = Field(foreign_key="app_user.id")
    reason: ReportReason = enum_column(ReportReason)
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


_SUMS = [f"{d.value}_sum" for d in Dimension] + [f"{d.value}_count" for d in Dimension]
_AGGREGATE_CHECK = " AND ".join(
    f"{c} >= 0"
    for c in ["review_count", "overall_sum", *[f"score_{i}" for i in range(1, 6)], *_SUMS]
)


class RatingAggregate(SQLModel, table=True):
    """Approved reviews of one target, summed: changed only by `aggregates.apply_change`, with
    one atomic upsert, never recomputed from the reviews."""

    __tablename__ = "rating_aggregate"
    __table_args__ = (CheckConstraint(_AGGREGATE_CHECK, name="non_negative"),)

    target_kind: str = Field(primary_key=True, max_length=16)  # a ReviewTargetKind value
    target_id: int = Field(primary_key=True)
    review_count: int = 0
    overall_sum: int = 0
    score_1: int = 0
    score_2: int = 0
    score_3: int = 0
    score_4: int = 0
    score_5: int = 0
    facilities_sum: int = 0
    facilities_count: int = 0
    service_sum: int = 0
    service_count: int = 0
    content_sum: int = 0
    content_count: int = 0
    tourism_service_sum: int = 0
    tourism_service_count: int = 0
    guide_explanation_sum: int = 0
    guide_explanation_count: int = 0


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
REVIEW_TABLE: Final = cast(Table, Review.__table__)  # type: ignore[attr-defined]
REVIEW_REVISION_TABLE: Final = cast(Table, ReviewRevision.__table__)  # type: ignore[attr-defined]
REVIEW_REPLY_TABLE: Final = cast(Table, ReviewReply.__table__)  # type: ignore[attr-defined]
REVIEW_VOTE_TABLE: Final = cast(Table, ReviewVote.__table__)  # type: ignore[attr-defined]
REVIEW_REPORT_TABLE: Final = cast(Table, ReviewReport.__table__)  # type: ignore[attr-defined]
RATING_AGGREGATE_TABLE: Final = cast(Table, RatingAggregate.__table__)  # type: ignore[attr-defined]


__all__ = [
    "RATING_AGGREGATE_TABLE",
    "REVIEW_REPLY_TABLE",
    "REVIEW_REPORT_TABLE",
    "REVIEW_REVISION_TABLE",
    "REVIEW_TABLE",
    "REVIEW_VOTE_TABLE",
    "Dimension",
    "HoldReason",
    "RatingAggregate",
    "ReportReason",
    "Review",
    "ReviewReply",
    "ReviewReport",
    "ReviewRevision",
    "ReviewStatus",
    "ReviewTargetKind",
    "ReviewVote",
]
