"""Idempotency records: a retried booking request gets the answer stored with the first one
(the record commits with the booking, so a retry finds both or neither)."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from culture_cloud.bookings.errors import BookingErrorCode as Code
from culture_cloud.bookings.errors import BookingFailed
from culture_cloud.bookings.models import Booking, IdempotencyRecord, IdempotentOutcome
from culture_cloud.bookings.requests import BookingRequest, BookingResult
from culture_cloud.bookings.rules import BookingRules


def new_record(
    rules: BookingRules,
    user_id: int,
    request: BookingRequest,
    fingerprint: str,
    booking_id: int,
    now: datetime,
) -> IdempotencyRecord:
    return IdempotencyRecord(
        user_id=user_id,
        key=request.idempotency_key,
        request_hash=fingerprint,
        booking_id=booking_id,
        outcome=IdempotentOutcome.CONFIRMED,
        created_at=now,
        expires_at=now + rules.idempotency_ttl,
    )


async def replay(
    session: AsyncSession, user_id: int, key: str, fingerprint: str, now: datetime
) -> BookingResult | None:
    record = (
        await session.execute(
            select(IdempotencyRecord).where(
                col(IdempotencyRecord.user_id) == user_id, col(IdempotencyRecord.key) == key
            )
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    return await answer_stored(session, record, fingerprint, now)


async def answer_stored(
    session: AsyncSession, record: Any, fingerprint: str, now: datetime
) -> BookingResult | None:
    """The stored answer for a request with a known key (IdempotencyRecord or
    hot_path.StoredRequest); None when the key has expired and may be used again."""
    if record.expires_at <= now:
        # Expired keys may be used again; the stale record goes now rather than at the purge.
        await session.execute(
            delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record.id)
        )
        return None
    if not hmac.compare_digest(record.request_hash, fingerprint):
        raise BookingFailed(
            Code.IDEMPOTENCY_CONFLICT,
            "该 idempotencyKey 已用于另一笔不同的预约请求",
            field="idempotencyKey",
        )
    booking = await session.get(Booking, record.booking_id)
    assert booking is not None
    return BookingResult(booking, record.outcome, replayed=True)


async def purge_expired_idempotency_records(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(col(IdempotencyRecord.expires_at) <= now)
        .returning(col(IdempotencyRecord.id))
    )
    return len(result.all())
