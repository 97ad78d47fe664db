"""SeatsHub and Feed on their own: what happens when a socket's write never completes (a real
socket needs megabytes of unread frames before its writes block, so the blocked write is
played by a writer that never returns)."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from graphql import GraphQLSchema

from culture_cloud.live.feed import STALLED_CLOSE_CODE, Feed, LiveOperation
from culture_cloud.live.hub import SeatsHub
from culture_cloud.live.seats import SeatsChanged
from culture_cloud.schema import create_schema
from culture_cloud.settings import Settings

QUERY = "subscription($id: ID!) { eventSeats(eventId: $id) { remainingSeats } }"
GID = "RXZlbnQ6Nw=="  # Event:7


class Socket:
    def __init__(self, op_id: str, *, stuck: bool = False) -> None:
        self.frames: list[dict[str, object]] = []
        self.closed: list[int] = []
        self.stuck = stuck
        self.changed = asyncio.Event()  # set on every frame written and on close
        self.operation = LiveOperation(
            id=op_id,
            query=QUERY,
            variables={"id": GID},
            operation_name=None,
            send_text=self.send_text,
            close=self.close,
        )

    async def send_text(self, frame: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()  # the peer's window is full, forever
        self.frames.append(orjson.loads(frame))
        self.changed.set()

    async def close(self, code: int, reason: str) -> None:
        self.closed.append(code)
        self.changed.set()

    def values(self) -> list[object]:
        return [f["payload"]["data"]["eventSeats"]["remainingSeats"] for f in self.frames]  # type: ignore[index]


async def _stop(hub: SeatsHub, pumps: list[asyncio.Task[None]], feeds: list[Feed]) -> None:
    """Ends the feeds' pumps (as their operations' cancellation does) and unwatches event 7."""
    for pump in pumps:
        pump.cancel()
    await asyncio.gather(*pumps, return_exceptions=True)
    for feed in feeds:
        hub.unwatch(7, feed)


def _schema() -> GraphQLSchema:
    schema: GraphQLSchema = create_schema(Settings(environment="test"))._schema
    return schema


async def test_stuck_socket__others_get_every_push__stuck_one_closed_1013() -> None:
    hub = SeatsHub(tick_seconds=0.02, stall_seconds=0.2)
    schema = _schema()
    sockets = [Socket("s", stuck=True), *(Socket(str(i)) for i in range(3))]
    feeds = [hub.watch(7, GID, s.operation, schema) for s in sockets]
    for feed in feeds:
        hub.joined(7, feed, 10)
    pumps = [asyncio.create_task(feed.pump()) for feed in feeds]
    try:
        for remaining in (9, 8, 7):
            hub.publish(SeatsChanged(event_id=7, remaining=remaining))
            await asyncio.sleep(0.03)  # one push per tick
        async with asyncio.timeout(1):
            for s in sockets[1:]:
                while s.values()[-1:] != [7]:
                    await s.changed.wait()
                    s.changed.clear()
        # The others were not held back by the stuck write, which is still blocked.
        assert feeds[0].sending_since is not None and not sockets[0].closed
        assert all(s.values() == [9, 8, 7] for s in sockets[1:])
        assert all(s.frames[0]["id"] == s.operation.id for s in sockets[1:])

        # Its write has now been blocked past the limit: the next figure closes it, 1013.
        await asyncio.sleep(0.25 - (asyncio.get_running_loop().time() - feeds[0].sending_since))
        hub.publish(SeatsChanged(event_id=7, remaining=6))
        async with asyncio.timeout(1):
            await sockets[0].changed.wait()
        assert sockets[0].closed == [STALLED_CLOSE_CODE] and sockets[0].frames == []
        assert feeds[0].stalled and feeds[0].pending is None
        # Closed, it is offered nothing more; the others go on.
        for remaining in range(5, 0, -1):
            hub.publish(SeatsChanged(event_id=7, remaining=remaining))
        await asyncio.sleep(0.05)
        assert sockets[1].values()[-1] == 1
    finally:
        await _stop(hub, pumps, feeds)
    assert hub.event_ids() == []


async def test_cached_remaining__one_read_for_many_pollers__changes_kept() -> None:
    hub = SeatsHub(tick_seconds=10, stall_seconds=1)
    reads = 0
    started, release = asyncio.Event(), asyncio.Event()

    async def read() -> int | None:
        nonlocal reads
        reads += 1
        started.set()
        await release.wait()
        return 20

    waiting = [asyncio.create_task(hub.cached_remaining(7, read)) for _ in range(50)]
    await started.wait()  # the read is under way
    # A change published while the read is on its way is newer than what it will return.
    hub.publish(SeatsChanged(event_id=7, remaining=19))
    release.set()
    assert await asyncio.gather(*waiting) == [19] * 50
    assert reads == 1
    hub.publish(SeatsChanged(event_id=7, remaining=18))
    assert await hub.cached_remaining(7, read) == 18 and reads == 1


async def test_joined__figure_published_before_the_read__not_pushed_over_it() -> None:
    """A latecomer's own read wins over an older published figure (a change that sent no
    signal, an operator's edit, happened in between); one published during its read follows."""
    hub = SeatsHub(tick_seconds=0.01, stall_seconds=1)
    schema = _schema()
    early, late, later = Socket("a"), Socket("b"), Socket("c")
    first = hub.watch(7, GID, early.operation, schema)
    hub.joined(7, first, 10)
    hub.publish(SeatsChanged(event_id=7, remaining=5))

    second = hub.watch(7, GID, late.operation, schema)
    hub.joined(7, second, 12)  # read after the publish: the database said 12
    assert second.pending is None

    third = hub.watch(7, GID, later.operation, schema)
    hub.publish(SeatsChanged(event_id=7, remaining=4))  # during its read
    hub.joined(7, third, 12)
    assert third.pending_value == 4 and third.pending is not None
    for feed in (first, second, third):
        hub.unwatch(7, feed)


async def test_push_interval__stretches_with_subscribers__final_figure_still_goes_out() -> None:
    """Each push is a socket write per subscriber: with many subscribers in the process the
    tick stretches (up to its maximum) so the writes leave the loop to the bookings; the
    last figure of a burst still arrives, one stretched tick later at most."""
    hub = SeatsHub(tick_seconds=0.01, max_tick_seconds=0.08, frames_per_second=100, stall_seconds=1)
    schema = _schema()
    assert hub.push_interval() == 0.01  # nobody watching: the plain tick
    sockets = [Socket(str(i)) for i in range(4)]
    feeds = [hub.watch(7, GID, s.operation, schema) for s in sockets]
    assert hub.push_interval() == pytest.approx(0.04)  # 4 subscribers / 100 frames a second
    more = [Socket(f"m{i}") for i in range(20)]
    extra = [hub.watch(8, GID, s.operation, schema) for s in more]
    assert hub.push_interval() == 0.08  # 24 / 100 = 0.24 s, capped
    for feed in extra:
        hub.unwatch(8, feed)
    hub.unwatch(8, extra[0])  # twice: counted once
    assert hub.push_interval() == pytest.approx(0.04)

    for feed in feeds:
        hub.joined(7, feed, 100)
    pumps = [asyncio.create_task(feed.pump()) for feed in feeds]
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for remaining in range(99, 49, -1):  # a burst: 50 changes in ~0.1 s
            hub.publish(SeatsChanged(event_id=7, remaining=remaining))
            await asyncio.sleep(0.002)
        async with asyncio.timeout(1):
            for s in sockets:
                while s.values()[-1:] != [50]:
                    await s.changed.wait()
                    s.changed.clear()
        # The first change went out at once, then one push per stretched tick: a handful of
        # frames for 50 changes, each subscriber ending on the final figure.
        elapsed = loop.time() - started
        for s in sockets:
            assert s.values()[0] == 99 and s.values()[-1] == 50
            assert len(s.values()) <= 2 + elapsed / 0.04
    finally:
        await _stop(hub, pumps, feeds)
    assert hub.push_interval() == 0.01
