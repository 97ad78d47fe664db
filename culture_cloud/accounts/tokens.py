"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed, rotated on use).

A login starts a session family. Every refresh marks the presented token's row rotated and adds
a new row to the family; presenting a rotated token again means two parties hold it (the owner
and a thief), so the whole family is revoked and both must sign in again. Access tokens name
their session row (`sid`), and a request is accepted only while that row is not revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final, cast

import jwt
from sqlalchemy import (
    ARRAY,
    CursorResult,
    Executable,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col

from culture_cloud import db_direct
from culture_cloud.accounts.models import AuthSession, User
from culture_cloud.batching import Batcher
from culture_cloud.db import Executor, SessionFactory, read_only, transaction
from culture_cloud.errors import Unauthenticated
from culture_cloud.identity import INVALID_MESSAGE, StaffRole, UserKind, Viewer
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.accounts")

ALGORITHM: Final = "HS256"
# Seconds of clock difference tolerated between the workers that mint and check tokens.
LEEWAY_SECONDS: Final = 5

EXPIRED_MESSAGE: Final = "登录已过期，请刷新令牌或重新登录"
REVOKED_MESSAGE: Final = "登录已失效，请重新登录"
REFRESH_INVALID_MESSAGE: Final = "刷新令牌无效或已过期，请重新登录"
# Issued tokens are 43 characters (token_urlsafe(32)); a longer one was never issued.
REFRESH_TOKEN_MAX_LENGTH: Final = 256


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    session_id: str
    user: User

    def __repr__(self) -> str:
        # Tokens are credentials; a repr ends up in logs and tracebacks.
        return f"TokenPair(session_id={self.session_id!r}, user_id={self.user.id!r})"


def _signing_key(settings: Settings) -> bytes:
    # A key derived for this one purpose: the same secret may sign other things later, and a
    # token of one kind must never verify as another.
    return hmac.new(
        settings.secret_key.encode(), b"culture-cloud/access-token/v1", hashlib.sha256
    ).digest()


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mint_access_token(
    settings: Settings, *, user: User, session_id: str, now: datetime
) -> tuple[str, datetime]:
    assert user.id is not None
    expires_at = now + timedelta(seconds=settings.access_token_ttl_seconds)
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "sid": session_id,
        "kind": user.kind.value,
        "org": user.organization_id,
        "role": user.staff_role.value if user.staff_role else None,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, _signing_key(settings), algorithm=ALGORITHM), expires_at


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: str


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            _signing_key(settings),
            algorithms=[ALGORITHM],  # never trust the token's own "alg" header
            options={"require": ["sub", "sid", "iat", "exp"]},
            leeway=LEEWAY_SECONDS,
        )
        user_id = int(claims["sub"])
        session_id = claims["sid"]
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(EXPIRED_MESSAGE) from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise Unauthenticated(INVALID_MESSAGE) from None
    if not isinstance(session_id, str) or not session_id:
        raise Unauthenticated(INVALID_MESSAGE)
    return AccessClaims(user_id=user_id, session_id=session_id)


def can_sign_in(user: User) -> bool:
    return user.is_active and user.deleted_at is None


_VIEWER_COLUMNS = (
    col(AuthSession.revoked_at),
    col(User.kind),
    col(User.organization_id),
    col(User.staff_role),
    col(User.is_designated_reviewer),
    col(User.is_active),
    col(User.deleted_at),
)


@cache
def _viewer_statement() -> Executable:
    # Built once: every authenticated request runs it, and building it cost more than running it.
    return (
        select(*_VIEWER_COLUMNS)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(
            col(AuthSession.id) == bindparam("session_id", type_=String),
            col(User.id) == bindparam("user_id", type_=Integer),
        )
    )


@cache
def _viewers_statement() -> Select[Any]:
    """`_viewer_statement` for many (session, user) pairs at once; `ord` numbers the pairs."""
    pairs = (
        func.unnest(
            bindparam("session_ids", type_=ARRAY(String)),
            bindparam("user_ids", type_=ARRAY(Integer)),
        )
        .table_valued(
            column("session_id", String), column("user_id", Integer), with_ordinality="ord"
        )
        .render_derived(with_types=False)
    )
    return select(pairs.c.ord, *_VIEWER_COLUMNS).select_from(
        pairs.join(AuthSession, col(AuthSession.id) == pairs.c.session_id).join(
            User,
            and_(col(User.id) == col(AuthSession.user_id), col(User.id) == pairs.c.user_id),
        )
    )


def _viewer_from(claims: AccessClaims, row: Any) -> Viewer:
    if row is None or row.revoked_at is not None:
        raise Unauthenticated(REVOKED_MESSAGE)
    if not row.is_active or row.deleted_at is not None:
        raise Unauthenticated(REVOKED_MESSAGE)
    # Role and organisation come from the database, not the token: a change applies at once.
    return Viewer(
        user_id=claims.user_id,
        kind=UserKind(row.kind),
        organization_id=row.organization_id,
        staff_role=StaffRole(row.staff_role) if row.staff_role else None,
        is_designated_reviewer=row.is_designated_reviewer,
        session_id=claims.session_id,
    )


async def load_viewer(conn: Executor, settings: Settings, token: str) -> Viewer:
    """The viewer for a bearer token; Unauthenticated when the token or its session is not good."""
    claims = decode_access_token(settings, token)
    row = await db_direct.fetch_one(
        conn, _viewer_statement(), {"session_id": claims.session_id, "user_id": claims.user_id}
    )
    return _viewer_from(claims, row)


async def _read_sessions(items: list[tuple[AsyncEngine, AccessClaims]]) -> list[Any]:
    engine = items[0][0]
    params = {
        "session_ids": [claims.session_id for _, claims in items],
        "user_ids": [claims.user_id for _, claims in items],
    }
    async with read_only(engine) as conn:
        rows = await db_direct.fetch_all(conn, _viewers_statement(), params)
    by_position = {row.ord: row for row in rows}
    return [by_position.get(position) for position in range(1, len(items) + 1)]


# Every authenticated request checks its session row. Requests that arrive while one check
# runs share the next one (batching.py): one connection and one statement per batch instead
# of one per request. A batch starts after the requests in it arrived, so a revocation
# committed before a request arrived is always seen.
SESSION_READS: Batcher[tuple[AsyncEngine, AccessClaims], Any] = Batcher(
    _read_sessions, max_size=256
)


async def load_viewer_shared(engine: AsyncEngine, settings: Settings, token: str) -> Viewer:
    """`load_viewer` for request handlers: the session check batched with concurrent
    requests' checks on PostgreSQL (one read each on other databases)."""
    if engine.dialect.driver != "asyncpg":
        async with read_only(engine) as conn:
            return await load_viewer(conn, settings, token)
    claims = decode_access_token(settings, token)
    row = await SESSION_READS.submit(engine, (engine, claims))
    return _viewer_from(claims, row)


async def _add_session(
    session: AsyncSession, settings: Settings, *, user: User, family_id: str | None, now: datetime
) -> TokenPair:
    assert user.id is not None
    session_id = secrets.token_urlsafe(24)
    refresh_token = secrets.token_urlsafe(32)
    refresh_expires_at = now + timedelta(days=settings.refresh_token_ttl_days)
    session.add(
        AuthSession(
            id=session_id,
            user_id=user.id,
            refresh_token_hash=hash_refresh_token(refresh_token),
            family_id=family_id or session_id,
            created_at=now,
            expires_at=refresh_expires_at,
        )
    )
    await session.flush()
    access_token, access_expires_at = mint_access_token(
        settings, user=user, session_id=session_id, now=now
    )
    return TokenPair(
        access_token=access_token,
        access_expires_at=access_expires_at,
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        session_id=session_id,
        user=user,
    )


async def start_session(
    session: AsyncSession, settings: Settings, *, user: User, now: datetime
) -> TokenPair:
    """A new login: a new session family."""
    user.last_login_at = now
    return await _add_session(session, settings, user=user, family_id=None, now=now)


async def revoke_family(session: AsyncSession, *, family_id: str, now: datetime) -> None:
    await session.execute(
        update(AuthSession)
        .where(col(AuthSession.family_id) == family_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )


async def revoke_session_of(session: AsyncSession, *, session_id: str, now: datetime) -> None:
    """Logout: the session's whole family, so no earlier rotation of it stays usable."""
    family_id = (
        await session.execute(
            select(col(AuthSession.family_id)).where(col(AuthSession.id) == session_id)
        )
    ).scalar_one_or_none()
    if family_id is not None:
        await revoke_family(session, family_id=family_id, now=now)


async def revoke_all_for_user(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    await session.execute(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )


async def refresh(
    factory: SessionFactory, settings: Settings, *, refresh_token: str, now: datetime
) -> TokenPair:
    """Rotates a refresh token. Takes the factory, not a session: when reuse is detected the
    family's revocation must be committed even though the caller gets an error."""
    if len(refresh_token) > REFRESH_TOKEN_MAX_LENGTH:
        raise Unauthenticated(REFRESH_INVALID_MESSAGE, field="refreshToken")
    async with transaction(factory) as session:
        current = (
            await session.execute(
                select(AuthSession).where(
                    col(AuthSession.refresh_token_hash) == hash_refresh_token(refresh_token)
                )
            )
        ).scalar_one_or_none()
        if current is None or current.revoked_at is not None or current.expires_at <= now:
            raise Unauthenticated(REFRESH_INVALID_MESSAGE, field="refreshToken")
        # Conditional update: of two concurrent refreshes with one token exactly one wins; the
        # other is indistinguishable from a replay and treated as one.
        won = cast(
            "CursorResult[Any]",
            await session.execute(
                update(AuthSession)
                .where(
                    col(AuthSession.id) == current.id,
                    col(AuthSession.rotated_at).is_(None),
                    col(AuthSession.revoked_at).is_(None),
                )
                .values(rotated_at=now)
            ),
        )
        if won.rowcount == 1:
            user = await session.get(User, current.user_id)
            if user is None or not can_sign_in(user):
                raise Unauthenticated(REFRESH_INVALID_MESSAGE, field="refreshToken")
            return await _add_session(
                session, settings, user=user, family_id=current.family_id, now=now
            )
        await revoke_family(session, family_id=current.family_id, now=now)
        logger.warning("refresh token reused: session family of user %s revoked", current.user_id)
    # Outside the block, so the revocation is committed although the caller gets an error.
    raise Unauthenticated(REFRESH_INVALID_MESSAGE, field="refreshToken")
