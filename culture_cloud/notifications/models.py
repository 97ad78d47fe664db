"""The notification outbox: every message to a user is a row written in the same transaction as
the change it reports, and delivered later. Delivery failure never rolls back the change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, cast

from sqlalchemy import Index, Table
from sqlmodel import Field, SQLModel

from culture_cloud.db import enum_column, json_column, utc_column


class NotificationKind(StrEnum):
    BOOKING_CONFIRMED = "booking_confirmed"
    PROMOTED_FROM_WAITLIST = "promoted_from_waitlist"
    BOOKING_CANCELLED = "booking_cancelled"
    EVENT_CANCELLED = "event_cancelled"
    EVENT_CHANGED = "event_changed"
    # The day before a visit: an event booking or a venue-slot booking (data says which).
    REMINDER = "reminder"
    FEEDBACK_ANSWERED = "feedback_answered"
    FEEDBACK_REJECTED = "feedback_rejected"
    WISH_ANSWERED = "wish_answered"
    WISH_MERGED = "wish_merged"
    REVIEW_REJECTED = "review_rejected"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the retry budget; still listed in myNotifications
    SKIPPED = "skipped"  # no channel (e.g. the user has no openid any more)


class Notification(SQLModel, table=True):
    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at", "id"),
        Index("ix_notification_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    kind: NotificationKind = enum_column(NotificationKind)
    # Chinese title/body shown in the mini-program, plus ids (event, booking) for deep links.
    title: str = Field(max_length=200)
    body: str
    data: dict[str, Any] = json_column(dict)
    # Unique per (user, purpose) so a job that runs twice (reminders) enqueues once.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    status: DeliveryStatus = enum_column(DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: datetime | None = utc_column()
    sent_at: datetime | None = utc_column()
    read_at: datetime | None = utc_column()
    created_at: datetime | None = utc_column(nullable=False)


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
NOTIFICATION_TABLE: Final = cast(Table, Notification.__table__)  # type: ignore[attr-defined]
