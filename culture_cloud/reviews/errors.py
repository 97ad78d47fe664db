"""Expected refusals of the review and feedback domain, with stable codes; the API returns them
as `ReviewError` / `FeedbackError` results."""

from __future__ import annotations

from enum import StrEnum

from culture_cloud.errors import ErrorCode, Refusal


class Reason(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    # Reviews
    ALREADY_REVIEWED = "ALREADY_REVIEWED"
    NOT_REVIEWABLE = "NOT_REVIEWABLE"
    OWN_REVIEW = "OWN_REVIEW"
    ALREADY_REPORTED = "ALREADY_REPORTED"
    SENSITIVE_CONTENT = "SENSITIVE_CONTENT"
    # Reviews and feedback
    INVALID_TRANSITION = "INVALID_TRANSITION"
    # Feedback
    NOT_RATABLE = "NOT_RATABLE"
    ALREADY_RATED = "ALREADY_RATED"


_GENERIC = {
    Reason.NOT_FOUND: ErrorCode.NOT_FOUND,
    Reason.INVALID_ID: ErrorCode.INVALID_ID,
    Reason.RATE_LIMITED: ErrorCode.RATE_LIMITED,
}


class Refused(Refusal):
    """Nothing was written; `reason` says why (the message is for people, in Chinese)."""

    reason: Reason

    def __init__(self, reason: Reason, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code=_GENERIC.get(reason, ErrorCode.BAD_USER_INPUT))
        self.reason = reason


def bad_input(message: str, field: str) -> Refused:
    return Refused(Reason.BAD_USER_INPUT, message, field=field)


def not_found(message: str, field: str = "id") -> Refused:
    return Refused(Reason.NOT_FOUND, message, field=field)
