"""The periodic jobs `culture-cloud` runs for systemd timers: the notification sender, the
reminders, no-shows and the statistics rollup. Each is safe on several hosts at once: a second
run stands aside (job_locks.single_run) or claims other rows (SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from culture_cloud.job_locks import single_run
from culture_cloud.settings import Settings

# A periodic job that another host is running right now (culture_cloud/job_locks.py).
SKIPPED = "另一台主机正在运行 {job}，本次跳过 (another host is running {job}: skipped)"


async def send_notifications(settings: Settings, *, once: bool, batch: int) -> None:
    import signal

    import httpx
    from sqlalchemy.exc import SQLAlchemyError

    from culture_cloud.db import create_engine, create_session_factory, is_outage, utcnow
    from culture_cloud.logsafe import describe, format_safely
    from culture_cloud.notifications.delivery import DeliveryReport, RetryPolicy, deliver_pending
    from culture_cloud.notifications.wechat import WechatSender
    from culture_cloud.server_setup import configure_logging
    from culture_cloud.wechat import WechatClient

    # Also keeps httpx from logging request URLs, which carry the WeChat access token.
    configure_logging(settings)
    logger = logging.getLogger("culture_cloud.notifications")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGTERM (systemd, docker stop) finishes the batch in hand instead of abandoning claimed
    # messages until their lease runs out.
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    engine = create_engine(settings)
    try:
        async with httpx.AsyncClient(timeout=settings.wechat_timeout_seconds) as http:
            client = WechatClient(
                base_url=settings.wechat_base_url,
                appid=settings.wechat_appid,
                secret=settings.wechat_secret,
                http=http,
            )
            try:
                sender = WechatSender.from_settings(client, settings)
            except ValueError as exc:
                sys.exit(f"配置有误 (configuration error): {exc}")
            factory = create_session_factory(engine)
            policy = RetryPolicy.from_settings(settings)
            while not stop.is_set():
                try:
                    report = await deliver_pending(
                        factory, sender, now=utcnow(), batch=batch, policy=policy
                    )
                except (OSError, SQLAlchemyError) as exc:
                    # The database is away: a cron run reports it; a service waits and retries.
                    # Never the exception's text: a failed statement's message quotes its row.
                    if once:
                        sys.exit(f"send-notifications: database error: {describe(exc)}")
                    if is_outage(exc):
                        logger.warning(
                            "send-notifications: database unavailable (%s); retrying",
                            type(exc).__name__,
                        )
                    else:
                        logger.error(
                            "send-notifications: database error; retrying\n%s", format_safely(exc)
                        )
                    report = DeliveryReport()
                if report.claimed:
                    print(
                        f"通知发送 (notifications): claimed={report.claimed} sent={report.sent} "
                        f"retrying={report.retrying} failed={report.failed} "
                        f"skipped={report.skipped} lost={report.lost}",
                        flush=True,
                    )
                if report.claimed == batch:
                    continue  # a backlog: go on without waiting
                if once:
                    break
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(settings.notification_poll_seconds):
                        await stop.wait()
    finally:
        await engine.dispose()


async def send_reminders(settings: Settings) -> None:
    from culture_cloud.bookings.reminders import send_reminders
    from culture_cloud.db import create_engine, create_session_factory, transaction, utcnow

    engine = create_engine(settings)
    try:
        async with single_run(engine, "send-reminders") as mine:
            if not mine:
                print(SKIPPED.format(job="send-reminders"))
                return
            async with transaction(create_session_factory(engine)) as session:
                created = await send_reminders(session, utcnow())
    finally:
        await engine.dispose()
    print(f"已加入提醒 (reminders enqueued): {created}")


async def mark_no_shows(settings: Settings) -> None:
    from culture_cloud.bookings.attendance import mark_no_shows
    from culture_cloud.bookings.idempotency import purge_expired_idempotency_records
    from culture_cloud.bookings.transactions import write_transaction
    from culture_cloud.db import create_engine, create_session_factory, utcnow

    engine = create_engine(settings)
    try:
        async with single_run(engine, "mark-no-shows") as mine:
            if not mine:
                print(SKIPPED.format(job="mark-no-shows"))
                return
            factory = create_session_factory(engine)
            now = utcnow()
            async with write_transaction(factory) as session:
                report = await mark_no_shows(session, now)
            async with write_transaction(factory) as session:
                purged = await purge_expired_idempotency_records(session, now)
    finally:
        await engine.dispose()
    print(
        f"未到场 {report.no_shows} 笔，候补关闭 {report.expired_waitlist} 笔，"
        f"清理过期幂等记录 {purged} 条 (no-shows marked, waitlists closed, keys purged)"
    )


async def rollup(settings: Settings, *, full: bool) -> None:
    from culture_cloud.db import create_engine, utcnow
    from culture_cloud.statistics.rollup import run_rollup

    engine = create_engine(settings)
    try:
        async with engine.begin() as conn:
            report = await run_rollup(conn, now=utcnow(), full=full)
    finally:
        await engine.dispose()
    mode = "全量" if report.full else "增量"
    print(f"统计汇总（{mode}）：重算活动 {report.events} 个 (events recounted)")
