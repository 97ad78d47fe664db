"""Menu failures with stable codes; the API returns them as `MenuError` results."""

from __future__ import annotations

from enum import StrEnum

from culture_cloud.errors import ErrorCode, Refusal


class MenuErrorCode(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_ID = "INVALID_ID"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    NO_BUDGET = "NO_BUDGET"
    ALREADY_SUPPORTED = "ALREADY_SUPPORTED"
    SAME_WISH = "SAME_WISH"
    ALREADY_MERGED = "ALREADY_MERGED"
    NOT_SUPPLIER = "NOT_SUPPLIER"
    OUTSIDE_SERVICE_AREA = "OUTSIDE_SERVICE_AREA"


class MenuFailed(Refusal):
    """Nothing was written; `reason` says why. `state` is the object's state when a transition
    was refused (INVALID_TRANSITION), so a client can refresh its view."""

    reason: MenuErrorCode

    def __init__(
        self,
        reason: MenuErrorCode,
        message: str,
        *,
        field: str | None = None,
        state: str | None = None,
    ) -> None:
        code = ErrorCode.NOT_FOUND if reason is MenuErrorCode.NOT_FOUND else None
        super().__init__(message, field=field, code=code)
        self.reason = reason
        self.state = state
