"""The per-process LISTEN connection: reconnects after losing the database, catches up on
what it missed, and stops cleanly."""

from __future__ import annotations

import asyncio

import asyncpg  # type: ignore[import-untyped]

from culture_cloud.live.listener import APPLICATION_NAME, SeatsListener, asyncpg_dsn
from culture_cloud.live.seats import LocalBroker, SeatsChanged
from tests.conftest import Database
from tests.live.conftest import TIMEOUT, book_seats, live_data, serve_in_process, ws_client
from tests.support.settings import settings_for


async def _kill_listeners(db: Database) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(db.url))
    try:
        killed = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            APPLICATION_NAME,
        )
    finally:
        await conn.close()
    return int(killed)


async def test_listener__connection_killed__reconnects_and_catches_up(
    db: Database, postgres_only: None
) -> None:
    data = await live_data(db, capacity=20, booked=0)
    async with serve_in_process(settings_for(db)) as server, ws_client(server) as ws:
        assert server.app is not None
        listener: SeatsListener = server.app.state.seats_listener
        await ws.init(data.token)
        op = await ws.subscribe(data.event_gid)
        assert await ws.next_seats(op) == 20

        assert await _kill_listeners(db) == 1
        async with asyncio.timeout(TIMEOUT):
            # Polling: the listener has an event for "ready", none for "lost".
            while listener.ready.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        # Committed while nobody in this process listens: NOTIFY will not repeat it, the
        # re-read after reconnecting does.
        await book_seats(db, data.event_id, 5)

        assert await ws.next_seats(op) == 15
        assert listener.connects == 2
        await book_seats(db, data.event_id, 1)
        assert await ws.next_seats(op) == 14


async def test_listener__database_unreachable__keeps_retrying_and_stops_cleanly() -> None:
    broker = LocalBroker()
    listener = SeatsListener(
        "postgresql://nobody@127.0.0.1:1/nothing", broker=broker, min_backoff=0.01, max_backoff=0.05
    )
    listener.start()
    await asyncio.sleep(0.3)
    assert not listener.ready.is_set() and listener.connects == 0
    await listener.stop()


async def test_broker__slow_subscriber__keeps_the_latest_not_a_backlog() -> None:
    broker = LocalBroker()
    queue = broker.subscribe(7)
    for remaining in range(150, 0, -1):
        broker.publish(SeatsChanged(event_id=7, remaining=remaining))
    broker.publish(SeatsChanged(event_id=8, remaining=0))  # other events do not reach it

    received = [queue.get_nowait().remaining for _ in range(queue.qsize())]

    assert len(received) == 100 and received[-1] == 1
    broker.unsubscribe(7, queue)
    assert broker.event_ids() == []
