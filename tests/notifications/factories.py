"""Builders for notification tests: outbox rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from culture_cloud.db import transaction
from culture_cloud.notifications import enqueue
from culture_cloud.notifications.models import Notification, NotificationKind
from tests.conftest import Database


async def add_notification(
    db: Database,
    user_id: int,
    *,
    kind: NotificationKind = NotificationKind.BOOKING_CONFIRMED,
    title: str = "预约成功",
    body: str = "您已成功预约「介休绵山清明寒食节」，请准时到场。",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int:
    async with transaction(db.factory) as session:
        pk = await enqueue(
            session,
            user_id=user_id,
            kind=kind,
            title=title,
            body=body,
            data=data or {},
            dedupe_key=dedupe_key,
        )
    assert pk is not None
    return pk


async def get_notification(db: Database, pk: int) -> Notification:
    async with db.factory() as session:
        row = (
            await session.execute(select(Notification).where(col(Notification.id) == pk))
        ).scalar_one()
        return row


async def all_notifications(db: Database) -> list[Notification]:
    async with db.factory() as session:
        rows = await session.execute(select(Notification).order_by(col(Notification.id)))
        return list(rows.scalars())
