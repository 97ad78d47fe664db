"""Sign-in by phone number and SMS code: `request_code` sends one, `login_with_code` checks it.

Each message costs money and a flood of them is abuse, so sending is limited per phone (one
per `sms_resend_interval_seconds`, so many per hour and per day), per client IP (per hour) and
in all (per day), with the database-backed counters of accounts/ratelimit.py. A send the
provider refused or that failed does not count against the phone's hourly and daily quota
(nothing reached the phone, or we cannot know that it did) and leaves no code behind; it still
counts against the IP and the daily total, so a broken provider is not hammered.

Codes are 6 digits, live `sms_code_ttl_seconds`, and allow `sms_code_max_attempts`
submissions; a new code replaces the phone's previous one. Only an HMAC of the code is stored.
Every submission first claims an attempt with one conditional UPDATE of the code's row, and
the successful one marks it used in the same transaction: two concurrent submissions of the
right code sign in once, and a burst of guesses gets no more than the allowed attempts.

Neither the code nor the full phone number is ever logged (privacy.mask_phone).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.accounts import linking, ratelimit, tokens
from culture_cloud.accounts.service import LoginFailed, LoginFailure
from culture_cloud.accounts.sms.models import SmsCode
from culture_cloud.accounts.sms.sender import SmsRejected, SmsSender, SmsUnavailable
from culture_cloud.accounts.sms.validation import CODE_LENGTH, CODE_PATTERN, normalize_phone
from culture_cloud.db import SessionFactory, transaction
from culture_cloud.errors import BadInput, RateLimited, Refusal, ServiceUnavailable, UserErrorCode
from culture_cloud.privacy import mask_phone
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.accounts.sms")

INVALID_CODE_MESSAGE: Final = "验证码错误或已失效，请重新获取"
UNAVAILABLE_MESSAGE: Final = "短信服务暂时不可用，请稍后重试"
# The provider's own per-phone flow control (Alibaba Cloud: per minute, hour and day).
_PROVIDER_RATE_LIMITS: Final = frozenset({"isv.BUSINESS_LIMIT_CONTROL"})
_PROVIDER_BAD_NUMBER: Final = frozenset(
    {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT"}
)
# Codes are kept this long after they were sent, then purged.
_RETENTION: Final = timedelta(days=2)


class SmsRefused(Refusal):
    """requestSmsCode refused for now: the payload error says when to try again."""

    reason = UserErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, field="phone")
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True, slots=True)
class SentCode:
    masked_phone: str
    expires_at: datetime
    resend_after_seconds: int


def _key(settings: Settings, purpose: bytes) -> bytes:
    # A key derived for one purpose from the secret key, as tokens.py does for its tokens.
    return hmac.new(settings.secret_key.encode(), purpose, hashlib.sha256).digest()


def code_hash(settings: Settings, phone: str, code: str) -> str:
    key = _key(settings, b"culture-cloud/sms-code/v1")
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def phone_key(settings: Settings, phone: str) -> str:
    """The phone's name in the rate-limit table: a keyed hash, so the counters hold no numbers."""
    key = _key(settings, b"culture-cloud/sms-phone/v1")
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()[:32]


def send_limits(settings: Settings, *, phone: str, ip: str | None) -> list[ratelimit.Limit]:
    phone_id = phone_key(settings, phone)
    limits = [
        ratelimit.Limit(
            key=f"sms:phone:{phone_id}:hour",
            max_count=settings.sms_max_per_phone_per_hour,
            window=timedelta(hours=1),
            message="该手机号获取验证码过于频繁，请 {wait}后再试",
        ),
        ratelimit.Limit(
            key=f"sms:phone:{phone_id}:day",
            max_count=settings.sms_max_per_phone_per_day,
            window=timedelta(days=1),
            message="该手机号今日获取验证码次数已达上限，请 {wait}后再试",
        ),
        ratelimit.Limit(
            key="sms:all:day",
            max_count=settings.sms_max_per_day,
            window=timedelta(days=1),
            message="今日短信发送量已达上限，请 {wait}后再试，或使用微信登录",
        ),
    ]
    if ip:
        limits.append(
            ratelimit.Limit(
                key=f"sms:ip:{ip}",
                max_count=settings.sms_max_per_ip_per_hour,
                window=timedelta(hours=1),
                message="获取验证码过于频繁，请 {wait}后再试",
            )
        )
    return limits


async def request_code(
    factory: SessionFactory,
    settings: Settings,
    *,
    sender: SmsSender,
    phone: str,
    ip: str | None,
    now: datetime,
) -> SentCode:
    phone = normalize_phone(phone)
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    async with transaction(factory) as session:
        try:
            # Also serialises the requests of one phone: they queue on its counter rows.
            reservation = await ratelimit.reserve(
                session, send_limits(settings, phone=phone, ip=ip), now=now
            )
        except RateLimited as exc:
            raise SmsRefused(
                exc.message, retry_after_seconds=exc.retry_after_seconds or 60
            ) from None
        await _check_resend_interval(session, settings, phone=phone, now=now)
        row_id = await _replace_code(session, settings, phone=phone, code=code, now=now)
    try:
        await sender.send_code(phone, code)
    except SmsRejected as exc:
        await _undo(factory, reservation, row_id)
        raise _rejection(exc, phone) from None
    except SmsUnavailable as exc:
        await _undo(factory, reservation, row_id)
        logger.warning("SMS to %s not sent: %s", mask_phone(phone), exc)
        raise ServiceUnavailable(UNAVAILABLE_MESSAGE) from None
    logger.info("SMS sign-in code sent to %s", mask_phone(phone))
    return SentCode(
        masked_phone=mask_phone(phone) or "",
        expires_at=now + timedelta(seconds=settings.sms_code_ttl_seconds),
        resend_after_seconds=settings.sms_resend_interval_seconds,
    )


async def _check_resend_interval(
    session: AsyncSession, settings: Settings, *, phone: str, now: datetime
) -> None:
    interval = settings.sms_resend_interval_seconds
    last = (
        await session.execute(
            select(func.max(col(SmsCode.created_at))).where(col(SmsCode.phone) == phone)
        )
    ).scalar_one_or_none()
    if last is None or interval <= 0:
        return
    waited = (now - last).total_seconds()
    if waited < interval:
        wait = max(1, math.ceil(interval - waited))
        raise SmsRefused(f"验证码已发送，请 {wait} 秒后再重新获取", retry_after_seconds=wait)


async def _replace_code(
    session: AsyncSession, settings: Settings, *, phone: str, code: str, now: datetime
) -> int:
    await session.execute(delete(SmsCode).where(col(SmsCode.created_at) < now - _RETENTION))
    # Only the newest code of a phone signs in.
    await session.execute(
        update(SmsCode)
        .where(col(SmsCode.phone) == phone, col(SmsCode.consumed_at).is_(None))
        .values(consumed_at=now)
    )
    row = SmsCode(
        phone=phone,
        code_hash=code_hash(settings, phone, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.sms_code_ttl_seconds),
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    return row.id


async def _undo(factory: SessionFactory, reservation: ratelimit.Reservation, row_id: int) -> None:
    """A failed send: the phone's quota back, and no code (nor resend interval) left behind."""
    phone_slots = tuple(slot for slot in reservation.slots if slot[0].startswith("sms:phone:"))
    async with transaction(factory) as session:
        await ratelimit.release(session, ratelimit.Reservation(phone_slots))
        await session.execute(delete(SmsCode).where(col(SmsCode.id) == row_id))


def _rejection(exc: SmsRejected, phone: str) -> Exception:
    masked = mask_phone(phone)
    if exc.code in _PROVIDER_RATE_LIMITS:
        logger.info("SMS to %s refused by the provider's flow control", masked)
        return SmsRefused("该手机号获取验证码过于频繁，请稍后再试", retry_after_seconds=60)
    if exc.code in _PROVIDER_BAD_NUMBER:
        logger.info("SMS to %s refused: %s", masked, exc.code)
        return BadInput("该手机号无法接收短信，请检查号码", field="phone")
    # Our account, signature, template or keys: an incident for the operator.
    logger.error("SMS to %s refused by the provider: %s", masked, exc)
    return ServiceUnavailable(UNAVAILABLE_MESSAGE)


class _Outcome(Enum):
    INVALID = "invalid"
    DISABLED = "disabled"


async def login_with_code(
    factory: SessionFactory, settings: Settings, *, phone: str, code: str, now: datetime
) -> tokens.TokenPair:
    """Signs in the resident whose verified phone this is, creating one on first sign-in.
    Wrong, expired, used and unknown codes all get the same answer."""
    phone = normalize_phone(phone)
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise LoginFailed(LoginFailure.INVALID_CODE, "请输入 6 位数字验证码", field="code")
    # The transaction commits whatever happened to the code (an attempt counted, the code
    # used), so failures are raised only after it.
    async with transaction(factory) as session:
        result = await _sign_in(session, settings, phone=phone, code=code, now=now)
    if result is _Outcome.INVALID:
        raise LoginFailed(LoginFailure.INVALID_CODE, INVALID_CODE_MESSAGE, field="code")
    if result is _Outcome.DISABLED:
        raise LoginFailed(LoginFailure.ACCOUNT_DISABLED, "该账号已停用，请联系管理员")
    return result


async def _sign_in(
    session: AsyncSession, settings: Settings, *, phone: str, code: str, now: datetime
) -> tokens.TokenPair | _Outcome:
    row_id = await live_code_id(session, phone=phone, now=now)
    if row_id is None or not await _claim(session, settings, row_id, phone, code, now):
        return _Outcome.INVALID
    user = await linking.resident_for_phone(session, phone=phone, now=now)
    if not tokens.can_sign_in(user):
        return _Outcome.DISABLED
    logger.info("resident %s signed in by SMS code (%s)", user.id, mask_phone(phone))
    return await tokens.start_session(session, settings, user=user, now=now)


async def live_code_id(session: AsyncSession, *, phone: str, now: datetime) -> int | None:
    return (
        await session.execute(
            select(col(SmsCode.id))
            .where(
                col(SmsCode.phone) == phone,
                col(SmsCode.consumed_at).is_(None),
                col(SmsCode.expires_at) > now,
            )
            .order_by(col(SmsCode.id).desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _claim(
    session: AsyncSession, settings: Settings, row_id: int, phone: str, code: str, now: datetime
) -> bool:
    """Counts one attempt and, for the right code, uses it. The first UPDATE holds the row's
    lock until the transaction ends: a concurrent submission waits, then finds it used."""
    max_attempts = settings.sms_code_max_attempts
    claimed = (
        await session.execute(
            update(SmsCode)
            .where(
                col(SmsCode.id) == row_id,
                col(SmsCode.consumed_at).is_(None),
                col(SmsCode.expires_at) > now,
                col(SmsCode.attempts) < max_attempts,
            )
            .values(attempts=col(SmsCode.attempts) + 1)
            .returning(col(SmsCode.code_hash), col(SmsCode.attempts))
        )
    ).first()
    if claimed is None:
        return False
    stored_hash, attempts = claimed
    if not hmac.compare_digest(stored_hash, code_hash(settings, phone, code)):
        if attempts >= max_attempts:
            logger.info("SMS code of %s dead after %d wrong attempts", mask_phone(phone), attempts)
        return False
    await session.execute(update(SmsCode).where(col(SmsCode.id) == row_id).values(consumed_at=now))
    return True
