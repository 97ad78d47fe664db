"""The sender and the periodic jobs run on several hosts at once (cron or a systemd timer on
each): started twice side by side (the sender and the reminders as real processes) on one
PostgreSQL database, every message
is sent once, every reminder enqueued once, every no-show marked (and its seats released) once,
and the rollup counts right. The advisory lock that keeps duplicate job runs idle is shown to
hold while a run works and to go with it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from culture_cloud import cli_jobs
from culture_cloud.bookings.models import BOOKING_TABLE, Booking, BookingStatus
from culture_cloud.catalog.models import EVENT_TABLE
from culture_cloud.db import create_engine, transaction, utcnow
from culture_cloud.job_locks import single_run
from culture_cloud.notifications.models import DeliveryStatus, NotificationKind
from culture_cloud.statistics.models import EVENT_BOOKING_STATS_TABLE
from culture_cloud.testing.fake_wechat import FakeWechatServer
from culture_cloud.timeutil import local_day_start, local_today
from tests.accounts.factories import add_user
from tests.catalog.factories import add_event
from tests.conftest import Database
from tests.notifications.conftest import Wechat
from tests.notifications.factories import add_notification, all_notifications
from tests.notifications.test_cli import _cli

PENDING = 30


async def _twice(db: Database, server: FakeWechatServer, *args: str) -> list[str]:
    return list(await asyncio.gather(_cli(db, server, *args), _cli(db, server, *args)))


async def test_jobs__two_hosts_at_once__every_effect_once(
    pg: Database, wechat: Wechat, fake_wechat_server: FakeWechatServer
) -> None:
    db = pg
    users = [await add_user(db, openid=f"o-hosts-{i}") for i in range(5)]
    ids = [user.id for user in users if user.id is not None]
    tomorrow_10 = local_day_start(local_today(utcnow()) + timedelta(days=1)) + timedelta(hours=10)
    async with transaction(db.factory) as session:
        coming = await add_event(session, "文庙祭孔大典", tomorrow_10, capacity=20, booked_seats=3)
        ended = await add_event(
            session, "绵山寒食清明文化节", utcnow() - timedelta(days=2), capacity=20, booked_seats=4
        )
        assert coming.id is not None and ended.id is not None
        for user_id in ids[:3]:
            session.add(_confirmed(user_id, coming.id, seats=1))
        for user_id in ids[3:5]:
            session.add(_confirmed(user_id, ended.id, seats=2))
    for i in range(PENDING):
        await add_notification(db, ids[i % len(ids)], title=f"通知 {i}")

    await _twice(db, fake_wechat_server, "send-reminders")
    rows = await all_notifications(db)
    reminders = [row for row in rows if row.kind is NotificationKind.REMINDER]
    assert len(reminders) == 3

    # Small batches, so both processes claim while the other sends (the claim's SKIP LOCKED).
    await _twice(db, fake_wechat_server, "send-notifications", "--once", "--batch", "5")
    rows = await all_notifications(db)
    assert all(row.status is DeliveryStatus.SENT and row.attempts == 1 for row in rows)
    assert len(wechat.sent) == len(rows) == PENDING + 3
    pages = Counter(message.page for message in wechat.sent)
    assert all(n == 1 for n in pages.values()), pages

    # The jobs below as the command runs them, twice at once in this process (each run makes
    # its own engine, as a host would): the same code path without two more process starts.
    settings = db.settings
    await asyncio.gather(cli_jobs.mark_no_shows(settings), cli_jobs.mark_no_shows(settings))
    async with db.engine.connect() as conn:
        statuses = (
            await conn.execute(
                select(BOOKING_TABLE.c.status).where(BOOKING_TABLE.c.event_id == ended.id)
            )
        ).scalars()
        assert sorted(statuses) == [BookingStatus.NO_SHOW, BookingStatus.NO_SHOW]
        booked = (
            await conn.execute(
                select(EVENT_TABLE.c.booked_seats).where(EVENT_TABLE.c.id == ended.id)
            )
        ).scalar_one()
    assert booked == 0  # 4 seats released once, not twice

    await asyncio.gather(
        cli_jobs.rollup(settings, full=False), cli_jobs.rollup(settings, full=False)
    )
    async with db.engine.connect() as conn:
        stats = dict(
            (
                await conn.execute(
                    select(
                        EVENT_BOOKING_STATS_TABLE.c.event_id, EVENT_BOOKING_STATS_TABLE.c.bookings
                    )
                )
            ).all()
        )
    assert stats == {coming.id: 3, ended.id: 2}


def _confirmed(user_id: int, event_id: int, *, seats: int) -> Booking:
    return Booking(
        user_id=user_id,
        event_id=event_id,
        seats=seats,
        status=BookingStatus.CONFIRMED,
        created_at=utcnow(),
    )


async def test_single_run__held_elsewhere__second_run_stands_aside(pg: Database) -> None:
    # Separate engines, as separate hosts have.
    first, second = create_engine(pg.settings), create_engine(pg.settings)
    try:
        async with single_run(first, "send-reminders") as mine:
            assert mine
            async with single_run(second, "send-reminders") as theirs:
                assert not theirs
            async with single_run(second, "mark-no-shows") as other_job:
                assert other_job  # one job's lock never blocks another job
        async with single_run(second, "send-reminders") as later:
            assert later  # released when the first run ended
    finally:
        await first.dispose()
        await second.dispose()


async def test_single_run__sqlite__always_granted(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite's case (one writer, one host); PostgreSQL's is above")
    async with (
        single_run(db.engine, "send-reminders") as mine,
        single_run(db.engine, "send-reminders") as again,
    ):
        assert mine and again
