"""Per-process fan-out of remaining seats: work once per change, push at most once per tick.

Every change reaches `publish` (the LISTEN connection on PostgreSQL, the after-commit hook on
SQLite, both through `local_broker`). For an event with subscribers in this process it keeps
only the latest figure and pushes it at most once per tick: the first change after a quiet
spell goes out at once, later ones wait for the tick and carry whatever is latest then, so the
final figure (sold out, reopened by a cancellation) always goes out. The tick stretches with
the process's subscribers (`push_interval`): every frame is a socket write (~30–60 µs of the
loop's time, most of it the kernel's send), so a process writes at most about
`frames_per_second` frames a second, between `tick_seconds` and `max_tick_seconds` apart, and
the rush it reports keeps most of the loop. A push runs the GraphQL
selection once per distinct document (`_Shape`), encodes it once, and hands every subscriber
the same bytes behind its own operation id (`Feed.offer`). Before this, each subscriber ran
its own execution and encoding (~90 µs each), blocking the loop that serves the bookings.

The same figures answer the website's `seats.json` polling (`cached_remaining`): at most one
tick old, re-read through one shared read when older.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from inspect import isawaitable
from typing import Any

import orjson
import strawberry
from graphql import ExecutionResult, Executor, GraphQLSchema, parse

from culture_cloud.live.feed import Feed, LiveOperation
from culture_cloud.live.seats import SeatsChanged
from culture_cloud.live.types import EventSeats

Remaining = int | None


class _Shape:
    """The subscribers of one event that sent the same document and variables: the payload
    for a figure is the same bytes for all of them."""

    def __init__(self, schema: GraphQLSchema, operation: LiveOperation, gid: str) -> None:
        built = Executor.build(
            schema,
            parse(operation.query),
            raw_variable_values=operation.variables,
            operation_name=operation.operation_name,
        )
        if isinstance(built, list):  # the document ran once already, so it is valid
            raise ValueError(f"eventSeats document does not execute: {built}")
        self._executor = built
        self._gid = strawberry.ID(gid)
        self.feeds: set[Feed] = set()
        self._value: object = object()
        self._suffix = ""

    def suffix(self, value: Remaining) -> str:
        """`,"type":"next","payload":{…}}` for the figure; cached for the last figure."""
        if value != self._value:
            event = EventSeats(event_id=self._gid, remaining_seats=value)
            result = self._executor.build_per_event_executor(event).execute_operation(False)
            if isawaitable(result) or not isinstance(result, ExecutionResult):
                raise TypeError("eventSeats fields must resolve synchronously")
            payload: dict[str, Any] = {"data": result.data}
            if result.errors:
                payload["errors"] = [error.formatted for error in result.errors]
            self._suffix = ',"type":"next","payload":' + orjson.dumps(payload).decode() + "}"
            self._value = value
        return self._suffix


@dataclass(eq=False)
class _Watch:
    """An event with subscribers in this process."""

    gid: str
    shapes: dict[tuple[str, str | None, bytes], _Shape] = field(default_factory=dict)
    latest: Remaining = None
    version: int = 0  # bumped by every published change
    last_push: float = float("-inf")
    timer: asyncio.TimerHandle | asyncio.Handle | None = None
    pushes: int = 0


@dataclass
class _Known:
    value: Remaining
    version: int  # bumped by every published change of the event
    read_at: float = float("-inf")  # when a read (which checked the event is public) confirmed it


class SeatsHub:
    def __init__(
        self,
        *,
        tick_seconds: float,
        stall_seconds: float,
        max_tick_seconds: float | None = None,
        frames_per_second: float | None = None,
    ) -> None:
        self.tick_seconds = tick_seconds
        self.max_tick_seconds = max(tick_seconds, max_tick_seconds or tick_seconds)
        self.frames_per_second = frames_per_second
        self.stall_seconds = stall_seconds
        self._subscribers = 0  # in this process, over all events
        self._watches: dict[int, _Watch] = {}
        self._known: dict[int, _Known] = {}
        self._reads: dict[int, asyncio.Future[Remaining]] = {}

    # -- changes -----------------------------------------------------------------------

    def publish(self, change: SeatsChanged) -> None:
        known = self._known.get(change.event_id)
        if known is not None:
            known.value, known.version = change.remaining, known.version + 1
        watch = self._watches.get(change.event_id)
        if watch is None:
            return
        watch.latest = change.remaining
        watch.version += 1
        if watch.timer is not None:
            return  # a push is due; it will carry this figure
        loop = asyncio.get_running_loop()
        wait = watch.last_push + self.push_interval() - loop.time()
        if wait <= 0:
            # Soon, not now: notifications that arrived together coalesce into one push.
            watch.timer = loop.call_soon(self._push, watch)
        else:
            watch.timer = loop.call_later(wait, self._push, watch)

    def _push(self, watch: _Watch) -> None:
        watch.timer = None
        now = watch.last_push = asyncio.get_running_loop().time()
        value = watch.latest
        watch.pushes += 1
        for shape in watch.shapes.values():
            suffix = shape.suffix(value)
            for feed in shape.feeds:
                feed.offer(value, suffix, now)

    def push_interval(self) -> float:
        """Seconds between two pushes of one event: the tick, stretched so that this process
        writes about `frames_per_second` frames a second (each push is one frame per
        subscriber), never beyond `max_tick_seconds`."""
        if not self.frames_per_second:
            return self.tick_seconds
        wanted = self._subscribers / self.frames_per_second
        return min(self.max_tick_seconds, max(self.tick_seconds, wanted))

    # -- subscribers ---------------------------------------------------------------------

    def watch(
        self, event_id: int, gid: str, operation: LiveOperation, schema: GraphQLSchema
    ) -> Feed:
        """Registers a subscriber before its first read, so no change slips in between."""
        watch = self._watches.get(event_id)
        if watch is None:
            watch = self._watches[event_id] = _Watch(gid=gid)
        key = operation.shape()
        shape = watch.shapes.get(key)
        if shape is None:
            shape = watch.shapes[key] = _Shape(schema, operation, gid)
        feed = Feed(operation, self.stall_seconds, joined_version=watch.version)
        shape.feeds.add(feed)
        self._subscribers += 1
        return feed

    def unwatch(self, event_id: int, feed: Feed) -> None:
        watch = self._watches.get(event_id)
        if watch is None:
            return
        key = feed.operation.shape()
        shape = watch.shapes.get(key)
        if shape is not None:
            if feed in shape.feeds:
                shape.feeds.discard(feed)
                self._subscribers -= 1
            if not shape.feeds:
                del watch.shapes[key]
        if not watch.shapes:
            if watch.timer is not None:
                watch.timer.cancel()
            del self._watches[event_id]

    def joined(self, event_id: int, feed: Feed, current: Remaining) -> None:
        """The subscriber's first value is `current`, read after `watch`. A figure published
        in between may be newer than what the read saw: it follows at once. (One published
        before is older than the read, whatever it says.)"""
        feed.shown = current
        watch = self._watches.get(event_id)
        if watch is not None and watch.version != feed.joined_version:
            shape = watch.shapes.get(feed.operation.shape())
            if shape is not None:
                now = asyncio.get_running_loop().time()
                feed.offer(watch.latest, shape.suffix(watch.latest), now)

    def event_ids(self) -> list[int]:
        return list(self._watches)

    def subscribers(self, event_id: int) -> int:
        watch = self._watches.get(event_id)
        return 0 if watch is None else sum(len(s.feeds) for s in watch.shapes.values())

    # -- the website's polling -------------------------------------------------------------

    async def cached_remaining(
        self, event_id: int, read: Callable[[], Awaitable[Remaining]]
    ) -> Remaining:
        """The figure at most one tick old: from the last read, kept current by published
        changes; else one read shared by every request that asks meanwhile. `read` must
        raise for events that are not public (nothing is cached then)."""
        known = self._known.get(event_id)
        if known is not None and time.monotonic() - known.read_at <= self.tick_seconds:
            return known.value
        pending = self._reads.get(event_id)
        if pending is None:
            pending = asyncio.ensure_future(self._read(event_id, read))
            self._reads[event_id] = pending
            pending.add_done_callback(partial(self._read_done, event_id))
        # Shielded: one impatient client going away must not cancel the others' read.
        return await asyncio.shield(pending)

    def _read_done(self, event_id: int, read: asyncio.Future[Remaining]) -> None:
        self._reads.pop(event_id, None)
        if not read.cancelled():
            read.exception()  # the waiters got it; nobody left waiting is not an error

    async def _read(self, event_id: int, read: Callable[[], Awaitable[Remaining]]) -> Remaining:
        # Known before reading, so that a change published during the read is recorded.
        known = self._known.setdefault(event_id, _Known(value=None, version=0))
        version = known.version
        value = await read()
        if known.version == version:
            known.value = value
        # else: a change published during the read is newer than what the read saw; keep it.
        known.read_at = time.monotonic()
        return known.value
