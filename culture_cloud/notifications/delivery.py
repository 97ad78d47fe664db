"""Delivering the outbox: claim due PENDING rows, send each, record the outcome.

Claiming is one short transaction that pushes the rows' `next_attempt_at` past a lease and
counts the attempt; sending happens outside any transaction (no database connection waits on
WeChat), and each outcome is written in its own short transaction. On PostgreSQL the claim
skips rows another worker holds (`FOR UPDATE SKIP LOCKED`), so any number of workers can run;
SQLite runs one writer at a time, which serialises claims by itself. Delivery is at least
once: a worker that dies after sending but before recording leaves the row to be sent again
when its lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import col

from culture_cloud.accounts.models import User
from culture_cloud.db import SessionFactory, transaction
from culture_cloud.logsafe import format_safely
from culture_cloud.notifications.models import NOTIFICATION_TABLE, DeliveryStatus, NotificationKind
from culture_cloud.settings import Settings

logger = logging.getLogger("culture_cloud.notifications")

_ERROR_LENGTH: Final = 500


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    # None once the account is deleted (anonymised) or for staff, who sign in by password.
    openid: str | None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    id: int
    kind: NotificationKind
    title: str
    body: str
    data: Mapping[str, Any]
    created_at: datetime


class NoChannel(Exception):
    """The recipient cannot be reached on this channel; the message is SKIPPED, not retried."""


class DeliveryFailed(Exception):
    """The channel refused or failed. `retryable=False` means sending again cannot help."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class NotificationSender(Protocol):
    async def send(self, recipient: Recipient, message: OutgoingMessage) -> None:
        """Returns when the channel accepted the message; raises NoChannel or DeliveryFailed."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 60.0
    max_seconds: float = 3600.0
    claim_seconds: float = 600.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.notification_max_attempts,
            base_seconds=settings.notification_retry_base_seconds,
            max_seconds=settings.notification_retry_max_seconds,
            claim_seconds=settings.notification_claim_seconds,
        )

    def delay(self, attempts: int) -> timedelta:
        """Wait before attempt `attempts + 1`, after `attempts` failed ones (exponential)."""
        seconds = self.base_seconds * 2 ** max(0, min(attempts - 1, 30))
        return timedelta(seconds=min(seconds, self.max_seconds))


@dataclass(slots=True)
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    # Outcomes not recorded because the lease ran out and another worker took the row over.
    lost: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        if outcome == "sent":
            self.sent += 1
        elif outcome == "retrying":
            self.retrying += 1
        elif outcome == "failed":
            self.failed += 1
        else:
            self.skipped += 1


@dataclass(frozen=True, slots=True)
class _Claimed:
    recipient: Recipient
    message: OutgoingMessage
    attempts: int  # including the one just claimed


async def _claim(
    factory: SessionFactory, *, now: datetime, batch: int, lease: timedelta
) -> list[_Claimed]:
    due = (
        select(NOTIFICATION_TABLE.c.id)
        .where(
            NOTIFICATION_TABLE.c.status == DeliveryStatus.PENDING,
            NOTIFICATION_TABLE.c.next_attempt_at <= now,
        )
        .order_by(NOTIFICATION_TABLE.c.next_attempt_at, NOTIFICATION_TABLE.c.id)
        .limit(batch)
        # Rendered only on PostgreSQL; SQLite has no row locks and needs none (one writer).
        .with_for_update(skip_locked=True)
        # A materialised CTE runs once. As a plain `IN (subquery)` PostgreSQL may run the
        # subquery more than once and claim more rows than the limit (seen in the tests).
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    async with transaction(factory) as session:
        claimed = (
            await session.execute(
                update(NOTIFICATION_TABLE)
                # The outer conditions repeat the inner ones: on PostgreSQL a row changed by a
                # worker that committed meanwhile is re-checked against them, not taken twice.
                .where(
                    NOTIFICATION_TABLE.c.id.in_(select(due.c.id)),
                    NOTIFICATION_TABLE.c.status == DeliveryStatus.PENDING,
                    NOTIFICATION_TABLE.c.next_attempt_at <= now,
                )
                .values(attempts=NOTIFICATION_TABLE.c.attempts + 1, next_attempt_at=now + lease)
                .returning(
                    NOTIFICATION_TABLE.c.id,
                    NOTIFICATION_TABLE.c.user_id,
                    NOTIFICATION_TABLE.c.kind,
                    NOTIFICATION_TABLE.c.title,
                    NOTIFICATION_TABLE.c.body,
                    NOTIFICATION_TABLE.c.data,
                    NOTIFICATION_TABLE.c.attempts,
                    NOTIFICATION_TABLE.c.created_at,
                )
            )
        ).all()
        if not claimed:
            return []
        user_ids = {row.user_id for row in claimed}
        openids = dict(
            (
                await session.execute(
                    select(col(User.id), col(User.openid)).where(col(User.id).in_(user_ids))
                )
            ).all()
        )
    return [
        _Claimed(
            recipient=Recipient(user_id=row.user_id, openid=openids.get(row.user_id)),
            message=OutgoingMessage(
                id=row.id,
                kind=NotificationKind(row.kind),
                title=row.title,
                body=row.body,
                data=row.data or {},
                created_at=row.created_at,
            ),
            attempts=row.attempts,
        )
        for row in sorted(claimed, key=lambda r: r.id)
    ]


async def _record(factory: SessionFactory, item: _Claimed, *, values: dict[str, Any]) -> bool:
    """Writes an outcome unless another worker has taken the row over (its lease expired)."""
    async with transaction(factory) as session:
        result = await session.execute(
            update(NOTIFICATION_TABLE)
            .where(
                NOTIFICATION_TABLE.c.id == item.message.id,
                NOTIFICATION_TABLE.c.status == DeliveryStatus.PENDING,
                NOTIFICATION_TABLE.c.attempts == item.attempts,
            )
            .values(**values)
        )
    return cast("CursorResult[Any]", result).rowcount == 1


def _short(reason: str) -> str:
    return reason[:_ERROR_LENGTH]


def _outcome(
    item: _Claimed, error: Exception | None, *, now: datetime, policy: RetryPolicy
) -> tuple[str, dict[str, Any]]:
    """What to write for a send that ended with `error` (None: accepted)."""
    if error is None:
        return "sent", {
            "status": DeliveryStatus.SENT,
            "sent_at": now,
            "last_error": None,
            "next_attempt_at": None,
        }
    if isinstance(error, NoChannel):
        return "skipped", {
            "status": DeliveryStatus.SKIPPED,
            "last_error": _short(str(error)),
            "next_attempt_at": None,
        }
    if isinstance(error, DeliveryFailed):
        reason, retryable = _short(error.reason), error.retryable
    else:  # a bug or a surprise in the sender: its name only, the traceback is in the log
        reason, retryable = f"unexpected: {type(error).__name__}", True
    if retryable and item.attempts < policy.max_attempts:
        return "retrying", {
            "last_error": reason,
            "next_attempt_at": now + policy.delay(item.attempts),
        }
    return "failed", {
        "status": DeliveryStatus.FAILED,
        "last_error": reason,
        "next_attempt_at": None,
    }


async def _deliver_one(
    factory: SessionFactory,
    sender: NotificationSender,
    item: _Claimed,
    *,
    now: datetime,
    policy: RetryPolicy,
    report: DeliveryReport,
) -> None:
    error: Exception | None = None
    try:
        await sender.send(item.recipient, item.message)
    except (NoChannel, DeliveryFailed) as exc:
        error = exc
    except Exception as exc:  # one broken message must not stop the others
        logger.error(
            "notification %s: unexpected error while sending\n%s",
            item.message.id,
            format_safely(exc),
        )
        error = exc
    outcome, values = _outcome(item, error, now=now, policy=policy)
    if not await _record(factory, item, values=values):
        report.lost += 1
        logger.warning(
            "notification %s: lease expired before the outcome was recorded", item.message.id
        )
        return
    report.add(outcome)
    if error is not None:
        report.errors.append(f"{item.message.id}: {values['last_error']}")


async def deliver_pending(
    session_factory: SessionFactory,
    sender: NotificationSender,
    *,
    now: datetime,
    batch: int = 100,
    policy: RetryPolicy | None = None,
    concurrency: int = 8,
) -> DeliveryReport:
    """Sends up to `batch` due messages once each; returns what happened to them.

    Never raises for a message that fails: its row records the error and when to retry. A
    booking is never touched here, so delivery trouble cannot undo one.
    """
    policy = policy or RetryPolicy()
    report = DeliveryReport()
    claimed = await _claim(
        session_factory,
        now=now,
        batch=batch,
        lease=timedelta(seconds=policy.claim_seconds),
    )
    report.claimed = len(claimed)
    # A few sends in flight at once: one slow WeChat answer must not hold up the batch, and
    # more would only trip WeChat's rate limits.
    gate = asyncio.Semaphore(concurrency)

    async def run(item: _Claimed) -> None:
        async with gate:
            await _deliver_one(session_factory, sender, item, now=now, policy=policy, report=report)

    # Every send finishes (and is recorded) before a database error is passed on; the
    # messages of a failed recording come back when their lease ends.
    results = await asyncio.gather(*(run(item) for item in claimed), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return report
