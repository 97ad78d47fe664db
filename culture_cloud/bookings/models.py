"""Booking tables: bookings of events and of venue entry slots, the slots themselves, and the
idempotency records that make retried requests safe. No strawberry here.

The seat counters live on the booked row (`event.booked_seats`, `venue_slot.booked_seats`) and
are changed only by the conditional UPDATEs of culture_cloud/bookings/targets.py; they always equal
the seats of that row's confirmed and checked-in bookings.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, cast

from sqlalchemy import CheckConstraint, Index, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, enum_column, json_column, utc_column


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"


# Statuses that hold a place (a seat or a waitlist position). One per user per event or slot.
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.CHECKED_IN)
# Statuses whose seats are counted in the booked row's `booked_seats`.
SEATED_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)

# Literal SQL for the partial indexes; the same text on both backends.
_ACTIVE_SQL = text("status IN ('confirmed', 'waitlisted', 'checked_in')")


class IdempotentOutcome(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


class VenueSlot(SQLModel, table=True):
    """A bookable entry time range of a venue (e.g. the museum, 09:00–10:00 on one day)."""

    __tablename__ = "venue_slot"
    __table_args__ = (
        UniqueConstraint("venue_id", "starts_at", name="uq_venue_slot_venue_start"),
        CheckConstraint("booked_seats >= 0 AND capacity > 0", name="seats_in_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    venue_id: int = Field(foreign_key="venue.id")
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    capacity: int
    booked_seats: int = 0
    real_name_required: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Closed by a manager (closeVenueSlot): no new reservations; its bookings were cancelled.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    close_reason: str | None = Field(default=None, max_length=200)


class Booking(SQLModel, table=True):
    __table_args__ = (
        # Exactly one of event / venue slot.
        CheckConstraint("(event_id IS NULL) <> (venue_slot_id IS NULL)", name="one_target"),
        CheckConstraint("seats > 0", name="seats_positive"),
        # One active booking per user per event (and per slot). NULLs are distinct in unique
        # indexes on both backends, so event bookings and slot bookings do not collide.
        Index(
            "uq_booking_active_event_user",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
        Index(
            "uq_booking_active_slot_user",
            "venue_slot_id",
            "user_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
        # Waitlist promotion (FIFO) and per-event scans.
        Index("ix_booking_event_status", "event_id", "status", "waitlisted_at", "id"),
        Index("ix_booking_slot_status", "venue_slot_id", "status", "waitlisted_at", "id"),
        # myBookings, newest first.
        Index("ix_booking_user_created", "user_id", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    event_id: int | None = Field(default=None, foreign_key="event.id")
    venue_slot_id: int | None = Field(default=None, foreign_key="venue_slot.id")
    seats: int
    status: BookingStatus = enum_column(BookingStatus)
    # [{"name": "...", "idNumber": <Fernet token> | absent}]: ID numbers are stored only with
    # the booker's consent (id_number_consent_at) and only encrypted.
    attendees: list[dict[str, Any]] = json_column(list)
    id_number_consent_at: datetime | None = utc_column()
    # Waitlist order (FIFO); kept after promotion so the order stays auditable.
    waitlisted_at: datetime | None = utc_column()
    confirmed_at: datetime | None = utc_column()
    # sha256 of the check-in token, and the token itself encrypted so its owner can show the
    # QR code again; a leaked table hands out neither a usable code nor a way to forge one
    # (the QR payload also carries an HMAC under the server secret).
    checkin_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    checkin_token_enc: str | None = Field(default=None, max_length=255)
    checked_in_at: datetime | None = utc_column()
    checked_in_by: int | None = Field(default=None, foreign_key="app_user.id")
    # Check-ins queued by a door device while offline (checkInBatch, bookings/door_batch.py):
    # the device's own id of the scan, so a re-sent upload is recognised as the same scan, and
    # when the server received it (checked_in_at is then the scan's time on the device).
    checkin_client_ref: str | None = Field(default=None, max_length=64)
    checkin_received_at: datetime | None = utc_column()
    # When the missed attendance happened (the end of the event or slot): the no-show rule
    # counts these in a sliding window.
    no_show_at: datetime | None = utc_column()
    cancelled_at: datetime | None = utc_column()
    cancel_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class IdempotencyRecord(SQLModel, table=True):
    """The result of a booking request, keyed by (user, Idempotency key), kept 24 hours.

    Written in the booking's own transaction: a record exists if and only if its booking does.
    """

    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_record_user_key"),
        Index("ix_idempotency_record_expires_at", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    key: str = Field(max_length=64)
    # sha256 of the canonical request: the same key with another payload is refused.
    request_hash: str = Field(max_length=64)
    booking_id: int = Field(foreign_key="booking.id")
    outcome: IdempotentOutcome = enum_column(IdempotentOutcome)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
VENUE_SLOT_TABLE: Final = cast(Table, VenueSlot.__table__)  # type: ignore[attr-defined]
BOOKING_TABLE: Final = cast(Table, Booking.__table__)  # type: ignore[attr-defined]
IDEMPOTENCY_RECORD_TABLE: Final = cast(Table, IdempotencyRecord.__table__)  # type: ignore[attr-defined]
