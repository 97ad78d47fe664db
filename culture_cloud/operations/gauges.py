"""What /metrics reads from the database at scrape time: the notification outbox and the
statistics rollup. They are facts of the database, not of a worker (the sender and the rollup
run as their own processes, on any host), so every scrape asks the database, cheaply: counts on
the outbox's (status, next_attempt_at) index and one watermark row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from culture_cloud.notifications.models import NOTIFICATION_TABLE, DeliveryStatus
from culture_cloud.statistics.models import ROLLUP_WATERMARK_TABLE
from culture_cloud.statistics.rollup import NAME as ROLLUP_NAME


@dataclass(frozen=True, slots=True)
class DatabaseGauges:
    pending: int
    due: int
    retrying: int
    failed: int
    oldest_due_seconds: float
    rollup_lag_seconds: float | None  # None: the rollup has never run


async def read_gauges(engine: AsyncEngine, now: datetime) -> DatabaseGauges:
    outbox = NOTIFICATION_TABLE.c
    pending = outbox.status == DeliveryStatus.PENDING
    due = pending & (outbox.next_attempt_at <= now)
    async with engine.connect() as conn:
        counts = (
            await conn.execute(
                select(
                    func.count().filter(pending),
                    func.count().filter(due),
                    func.count().filter(pending & outbox.last_error.is_not(None)),
                    func.count().filter(outbox.status == DeliveryStatus.FAILED),
                    func.min(outbox.next_attempt_at).filter(due),
                ).where(outbox.status.in_((DeliveryStatus.PENDING, DeliveryStatus.FAILED)))
            )
        ).one()
        watermark = (
            await conn.execute(
                select(ROLLUP_WATERMARK_TABLE.c.value).where(
                    ROLLUP_WATERMARK_TABLE.c.name == ROLLUP_NAME
                )
            )
        ).scalar_one_or_none()
    oldest: datetime | None = counts[4]
    return DatabaseGauges(
        pending=counts[0],
        due=counts[1],
        retrying=counts[2],
        failed=counts[3],
        oldest_due_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        rollup_lag_seconds=None if watermark is None else (now - watermark).total_seconds(),
    )


def exposition(gauges: DatabaseGauges | None) -> bytes:
    """The gauges in Prometheus' text format; None (the database did not answer) gives only
    `culture_cloud_database_up 0`, so an alert can tell "no backlog" from "no answer"."""
    from prometheus_client import CollectorRegistry, Gauge, generate_latest

    registry = CollectorRegistry()

    def gauge(name: str, doc: str, value: float) -> None:
        Gauge(name, doc, registry=registry).set(value)

    up = 0 if gauges is None else 1
    gauge("culture_cloud_database_up", "1 when the scrape's database queries answered", up)
    if gauges is None:
        return generate_latest(registry)
    gauge("culture_cloud_notifications_pending", "Outbox messages not yet sent", gauges.pending)
    gauge(
        "culture_cloud_notifications_due", "Pending messages whose send time has come", gauges.due
    )
    gauge(
        "culture_cloud_notifications_retrying",
        "Pending messages that failed at least once and wait for a retry",
        gauges.retrying,
    )
    gauge(
        "culture_cloud_notifications_failed",
        "Messages given up after the retry budget (all time)",
        gauges.failed,
    )
    gauge(
        "culture_cloud_notifications_oldest_due_seconds",
        "How long the oldest due message has waited (0: none waiting)",
        gauges.oldest_due_seconds,
    )
    if gauges.rollup_lag_seconds is not None:
        gauge(
            "culture_cloud_rollup_lag_seconds",
            "Seconds since the statistics rollup last completed",
            gauges.rollup_lag_seconds,
        )
    return generate_latest(registry)
