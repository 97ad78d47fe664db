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
from culture_cloud.live.feed import current_operation
from culture_cloud.live.seats import local_broker
from culture_cloud.live.types import EventSeats

logger = logging.getLogger("culture_cloud.live")

LISTENER_READY_TIMEOUT_SECONDS: Final = 5.0


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="活动剩余名额：先推送当前值，之后有变化时推送最新值（同一活动每个节拍至多一次）"
        "（仅 graphql-transport-ws，connection_init 携带 authorization）",
    )
    async def event_seats(
        self, info: Info, event_id: strawberry.ID
    ) -> AsyncGenerator[EventSeats, None]:
        pk = expect_global_id(event_id, "Event", field="eventId")
        gid = strawberry.ID(to_global_id("Event", pk))
        context = info.context
        hub = context.seats_hub if isinstance(context, SubscriptionContext) else None
        operation = current_operation.get()
        if hub is None or operation is None:
            # Not run by our WebSocket handler (schema.subscribe in a test, say): one
            # execution per change, as any subscription.
            async for value in _each_change(info, pk, gid):
                yield value
            return
        # Watch before reading: a change committed in between is then pushed, not lost.
        feed = hub.watch(pk, gid, operation, info.schema._schema)
        try:
            current = await _current(info, pk)
            hub.joined(pk, feed, current)
            yield EventSeats(event_id=gid, remaining_seats=current)
            # From here on the hub builds each change's frame once for every subscriber of
            # the event and this operation's task only writes it (live/hub.py).
            await feed.pump()
        finally:
            hub.unwatch(pk, feed)


async def _current(info: Info, pk: int) -> int | None:
    context = info.context
    listener = context.seats_listener if isinstance(context, SubscriptionContext) else None
    if listener is not None and not await listener.wait_ready(LISTENER_READY_TIMEOUT_SECONDS):
        # Still worth answering: the figure is right now, and changes follow once the
        # listener is back (it re-publishes watched events on reconnect).
        logger.warning("eventSeats: seat listener not ready; changes may be late")
    async with context.read() as conn:
        return await service.current_remaining(conn, pk)


async def _each_change(info: Info, pk: int, gid: strawberry.ID) -> AsyncGenerator[EventSeats, None]:
    queue = local_broker.subscribe(pk)
    try:
        last = await _current(info, pk)
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
