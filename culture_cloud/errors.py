"""Domain errors with stable codes. No GraphQL imports: services raise these, the API maps them."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# The refusal for a signed-in caller who may not do this, when nothing more specific applies
# (permission classes in graphql/permissions.py, `ensure` in accounts/policy.py).
FORBIDDEN_MESSAGE: Final = "无权执行此操作"


class ErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    RATE_LIMITED = "RATE_LIMITED"
    INVALID_ID = "INVALID_ID"
    INVALID_CURSOR = "INVALID_CURSOR"
    CONFLICT = "CONFLICT"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL = "INTERNAL"


class UserErrorCode(StrEnum):
    """Every code a payload error (`UserError.code`) can carry: the generic ones a user fixes
    by changing their input, and each domain's refusals (bookings/errors.py, menu/errors.py,
    reviews/errors.py, accounts LoginFailure). One enum, because the UserError interface's
    `code` must have one type for all its implementations; tests/graphql/test_error_codes.py
    keeps it a superset of the domain enums."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_ID = "INVALID_ID"
    RATE_LIMITED = "RATE_LIMITED"
    # Login
    INVALID_CODE = "INVALID_CODE"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    # Phone numbers and consent (accounts)
    PHONE_IN_USE = "PHONE_IN_USE"
    PRIVACY_NOTICE_OUTDATED = "PRIVACY_NOTICE_OUTDATED"
    # Bookings and check-in
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
    ALREADY_CHECKED_IN = "ALREADY_CHECKED_IN"
    BOOKING_CANCELLED = "BOOKING_CANCELLED"
    NOT_CONFIRMED = "NOT_CONFIRMED"
    CHECK_IN_NOT_OPEN = "CHECK_IN_NOT_OPEN"
    CHECK_IN_CLOSED = "CHECK_IN_CLOSED"
    WRONG_EVENT = "WRONG_EVENT"
    # Menu, wishes and incubation
    INVALID_TRANSITION = "INVALID_TRANSITION"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    NO_BUDGET = "NO_BUDGET"
    ALREADY_SUPPORTED = "ALREADY_SUPPORTED"
    SAME_WISH = "SAME_WISH"
    ALREADY_MERGED = "ALREADY_MERGED"
    NOT_SUPPLIER = "NOT_SUPPLIER"
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"
    # Reviews and feedback
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    NOT_REVIEWABLE = "NOT_REVIEWABLE"
    OWN_REVIEW = "OWN_REVIEW"
    ALREADY_REPORTED = "ALREADY_REPORTED"
    SENSITIVE_CONTENT = "SENSITIVE_CONTENT"
    NOT_RATABLE = "NOT_RATABLE"
    ALREADY_RATED = "ALREADY_RATED"
    # Uploads
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"


class DomainError(Exception):
    """An expected failure a user can act on; `message` is shown to users (zh-CN)."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT

    def __init__(
        self, message: str, *, field: str | None = None, code: ErrorCode | str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = ErrorCode(code) if isinstance(code, str) else code


class Refusal(DomainError):
    """A domain's own refusal (MenuFailed, reviews' Refused, LoginFailed): `reason` is its
    stable code, and it always comes back as a payload error carrying that code, whatever
    `code` (which decides how a non-GraphQL caller sees it) says."""

    reason: str


class BadInput(DomainError):
    code = ErrorCode.BAD_USER_INPUT


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED

    def __init__(
        self, message: str, *, field: str | None = None, retry_after_seconds: int | None = None
    ) -> None:
        super().__init__(message, field=field)
        # When trying again can succeed, if known (whole seconds, rounded up).
        self.retry_after_seconds = retry_after_seconds


class Conflict(DomainError):
    """The request is valid but clashes with the current state (a taken name, a state that no
    longer allows the change); the user can act on it."""

    code = ErrorCode.CONFLICT


class InvalidId(DomainError):
    code = ErrorCode.INVALID_ID


class InvalidCursor(DomainError):
    code = ErrorCode.INVALID_CURSOR


class ServiceUnavailable(DomainError):
    code = ErrorCode.SERVICE_UNAVAILABLE
