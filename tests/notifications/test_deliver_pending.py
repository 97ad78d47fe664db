"""Outbox delivery through the real WechatClient and the fake WeChat server (real HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from culture_cloud.catalog import models as catalog
from culture_cloud.db import transaction, utcnow
from culture_cloud.global_ids import to_global_id
from culture_cloud.identity import UserKind
from culture_cloud.notifications import enqueue
from culture_cloud.notifications.delivery import (
    DeliveryFailed,
    OutgoingMessage,
    Recipient,
    RetryPolicy,
    deliver_pending,
)
from culture_cloud.notifications.models import DeliveryStatus, NotificationKind
from culture_cloud.notifications.wechat import WechatSender
from culture_cloud.wechat import WechatClient
from tests.accounts.factories import add_user
from tests.catalog.factories import add_event
from tests.conftest import Database
from tests.notifications.conftest import TEMPLATES, Wechat
from tests.notifications.factories import add_notification, all_notifications, get_notification

POLICY = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=600, claim_seconds=300)


async def test_deliver__resident_with_openid__sent_as_subscribe_message(
    db: Database, wechat: Wechat, sender: WechatSender
) -> None:
    user = await add_user(db, openid="o-deliver-1")
    assert user.id is not None
    pk = await add_notification(
        db, user.id, title="预约成功：介休绵山清明寒食节文化旅游节开幕式", body="请准时到场"
    )
    now = utcnow()

    report = await deliver_pending(db.factory, sender, now=now, policy=POLICY)

    assert (report.claimed, report.sent) == (1, 1)
    [message] = wechat.sent
    assert message.touser == "o-deliver-1"
    assert message.template_id == TEMPLATES["booking_confirmed"]
    assert message.page == f"pages/notifications/index?id={to_global_id('Notification', pk)}"
    # WeChat `thing` values hold at most 20 characters.
    assert message.data["thing1"] == "预约成功：介休绵山清明寒食节文化旅游节…"
    assert len(message.data["thing1"]) == 20
    assert message.data["thing2"] == "请准时到场"
    row = await get_notification(db, pk)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (
        DeliveryStatus.SENT,
        1,
        now,
        None,
    )
    # Sent messages are not claimed again.
    again = await deliver_pending(db.factory, sender, now=now + timedelta(hours=1), policy=POLICY)
    assert again.claimed == 0 and len(wechat.sent) == 1


async def test_deliver__wechat_unavailable__retried_after_backoff_then_sent(
    db: Database, wechat: Wechat, sender: WechatSender
) -> None:
    user = await add_user(db, openid="o-deliver-2")
    assert user.id is not None
    pk = await add_notification(db, user.id)
    now = utcnow()
    wechat.fail_next(1)  # the access-token request gets a 503 page

    first = await deliver_pending(db.factory, sender, now=now, policy=POLICY)

    assert (first.claimed, first.sent, first.retrying) == (1, 0, 1)
    row = await get_notification(db, pk)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert row.last_error is not None and "503" in row.last_error
    # Not due before the backoff has passed.
    early = await deliver_pending(
        db.factory, sender, now=now + timedelta(seconds=59), policy=POLICY
    )
    assert early.claimed == 0

    second = await deliver_pending(
        db.factory, sender, now=now + timedelta(seconds=60), policy=POLICY
    )

    assert second.sent == 1 and len(wechat.sent) == 1
    row = await get_notification(db, pk)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, None)


async def test_deliver__user_refuses_subscription__failed_after_the_budget(
    db: Database, wechat: Wechat, sender: WechatSender
) -> None:
    user = await add_user(db, openid="o-deliver-3")
    assert user.id is not None
    pk = await add_notification(db, user.id)
    wechat.reject_subscriptions(True)  # errcode 43101
    now = utcnow()
    waits = []

    for _ in range(POLICY.max_attempts):
        report = await deliver_pending(db.factory, sender, now=now, policy=POLICY)
        assert report.claimed == 1
        row = await get_notification(db, pk)
        if row.next_attempt_at is not None:
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at

    row = await get_notification(db, pk)
    assert row.status is DeliveryStatus.FAILED
    assert row.attempts == POLICY.max_attempts
    assert row.last_error is not None and "43101" in row.last_error
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]  # exponential backoff
    assert wechat.sent == []
    later = await deliver_pending(db.factory, sender, now=now + timedelta(days=1), policy=POLICY)
    assert later.claimed == 0


async def test_deliver__no_openid_or_no_template__skipped(
    db: Database, wechat: Wechat, wechat_client: WechatClient
) -> None:
    staff = await add_user(db, kind=UserKind.ADMIN)  # signs in by password: no openid
    resident = await add_user(db, openid="o-deliver-4")
    assert staff.id is not None and resident.id is not None
    no_openid = await add_notification(db, staff.id)
    no_template = await add_notification(db, resident.id, kind=NotificationKind.REMINDER)
    partial = WechatSender(
        wechat_client, template_ids={"booking_confirmed": "tpl-booking_confirmed"}
    )

    report = await deliver_pending(db.factory, partial, now=utcnow(), policy=POLICY)

    assert (report.claimed, report.skipped, report.sent) == (2, 2, 0)
    for pk in (no_openid, no_template):
        row = await get_notification(db, pk)
        assert row.status is DeliveryStatus.SKIPPED and row.next_attempt_at is None
    assert wechat.sent == []


class _Flaky:
    """A sender whose outcome the test chooses per message id."""

    def __init__(self, outcomes: dict[int, Exception | None]) -> None:
        self.outcomes = outcomes
        self.calls: list[int] = []

    async def send(self, recipient: Recipient, message: OutgoingMessage) -> None:
        self.calls.append(message.id)
        outcome = self.outcomes.get(message.id)
        if outcome is not None:
            raise outcome


async def test_deliver__one_bad_message__others_still_sent(db: Database) -> None:
    user = await add_user(db, openid="o-deliver-5")
    assert user.id is not None
    ok = await add_notification(db, user.id)
    permanent = await add_notification(db, user.id)
    bug = await add_notification(db, user.id)
    sender = _Flaky(
        {
            permanent: DeliveryFailed("WeChat errcode 40037: invalid template_id", retryable=False),
            bug: RuntimeError("boom"),
        }
    )

    report = await deliver_pending(db.factory, sender, now=utcnow(), policy=POLICY)

    assert sorted(sender.calls) == [ok, permanent, bug]
    assert (report.sent, report.failed, report.retrying) == (1, 1, 1)
    assert (await get_notification(db, ok)).status is DeliveryStatus.SENT
    assert (await get_notification(db, permanent)).status is DeliveryStatus.FAILED
    crashed = await get_notification(db, bug)
    assert crashed.status is DeliveryStatus.PENDING
    assert crashed.last_error == "unexpected: RuntimeError"


async def test_deliver__batch_limits_the_claim_oldest_first(db: Database) -> None:
    user = await add_user(db, openid="o-deliver-6")
    assert user.id is not None
    pks = [await add_notification(db, user.id) for _ in range(5)]
    sender = _Flaky({})

    first = await deliver_pending(db.factory, sender, now=utcnow(), batch=3, policy=POLICY)
    second = await deliver_pending(db.factory, sender, now=utcnow(), batch=3, policy=POLICY)

    assert (first.sent, second.sent) == (3, 2)
    assert sorted(sender.calls[:3]) == pks[:3]
    assert sorted(sender.calls) == pks


async def test_deliver__expired_lease__message_taken_over_and_late_outcome_dropped(
    db: Database,
) -> None:
    """A worker that stalls past its lease loses the message to another worker, and its late
    outcome does not overwrite the other worker's."""
    user = await add_user(db, openid="o-deliver-7")
    assert user.id is not None
    pk = await add_notification(db, user.id)
    now = utcnow()

    class Stalling:
        async def send(self, recipient: Recipient, message: OutgoingMessage) -> None:
            # While this worker "hangs", the lease runs out and another worker sends it.
            taken_over = await deliver_pending(
                db.factory, _Flaky({}), now=now + timedelta(seconds=301), policy=POLICY
            )
            assert taken_over.sent == 1
            raise DeliveryFailed("too late anyway")

    report = await deliver_pending(db.factory, Stalling(), now=now, policy=POLICY)

    assert report.lost == 1
    row = await get_notification(db, pk)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


async def test_enqueue__duplicate_dedupe_key__ignored_without_breaking_the_transaction(
    db: Database,
) -> None:
    user = await add_user(db, openid="o-deliver-8")
    assert user.id is not None
    async with transaction(db.factory) as session:
        venue_event = await add_event(
            session, "秧歌表演", utcnow() + timedelta(days=3), capacity=10
        )
        first = await enqueue(
            session,
            user_id=user.id,
            kind=NotificationKind.REMINDER,
            title="明天活动提醒",
            body="秧歌表演 明天 10:00",
            data={"eventId": to_global_id("Event", venue_event.id or 0)},
            dedupe_key="reminder:1",
        )
        second = await enqueue(
            session,
            user_id=user.id,
            kind=NotificationKind.REMINDER,
            title="明天活动提醒",
            body="秧歌表演 明天 10:00",
            data={},
            dedupe_key="reminder:1",
        )
        # The surrounding (booking) transaction goes on working after the duplicate.
        await session.execute(
            update(catalog.Event)
            .where(col(catalog.Event.id) == venue_event.id)
            .values(booked_seats=1)
        )
    assert first is not None and second is None
    async with db.factory() as session:
        event = await session.get(catalog.Event, venue_event.id)
        assert event is not None and event.booked_seats == 1
    assert len(await all_notifications(db)) == 1


@pytest.mark.parametrize("attempts,expected", [(1, 60), (2, 120), (3, 240), (10, 600)])
def test_retry_policy__exponential_with_cap(attempts: int, expected: int) -> None:
    assert POLICY.delay(attempts) == timedelta(seconds=expected)
