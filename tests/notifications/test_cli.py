"""`culture-cloud send-notifications --once` and `send-reminders`, as cron would run them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from culture_cloud.bookings.models import Booking, BookingStatus
from culture_cloud.db import transaction, utcnow
from culture_cloud.notifications.models import DeliveryStatus, NotificationKind
from culture_cloud.testing.fake_wechat import FakeWechatServer
from culture_cloud.timeutil import local_day_start, local_today
from tests.accounts.factories import add_user
from tests.catalog.factories import add_event
from tests.conftest import Database
from tests.notifications.conftest import TEMPLATES, WECHAT_APPID, WECHAT_SECRET, Wechat
from tests.notifications.factories import add_notification, all_notifications

ROOT = Path(__file__).resolve().parents[2]


async def _cli(db: Database, server: FakeWechatServer, *args: str) -> str:
    env = {
        **os.environ,
        "CULTURE_CLOUD_DATABASE_URL": db.url,
        "CULTURE_CLOUD_ENVIRONMENT": "test",
        "CULTURE_CLOUD_WECHAT_BASE_URL": server.base_url,
        "CULTURE_CLOUD_WECHAT_APPID": WECHAT_APPID,
        "CULTURE_CLOUD_WECHAT_SECRET": WECHAT_SECRET,
        "CULTURE_CLOUD_WECHAT_TEMPLATE_IDS": json.dumps(TEMPLATES),
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "culture_cloud.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_cli__reminders_then_send_once__delivered_and_exits(
    db: Database, wechat: Wechat, fake_wechat_server: FakeWechatServer
) -> None:
    user = await add_user(db, openid="o-cli-1")
    assert user.id is not None
    await add_notification(db, user.id)
    tomorrow_10 = local_day_start(local_today(utcnow()) + timedelta(days=1)) + timedelta(hours=10)
    async with transaction(db.factory) as session:
        event = await add_event(session, "文庙祭孔大典", tomorrow_10, capacity=20)
        assert event.id is not None
        session.add(
            Booking(
                user_id=user.id,
                event_id=event.id,
                seats=1,
                status=BookingStatus.CONFIRMED,
                created_at=utcnow(),
            )
        )

    assert "reminders enqueued): 1" in await _cli(db, fake_wechat_server, "send-reminders")
    out = await _cli(db, fake_wechat_server, "send-notifications", "--once", "--batch", "1")

    assert "sent=1" in out
    rows = await all_notifications(db)
    assert [(r.kind, r.status) for r in rows] == [
        (NotificationKind.BOOKING_CONFIRMED, DeliveryStatus.SENT),
        (NotificationKind.REMINDER, DeliveryStatus.SENT),
    ]
    assert sorted(m.template_id for m in wechat.sent) == [
        TEMPLATES["booking_confirmed"],
        TEMPLATES["reminder"],
    ]
