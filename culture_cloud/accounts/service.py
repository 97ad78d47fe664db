"""Account commands and queries: sign-in and the helpers administration.py shares.

Functions that call WeChat take the session factory and open their transaction only after the
network call, so no database transaction waits on WeChat. Every staff or administrator command
writes its audit entry in the same transaction as its change.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from culture_cloud.accounts import linking, passwords, ratelimit, tokens
from culture_cloud.accounts.models import User
from culture_cloud.accounts.sms.validation import is_mainland_mobile
from culture_cloud.actor import Actor
from culture_cloud.db import SessionFactory, transaction
from culture_cloud.errors import (
    BadInput,
    DomainError,
    NotFound,
    RateLimited,
    Refusal,
    ServiceUnavailable,
)
from culture_cloud.settings import Settings
from culture_cloud.text import clean_text
from culture_cloud.wechat import WechatClient, WechatError, WechatUnavailable

logger = logging.getLogger("culture_cloud.accounts")

USERNAME_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")
ORGANIZATION_KEY_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
PHONE_PATTERN: Final = re.compile(r"\+?[0-9][0-9-]{5,19}")

# jscode2session / getuserphonenumber: the code is unknown, expired or already used.
_BAD_CODE_ERRCODES: Final = frozenset({40029, 40163})
_BLOCKED_USER_ERRCODE: Final = 40226  # WeChat's "high-risk user" refusal
_WECHAT_RATE_LIMIT_ERRCODE: Final = 45011

WECHAT_UNAVAILABLE_MESSAGE: Final = "微信服务暂时不可用，请稍后重试"
# wx.login and getPhoneNumber codes are 32 characters today; anything far longer is not a code
# and is refused before it is sent to WeChat.
WECHAT_CODE_MAX_LENGTH: Final = 128


class LoginFailure(StrEnum):
    INVALID_CODE = "INVALID_CODE"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"


class LoginFailed(Refusal):
    """A login the user can retry differently; the API answers with a LoginError result."""

    reason: LoginFailure

    def __init__(self, reason: LoginFailure, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason = reason


def normalize_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str, *, field: str = "username") -> str:
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise BadInput("用户名须为 3–32 位小写字母、数字或 . _ -，并以字母或数字开头", field=field)
    return name


def check_phone(phone: str | None, *, field: str = "phone") -> str | None:
    phone = clean_text(phone, field=field, max_length=20)
    if phone is not None and not PHONE_PATTERN.fullmatch(phone):
        raise BadInput("手机号格式无效", field=field)
    return phone


def audit_snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of an account: roles and state, no personal data or secrets."""
    return {
        "kind": user.kind.value,
        "username": user.username,
        "organizationId": user.organization_id,
        "staffRole": user.staff_role.value if user.staff_role else None,
        "isActive": user.is_active,
        "isDesignatedReviewer": user.is_designated_reviewer,
    }


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def insert_unique(session: AsyncSession, row: Any, error: DomainError) -> None:
    """Adds `row`; a unique violation (a concurrent insert got there first) becomes `error`.
    A savepoint keeps the surrounding transaction usable on PostgreSQL."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise error from None


# --- sign-in ----------------------------------------------------------------------------------


async def login_with_wechat(
    factory: SessionFactory,
    settings: Settings,
    *,
    wechat: WechatClient,
    code: str,
    now: datetime,
) -> tokens.TokenPair:
    """Signs a resident in with a `wx.login` code, creating the account on first login.

    The identity is whatever WeChat says the code belongs to; the session_key is dropped here
    and never stored, returned or logged.
    """
    if not code.strip():
        raise LoginFailed(LoginFailure.INVALID_CODE, "登录码不能为空", field="code")
    if len(code) > WECHAT_CODE_MAX_LENGTH:
        raise LoginFailed(
            LoginFailure.INVALID_CODE, "微信登录码无效或已使用，请重新登录", field="code"
        )
    try:
        identity = await wechat.code_to_session(code.strip())
    except WechatError as exc:
        if exc.errcode in _BAD_CODE_ERRCODES:
            raise LoginFailed(
                LoginFailure.INVALID_CODE, "微信登录码无效或已使用，请重新登录", field="code"
            ) from None
        if exc.errcode == _BLOCKED_USER_ERRCODE:
            raise LoginFailed(
                LoginFailure.ACCOUNT_DISABLED, "该微信账号暂时无法登录，请联系客服"
            ) from None
        if exc.errcode == _WECHAT_RATE_LIMIT_ERRCODE:
            raise RateLimited("登录过于频繁，请稍后再试") from None
        # Our configuration (appid, secret) or a WeChat change: an incident, not the user's doing.
        logger.error("WeChat login failed: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    except WechatUnavailable as exc:
        logger.warning("WeChat login unavailable: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    openid, unionid = identity.openid, identity.unionid
    del identity  # holds the session_key, which this service has no use for

    async with transaction(factory) as session:
        user = await linking.resident_for_mini_program(
            session, openid=openid, unionid=unionid, now=now
        )
        if not tokens.can_sign_in(user):
            raise LoginFailed(LoginFailure.ACCOUNT_DISABLED, "该账号已停用，请联系管理员")
        return await tokens.start_session(session, settings, user=user, now=now)


def login_limits(settings: Settings, *, username: str, ip: str | None) -> list[ratelimit.Limit]:
    window = timedelta(seconds=settings.login_failure_window_seconds)
    minutes = max(1, settings.login_failure_window_seconds // 60)
    limits = [
        ratelimit.Limit(
            # Longer names cannot exist (USERNAME_PATTERN), so cutting them keeps keys bounded
            # without letting two real accounts share a bucket.
            key=f"login:account:{username[:64]}",
            max_count=settings.login_max_failures_per_account,
            window=window,
            message=f"该账号登录失败次数过多，请 {minutes} 分钟后再试",
        )
    ]
    if ip:
        limits.append(
            ratelimit.Limit(
                key=f"login:ip:{ip}",
                max_count=settings.login_max_failures_per_ip,
                window=window,
                message=f"登录失败次数过多，请 {minutes} 分钟后再试",
            )
        )
    return limits


async def login_with_password(
    factory: SessionFactory,
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str | None,
    now: datetime,
) -> tokens.TokenPair:
    """Staff and administrators. Failures count against the account and the client IP;
    successes do not (their reserved slot is released)."""
    name = normalize_username(username)
    # The account limit applies to names that do not exist too, so it reveals nothing.
    async with transaction(factory) as session:
        reservation = await ratelimit.reserve(
            session, login_limits(settings, username=name, ip=ip), now=now
        )
    async with factory() as session:
        user = (
            await session.execute(select(User).where(col(User.username) == name))
        ).scalar_one_or_none()
    # Always verify, against a dummy hash when there is no such account: answering faster for
    # unknown names would tell which names exist. Oversized input is not worth hashing.
    verified = len(password) <= passwords.MAX_PASSWORD_LENGTH and await passwords.verify_password(
        user.password_hash if user else None, password
    )
    if user is None or user.id is None or not verified:
        raise LoginFailed(LoginFailure.INVALID_CREDENTIALS, "用户名或密码错误", field="password")
    async with transaction(factory) as session:
        await ratelimit.release(session, reservation)
        user = await session.get(User, user.id)
        if user is None or not tokens.can_sign_in(user):
            raise LoginFailed(LoginFailure.ACCOUNT_DISABLED, "该账号已停用，请联系管理员")
        if user.password_hash and passwords.needs_rehash(user.password_hash):
            # Hashing parameters were raised since this password was set.
            user.password_hash = await passwords.hash_password(password)
        return await tokens.start_session(session, settings, user=user, now=now)


async def logout(session: AsyncSession, *, actor: Actor) -> None:
    await tokens.revoke_session_of(session, session_id=actor.viewer.session_id, now=actor.now)


async def bind_phone(
    factory: SessionFactory, *, wechat: WechatClient, actor: Actor, code: str
) -> User:
    """The phone number WeChat vouches for (getuserphonenumber), never one the client types;
    a resident's mainland number becomes their verified phone (accounts/linking.py)."""
    if not code.strip():
        raise BadInput("手机号授权码不能为空", field="code")
    if len(code) > WECHAT_CODE_MAX_LENGTH:
        raise BadInput("手机号授权码无效或已使用，请重新授权", field="code")
    try:
        phone = await wechat.phone(code.strip())
    except WechatError as exc:
        if exc.errcode in _BAD_CODE_ERRCODES:
            raise BadInput("手机号授权码无效或已使用，请重新授权", field="code") from None
        logger.error("WeChat phone number failed: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    except WechatUnavailable as exc:
        logger.warning("WeChat phone number unavailable: %s", exc)
        raise ServiceUnavailable(WECHAT_UNAVAILABLE_MESSAGE) from None
    mainland = phone.country_code in (None, "86") and is_mainland_mobile(phone.pure)
    try:
        async with transaction(factory) as session:
            user = await session.get(User, actor.viewer.user_id)
            if user is None:
                raise NotFound("账号不存在")
            await linking.set_verified_phone(
                session, user, phone=phone.pure, verified=mainland, now=actor.now
            )
            return user
    except IntegrityError:
        # Another resident verified the number meanwhile; any other refusal is unexpected.
        user_id = actor.viewer.user_id
        if mainland and await linking.phone_in_use_elsewhere(
            factory, phone=phone.pure, user_id=user_id
        ):
            raise linking.PhoneInUse(linking.PHONE_IN_USE_MESSAGE, field="code") from None
        raise
