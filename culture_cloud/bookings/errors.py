"""Booking failures with stable codes; the API returns them as `BookingError` results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from culture_cloud.errors import ErrorCode, Refusal


class BookingErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    SOLD_OUT = "SOLD_OUT"
    BOOKING_NOT_OPEN = "BOOKING_NOT_OPEN"
    BOOKING_CLOSED = "BOOKING_CLOSED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    ALREADY_BOOKED = "ALREADY_BOOKED"
    EVENT_CANCELLED = "EVENT_CANCELLED"
    SLOT_CLOSED = "SLOT_CLOSED"
    BLOCKED = "BLOCKED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    CANCEL_DEADLINE_PASSED = "CANCEL_DEADLINE_PASSED"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    INVALID_CODE = "INVALID_CODE"
    ALREADY_CHECKED_IN = "ALREADY_CHECKED_IN"
    BOOKING_CANCELLED = "BOOKING_CANCELLED"
    NOT_CONFIRMED = "NOT_CONFIRMED"
    CHECK_IN_NOT_OPEN = "CHECK_IN_NOT_OPEN"
    CHECK_IN_CLOSED = "CHECK_IN_CLOSED"
    WRONG_EVENT = "WRONG_EVENT"


class BookingFailed(Refusal):
    """Nothing was written; `reason` says why (the message is for people, in Chinese)."""

    reason: BookingErrorCode

    def __init__(
        self,
        reason: BookingErrorCode,
        message: str,
        *,
        field: str | None = None,
        checked_in_at: datetime | None = None,
        blocked_until: datetime | None = None,
    ) -> None:
        code = ErrorCode.NOT_FOUND if reason is BookingErrorCode.NOT_FOUND else None
        super().__init__(message, field=field, code=code)
        self.reason = reason
        self.checked_in_at = checked_in_at
        self.blocked_until = blocked_until
