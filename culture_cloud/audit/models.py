"""The audit log table: who changed what, with the state before and after (no personal data).

It lives with the audit package that writes and reads it; every domain records through
audit/service.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Index, Table
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, json_column


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_created_at_id", "created_at", "id"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Null for actions without a signed-in actor (the command line).
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=64)
    # The GraphQL type name of the target ("Organization", "User", "Event", ...), so the API can
    # give its global ID.
    target_type: str = Field(max_length=32)
    target_id: int | None = None
    before: dict[str, Any] | None = json_column()
    after: dict[str, Any] | None = json_column()
    ip: str | None = Field(default=None, max_length=45)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# Core tables for SQL written without the ORM: typed once here, imported wherever needed.
AUDIT_LOG_TABLE: Final = cast(Table, AuditLog.__table__)  # type: ignore[attr-defined]
