"""Account tables: users (residents, staff, administrators), sign-in sessions and login
rate-limit counters. No strawberry here: the GraphQL face lives in types.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from culture_cloud.db import UTCDateTime, enum_column, utc_column
from culture_cloud.identity import StaffRole, UserKind

_PHONE_VERIFIED = text("phone_verified_at IS NOT NULL")


class User(SQLModel, table=True):
    # "user" is a reserved word in PostgreSQL; a plain name keeps raw SQL (TRUNCATE in tests,
    # psql sessions) free of quoting.
    __tablename__ = "app_user"
    __table_args__ = (
        # A staff account without an organisation or a role could do nothing or, worse, be
        # treated as belonging everywhere by a careless check.
        CheckConstraint(
            "kind <> 'staff' OR (organization_id IS NOT NULL AND staff_role IS NOT NULL)",
            name="staff_has_organization",
        ),
        # A verified phone number signs one resident in (loginWithSmsCode), so it belongs to
        # one account at most; unverified numbers (typed in for staff) may repeat.
        Index(
            "uq_app_user_verified_phone",
            "phone",
            unique=True,
            sqlite_where=_PHONE_VERIFIED,
            postgresql_where=_PHONE_VERIFIED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: UserKind = enum_column(UserKind, index=True)
    # WeChat identity of residents; nulled when the account is deleted (anonymised).
    openid: str | None = Field(default=None, max_length=64, unique=True)
    unionid: str | None = Field(default=None, max_length=64, index=True)
    # The resident's openid for the official account (WeChat web authorisation); another
    # value than the mini-program's `openid` for the same person.
    web_openid: str | None = Field(default=None, max_length=64, unique=True)
    # Staff and administrators sign in with a password; stored lower-case.
    username: str | None = Field(default=None, max_length=64, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    nickname: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=20)
    # Set when the phone was proven to be the user's (an SMS code, or WeChat's phone-number
    # API), cleared when the phone changes otherwise: only then does it sign a resident in.
    phone_verified_at: datetime | None = utc_column()
    real_name: str | None = Field(default=None, max_length=64)
    is_designated_reviewer: bool = False
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    staff_role: StaffRole | None = enum_column(StaffRole, default=None, nullable=True)
    is_active: bool = True
    deleted_at: datetime | None = utc_column()
    last_login_at: datetime | None = utc_column()
    created_at: datetime | None = utc_column()
    # PIPL consent: the privacy notice version the user accepted, and when.
    privacy_notice_version: str | None = Field(default=None, max_length=32)
    privacy_consented_at: datetime | None = utc_column()


class AuthSession(SQLModel, table=True):
    """One refresh token. Refreshing replaces the row by a new one of the same family; the
    access tokens minted for a row name it (`sid`) and die with it when it is revoked."""

    __tablename__ = "auth_session"

    # Random and unguessable: it travels inside access tokens.
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    # sha256 of the refresh token: a leaked database does not hand out live tokens.
    refresh_token_hash: str = Field(max_length=64, unique=True)
    # The id of the login's first session; every rotation of that login shares it, so reuse of
    # a rotated token can revoke the whole chain (the thief's copy and the owner's).
    family_id: str = Field(max_length=64, index=True)
    created_at: datetime | None = utc_column()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    rotated_at: datetime | None = utc_column()
    revoked_at: datetime | None = utc_column()


class RateLimitBucket(SQLModel, table=True):
    """A counter per key and fixed window. In the database because workers share nothing else."""

    __tablename__ = "rate_limit_bucket"

    key: str = Field(primary_key=True, max_length=200)
    window_start: datetime = Field(sa_type=UTCDateTime, primary_key=True, index=True)
    count: int = 0
