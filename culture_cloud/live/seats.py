"""Cross-process "remaining seats changed" signals.

PostgreSQL: `pg_notify` inside the booking's own transaction, so listeners in every server
process hear it exactly when (and only if) the change commits. SQLite (single process,
development): an in-process broker fed after commit. Subscribers: culture_cloud.live.listener.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy import String, Text, case, cast, func, literal, null, text
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "event_seats"


@dataclass(frozen=True, slots=True)
class SeatsChanged:
    event_id: int
    remaining: int | None


class Tap(Protocol):
    """A fan-out that takes every change (live/hub.py's SeatsHub, one per app)."""

    def publish(self, change: SeatsChanged) -> None: ...

    def event_ids(self) -> list[int]: ...


class LocalBroker:
    """Where every change arrives in a process (from LISTEN on PostgreSQL, after commit on
    SQLite): handed to the taps (the app's SeatsHub) and to plain queues (subscriptions run
    outside a WebSocket handler, and tests)."""

    def __init__(self) -> None:
        self._queues: dict[int, set[asyncio.Queue[SeatsChanged]]] = defaultdict(set)
        self._taps: list[Tap] = []

    def add_tap(self, tap: Tap) -> None:
        self._taps.append(tap)

    def remove_tap(self, tap: Tap) -> None:
        if tap in self._taps:
            self._taps.remove(tap)

    def subscribe(self, event_id: int) -> asyncio.Queue[SeatsChanged]:
        queue: asyncio.Queue[SeatsChanged] = asyncio.Queue(maxsize=100)
        self._queues[event_id].add(queue)
        return queue

    def unsubscribe(self, event_id: int, queue: asyncio.Queue[SeatsChanged]) -> None:
        queues = self._queues.get(event_id)
        if queues is None:
            return
        queues.discard(queue)
        if not queues:
            del self._queues[event_id]

    def event_ids(self) -> list[int]:
        """Events somebody in this process is watching."""
        watched = set(self._queues)
        for tap in self._taps:
            watched.update(tap.event_ids())
        return sorted(watched)

    def publish(self, change: SeatsChanged) -> None:
        for tap in self._taps:
            tap.publish(change)
        for queue in list(self._queues.get(change.event_id, ())):
            if queue.full():  # a slow client gets the latest figure, not a backlog
                queue.get_nowait()
            queue.put_nowait(change)


local_broker = LocalBroker()


def encode(change: SeatsChanged) -> str:
    return orjson.dumps({"e": change.event_id, "r": change.remaining}).decode()


def decode(payload: str) -> SeatsChanged:
    data = orjson.loads(payload)
    return SeatsChanged(event_id=int(data["e"]), remaining=data["r"])


def pg_notify_remaining(event_id: Any, booked_seats: Any, capacity: Any) -> Any:
    """`pg_notify` of the same payload `encode` writes, computed inside a statement from the
    (booked_seats, capacity) columns it has just updated (bookings/hot_path.py)."""
    remaining = case((capacity.is_(None), null()), else_=func.greatest(capacity - booked_seats, 0))
    payload = func.json_build_object(
        literal("e", String), event_id, literal("r", String), remaining
    )
    return func.pg_notify(literal(CHANNEL, String), cast(payload, Text))


async def publish_seats_changed(
    session: AsyncSession, *, event_id: int, remaining: int | None
) -> None:
    """Call inside the transaction that changed the event's booked seats."""
    change = SeatsChanged(event_id=event_id, remaining=remaining)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": encode(change)},
        )
        return

    def after_commit(_session: object) -> None:
        local_broker.publish(change)

    sa_event.listen(session.sync_session, "after_commit", after_commit, once=True)
