"""`eventSeats(eventId)`: the remaining seats now, then every change, across all processes."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Final

import strawberry

from culture_cloud.global_ids import expect_global_id, to_global_id
from culture_cloud.graphql.context import Info
from culture_cloud.graphql.permissions import IsAuthenticated
from culture_cloud.live import service
from culture_cloud.live.context import SubscriptionContext
from culture_cloud.live.seats import local_broker
from culture_cloud.live.types import EventSeats

logger = logging.getLogger("culture_cloud.live")

LISTENER_READY_TIMEOUT_SECONDS: Final = 5.0


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="活动剩余名额：先推送当前值，之后每次变化推送一次"
        "（仅 graphql-transport-ws，connection_init 携带 authorization）",
    )
    async def event_seats(
        self, info: Info, event_id: strawberry.ID
    ) -> AsyncGenerator[EventSeats, None]:
        pk = expect_global_id(event_id, "Event", field="eventId")
        gid = strawberry.ID(to_global_id("Event", pk))
        # Subscribe before reading: a change committed in between is then queued, not lost.
        queue = local_broker.subscribe(pk)
        try:
            context = info.context
            listener = context.seats_listener if isinstance(context, SubscriptionContext) else None
            if listener is not None and not await listener.wait_ready(
                LISTENER_READY_TIMEOUT_SECONDS
            ):
                # Still worth answering: the figure is right now, and changes follow once the
                # listener is back (it re-publishes watched events on reconnect).
                logger.warning("eventSeats: seat listener not ready; changes may be late")
            async with info.context.read() as conn:
                last = await service.current_remaining(conn, pk)
            yield EventSeats(event_id=gid, remaining_seats=last)
            while True:
                change = await queue.get()
                # Several processes, a resync after reconnect or a cancelled-then-rebooked seat
                # can repeat a figure; clients only want changes.
                if change.remaining == last:
                    continue
                last = change.remaining
                yield EventSeats(event_id=gid, remaining_seats=last)
        finally:
            local_broker.unsubscribe(pk, queue)
