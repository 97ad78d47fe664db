"""Sent SMS sign-in codes. Only an HMAC of each code is stored (keyed by the secret key), so a
copy of the table does not sign anybody in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, utc_column


class SmsCode(SQLModel, table=True):
    __tablename__ = "sms_code"
    __table_args__ = (
        # The live code of a phone (newest first) and the resend interval's look-up.
        Index("ix_sms_code_phone_created", "phone", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Normalised mainland mobile number, 11 digits.
    phone: str = Field(max_length=11)
    # hex HMAC-SHA256 of phone and code (accounts/sms/service.code_hash).
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Submissions checked against this code; at the limit it is dead.
    attempts: int = 0
    # Used to sign in, or replaced by a newer code of the same phone.
    consumed_at: datetime | None = utc_column()
