"""Several delivery workers on one PostgreSQL outbox never send a message twice; a control run
with a naive worker shows that the duplicate check would catch it."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from culture_cloud.db import create_engine, create_session_factory, transaction, utcnow
from culture_cloud.notifications.delivery import (
    OutgoingMessage,
    Recipient,
    RetryPolicy,
    deliver_pending,
)
from culture_cloud.notifications.models import DeliveryStatus, Notification, NotificationKind
from culture_cloud.notifications.wechat import WechatSender
from tests.accounts.factories import add_user
from tests.conftest import Database
from tests.notifications.conftest import Wechat
from tests.notifications.factories import add_notification, all_notifications

MESSAGES = 120
WORKERS = 4


async def _users_with_messages(db: Database) -> None:
    users = [await add_user(db, openid=f"o-race-{i}") for i in range(6)]
    for i in range(MESSAGES):
        user_id = users[i % len(users)].id
        assert user_id is not None
        await add_notification(db, user_id, title=f"通知 {i}")


def _duplicates(wechat: Wechat) -> dict[str, int]:
    pages = Counter(message.page or "" for message in wechat.sent)
    return {page: n for page, n in pages.items() if n > 1}


@pytest.mark.postgres_only
async def test_deliver__concurrent_workers__each_message_sent_once(
    db: Database, wechat: Wechat, sender: WechatSender
) -> None:
    if db.backend != "postgres":
        pytest.skip("several workers need row locks (FOR UPDATE SKIP LOCKED): PostgreSQL only")
    await _users_with_messages(db)
    # One engine per worker, as separate processes would have.
    engines = [create_engine(db.settings) for _ in range(WORKERS)]
    policy = RetryPolicy()

    async def worker(index: int) -> int:
        factory = create_session_factory(engines[index])
        sent = 0
        while True:
            report = await deliver_pending(factory, sender, now=utcnow(), batch=10, policy=policy)
            if report.claimed == 0:
                return sent
            sent += report.sent

    try:
        async with asyncio.timeout(60):
            per_worker = await asyncio.gather(*(worker(i) for i in range(WORKERS)))
    finally:
        for engine in engines:
            await engine.dispose()

    assert sum(per_worker) == MESSAGES
    assert sum(1 for n in per_worker if n) > 1, f"only one worker did anything: {per_worker}"
    assert len(wechat.sent) == MESSAGES
    assert _duplicates(wechat) == {}
    rows = await all_notifications(db)
    assert all(row.status is DeliveryStatus.SENT and row.attempts == 1 for row in rows)


@pytest.mark.postgres_only
async def test_deliver__naive_select_then_send__would_be_caught(
    db: Database, wechat: Wechat, sender: WechatSender
) -> None:
    """Control: read due rows, send, mark sent — without claiming. The same check fails."""
    if db.backend != "postgres":
        pytest.skip("the control belongs with the PostgreSQL test it validates")
    await _users_with_messages(db)

    async def naive_worker() -> None:
        async with db.factory() as session:
            rows = (
                await session.execute(
                    select(Notification).where(col(Notification.status) == DeliveryStatus.PENDING)
                )
            ).scalars()
            due = [(row.id, row.user_id, row.title) for row in rows]
        for pk, user_id, title in due:
            assert pk is not None
            await sender.send(
                Recipient(user_id=user_id, openid=f"o-race-{user_id}"),
                OutgoingMessage(
                    id=pk,
                    kind=NotificationKind.BOOKING_CONFIRMED,
                    title=title,
                    body="",
                    data={},
                    created_at=utcnow(),
                ),
            )
            async with transaction(db.factory) as session:
                await session.execute(
                    update(Notification)
                    .where(col(Notification.id) == pk)
                    .values(status=DeliveryStatus.SENT)
                )

    async with asyncio.timeout(60):
        await asyncio.gather(*(naive_worker() for _ in range(WORKERS)))

    assert _duplicates(wechat), "the naive worker should have sent duplicates"
