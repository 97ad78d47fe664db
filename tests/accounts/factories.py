"""Users of every kind straight into the database, and their access tokens (no login round
trip): the one set of user factories for every domain's tests."""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import col

from culture_cloud.accounts import passwords, tokens
from culture_cloud.accounts.models import User
from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction, utcnow
from culture_cloud.identity import StaffRole, UserKind
from tests.support.settings import shared_settings

if TYPE_CHECKING:
    # Only a type here: tests/conftest.py imports the GraphQL client, which imports this module.
    from tests.conftest import Database

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)

LOGIN_WITH_PASSWORD = """
mutation Login($username: String!, $password: String!) {
  loginWithPassword(username: $username, password: $password) {
    __typename
    ... on AuthPayload {
      accessToken refreshToken tokenType accessTokenExpiresAt refreshTokenExpiresAt
      user { id kind username }
    }
    ... on UserError { code field message }
  }
}
"""

LOGIN_WITH_WECHAT = """
mutation Login($code: String!) {
  loginWithWechat(code: $code) {
    __typename
    ... on AuthPayload {
      accessToken refreshToken tokenType
      user { id kind nickname phone isDesignatedReviewer }
    }
    ... on UserError { code field message }
  }
}
"""

REQUEST_SMS_CODE = """
mutation Request($phone: String!) {
  requestSmsCode(phone: $phone) {
    __typename
    ... on SmsCodeSent { phone expiresAt resendAfterSeconds }
    ... on SmsCodeError { code field message retryAfterSeconds }
  }
}
"""

LOGIN_WITH_SMS_CODE = """
mutation Login($phone: String!, $code: String!) {
  loginWithSmsCode(phone: $phone, code: $code) {
    __typename
    ... on AuthPayload { accessToken refreshToken user { id kind phone phoneVerified } }
    ... on UserError { code field message }
  }
}
"""

LOGIN_WITH_WECHAT_WEB = """
mutation Login($code: String!) {
  loginWithWechatWeb(code: $code) {
    __typename
    ... on AuthPayload { accessToken user { id kind } }
    ... on UserError { code field message }
  }
}
"""

ME = "{ me { id kind username nickname phone realName staffRole organization { name } } }"


async def add_organization(db: Database, name: str = "测试博物馆", **values: Any) -> int:
    values.setdefault("kind", catalog.OrganizationKind.MUSEUM)
    async with transaction(db.factory) as session:
        row = catalog.Organization(name=name, created_at=utcnow(), **values)
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def add_user(
    db: Database,
    *,
    kind: UserKind = UserKind.RESIDENT,
    username: str | None = None,
    password: str | None = PASSWORD,
    organization_id: int | None = None,
    role: StaffRole | None = None,
    **values: Any,
) -> User:
    if kind is not UserKind.RESIDENT and username is None:
        username = f"{kind.value}-{next(_serial)}"
    if kind is UserKind.RESIDENT:
        values.setdefault("openid", f"o-test-{next(_serial)}")
    async with transaction(db.factory) as session:
        user = User(
            kind=kind,
            username=username,
            password_hash=await passwords.hash_password(password)
            if password and username
            else None,
            organization_id=organization_id,
            staff_role=role,
            created_at=utcnow(),
            **values,
        )
        session.add(user)
        await session.flush()
        return user


async def add_admin(db: Database, **values: Any) -> User:
    return await add_user(db, kind=UserKind.ADMIN, **values)


async def add_staff(db: Database, organization_id: int, role: StaffRole, **values: Any) -> User:
    return await add_user(
        db, kind=UserKind.STAFF, organization_id=organization_id, role=role, **values
    )


async def token_for(db: Database, user: User | int) -> str:
    """An access token of a new session of `user`, as `loginWithPassword` would hand out."""
    async with transaction(db.factory) as session:
        row = await session.get(User, user if isinstance(user, int) else user.id)
        assert row is not None
        pair = await tokens.start_session(session, shared_settings(db), user=row, now=utcnow())
    return pair.access_token


async def add_residents(db: Database, count: int) -> list[int]:
    """Many residents in one statement (the concurrency tests need hundreds)."""
    now = utcnow()
    async with transaction(db.factory) as session:
        rows = await session.execute(
            insert(User).returning(col(User.id)),
            [
                {
                    "kind": UserKind.RESIDENT,
                    "openid": f"o-many-{uuid.uuid4().hex}",
                    "created_at": now,
                }
                for _ in range(count)
            ],
        )
        return [int(i) for i in rows.scalars().all()]
