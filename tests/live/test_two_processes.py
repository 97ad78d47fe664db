"""Across server processes: two uvicorn processes on one PostgreSQL database; a change committed
anywhere reaches subscribers on every process (LISTEN/NOTIFY, one listener per process)."""

from __future__ import annotations

from culture_cloud.live.seats import publish_seats_changed
from tests.conftest import Database
from tests.live.conftest import (
    book_event,
    book_seats,
    live_data,
    serve_in_subprocesses,
    ws_client,
)


async def test_event_seats__change_committed_elsewhere__pushed_by_both_processes(
    db: Database, postgres_only: None
) -> None:
    data = await live_data(db, capacity=30, booked=0)
    async with (
        serve_in_subprocesses(db.url, 2) as (a, b),
        ws_client(a) as on_a,
        ws_client(b) as on_b,
    ):
        await on_a.init(data.token)
        await on_b.init(data.token)
        op_a, op_b = await on_a.subscribe(data.event_gid), await on_b.subscribe(data.event_gid)
        # The first value is read only once each process's listener is up.
        assert await on_a.next_seats(op_a) == 30
        assert await on_b.next_seats(op_b) == 30

        # A real booking through process B.
        assert await book_event(b, data.token, data.event_gid, 4) == 26

        assert await on_a.next_seats(op_a) == 26
        assert await on_b.next_seats(op_b) == 26

        # Quick successive changes (here from a third process) arrive in commit order,
        # coalesced per tick: fewer pushes, never out of order, always ending on the last.
        for _ in range(5):
            await book_seats(db, data.event_id, 1)
        for ws, op in ((on_a, op_a), (on_b, op_b)):
            seen = [await ws.next_seats(op)]
            while seen[-1] != 21:
                seen.append(await ws.next_seats(op))
            assert seen == sorted(seen, reverse=True) and len(set(seen)) == len(seen)

        # pg_notify inside a transaction that rolls back is never delivered.
        async with db.factory() as session:
            await session.begin()
            await publish_seats_changed(session, event_id=data.event_id, remaining=1)
            await session.rollback()
        await book_seats(db, data.event_id, 2)
        assert await on_a.next_seats(op_a) == 19  # not 1
        assert await on_b.next_seats(op_b) == 19
